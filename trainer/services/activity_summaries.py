"""Activity summaries: per membership and assignment, derived from activity logs in the same transaction."""
from sqlalchemy import case, delete, func, insert, select

from trainer.extensions import db
from trainer.models import ActivityLog, ActivitySummary

COLUMNS = ("membership_id", "assignment_id", "entries", "done", "minutes", "last_done_on")


def _grouped(where=None):
    query = select(ActivityLog.membership_id, ActivityLog.assignment_id, func.count(ActivityLog.id),
                   func.sum(case((ActivityLog.status == "done", 1), else_=0)),
                   func.coalesce(func.sum(ActivityLog.minutes), 0), func.max(ActivityLog.done_on))
    if where is not None:
        query = query.where(where)
    return query.group_by(ActivityLog.membership_id, ActivityLog.assignment_id)


def refresh(membership_ids) -> None:
    """Recompute the summaries of these memberships from their logs (flushes; no commit).

    Every service that adds, changes or deletes activity logs calls this before it commits, so a
    summary never disagrees with the logs it summarises.
    """
    ids = sorted({i for i in membership_ids if i is not None})
    if not ids:
        return
    db.session.flush()
    db.session.execute(delete(ActivitySummary).where(ActivitySummary.membership_id.in_(ids)))
    db.session.execute(insert(ActivitySummary).from_select(
        COLUMNS, _grouped(ActivityLog.membership_id.in_(ids))))


def rebuild() -> int:
    """Recompute every summary from the raw logs (after bulk loads or restores). Commits.

    Returns how many summaries there are.
    """
    db.session.execute(delete(ActivitySummary))
    db.session.execute(insert(ActivitySummary).from_select(COLUMNS, _grouped()))
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(ActivitySummary))
