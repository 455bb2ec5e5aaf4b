"""CSV exports of module ratings for analysis: long format with pseudonymous codes, a data
dictionary, and comments in a separate file without codes. Each export is audited."""
import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trainer.clock import today_in
from trainer.errors import NotFound
from trainer.extensions import db
from trainer.models import Membership, Module, ModuleRating, RatingWave, User
from trainer.services.accounts import access
from trainer.services.privacy import audit
from trainer.services.outcomes.exports import neutralise
from trainer.services.ratings.ratings import last_training_day

RATING_COLUMNS = [
    ("programme", "Name of the programme."),
    ("participant_code", "Random pseudonymous participant code, unique within the programme "
                         "(six characters, e.g. K7QX2M), derived from nothing about the person. "
                         "The key that links it to a person stays in the application."),
    ("arm", "Study arm of the participant: intervention or comparison."),
    ("team", "Team or locality of the participant, if recorded."),
    ("wave", "Label of the rating wave (time point)."),
    ("wave_offset_days", "Planned days from the last training day to the opening of the wave."),
    ("days_since_last_training_day", "Days from the programme's last (non-cancelled) training day "
                                     "to the local date the answer was last saved."),
    ("module", "Key of the curriculum module rated."),
    ("module_title", "Title of the module."),
    ("usefulness", "Usefulness from 1 (not at all useful) to 5 (extremely useful); empty when the "
                   "participant did not attend the module."),
    ("attended", "yes, or no when the participant answered that they did not attend the module."),
    ("submitted_at", "When the answer as it stands was last saved, in UTC (ISO 8601)."),
]
COMMENT_COLUMNS = ["programme", "wave", "module", "module_title", "comment"]
EXPORTS = ("ratings", "dictionary", "comments")


@dataclass(frozen=True)
class Export:
    """A CSV file to download."""

    filename: str
    text: str


def _csv(header: list[str], rows: list) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def _ratings(programme_id: int):
    return db.session.scalars(
        select(ModuleRating).join(Membership).join(RatingWave).join(Module)
        .where(Membership.programme_id == programme_id)
        .options(selectinload(ModuleRating.membership), selectinload(ModuleRating.wave),
                 selectinload(ModuleRating.module))
        .order_by(RatingWave.offset_days, Membership.code, Module.position))


def export(user: User, programme_id: int, kind: str, *, slug_date) -> Export:
    """Evaluators of the programme only (record-level data never reaches leads): the ``kind``
    file ('ratings', 'dictionary' or 'comments'). Records an audit event and commits."""
    if kind not in EXPORTS:
        raise NotFound("No such export.")
    programme = access.require_membership(user, programme_id, ("evaluator",)).programme
    if kind == "dictionary":
        header, rows = ["column", "meaning"], RATING_COLUMNS
    elif kind == "ratings":
        last_day = last_training_day(programme)
        header, rows = [c for c, _ in RATING_COLUMNS], [
            [programme.name, r.membership.code, r.membership.arm, r.membership.team or "",
             r.wave.label, r.wave.offset_days,
             (today_in(programme.timezone, r.updated_at) - last_day).days if last_day else "",
             r.module.key, r.module.title, r.usefulness if r.usefulness is not None else "",
             "no" if r.did_not_attend else "yes", r.updated_at.isoformat(timespec="seconds")]
            for r in _ratings(programme.id)]
    else:
        # Sorted by text within a module, so row order cannot be matched to the ratings file.
        comments = sorted((r for r in _ratings(programme.id) if r.comment.strip()),
                          key=lambda r: (r.wave.offset_days, r.module.position, r.comment.strip()))
        header, rows = COMMENT_COLUMNS, [[programme.name, r.wave.label, r.module.key, r.module.title,
                                          r.comment.strip()] for r in comments]
    # Counted from the rows: a comment typed over several lines holds line breaks of its own.
    audit.record(user.id, f"ratings.exported.{kind}", programme, programme_id=programme.id,
                 rows=len(rows))
    db.session.commit()
    return Export(f"programme-{programme.id}-module-{kind}-{slug_date.isoformat()}.csv",
                  _csv(header, rows))
