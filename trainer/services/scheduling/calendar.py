"""Private calendar feeds (iCalendar, RFC 5545) and the printable agenda of a training day.

Each event's UID is derived from the day's or session's id, so it stays the same across edits;
its SEQUENCE is the row's ``sequence``, which every change of the plan increments, so calendar
clients replace the event instead of adding a second one. Events that are cancelled or leave a
person's calendar (a cancelled day, a removed session, a trainer taken off the team, a
participant who left) stay in the feed as STATUS:CANCELLED with a higher SEQUENCE for 90 days,
so subscribed calendars remove them instead of keeping them for ever.
"""
import secrets
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
from flask import g, has_request_context, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import (CalendarFeed, Membership, RemovedEvent, SessionTrainer, TrainingDay,
                            TrainingSession, User)
from trainer.services.scheduling.attendance import not_expected_reason

UID_DOMAIN = "resilience-trainer"
KEEP_CANCELLED = timedelta(days=90)


# Read by every home page: built once, keeping its cache key. The statement that loads the
# session's user (accounts.load_session_user) reads it too, as a subquery.
TOKEN = select(CalendarFeed.token)
_TOKEN = TOKEN.where(CalendarFeed.user_id == bindparam("user_id"))


def remember_token(user_id: int, token: str | None) -> None:
    """Keep the feed token of the session's user, read with the user, for the rest of a GET
    request, which cannot change it (GETs run read-only); other requests read it afresh."""
    if has_request_context() and request.method == "GET":
        g.calendar_token = (user_id, token)


def feed_token(user: User) -> str | None:
    """The user's current feed token, or None if they have not made one yet: as read with the
    session's user on a GET (``remember_token``), by its own statement otherwise."""
    remembered = g.get("calendar_token") if has_request_context() else None
    if remembered is not None and remembered[0] == user.id:
        return remembered[1]
    return db.session.scalar(_TOKEN, {"user_id": user.id})


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


def subscribe_url(url: str) -> str:
    """A feed address with the ``webcal://`` scheme, which calendar apps subscribe to."""
    return "webcal://" + url.split("://", 1)[-1]


def user_for_token(token: str) -> User | None:
    """The enabled user whose feed token this is, if any."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    return feed.user if feed is not None and feed.user.is_enabled else None


def build_feed(user: User, *, now: datetime) -> bytes:
    """The user's calendar: their programmes' days, and the sessions they run as a trainer.

    Participants see the days of programmes that are past draft (once they have been told),
    in the intervention arm only; leads and trainers see every day of their programmes. Days
    after a participant left are sent cancelled. Cancelled and removed events are kept, as
    STATUS:CANCELLED, for 90 days.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Resilience Trainer//Training days//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Resilience training")
    since = (now - KEEP_CANCELLED).date()
    live = set()
    for day, gone_since in _days_for(user):
        if day.cancelled and day.day < since or gone_since is not None and gone_since < since:
            continue
        cal.add_component(_day_event(day, now, cancelled=gone_since is not None))
        live.add(f"day-{day.id}")
    for session in _sessions_run_by(user):
        cal.add_component(_session_event(session, now))
        live.add(f"session-{session.id}")
    for removed in db.session.scalars(select(RemovedEvent).where(
            RemovedEvent.user_id == user.id, RemovedEvent.removed_at >= now - KEEP_CANCELLED)):
        if removed.uid not in live:
            cal.add_component(_removed_event(removed, now))
    first = date(min(now.year, 2020), 1, 1)
    cal.add_missing_timezones(first_date=first, last_date=date(now.year + 5, 1, 1))
    return cal.to_ical()


def session_removed(session: TrainingSession, user_ids) -> None:
    """Keep the "You run" event of ``session`` as cancelled in these users' feeds (no commit)."""
    day = session.day
    for user_id in set(user_ids):
        _remember(user_id, f"session-{session.id}", f"You run: {session.module.title}", day,
                  session.starts_at, session.ends_at, session.sequence + day.sequence + 1)


def days_removed(days, user_id: int) -> None:
    """Keep these days' events as cancelled in the user's feed (no commit)."""
    for day in days:
        _remember(user_id, f"day-{day.id}", f"Training day: {day.programme.name}", day,
                  day.starts_at, day.ends_at, day.sequence + 1)


def _remember(user_id: int, uid: str, summary: str, day: TrainingDay, starts, ends, sequence: int) -> None:
    tz = ZoneInfo(day.programme.timezone)
    row = db.session.scalar(select(RemovedEvent).where(RemovedEvent.user_id == user_id,
                                                       RemovedEvent.uid == uid))
    row = row or RemovedEvent(user_id=user_id, uid=uid)
    row.summary, row.sequence = summary[:300], sequence
    row.starts_at = datetime.combine(day.day, starts, tzinfo=tz).astimezone(timezone.utc)
    row.ends_at = datetime.combine(day.day, ends, tzinfo=tz).astimezone(timezone.utc)
    row.removed_at = utcnow()
    db.session.add(row)


def _removed_event(removed: RemovedEvent, now: datetime):
    event = icalendar.Event()
    event.add("uid", f"{removed.uid}@{UID_DOMAIN}")
    event.add("sequence", removed.sequence)
    event.add("dtstamp", now)
    event.add("summary", removed.summary)
    event.add("dtstart", removed.starts_at)
    event.add("dtend", removed.ends_at)
    event.add("status", "CANCELLED")
    return event


def agenda(day: TrainingDay) -> TrainingDay:
    """The day with its sessions, modules and trainers loaded, for the printable agenda."""
    return db.session.scalar(select(TrainingDay).where(TrainingDay.id == day.id).options(
        selectinload(TrainingDay.sessions).selectinload(TrainingSession.module),
        selectinload(TrainingDay.sessions).selectinload(TrainingSession.trainers)
        .selectinload(SessionTrainer.membership).selectinload(Membership.user)))


def _days_for(user: User) -> list[tuple[TrainingDay, date | None]]:
    """The user's days, each with the date from which it is gone for them (None: it is not)."""
    memberships = list(db.session.scalars(select(Membership).where(Membership.user_id == user.id)
                                          .options(selectinload(Membership.programme))))
    staff = {m.programme_id for m in memberships if m.role in ("lead", "trainer")}
    participant = {m.programme_id: m for m in memberships
                   if m.arm == "intervention" and m.programme.status != "draft"}
    days = db.session.scalars(
        select(TrainingDay).where(TrainingDay.programme_id.in_(staff | set(participant)))
        .options(selectinload(TrainingDay.programme),
                 selectinload(TrainingDay.sessions).selectinload(TrainingSession.module),
                 selectinload(TrainingDay.sessions).selectinload(TrainingSession.trainers)
                 .selectinload(SessionTrainer.membership).selectinload(Membership.user))
        .order_by(TrainingDay.day))
    result = []
    for day in days:
        member = participant.get(day.programme_id)
        gone = (day.programme_id not in staff and member is not None
                and not_expected_reason(member, day) is not None)
        result.append((day, (member.left_on or date.max) if gone else None))
    return result


def _sessions_run_by(user: User) -> list[TrainingSession]:
    return list(db.session.scalars(
        select(TrainingSession).join(SessionTrainer).join(Membership)
        .where(Membership.user_id == user.id)
        .options(selectinload(TrainingSession.day).selectinload(TrainingDay.programme),
                 selectinload(TrainingSession.module))))


def _event(uid: str, sequence: int, summary: str, day: TrainingDay, starts, ends, now: datetime,
           cancelled: bool = False):
    tz = ZoneInfo(day.programme.timezone)
    event = icalendar.Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("sequence", sequence)
    event.add("dtstamp", now)
    event.add("summary", summary)
    event.add("dtstart", datetime.combine(day.day, starts, tzinfo=tz))
    event.add("dtend", datetime.combine(day.day, ends, tzinfo=tz))
    event.add("status", "CANCELLED" if day.cancelled or cancelled else "CONFIRMED")
    if day.venue:
        event.add("location", day.venue)
    return event


def _day_event(day: TrainingDay, now: datetime, *, cancelled: bool = False):
    """A day's event; ``cancelled`` for this person only (they left) raises its SEQUENCE."""
    event = _event(f"day-{day.id}", day.sequence + cancelled, f"Training day: {day.programme.name}",
                   day, day.starts_at, day.ends_at, now, cancelled)
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
