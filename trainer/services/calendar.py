"""Private calendar feeds (iCalendar, RFC 5545) and the printable agenda of a training day.

Each event's UID is derived from the day's or session's id, so it stays the same across edits;
its SEQUENCE is the row's ``sequence``, which every change of the plan increments, so calendar
clients replace the event instead of adding a second one. Cancelled days stay in the feed as
STATUS:CANCELLED, so subscribed calendars remove them.
"""
import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trainer.extensions import db
from trainer.models import CalendarFeed, Membership, SessionTrainer, TrainingDay, TrainingSession, User

UID_DOMAIN = "resilience-trainer"


def feed_token(user: User) -> str | None:
    """The user's current feed token, or None if they have not made one yet."""
    return db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == user.id))


def reset_token(user: User) -> str:
    """Give the user a new feed token (the old URL stops working at once); commits."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token = secrets.token_urlsafe(32)
    db.session.commit()
    return feed.token


def feed_url(token: str, *, base_url: str) -> str:
    """The public address of the feed with ``token``, built on the app's BASE_URL like e-mailed links."""
    return f"{base_url.rstrip('/')}/calendar/{token}.ics"


def user_for_token(token: str) -> User | None:
    """The enabled user whose feed token this is, if any."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    return feed.user if feed is not None and feed.user.is_enabled else None


def build_feed(user: User, *, now: datetime) -> bytes:
    """The user's calendar: their programmes' days, and the sessions they run as a trainer.

    Participants see the days of programmes that are past draft (once they have been told),
    in the intervention arm only; leads and trainers see every day of their programmes.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Resilience Trainer//Training days//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Resilience training")
    for day in _days_for(user):
        cal.add_component(_day_event(day, now))
    for session in _sessions_run_by(user):
        cal.add_component(_session_event(session, now))
    first = date(min(now.year, 2020), 1, 1)
    cal.add_missing_timezones(first_date=first, last_date=date(now.year + 5, 1, 1))
    return cal.to_ical()


def agenda(day: TrainingDay) -> TrainingDay:
    """The day with its sessions, modules and trainers loaded, for the printable agenda."""
    return db.session.scalar(select(TrainingDay).where(TrainingDay.id == day.id).options(
        selectinload(TrainingDay.sessions).selectinload(TrainingSession.module),
        selectinload(TrainingDay.sessions).selectinload(TrainingSession.trainers)
        .selectinload(SessionTrainer.membership).selectinload(Membership.user)))


def _days_for(user: User) -> list[TrainingDay]:
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)
                                     .options(selectinload(Membership.programme)))
    programme_ids = {m.programme_id for m in memberships
                     if m.role in ("lead", "trainer")
                     or (m.arm == "intervention" and m.programme.status != "draft")}
    return list(db.session.scalars(
        select(TrainingDay).where(TrainingDay.programme_id.in_(programme_ids))
        .options(selectinload(TrainingDay.programme),
                 selectinload(TrainingDay.sessions).selectinload(TrainingSession.module),
                 selectinload(TrainingDay.sessions).selectinload(TrainingSession.trainers)
                 .selectinload(SessionTrainer.membership).selectinload(Membership.user))
        .order_by(TrainingDay.day)))


def _sessions_run_by(user: User) -> list[TrainingSession]:
    return list(db.session.scalars(
        select(TrainingSession).join(SessionTrainer).join(Membership)
        .where(Membership.user_id == user.id)
        .options(selectinload(TrainingSession.day).selectinload(TrainingDay.programme),
                 selectinload(TrainingSession.module))))


def _event(uid: str, sequence: int, summary: str, day: TrainingDay, starts, ends, now: datetime):
    tz = ZoneInfo(day.programme.timezone)
    event = icalendar.Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("sequence", sequence)
    event.add("dtstamp", now)
    event.add("summary", summary)
    event.add("dtstart", datetime.combine(day.day, starts, tzinfo=tz))
    event.add("dtend", datetime.combine(day.day, ends, tzinfo=tz))
    event.add("status", "CANCELLED" if day.cancelled else "CONFIRMED")
    if day.venue:
        event.add("location", day.venue)
    return event


def _day_event(day: TrainingDay, now: datetime):
    event = _event(f"day-{day.id}", day.sequence, f"Training day: {day.programme.name}",
                   day, day.starts_at, day.ends_at, now)
    lines = [f"{s.starts_at:%H:%M}-{s.ends_at:%H:%M} {s.module.title}" + _run_by(s) for s in day.sessions]
    event.add("description", "\n".join(lines + ([day.notes] if day.notes else [])))
    return event


def _run_by(session: TrainingSession) -> str:
    names = sorted(t.membership.user.display_name for t in session.trainers)
    return f" (with {', '.join(names)})" if names else ""


def _session_event(session: TrainingSession, now: datetime):
    day = session.day
    event = _event(f"session-{session.id}", session.sequence + day.sequence,
                   f"You run: {session.module.title}", day, session.starts_at, session.ends_at, now)
    if session.room:
        event.add("description", f"Room: {session.room}")
    return event
