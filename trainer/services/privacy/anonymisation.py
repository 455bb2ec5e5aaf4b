"""The retention schedule: programmes closed long enough ago lose their participants' identities."""
import calendar
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update

from trainer.extensions import db
from trainer.models import (ActivityLog, Apology, Goal, Membership, OutboxMessage, PeerMeeting,
                            Programme, User)
from trainer.services.privacy import audit

ANONYMOUS_NAME = "Anonymised participant"
REDACTED = "[This message was removed when the programme's personal data reached its retention limit.]"


def months_after(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Expired:
    """A closed programme past its retention date, and how many participants it holds."""

    programme: Programme
    kept_until: date
    participants: int


def expired(today: date, months: int) -> list[Expired]:
    """Closed, not yet anonymised programmes whose end date is more than ``months`` months before
    ``today`` (a programme is kept until its end date plus ``months``)."""
    result = []
    for programme in db.session.scalars(select(Programme).where(
            Programme.status == "closed", Programme.anonymised_at.is_(None)).order_by(Programme.end_date)):
        until = months_after(programme.end_date, months)
        if until < today:
            count = db.session.scalar(select(func.count(Membership.id)).where(
                Membership.programme_id == programme.id, Membership.role == "participant"))
            result.append(Expired(programme, until, count))
    return result


def _anonymise(programme: Programme) -> dict[str, int]:
    """Unlink every participant of ``programme`` from their account (each membership moves to a
    new, disabled placeholder account), and delete what they wrote for themselves."""
    members = list(db.session.scalars(select(Membership).where(
        Membership.programme_id == programme.id, Membership.role == "participant")))
    ids = [m.id for m in members]
    goals = list(db.session.scalars(select(Goal).where(Goal.membership_id.in_(ids))))
    for goal in goals:
        db.session.delete(goal)
    notes = db.session.execute(update(ActivityLog).where(ActivityLog.membership_id.in_(ids))
                               .values(private_note="", values={})).rowcount
    db.session.execute(update(PeerMeeting).where(PeerMeeting.author_id.in_(ids))
                       .values(private_note="", agenda=""))
    db.session.execute(update(Apology).where(Apology.membership_id.in_(ids)).values(reason=""))
    for member in members:
        placeholder = User(email=f"anonymised-{secrets.token_hex(8)}@anonymised.invalid",
                           display_name=ANONYMOUS_NAME, password_hash=None, is_enabled=False)
        db.session.add(placeholder)
        member.user = placeholder
        member.team, member.leaving_reason = None, None
    db.session.execute(update(OutboxMessage).where(OutboxMessage.body.contains(programme.name))
                       .values(body=REDACTED))
    return {"participants": len(members), "goals": len(goals), "logs": notes}


def anonymise_expired(today: date, months: int, *, now: datetime) -> list[Expired]:
    """Anonymise every programme past its retention date (see ``expired``), mark it anonymised
    and audit it with counts (no commit: the job runner or the command commits). Safe to run twice."""
    due = expired(today, months)
    for item in due:
        counts = _anonymise(item.programme)
        item.programme.anonymised_at = now
        audit.record(None, "programme.anonymised", item.programme, programme_id=item.programme.id,
                     months=months, **counts)
    db.session.flush()
    return due


def run(today: date, months: int, *, now: datetime, dry_run: bool) -> list[Expired]:
    """For ``flask retention``: list what is due (``dry_run``), or anonymise it and commit."""
    if dry_run:
        return expired(today, months)
    due = anonymise_expired(today, months, now=now)
    db.session.commit()
    return due
