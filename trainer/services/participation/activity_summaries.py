"""Activity summaries, derived from activity logs in the same transaction: per membership and
assignment (``activity_summaries``), and from those per membership and module
(``activity_module_summaries``)."""
from sqlalchemy import case, delete, event, func, inspect, insert, select, text
from sqlalchemy.orm import Session

from trainer.extensions import db
from trainer.models import Activity, ActivityLog, ActivityModuleSummary, ActivitySummary, Assignment, Membership

COLUMNS = ("membership_id", "assignment_id", "entries", "done", "minutes", "last_done_on")
MODULE_COLUMNS = ("membership_id", "module_id", "done", "minutes", "last_done_on")


def _grouped(where=None):
    query = select(ActivityLog.membership_id, ActivityLog.assignment_id, func.count(ActivityLog.id),
                   func.sum(case((ActivityLog.status == "done", 1), else_=0)),
                   func.coalesce(func.sum(ActivityLog.minutes), 0), func.max(ActivityLog.done_on))
    if where is not None:
        query = query.where(where)
    return query.group_by(ActivityLog.membership_id, ActivityLog.assignment_id)


def _by_module(where=None):
    """Per membership and module, from the activity summaries of assignments in the membership's
    own programme: assignments done (any entry done), minutes and the latest day."""
    query = (select(ActivitySummary.membership_id, Activity.module_id,
                    func.count().filter(ActivitySummary.done > 0), func.sum(ActivitySummary.minutes),
                    func.max(ActivitySummary.last_done_on))
             .join(Membership, Membership.id == ActivitySummary.membership_id)
             .join(Assignment, (Assignment.id == ActivitySummary.assignment_id)
                   & (Assignment.programme_id == Membership.programme_id))
             .join(Activity, Activity.id == Assignment.activity_id))
    if where is not None:
        query = query.where(where)
    return query.group_by(ActivitySummary.membership_id, Activity.module_id)


def _recompute(connection, ids: list[int]) -> None:
    connection.execute(delete(ActivitySummary).where(ActivitySummary.membership_id.in_(ids)))
    connection.execute(insert(ActivitySummary).from_select(
        COLUMNS, _grouped(ActivityLog.membership_id.in_(ids))))
    connection.execute(delete(ActivityModuleSummary).where(ActivityModuleSummary.membership_id.in_(ids)))
    connection.execute(insert(ActivityModuleSummary).from_select(
        MODULE_COLUMNS, _by_module(ActivitySummary.membership_id.in_(ids))))


def refresh(membership_ids) -> None:
    """Recompute the summaries of these memberships from their logs (flushes; no commit).

    For writes that bypass the session's units of work (a bulk ``delete(ActivityLog)``);
    anything flushed through the session is kept in step by ``keep_in_step``.
    """
    ids = sorted({i for i in membership_ids if i is not None})
    if ids:
        db.session.flush()
        _recompute(db.session.connection(), ids)


def _after_flush(session: Session, _context) -> None:
    """Recompute the summaries of every membership whose logs this flush added, changed or
    deleted, on the flush's own connection: in the same transaction as the write."""
    ids = set()
    for log in (*session.new, *session.dirty, *session.deleted):
        if isinstance(log, ActivityLog):
            ids.add(log.membership_id)
            ids.update(inspect(log).attrs.membership_id.history.deleted or ())
    ids.discard(None)
    if ids:
        _recompute(session.connection(), sorted(ids))


def keep_in_step() -> None:
    """Keep summaries in step with every flush of activity logs (called once by create_app)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def recompute_all(connection) -> None:
    """Recompute every summary, by assignment and by module, from the raw logs on ``connection``
    (no commit)."""
    connection.execute(delete(ActivitySummary))
    connection.execute(insert(ActivitySummary).from_select(COLUMNS, _grouped()))
    connection.execute(delete(ActivityModuleSummary))
    connection.execute(insert(ActivityModuleSummary).from_select(MODULE_COLUMNS, _by_module()))


def rebuild() -> int:
    """Recompute every summary from the raw logs (after bulk loads or restores). Commits.

    Returns how many summaries there are.
    """
    recompute_all(db.session.connection())
    # Fresh statistics for the planner: the table was just rewritten in bulk.
    db.session.execute(text("ANALYZE activity_summaries"))
    db.session.execute(text("ANALYZE activity_module_summaries"))
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(ActivitySummary))
