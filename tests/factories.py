"""Plain builders for test data: each adds, flushes and returns one object."""
import itertools
from datetime import date, time, timedelta

from werkzeug.security import generate_password_hash

from trainer.extensions import db
from trainer.models import Programme, SessionTrainer, TrainingDay, TrainingSession, User
from trainer.services.scheduling import programmes

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)
# Hashing is slow on purpose; every test user shares one password, so hash it once.
_PASSWORD_HASH = generate_password_hash(PASSWORD)


def make_user(email: str | None = None, *, name: str | None = None, is_admin: bool = False,
              password: str | None = PASSWORD, enabled: bool = True) -> User:
    """A user who can sign in with ``PASSWORD`` (or ``password``)."""
    n = next(_counter)
    user = User(email=email or f"user{n}@example.org", display_name=name or f"Test User {n}",
                is_admin=is_admin, is_enabled=enabled,
                password_hash=(_PASSWORD_HASH if password == PASSWORD else
                               generate_password_hash(password) if password else None))
    db.session.add(user)
    db.session.flush()
    return user


def make_programme(name: str | None = None, *, start: date = date(2026, 9, 1),
                   end: date = date(2027, 6, 30), tz: str = "Europe/London",
                   status: str = "scheduled", **kw) -> Programme:
    """A programme with no members."""
    programme = Programme(name=name or f"Programme {next(_counter)}", organisation="Test Council",
                          timezone=tz, start_date=start, end_date=end, status=status, **kw)
    db.session.add(programme)
    db.session.flush()
    return programme


ALL_PURPOSES = ("programme", "evaluation", "follow_up")
UNALLOCATED = "unallocated"


def make_member(programme: Programme, role: str = "participant", *, user: User | None = None,
                arm: str | None = None, team: str | None = None, consent=ALL_PURPOSES):
    """A membership of ``user`` (a new user by default); participants default to intervention.

    ``arm=UNALLOCATED`` makes a participant with no arm yet (to be randomised). Participants
    have consented online to ``consent`` (every purpose by default) on version 1 of the
    information; pass ``consent=()`` for someone who has not consented yet.
    """
    if role == "participant" and arm is None:
        arm = "intervention"
    elif arm == UNALLOCATED:
        arm = None
    member = programmes.add_member(programme, user or make_user(), role, arm=arm, team=team)
    if role == "participant":
        give_consent(member, consent)
    return member


def give_consent(member, purposes=ALL_PURPOSES, *, given_on: date = date(2026, 8, 1), version: int = 1):
    """Consent rows for ``member`` to ``purposes`` (no audit; a builder, not the service)."""
    from trainer.models import Consent

    for purpose in purposes:
        db.session.add(Consent(membership_id=member.id, purpose=purpose, given_on=given_on,
                               method="online", information_version=version))
    db.session.flush()


def make_day(programme: Programme, day: date, *, starts: time = time(9, 30), ends: time = time(16, 30),
             venue: str = "Room 1") -> TrainingDay:
    """A training day with no sessions."""
    training_day = TrainingDay(programme=programme, day=day, starts_at=starts, ends_at=ends, venue=venue)
    db.session.add(training_day)
    db.session.flush()
    return training_day


def make_session(day: TrainingDay, module, *, starts: time = time(9, 30), ends: time = time(12, 30),
                 trainers=()) -> TrainingSession:
    """A session of ``module`` on ``day``, run by the given trainer memberships."""
    session = TrainingSession(day=day, module=module, starts_at=starts, ends_at=ends)
    for membership in trainers:
        session.trainers.append(SessionTrainer(membership=membership))
    db.session.add(session)
    db.session.flush()
    return session


def days_after(start: date, n: int) -> date:
    """``start`` plus ``n`` days."""
    return start + timedelta(days=n)


def make_assignment(programme: Programme, activity, *, due_on: date = date(2026, 10, 1)):
    """An assignment of ``activity`` in ``programme``."""
    from trainer.models import Assignment

    assignment = Assignment(programme=programme, activity=activity, due_on=due_on)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def make_log(assignment, membership, *, status: str = "done", done_on: date = date(2026, 9, 20),
             minutes: int | None = 15, values: dict | None = None, private_note: str = ""):
    """An activity log of ``assignment`` by ``membership``."""
    from trainer.models import ActivityLog

    log = ActivityLog(assignment=assignment, membership=membership, status=status, done_on=done_on,
                      minutes=minutes, values=values or {}, private_note=private_note)
    db.session.add(log)
    db.session.flush()
    return log


def make_goal(membership, what: str = "Leave work by six on three days a week", *,
              shared: bool = False, reviews=()):
    """A goal of ``membership``; ``reviews`` is a sequence of (date, progress)."""
    from trainer.models import Goal, GoalReview

    goal = Goal(membership=membership, what=what, why="Rest", measure="Diary",
                shared_with_trainer=shared)
    for reviewed_on, progress in reviews:
        goal.reviews.append(GoalReview(reviewed_on=reviewed_on, progress=progress))
    db.session.add(goal)
    db.session.flush()
    return goal

def make_outcome_waves(programme: Programme, keys=("brs",), *, baseline=(date(2026, 9, 1), date(2026, 9, 30)),
                       post=(date(2026, 12, 1), date(2026, 12, 31)),
                       follow_up=(date(2027, 5, 1), date(2027, 5, 31))):
    """Outcome waves (baseline, post, follow-up) using ``keys``; returns waves by kind."""
    from trainer.services.outcomes import outcomes

    outcomes.configure(programme, list(keys), [
        outcomes.WaveDates("baseline", *baseline), outcomes.WaveDates("post", *post),
        outcomes.WaveDates("follow-up", *follow_up)])
    return {w.kind: w for w in outcomes.waves(programme)}


def make_scores(member, wave, key: str, scale_values: dict[str, float | None], *, high_risk=()):
    """A submitted response with the given scale scores written directly (no item answers)."""
    from datetime import datetime, timezone

    from trainer.models import OutcomeResponse, OutcomeScore

    response = OutcomeResponse(wave_id=wave.id, membership_id=member.id, instrument_key=key,
                               answers={}, submitted_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
    for scale, value in scale_values.items():
        response.scores.append(OutcomeScore(scale_key=scale, value=value, instrument_version="test",
                                            high_risk=scale in high_risk))
    db.session.add(response)
    db.session.flush()
    return response

def make_wave(programme: Programme, label: str = "One week", *, offset_days: int = 7,
              opens_on: date | None = None, window_days: int = 14, opened: bool = True):
    """A rating wave opening on ``opens_on`` (marked opened unless ``opened`` is False)."""
    from trainer.clock import utcnow
    from trainer.models import RatingWave

    wave = RatingWave(programme=programme, label=label, offset_days=offset_days,
                      window_days=window_days, opens_on=opens_on,
                      closes_on=opens_on + timedelta(days=window_days) if opens_on else None,
                      opened_at=utcnow() if opened and opens_on else None)
    db.session.add(wave)
    db.session.flush()
    return wave


def make_rating(wave, membership, module, usefulness: int | None, *, comment: str = "",
                finished: bool = True):
    """A module rating (``usefulness`` None: did not attend), and a finished response."""
    from trainer.clock import utcnow
    from trainer.models import ModuleRating, RatingResponse
    from sqlalchemy import select

    rating = ModuleRating(wave=wave, membership=membership, module=module, usefulness=usefulness,
                          did_not_attend=usefulness is None, comment=comment)
    db.session.add(rating)
    if finished and not db.session.scalar(select(RatingResponse.id).where(
            RatingResponse.wave_id == wave.id, RatingResponse.membership_id == membership.id)):
        db.session.add(RatingResponse(wave=wave, membership=membership, invited_at=utcnow(),
                                      started_at=utcnow(), finished_at=utcnow()))
    db.session.flush()
    return rating


def make_mark(day: TrainingDay, membership, status: str, *, session: TrainingSession | None = None):
    """A trainer's attendance mark: for the whole day, or (with ``session``) one session's own."""
    from trainer.models import DayAttendance, SessionAttendance

    if session is None:
        mark = DayAttendance(day_id=day.id, membership_id=membership.id, status=status)
    else:
        mark = SessionAttendance(session_id=session.id, membership_id=membership.id, status=status)
    db.session.add(mark)
    db.session.flush()
    return mark
