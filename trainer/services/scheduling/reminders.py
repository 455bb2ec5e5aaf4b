"""Reminders: two days before each training day, one message to each participant and trainer."""
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trainer.clock import today_in
from trainer.extensions import db
from trainer.models import Membership, Programme, TrainingDay, TrainingSession
from trainer.services.system import outbox

REMIND_DAYS_BEFORE = 2
ACTIVE_STATUSES = ("scheduled", "running")


def queue_reminders(now: datetime) -> int:
    """Queue reminders for days starting within the next two local days; return how many were new.

    A day is due from two days before it until the day before, so a late or missed run still
    catches up; the dedupe key (day, person) makes every later run a no-op.
    """
    queued = 0
    for programme in db.session.scalars(select(Programme).where(Programme.status.in_(ACTIVE_STATUSES))):
        today = today_in(programme.timezone, now)
        days = db.session.scalars(select(TrainingDay).where(
            TrainingDay.programme_id == programme.id, TrainingDay.cancelled.is_(False),
            TrainingDay.day > today, TrainingDay.day <= today + timedelta(days=REMIND_DAYS_BEFORE))
            .options(selectinload(TrainingDay.sessions).selectinload(TrainingSession.module)))
        people = list(db.session.scalars(select(Membership).where(
            Membership.programme_id == programme.id,
            (Membership.role == "trainer") | (Membership.arm == "intervention"),
            Membership.withdrawn_from.is_distinct_from("programme"))
            .options(selectinload(Membership.user))))
        for day in days:
            for member in people:
                queued += outbox.enqueue(
                    dedupe_key=f"reminder:{day.id}:{member.user_id}", kind="reminder", to=member.user,
                    subject=f"Training day on {day.day:%A %-d %B}: {programme.name}",
                    body=_body(member, day))
    return queued


def _body(member: Membership, day: TrainingDay) -> str:
    sessions = "\n".join(f"- {s.starts_at:%H:%M} to {s.ends_at:%H:%M}: {s.module.title}"
                         for s in day.sessions)
    venue = f" at {day.venue}" if day.venue else ""
    ask = ("" if member.role == "trainer" else
           "\nIf you cannot come, send your apologies from your home page.\n")
    return (f"Hello {member.user.display_name},\n\nA reminder: the next training day is "
            f"{day.day:%A %-d %B %Y}, {day.starts_at:%H:%M} to {day.ends_at:%H:%M}{venue}.\n\n"
            f"{sessions}\n{ask}")
