"""What each role's home page shows."""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from trainer.clock import today_in
from trainer.extensions import db
from trainer.models import (Membership, Module, OutboxMessage, Programme, TrainingDay, TrainingSession,
                            User)
from trainer.services.accounts import access
from trainer.services.participation import activity_logs
from trainer.services.ratings import ratings
from trainer.services.scheduling import calendar
from trainer.services.system import listing


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


STAFF_PAGE_SIZE = 25
STAFF_ROLES = ("lead", "trainer")  # evaluators have a list of their own


@dataclass
class Home:
    """Everything the home page shows the user, section by section.

    ``staff`` is one page (a ``listing.ListPage`` of ``StaffPlace``) of the programmes the user
    leads or trains: an organisation's lead may lead hundreds.
    """

    participant: list[ParticipantPlace] = field(default_factory=list)
    staff: listing.ListPage = field(default_factory=lambda: listing.ListPage([], 0, 1, STAFF_PAGE_SIZE))
    evaluated: list[Programme] = field(default_factory=list)
    leads_any: bool = False
    admin_counts: dict[str, int] | None = None
    can_create_programmes: bool = False
    calendar_url: str | None = None

    @property
    def calendar_subscribe_url(self) -> str | None:
        """The feed address as a ``webcal://`` link, which opens the device's calendar app."""
        return calendar.subscribe_url(self.calendar_url) if self.calendar_url else None


# Read by every participant's home page: built once, keeping its cache key. The day's sessions
# and their modules come in the same statement (joined to the one day, which the ORM limits in
# a subquery), not in two more.
_NEXT_DAY = (select(TrainingDay).where(TrainingDay.programme_id == bindparam("programme_id"),
                                       TrainingDay.day >= bindparam("today"), TrainingDay.cancelled.is_(False))
             .options(joinedload(TrainingDay.sessions).joinedload(TrainingSession.module)
                      .load_only(Module.id, Module.key, Module.position, Module.title))  # the sessions' titles
             .order_by(TrainingDay.day).limit(1))


def next_training_day(programme: Programme, today: date) -> TrainingDay | None:
    """The first day of the programme on or after ``today`` that is not cancelled."""
    return db.session.scalars(_NEXT_DAY, {"programme_id": programme.id, "today": today}).unique().first()


# Statements of the staff home page, built once (they keep their cache keys).
_UPCOMING = (select(TrainingDay)
             .where(TrainingDay.programme_id.in_(bindparam("programme_ids", expanding=True)),
                    TrainingDay.day >= bindparam("since"), TrainingDay.cancelled.is_(False))
             .order_by(TrainingDay.day, TrainingDay.id))
_STAFF_PAGE = (select(Membership)
               .where(Membership.user_id == bindparam("user_id"), Membership.role.in_(STAFF_ROLES))
               .options(joinedload(Membership.programme)).order_by(Membership.id)
               .limit(bindparam("limit")).offset(bindparam("offset")))
_COHORT_SIZES = (select(Membership.programme_id, func.count(Membership.id))
                 .where(Membership.role == "participant",
                        Membership.programme_id.in_(bindparam("programme_ids", expanding=True)))
                 .group_by(Membership.programme_id))


def next_training_days(programmes: list[Programme], now: datetime) -> dict[int, TrainingDay]:
    """The next training day of each programme (as ``next_training_day``), in one query."""
    todays = {p.id: today_in(p.timezone, now) for p in programmes}
    if not todays:
        return {}
    # Time zones put "today" on at most two dates, so fetch from the earliest and choose per
    # programme (a programme has a handful of days: the rows fetched stay few).
    candidates = db.session.scalars(_UPCOMING, {"programme_ids": list(todays), "since": min(todays.values())})
    chosen: dict[int, TrainingDay] = {}
    for day in candidates:
        if day.programme_id not in chosen and day.day >= todays[day.programme_id]:
            chosen[day.programme_id] = day
    return chosen


def _staff_places(home: Home, user: User, now: datetime, page: int, total: int) -> None:
    """One page of the ``total`` programmes ``user`` leads or trains, with their next day and
    cohort size."""
    page = min(max(1, page), listing.ListPage([], total, 1, STAFF_PAGE_SIZE).pages)
    places = list(db.session.scalars(_STAFF_PAGE, {"user_id": user.id, "limit": STAFF_PAGE_SIZE,
                                                   "offset": (page - 1) * STAFF_PAGE_SIZE}))
    ids = [m.programme_id for m in places]
    sizes = dict(db.session.execute(_COHORT_SIZES, {"programme_ids": ids}).all()) if ids else {}
    days = next_training_days([m.programme for m in places], now)
    home.staff = listing.ListPage([StaffPlace(m.programme, m.role, days.get(m.programme_id),
                                              sizes.get(m.programme_id, 0)) for m in places],
                                  total, page, STAFF_PAGE_SIZE)


# The user's participant memberships with their programmes: built once (every participant's
# home reads it).
_PARTICIPATING = (select(Membership)
                  .where(Membership.user_id == bindparam("user_id"), Membership.role == "participant")
                  .options(joinedload(Membership.programme)).order_by(Membership.id))


def home_for(user: User, now: datetime, *, base_url: str, page: int = 1,
             places: list[tuple[str, str | None]] | None = None) -> Home:
    """Build the home page of ``user`` at instant ``now`` (dates local to each programme).

    ``page`` chooses the page of the programmes the user leads or trains. Addresses for outside
    use (the calendar feed) are built on ``base_url``, the public address. ``places`` (from
    ``access.places_of``) saves the query when the caller has them already.
    """
    token = calendar.feed_token(user)
    # Every role the user holds, in one query: it decides which of the queries below are needed.
    roles = [role for role, _ in (access.places_of(user) if places is None else places)]
    home = Home(can_create_programmes=bool(user.is_admin) or "lead" in roles,
                calendar_url=calendar.feed_url(token, base_url=base_url) if token else None)
    home.leads_any = "lead" in roles
    memberships = [] if "participant" not in roles else db.session.scalars(
        _PARTICIPATING, {"user_id": user.id})
    for m in memberships:
        today = today_in(m.programme.timezone, now)
        upcoming = next_training_day(m.programme, today) if m.arm == "intervention" else None
        home.participant.append(ParticipantPlace(
            m, m.programme, today, upcoming,
            activity_logs.summary_for(m, today) if m.arm == "intervention" else None,
            ratings.open_waves_for(m, today)))
    staff = sum(role in STAFF_ROLES for role in roles)
    if staff:
        _staff_places(home, user, now, page, staff)
    home.evaluated = [] if "evaluator" not in roles else list(db.session.scalars(
        select(Programme).join(Membership).where(Membership.user_id == user.id, Membership.role == "evaluator")
        .order_by(Programme.start_date.desc())))
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
