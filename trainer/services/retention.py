"""Retention: who is still in post, leaving recorded or imported, survival in post per arm."""
import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trainer import stats
from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import Membership, Programme, User
from trainer.services import audit, consent, listing

ARMS = ("intervention", "comparison")
MILESTONES = ((182, "6 months"), (365, "12 months"))
CSV_COLUMNS = ("email", "left_on", "reason")


def _participant(programme: Programme, membership_id: int) -> Membership:
    member = db.session.get(Membership, membership_id)
    if member is None or member.programme_id != programme.id or member.role != "participant":
        raise NotFound("No such participant.")
    return member


def _set_leaving(member: Membership, programme: Programme, left_on: date | None, reason: str,
                 today: date, field: str = "left_on") -> None:
    if left_on is None:
        member.in_post, member.left_on, member.leaving_reason = True, None, None
        return
    if left_on > today:
        raise RuleViolation("The date they left must not be in the future", field=field)
    if left_on < programme.start_date:
        raise RuleViolation("The date they left must not be before the programme started", field=field)
    member.in_post, member.left_on = False, left_on
    member.leaving_reason = reason.strip()[:200] or None


def record_leaving(actor: User, programme: Programme, membership_id: int, left_on: date | None,
                   reason: str, *, today: date) -> Membership:
    """Record that a participant left post on ``left_on`` (None: they are back in post). Commits."""
    member = _participant(programme, membership_id)
    if not tracked(member):
        raise RuleViolation("This participant withdrew consent to retention tracking", field="left_on")
    _set_leaving(member, programme, left_on, reason, today)
    audit.record(actor.id, "retention.recorded", member, programme_id=programme.id,
                 left_on=left_on.isoformat() if left_on else None)
    db.session.commit()
    return member


def import_csv(actor: User, programme: Programme, text: str, *, today: date) -> int:
    """Import leaving dates from CSV with columns email, left_on (YYYY-MM-DD, blank: in post),
    reason. All rows are checked first; any problem imports nothing. Returns rows applied.

    People are matched by e-mail address: leaving post is something they did, which the lead
    records by name; participant codes belong to the evaluator alone."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not set(CSV_COLUMNS) <= {f.strip() for f in reader.fieldnames}:
        raise RuleViolation("The file needs a header row with the columns email, left_on, reason",
                            field="file")
    by_email = {m.user.email.lower(): m for m in db.session.scalars(
        select(Membership).where(Membership.programme_id == programme.id, Membership.role == "participant")
        .options(selectinload(Membership.user)))}
    rows = []
    for line, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        member = by_email.get(row["email"].lower())
        if member is None:
            raise RuleViolation(f"Line {line}: no participant has the e-mail address {row['email']!r}",
                                field="file")
        try:
            left_on = date.fromisoformat(row["left_on"]) if row["left_on"] else None
        except ValueError:
            raise RuleViolation(f"Line {line}: left_on must be a date like 2027-03-31",
                                field="file") from None
        rows.append((line, member, left_on, row["reason"]))
    for line, member, left_on, reason in rows:
        try:
            _set_leaving(member, programme, left_on, reason, today, field="file")
        except RuleViolation as exc:
            db.session.rollback()
            raise RuleViolation(f"Line {line}: {exc.message}", field="file") from None
    audit.record(actor.id, "retention.imported", programme, programme_id=programme.id, rows=len(rows))
    db.session.commit()
    return len(rows)


@dataclass
class ArmRetention:
    """One arm's survival in post since the programme started."""

    arm: str
    n: int
    left: int
    survival: stats.Survival
    at_milestones: list[tuple[str, float | None]]  # label, S(t)


def retention(programme: Programme, today: date) -> list[ArmRetention]:
    """Kaplan-Meier survival in post per arm from the programme's start; people still in post are
    censored today. Leaving post is something people did, so nothing is suppressed
    (trainer.services.disclosure hides only what people said)."""
    return _survival(programme, participants(programme), today)


def _survival(programme: Programme, members: list, today: date) -> list[ArmRetention]:
    result = []
    stopped = untracked_ids(programme)
    for arm in ARMS:
        durations, observed = [], []
        for m in members:
            if m.arm != arm or m.id in stopped:
                continue
            end = m.left_on if not m.in_post and m.left_on else today
            durations.append(max(0, (end - programme.start_date).days))
            observed.append(not m.in_post and m.left_on is not None)
        survival = stats.kaplan_meier(durations, observed)
        result.append(ArmRetention(
            arm, len(durations), sum(observed), survival,
            [(label, stats.survival_at(survival, days)) for days, label in MILESTONES]))
    return result


def chart(arms: list[ArmRetention]) -> dict:
    """Kaplan-Meier step curves per arm for <canvas data-chart> (arms with nobody left out)."""
    datasets = []
    for a in arms:
        if not a.n:
            continue
        s = a.survival
        points = [{"x": 0, "y": 1.0}] + [{"x": t, "y": round(v, 4)} for t, v in zip(s.times, s.survival)]
        if s.last_time is not None and (not s.times or s.last_time > s.times[-1]):
            points.append({"x": s.last_time, "y": points[-1]["y"]})
        datasets.append({"label": a.arm.capitalize(), "data": points, "stepped": "after",
                         "showLine": True, "fill": False, "pointRadius": 0})
    return {"type": "scatter", "datasets": datasets, "options": {
        "scales": {"x": {"title": {"display": True, "text": "Days since the programme started"}},
                   "y": {"min": 0, "max": 1, "title": {"display": True, "text": "Proportion still in post"}}}}}


def untracked_ids(programme: Programme) -> set[int]:
    """Participants whose retention is no longer tracked: they withdrew consent to follow-up and
    retention tracking (or from the programme), so they leave the survival analysis."""
    return set(db.session.scalars(select(Membership.id).where(
        Membership.programme_id == programme.id, Membership.role == "participant",
        consent.tracking_stopped() | (Membership.withdrawn_from == "programme"))))


def tracked(member: Membership) -> bool:
    """False once the participant has withdrawn consent to follow-up and retention tracking."""
    return member.id not in untracked_ids(member.programme)


def participants(programme: Programme) -> list[Membership]:
    """Participants with their retention facts and names, for the lead's list (by name)."""
    return list(db.session.scalars(select(Membership).join(User).where(
        Membership.programme_id == programme.id, Membership.role == "participant")
        .options(selectinload(Membership.user)).order_by(User.display_name, Membership.id)))


@dataclass
class Overview:
    """The lead's retention page: a page of the participants, survival in post per arm, its chart."""

    members: listing.ListPage
    arms: list[ArmRetention]
    chart: dict


def overview(programme: Programme, today: date, *, page: int = 1) -> Overview:
    """A page of the participants (with names, by name) and survival in post per arm.

    The survival reads only each participant's arm and leaving facts, so its cost and the
    page's statements do not grow with the cohort's names.
    """
    facts = db.session.execute(select(Membership.id, Membership.arm, Membership.in_post, Membership.left_on)
                               .where(Membership.programme_id == programme.id,
                                      Membership.role == "participant")).all()
    arms = _survival(programme, facts, today)
    members = listing.paginate(select(Membership).join(User).where(
        Membership.programme_id == programme.id, Membership.role == "participant")
        .options(selectinload(Membership.user)).order_by(User.display_name, Membership.id), page=page)
    return Overview(members, arms, chart(arms))
