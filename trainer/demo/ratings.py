"""Demo steps for module ratings: the live programme's open one-week wave, and an earlier, closed
programme of the same lead whose two waves were answered."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from trainer.clock import local_instant
from trainer.extensions import db
from trainer.models import (DayAttendance, Membership, Module, ModuleRating, Programme,
                            RatingResponse, SessionTrainer, TrainingDay, TrainingSession, User)
from trainer.services.privacy import consent
from trainer.services.ratings import ratings
from trainer.services.scheduling import attendance, programmes

# Mean usefulness the demo draws from, per module, at the first and the second wave.
MEANS = {"peer-support": (3.9, 4.2), "goal-setting": (3.6, 3.5), "self-knowledge": (4.3, 4.4),
         "cognitive-behavioural": (3.7, 3.9), "mindfulness": (3.4, 3.0),
         "critical-reflection": (3.8, 4.1)}
EARLIER_NAMES = ["Ada", "Bilal", "Ceri", "Dev", "Ellie", "Farah", "Gareth", "Hana", "Ifan", "Joy",
                 "Kemi"]
EARLIER_SURNAMES = ["Morgan", "Rahman", "Price", "Okafor", "Ellis", "Shah", "Howells", "Mensah",
                    "Parry", "Lloyd", "Bailey"]
COMMENTS = ["Hearing how others cope made a real difference.", "Practical and easy to use on a "
            "busy duty day.", "I use this with my supervisor now.", "Too rushed at the end of the "
            "day.", "Would like more time to practise.", "Helped me say no to extra cases."]


def _score(ctx, module: Module, wave_index: int) -> int:
    return min(5, max(1, round(ctx.rng.gauss(MEANS[module.key][wave_index], 0.8))))


def _rate(ctx, wave, member: Membership, modules: list[Module], wave_index: int,
          at: datetime, register: dict[int, dict[int, bool]], *, finish: bool = True) -> None:
    """One participant's answers in one wave, with their response row. Most who missed a module
    (by the register) say so; some rate it anyway."""
    for module in modules:
        missed = register.get(module.id, {}).get(member.id) is False
        absent = missed and ctx.rng.random() < 0.6
        db.session.add(ModuleRating(
            wave=wave, membership=member, module=module, did_not_attend=absent,
            usefulness=None if absent else _score(ctx, module, wave_index),
            comment=ctx.rng.choice(COMMENTS) if ctx.rng.random() < 0.3 else "",
            submitted_at=at, updated_at=at))
    response = db.session.scalar(select(RatingResponse).where(
        RatingResponse.wave_id == wave.id, RatingResponse.membership_id == member.id))
    response.started_at = at
    response.finished_at = at if finish else None


def _invite(wave, members: list[Membership], at: datetime) -> None:
    for member in members:
        db.session.add(RatingResponse(wave=wave, membership=member, invited_at=at))
    db.session.flush()


def current_waves(ctx) -> None:
    """The live programme's default waves; the one-week wave is open and two-thirds of the
    intervention group has answered it (participant@demo.test has not, so they can try)."""
    waves = ratings.sync_waves(ctx.programme)
    first = waves[0]
    first.opened_at = local_instant(first.opens_on, time(6, 0), ctx.programme.timezone)
    intervention = [m for m in ctx.participants if m.arm == "intervention"]
    _invite(first, intervention, first.opened_at)
    modules = ratings.scheduled_modules(ctx.programme.id)
    register = attendance.module_attendance(ctx.programme)
    raters = [m for m in intervention if m.user.email != "participant@demo.test"]
    for index, member in enumerate(raters):
        if index % 3 == 2:
            continue
        _rate(ctx, first, member, modules if index != 1 else modules[:3], 0,
              first.opened_at + timedelta(hours=ctx.rng.randint(2, 60)), register, finish=index != 1)
    db.session.flush()


def _new_people(ctx, count: int) -> list[User]:
    people = []
    for index in range(count):
        first, last = EARLIER_NAMES[index % len(EARLIER_NAMES)], EARLIER_SURNAMES[index // 2]
        email = f"{first}.{last}.spring".lower() + "@demo.test"
        user = User(email=email, display_name=f"{first} {last}", password_hash=ctx.password_hash)
        db.session.add(user)
        ctx.users[email] = user
        people.append(user)
    db.session.flush()
    return people


def _earlier_days(ctx, programme: Programme, last_day: date, trainer: Membership) -> None:
    """The live programme's timetable, moved so that its last day falls on ``last_day``."""
    shift = last_day - ctx.days[-1].day
    for live in ctx.days:
        day = TrainingDay(programme=programme, day=live.day + shift, starts_at=live.starts_at,
                          ends_at=live.ends_at, venue="County Hall, Room 4")
        db.session.add(day)
        for live_session in live.sessions:
            session = TrainingSession(day=day, module=live_session.module,
                                      starts_at=live_session.starts_at, ends_at=live_session.ends_at)
            session.trainers.append(SessionTrainer(membership=trainer))
            db.session.add(session)
    db.session.flush()


def _earlier_attendance(ctx, programme: Programme, expected: list[Membership],
                        trainer: Membership) -> None:
    """The earlier cohort's register: mostly present or late; on the second day a court week
    kept six people away, so the lead sees a module that many missed."""
    days = list(db.session.scalars(select(TrainingDay).where(TrainingDay.programme_id == programme.id)
                                   .order_by(TrainingDay.day)))
    for index, day in enumerate(days):
        for position, member in enumerate(expected):
            roll = ctx.rng.random()
            status = ("excused" if index == 1 and position % 3 == 0 else
                      "late" if roll < 0.1 else "absent" if roll < 0.14 else "present")
            db.session.add(DayAttendance(day=day, membership=member, status=status,
                                         recorded_by_id=trainer.user_id))
    db.session.flush()


def earlier_programme(ctx) -> None:
    """An earlier cohort of the same lead, closed, with both waves answered, so the wave-to-wave
    change and the comparison across programmes show real numbers."""
    teams = sorted({m.team for m in ctx.participants if m.team})
    last_day = ctx.today - timedelta(days=240)
    programme = Programme(
        name="ASYE resilience programme, spring cohort (demo)", organisation="Demo County Council",
        timezone=ctx.programme.timezone, start_date=last_day - timedelta(days=77),
        end_date=last_day + timedelta(days=120), status="closed",
        description="The first run of the programme: three training days, closed after the "
                    "eight-week follow-up.")
    db.session.add(programme)
    db.session.flush()
    programmes.add_member(programme, ctx.users["lead@demo.test"], "lead")
    programmes.add_member(programme, ctx.users["evaluator@demo.test"], "evaluator")
    trainer = programmes.add_member(programme, ctx.users["trainer@demo.test"], "trainer")
    people = _new_people(ctx, 22)
    members = [programmes.add_member(programme, user, "participant",
                                     arm="intervention" if i < 16 else "comparison",
                                     team=teams[i % len(teams)] if i < 12 else teams[0],
                                     consent_date=programme.start_date)
               for i, user in enumerate(people)]
    for member in members:
        consent.record_enrolment_consent(member, programme.start_date)
    _earlier_days(ctx, programme, last_day, trainer)
    modules = ratings.scheduled_modules(programme.id)
    intervention = [m for m in members if m.arm == "intervention"]
    _earlier_attendance(ctx, programme, intervention, trainer)
    register = attendance.module_attendance(programme)
    for wave_index, wave in enumerate(ratings.sync_waves(programme)):
        wave.opened_at = local_instant(wave.opens_on, time(6, 0), programme.timezone)
        wave.closed_at = local_instant(wave.closes_on, time(0, 15), programme.timezone)
        _invite(wave, intervention, wave.opened_at)
        for index, member in enumerate(intervention):
            if index < (14 if wave_index == 0 else 12):
                _rate(ctx, wave, member, modules, wave_index,
                      wave.opened_at + timedelta(hours=ctx.rng.randint(2, 200)), register)
    db.session.flush()
    ctx.lines.append(f"Programme '{programme.name}': closed, both rating waves answered "
                     f"by {len(intervention)} intervention participants.")
