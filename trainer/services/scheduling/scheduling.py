"""Training days and sessions: adding, editing, moving and cancelling them, with the plan's rules.

Participants count as *told* about the plan once the programme has left ``draft`` (moving it to
``scheduled`` sends each of them the plan). From then on, moving or cancelling a day puts a
notice in the outbox for each intervention participant.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trainer.clock import local_instant
from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import (Membership, Module, Programme, SessionTrainer, TrainingDay,
                            TrainingSession, User)
from trainer.services.privacy import audit
from trainer.services.ratings import ratings
from trainer.services.scheduling import calendar
from trainer.services.system import outbox

TOLD_STATUSES = ("scheduled", "running", "follow-up", "closed")


@dataclass(frozen=True)
class DayInput:
    """What a day form gives: the date, hours, venue and notes."""

    day: date
    starts_at: time
    ends_at: time
    venue: str = ""
    notes: str = ""


@dataclass(frozen=True)
class SessionInput:
    """What a session form gives: hours, module, trainer memberships and room."""

    starts_at: time
    ends_at: time
    module_id: int
    trainer_ids: tuple[int, ...] = ()
    room: str = ""


@dataclass(frozen=True)
class SessionDefaults:
    """What the add-session form starts with: the next free slot and the module to run in it."""

    starts_at: time
    ends_at: time
    module_id: int | None


def session_defaults(day: TrainingDay) -> SessionDefaults:
    """Pre-fill for the next session of ``day``: it starts when the previous session ends.

    With no session yet it starts when the day starts. The module is the first in curriculum
    order that the programme has not scheduled yet (none when all are), and the session lasts
    that module's default length, or the length of the day's last session, capped at the
    day's end.
    """
    starts_at = max((s.ends_at for s in day.sessions), default=day.starts_at)
    scheduled = set(db.session.scalars(
        select(TrainingSession.module_id).join(TrainingDay)
        .where(TrainingDay.programme_id == day.programme_id, TrainingDay.cancelled.is_(False))))
    module = next((m for m in db.session.scalars(select(Module).order_by(Module.position))
                   if m.id not in scheduled), None)
    if module is not None:
        minutes = module.default_minutes
    elif day.sessions:
        last = day.sessions[-1]
        minutes = _minutes(last.ends_at) - _minutes(last.starts_at)
    else:
        minutes = 90
    on = date(2000, 1, 1)
    ends = datetime.combine(on, starts_at) + timedelta(minutes=minutes)
    ends_at = day.ends_at if ends.date() != on or ends.time() > day.ends_at else ends.time()
    return SessionDefaults(starts_at, ends_at, module.id if module else None)


def get_session(session_id: int) -> TrainingSession:
    """The session with this id; NotFound otherwise."""
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise NotFound("No such session.")
    return session


def programme_trainers(programme: Programme) -> list[Membership]:
    """The programme's trainer memberships, by name."""
    return list(db.session.scalars(
        select(Membership).join(User).where(Membership.programme_id == programme.id,
                                            Membership.role == "trainer")
        .options(selectinload(Membership.user)).order_by(User.display_name)))


def add_day(actor: User, programme: Programme, data: DayInput) -> TrainingDay:
    """Add a training day after checking its date and hours; commits."""
    _check_day(programme, data, None)
    day = TrainingDay(programme=programme, day=data.day, starts_at=data.starts_at,
                      ends_at=data.ends_at, venue=data.venue.strip(), notes=data.notes.strip())
    db.session.add(day)
    audit.record(actor.id, "day.added", day, programme_id=programme.id)
    ratings.sync_waves(programme)
    db.session.commit()
    return day


def update_day(actor: User, day: TrainingDay, data: DayInput) -> TrainingDay:
    """Edit or move a day. Its sessions keep their times and must still fit and not clash.

    Every change bumps the iCalendar SEQUENCE of the day and its sessions; a change of date or
    hours after participants were told queues a notice for each of them. Commits.
    """
    if day.cancelled:
        raise RuleViolation("This day is cancelled and cannot be changed", field="day")
    _check_day(day.programme, data, day)
    for session in day.sessions:
        if session.starts_at < data.starts_at or session.ends_at > data.ends_at:
            raise RuleViolation(
                f"The session {_hours(session)} ({session.module.title}) would fall outside the "
                "day's new hours: change or remove it first", field="starts_at")
        _check_trainers_free(day.programme, data.day, session.starts_at, session.ends_at,
                             [t.membership_id for t in session.trainers], session.id)
    moved = (data.day, data.starts_at, data.ends_at) != (day.day, day.starts_at, day.ends_at)
    old = _day_line(day)
    day.day, day.starts_at, day.ends_at = data.day, data.starts_at, data.ends_at
    day.venue, day.notes = data.venue.strip(), data.notes.strip()
    _bump(day)
    if moved or old != _day_line(day):
        _notify_participants(day, "day-moved", "A training day has changed",
                             f"The training day on {old} has changed. It is now on {_day_line(day)}.")
    audit.record(actor.id, "day.updated", day, programme_id=day.programme_id)
    ratings.sync_waves(day.programme)
    db.session.commit()
    return day


def cancel_day(actor: User, day: TrainingDay) -> None:
    """Cancel a day (kept, marked cancelled, so calendars remove it); told participants hear. Commits."""
    if day.cancelled:
        raise RuleViolation("This day is already cancelled")
    day.cancelled = True
    _bump(day)
    _notify_participants(day, "day-cancelled", "A training day is cancelled",
                         f"The training day on {_day_line(day)} is cancelled. Your programme lead "
                         "will tell you what happens instead.")
    audit.record(actor.id, "day.cancelled", day, programme_id=day.programme_id)
    ratings.sync_waves(day.programme)
    db.session.commit()


def add_session(actor: User, day: TrainingDay, data: SessionInput) -> TrainingSession:
    """Add a session to a day after checking hours, overlaps and trainers' bookings; commits."""
    _check_session(day, data, None)
    session = TrainingSession(day=day, module_id=data.module_id, starts_at=data.starts_at,
                              ends_at=data.ends_at, room=data.room.strip())
    session.trainers = [SessionTrainer(membership_id=m) for m in data.trainer_ids]
    db.session.add(session)
    day.sequence += 1
    audit.record(actor.id, "session.added", session, programme_id=day.programme_id)
    db.session.commit()
    return session


def update_session(actor: User, session: TrainingSession, data: SessionInput) -> TrainingSession:
    """Change a session's hours, module, trainers or room after the same checks; commits."""
    _check_session(session.day, data, session.id)
    session.starts_at, session.ends_at = data.starts_at, data.ends_at
    session.module_id, session.room = data.module_id, data.room.strip()
    wanted = set(data.trainer_ids)
    calendar.session_removed(session, [t.membership.user_id for t in session.trainers
                                       if t.membership_id not in wanted])
    session.trainers = [t for t in session.trainers if t.membership_id in wanted] + [
        SessionTrainer(membership_id=m) for m in data.trainer_ids
        if m not in {t.membership_id for t in session.trainers}]
    session.sequence += 1
    session.day.sequence += 1
    audit.record(actor.id, "session.updated", session, programme_id=session.day.programme_id)
    db.session.commit()
    return session


def delete_session(actor: User, session: TrainingSession) -> None:
    """Remove a session from its day (its trainers' calendars show it cancelled); commits."""
    day = session.day
    calendar.session_removed(session, [t.membership.user_id for t in session.trainers])
    audit.record(actor.id, "session.deleted", session, programme_id=day.programme_id)
    day.sessions.remove(session)
    day.sequence += 1
    db.session.commit()


def _check_day(programme: Programme, data: DayInput, current: TrainingDay | None) -> None:
    if data.ends_at <= data.starts_at:
        raise RuleViolation("The end time must be after the start time", field="ends_at")
    if not programme.start_date <= data.day <= programme.end_date:
        raise RuleViolation(
            f"The day must be within the programme's dates, {programme.start_date:%-d %B %Y} to "
            f"{programme.end_date:%-d %B %Y}", field="day")
    clash = db.session.scalar(select(TrainingDay.id).where(
        TrainingDay.programme_id == programme.id, TrainingDay.day == data.day,
        TrainingDay.cancelled.is_(False), TrainingDay.id != (current.id if current else -1)))
    if clash:
        raise RuleViolation("The programme already has a training day on that date", field="day")


def _check_session(day: TrainingDay, data: SessionInput, current_id: int | None) -> None:
    if day.cancelled:
        raise RuleViolation("This day is cancelled: sessions cannot be added or changed")
    if data.ends_at <= data.starts_at:
        raise RuleViolation("The end time must be after the start time", field="ends_at")
    if data.starts_at < day.starts_at or data.ends_at > day.ends_at:
        raise RuleViolation(f"The session must be within the day's hours, {_hours(day)}",
                            field="starts_at")
    if db.session.get(Module, data.module_id) is None:
        raise RuleViolation("Choose a module", field="module_id")
    for other in day.sessions:
        if other.id != current_id and other.starts_at < data.ends_at and data.starts_at < other.ends_at:
            raise RuleViolation(f"This overlaps the session {_hours(other)} ({other.module.title})",
                                field="starts_at")
    trainers = {m.id for m in programme_trainers(day.programme)}
    if not set(data.trainer_ids) <= trainers:
        raise RuleViolation("Choose trainers of this programme", field="trainer_ids")
    _check_trainers_free(day.programme, day.day, data.starts_at, data.ends_at, data.trainer_ids,
                         current_id)


def _check_trainers_free(programme: Programme, on: date, starts_at: time, ends_at: time,
                         trainer_ids, session_id: int | None) -> None:
    """RuleViolation if a trainer runs another session (in any programme) at an overlapping instant."""
    if not trainer_ids:
        return
    start = local_instant(on, starts_at, programme.timezone)
    end = local_instant(on, ends_at, programme.timezone)
    user_ids = select(Membership.user_id).where(Membership.id.in_(list(trainer_ids)))
    rows = db.session.execute(
        select(TrainingSession, TrainingDay, Programme, User)
        .join(TrainingDay, TrainingSession.day_id == TrainingDay.id)
        .join(Programme, TrainingDay.programme_id == Programme.id)
        .join(SessionTrainer, SessionTrainer.session_id == TrainingSession.id)
        .join(Membership, SessionTrainer.membership_id == Membership.id)
        .join(User, Membership.user_id == User.id)
        .where(Membership.user_id.in_(user_ids), TrainingDay.cancelled.is_(False),
               TrainingDay.day.between(on - timedelta(days=1), on + timedelta(days=1)),
               TrainingSession.id != (session_id or -1))).all()
    for other, other_day, other_programme, user in rows:
        other_start = local_instant(other_day.day, other.starts_at, other_programme.timezone)
        other_end = local_instant(other_day.day, other.ends_at, other_programme.timezone)
        if other_start < end and start < other_end:
            raise RuleViolation(
                f"{user.display_name} is already booked then: {other.module.title}, "
                f"{other_day.day:%-d %B %Y} {_hours(other)}, in {other_programme.name}",
                field="trainer_ids")


def _bump(day: TrainingDay) -> None:
    day.sequence += 1
    for session in day.sessions:
        session.sequence += 1


def _notify_participants(day: TrainingDay, kind: str, subject: str, text: str) -> None:
    programme = day.programme
    if programme.status not in TOLD_STATUSES:
        return
    for member in db.session.scalars(select(Membership).where(
            Membership.programme_id == programme.id, Membership.role == "participant",
            Membership.arm == "intervention").options(selectinload(Membership.user))):
        outbox.enqueue(
            dedupe_key=f"{kind}:{day.id}:{day.sequence}:{member.user_id}", kind=kind, to=member.user,
            subject=f"{subject}: {programme.name}",
            body=f"Hello {member.user.display_name},\n\n{text}\n\nYour calendar feed, if you "
                 "subscribed to it, updates by itself.\n")


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _hours(item) -> str:
    return f"{item.starts_at:%H:%M} to {item.ends_at:%H:%M}"


def _day_line(day: TrainingDay) -> str:
    venue = f" at {day.venue}" if day.venue else ""
    return f"{day.day:%A %-d %B %Y}, {_hours(day)}{venue}"

