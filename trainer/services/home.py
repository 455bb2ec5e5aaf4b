"""What each role's home page shows."""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from trainer.clock import today_in
from trainer.extensions import db
from trainer.models import (Membership, OutboxMessage, Programme, TrainingDay, TrainingSession,
                            User)
from trainer.services import access, activity_logs, calendar, ratings


@dataclass
class ParticipantPlace:
    """A participant's membership, with their next training day if any."""

    membership: Membership
    programme: Programme
    today: date
    next_day: TrainingDay | None
    activities: activity_logs.ParticipantSummary | None = None
    rating_waves: list = field(default_factory=list)


@dataclass
class StaffPlace:
    """A programme a user leads or trains, with its next day and cohort size."""

    programme: Programme
    role: str
    next_day: TrainingDay | None
    participants: int


@dataclass
class Home:
    """Everything the home page shows the user, section by section."""

    participant: list[ParticipantPlace] = field(default_factory=list)
    staff: list[StaffPlace] = field(default_factory=list)
    evaluated: list[Programme] = field(default_factory=list)
    admin_counts: dict[str, int] | None = None
    can_create_programmes: bool = False
    calendar_url: str | None = None

    @property
    def calendar_subscribe_url(self) -> str | None:
        """The feed address as a ``webcal://`` link, which opens the device's calendar app."""
        return calendar.subscribe_url(self.calendar_url) if self.calendar_url else None


def next_training_day(programme: Programme, today: date) -> TrainingDay | None:
    """The first day of the programme on or after ``today`` that is not cancelled."""
    return db.session.scalar(
        select(TrainingDay).where(TrainingDay.programme_id == programme.id,
                                  TrainingDay.day >= today, TrainingDay.cancelled.is_(False))
        .options(selectinload(TrainingDay.sessions).selectinload(TrainingSession.module))
        .order_by(TrainingDay.day).limit(1))


def home_for(user: User, now: datetime, *, base_url: str) -> Home:
    """Build the home page of ``user`` at instant ``now`` (dates local to each programme).

    Addresses for outside use (the calendar feed) are built on ``base_url``, the public address.
    """
    token = calendar.feed_token(user)
    home = Home(can_create_programmes=access.can_create_programmes(user),
                calendar_url=calendar.feed_url(token, base_url=base_url) if token else None)
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id)
        .options(selectinload(Membership.programme)).order_by(Membership.id))
    sizes = dict(db.session.execute(
        select(Membership.programme_id, func.count(Membership.id))
        .where(Membership.role == "participant").group_by(Membership.programme_id)).all())
    for m in memberships:
        today = today_in(m.programme.timezone, now)
        if m.role == "participant":
            upcoming = next_training_day(m.programme, today) if m.arm == "intervention" else None
            home.participant.append(ParticipantPlace(
                m, m.programme, today, upcoming,
                activity_logs.summary_for(m, today) if m.arm == "intervention" else None,
                ratings.open_waves_for(m, today)))
        elif m.role == "evaluator":
            home.evaluated.append(m.programme)
        else:
            home.staff.append(StaffPlace(m.programme, m.role, next_training_day(m.programme, today),
                                         sizes.get(m.programme_id, 0)))
    if user.is_admin:
        home.admin_counts = {
            "users": db.session.scalar(select(func.count(User.id))),
            "programmes": db.session.scalar(select(func.count(Programme.id))),
            "unsent": db.session.scalar(select(func.count(OutboxMessage.id))
                                        .where(OutboxMessage.sent_at.is_(None))),
        }
    return home


def database_ok() -> bool:
    """True if the database answers a trivial query."""
    try:
        db.session.execute(select(1))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        return False
