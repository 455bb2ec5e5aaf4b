"""Rating summaries: counts per score of each wave and module, derived from module ratings in the same transaction."""
from sqlalchemy import bindparam, delete, event, func, inspect, insert, select, text, update
from sqlalchemy.orm import Session

from trainer.extensions import db
from trainer.models import Membership, ModuleRating, ProgrammeVersion, RatingSummary, RatingWave

LEVELS = (1, 2, 3, 4, 5)
COLUMNS = ("wave_id", "module_id", "programme_id", *(f"score_{level}" for level in LEVELS))


def _grouped(where=None):
    """Counts per score of each wave and module, over intervention-arm participants' scores
    (the ratings the reports read; "did not attend" has no score)."""
    query = (select(ModuleRating.wave_id, ModuleRating.module_id, RatingWave.programme_id,
                    *(func.count().filter(ModuleRating.usefulness == level) for level in LEVELS))
             .join(RatingWave, RatingWave.id == ModuleRating.wave_id)
             .join(Membership, Membership.id == ModuleRating.membership_id)
             .where(Membership.arm == "intervention", ModuleRating.usefulness.is_not(None)))
    if where is not None:
        query = query.where(where)
    return query.group_by(ModuleRating.wave_id, ModuleRating.module_id, RatingWave.programme_id)


# Built once (their cache keys are kept): every rating submission runs both.
_WAVES = bindparam("wave_ids", expanding=True)
_DELETE = delete(RatingSummary).where(RatingSummary.wave_id.in_(_WAVES))
_INSERT = insert(RatingSummary).from_select(COLUMNS, _grouped(ModuleRating.wave_id.in_(_WAVES)))


def _recompute(connection, wave_ids: list[int]) -> None:
    connection.execute(_DELETE, {"wave_ids": wave_ids})
    connection.execute(_INSERT, {"wave_ids": wave_ids})


def refresh(wave_ids) -> None:
    """Recompute the summaries of these waves from their ratings (flushes; no commit).

    For writes that bypass the session's units of work (the rating upsert, a bulk
    ``delete(ModuleRating)``); anything flushed through the session is kept in step by
    ``keep_in_step``.
    """
    ids = sorted({i for i in wave_ids if i is not None})
    if ids:
        db.session.flush()
        _recompute(db.session.connection(), ids)


def waves_rated_by(membership_ids) -> list[int]:
    """The waves in which any of these participants has a rating (to refresh before deleting them)."""
    ids = sorted({i for i in membership_ids if i is not None})
    if not ids:
        return []
    return list(db.session.scalars(select(ModuleRating.wave_id).where(
        ModuleRating.membership_id.in_(ids)).distinct()))


def _after_flush(session: Session, _context) -> None:
    """Recompute the summaries of every wave whose ratings this flush added, changed or deleted,
    and of every wave of a programme where a participant's arm changed, on the flush's own
    connection: in the same transaction as the write."""
    waves, programmes = set(), set()
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, ModuleRating):
            waves.add(row.wave_id)
            waves.update(inspect(row).attrs.wave_id.history.deleted or ())
        elif isinstance(row, Membership) and row.role == "participant" and (
                row in session.deleted or inspect(row).attrs.arm.history.has_changes()):
            programmes.add(row.programme_id)
    waves.discard(None)
    programmes.discard(None)
    if programmes:
        waves.update(session.connection().scalars(
            select(RatingWave.id).where(RatingWave.programme_id.in_(sorted(programmes)))))
    if waves:
        _recompute(session.connection(), sorted(waves))


def keep_in_step() -> None:
    """Keep summaries in step with every flush of ratings (called once by create_app)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def recompute_all(connection) -> None:
    """Recompute every summary from the raw ratings on ``connection`` (no commit), and move
    every programme's ratings version: the pages remembered against it read the summaries,
    which no trigger watches (they follow the ratings, which one does)."""
    connection.execute(delete(RatingSummary))
    connection.execute(insert(RatingSummary).from_select(COLUMNS, _grouped()))
    connection.execute(update(ProgrammeVersion).values(ratings_version=ProgrammeVersion.ratings_version + 1))


def rebuild() -> int:
    """Recompute every summary from the raw ratings (after bulk loads or restores). Commits.

    Returns how many summaries there are.
    """
    recompute_all(db.session.connection())
    # Fresh statistics for the planner: the table was just rewritten in bulk.
    db.session.execute(text("ANALYZE rating_summaries"))
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(RatingSummary))
