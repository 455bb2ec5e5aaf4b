"""Demo data: a live programme in the study's shape, with dates relative to today."""
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from trainer.clock import today_in
from trainer.extensions import db
from trainer.models import (ActivityLog, Apology, Assignment, CalendarFeed, DayAttendance,
                            Membership, Module, Programme, SessionAttendance, SessionTrainer,
                            TrainingDay, TrainingSession, User)
from trainer.demo import (activities as demo_activities, costs as demo_costs,
                          evaluation as demo_evaluation, outcomes as demo_outcomes,
                          ratings as demo_ratings, trial_data as demo_trial_data)
from trainer.services.privacy import consent, withdrawal
from trainer.services.scheduling import attendance, curriculum, programmes

DEMO_PASSWORD = "demo-password"
TIMEZONE = "Europe/London"
FIRST_NAMES = ["Amira", "Ben", "Chloe", "Daniel", "Efua", "Fatima", "George", "Hannah", "Imran",
               "Jess", "Kwame", "Laura", "Mohammed", "Niamh", "Owen", "Priya", "Rhys", "Sophie",
               "Tom", "Uzma", "Vikram", "Wendy", "Yusuf", "Zara", "Aled", "Bethan", "Callum",
               "Deepa", "Eleanor", "Femi"]
LAST_NAMES = ["Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal",
              "Jones", "Khan", "Lewis", "Murphy", "Nwosu", "O'Brien", "Patel", "Quinn", "Roberts",
              "Singh", "Taylor", "Walsh", "Williams", "Young", "Zielinski"]
TEAMS = ["Children in Need North", "Children in Need South", "Assessment", "Looked After Children"]
# Two modules a day over three days: the study's shape, the whole curriculum covered once.
DAY_MODULES = [("peer-support", "goal-setting"), ("self-knowledge", "cognitive-behavioural"),
               ("mindfulness", "critical-reflection")]


@dataclass
class DemoContext:
    """What the demo steps share: the clock, the people and the programme they build."""

    now: datetime
    today: date
    rng: random.Random
    password_hash: str
    users: dict[str, User] = field(default_factory=dict)
    programme: Programme | None = None
    participants: list[Membership] = field(default_factory=list)
    days: list[TrainingDay] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    comparison_email: str = "comparison@demo.test"


def has_programmes() -> bool:
    """True if the database holds any programme (seed-demo refuses to run then)."""
    return bool(db.session.scalar(select(func.count(Programme.id))))


def seed(modules_dir: Path, *, now: datetime, base_url: str) -> str:
    """Create the demo in one transaction and return the text to print (sign-ins and a summary).

    The curriculum is loaded first if the database has none. The last training day falls ten
    days before today, so the one-week rating wave is open.
    """
    if not db.session.scalar(select(func.count(Module.id))):
        curriculum.load_modules(modules_dir)
    # One hash for every demo account: scrypt is slow on purpose, and they share a password.
    ctx = DemoContext(now=now, today=today_in(TIMEZONE, now), rng=random.Random(2017),
                      password_hash=generate_password_hash(DEMO_PASSWORD))
    for step in STEPS:
        step(ctx)
    db.session.commit()
    return "\n".join([
        "Demo data loaded. Sign in at " + base_url + " with any of these (password: "
        + DEMO_PASSWORD + "):",
        "  admin@demo.test        administrator",
        "  lead@demo.test         programme lead",
        "  trainer@demo.test      trainer",
        "  participant@demo.test  participant (intervention arm)",
        "  evaluator@demo.test    evaluator of both demo programmes (codes, never names)",
        f"  {ctx.comparison_email:<22} participant (comparison arm)",
        *ctx.lines,
    ])


def _user(ctx: DemoContext, email: str, name: str, *, is_admin: bool = False) -> User:
    user = User(email=email, display_name=name, password_hash=ctx.password_hash, is_admin=is_admin)
    db.session.add(user)
    ctx.users[email] = user
    return user


def _people(ctx: DemoContext) -> None:
    _user(ctx, "admin@demo.test", "Alex Admin", is_admin=True)
    _user(ctx, "lead@demo.test", "Lesley Lead")
    _user(ctx, "trainer@demo.test", "Tariq Trainer")
    _user(ctx, "trainer2@demo.test", "Teresa Trainer")
    _user(ctx, "participant@demo.test", "Pat Participant")
    _user(ctx, "evaluator@demo.test", "Eve Evaluator")
    _user(ctx, ctx.comparison_email, "Casey Comparison")
    names = [(f, l) for f in FIRST_NAMES for l in LAST_NAMES]
    ctx.rng.shuffle(names)
    for first, last in names[:55]:
        email = f"{first}.{last}".lower().replace("'", "") + "@demo.test"
        _user(ctx, email, f"{first} {last}")
    db.session.flush()


def _programme(ctx: DemoContext) -> None:
    last_day = ctx.today - timedelta(days=10)
    first_day = last_day - timedelta(weeks=8)
    programme = Programme(
        name="ASYE resilience programme (demo)", organisation="Demo County Council",
        timezone=TIMEZONE, start_date=first_day - timedelta(days=21),
        end_date=last_day + timedelta(days=365), status="follow-up",
        description="Three training days over eight weeks with self-directed activities between "
                    "days, for social workers in their assessed and supported year in employment.")
    db.session.add(programme)
    db.session.flush()
    ctx.programme = programme
    programmes.add_member(programme, ctx.users["lead@demo.test"], "lead")
    programmes.add_member(programme, ctx.users["trainer@demo.test"], "trainer")
    programmes.add_member(programme, ctx.users["trainer2@demo.test"], "trainer")
    programmes.add_member(programme, ctx.users["evaluator@demo.test"], "evaluator")
    others = [u for e, u in ctx.users.items() if e.endswith("@demo.test") and u.display_name
              and e not in {"admin@demo.test", "lead@demo.test", "trainer@demo.test",
                            "trainer2@demo.test", "participant@demo.test", "evaluator@demo.test",
                            ctx.comparison_email}]
    intervention = [ctx.users["participant@demo.test"]] + others[:24]
    comparison = [ctx.users[ctx.comparison_email]] + others[24:54]
    for arm, people in (("intervention", intervention), ("comparison", comparison)):
        for user in people:
            member = programmes.add_member(programme, user, "participant", arm=arm,
                                           team=ctx.rng.choice(TEAMS), consent_date=programme.start_date)
            consent.record_enrolment_consent(member, programme.start_date)
            ctx.participants.append(member)
    ctx.lines.append(f"Programme '{programme.name}': {len(intervention)} intervention and "
                     f"{len(comparison)} comparison participants.")


def _schedule(ctx: DemoContext) -> None:
    modules = {m.key: m for m in db.session.scalars(select(Module))}
    trainers = [m for m in ctx.programme.memberships if m.role == "trainer"]
    last_day = ctx.today - timedelta(days=10)
    for index, keys in enumerate(DAY_MODULES):
        day = TrainingDay(programme=ctx.programme, day=last_day - timedelta(weeks=4 * (2 - index)),
                          starts_at=time(9, 30), ends_at=time(16, 30),
                          venue="Learning and Development Centre, Room 2")
        db.session.add(day)
        for slot, key in enumerate(keys):
            start, end = (time(9, 30), time(12, 30)) if slot == 0 else (time(13, 30), time(16, 30))
            session = TrainingSession(day=day, module=modules[key], starts_at=start, ends_at=end,
                                      room="Room 2")
            session.trainers.append(SessionTrainer(membership=trainers[(index + slot) % 2]))
            db.session.add(session)
        ctx.days.append(day)
    db.session.flush()


def _activities(ctx: DemoContext) -> None:
    """Assign every activity, due by the next training day (or two weeks after the last); logs
    are dated no later than today, nor after their author left."""
    intervention = [m for m in ctx.participants if m.arm == "intervention"]
    assignments = []
    for index, day in enumerate(ctx.days):
        due = ctx.days[index + 1].day if index + 1 < len(ctx.days) else day.day + timedelta(days=14)
        for session in day.sessions:
            for activity in session.module.activities:
                assignment = Assignment(programme=ctx.programme, activity=activity, due_on=due)
                db.session.add(assignment)
                assignments.append((assignment, day.day))
    db.session.flush()
    for member in intervention:
        last_possible = min(ctx.today, member.left_on or ctx.today)
        for assignment, taught_on in assignments:
            done_on = taught_on + timedelta(days=ctx.rng.randint(1, 12))
            if (ctx.rng.random() < 0.55 and member.user.email != "participant@demo.test"
                    and done_on <= last_possible):
                db.session.add(ActivityLog(
                    assignment=assignment, membership=member, status="done", done_on=done_on,
                    minutes=ctx.rng.choice([10, 15, 20, 30, 45]),
                    values=_demo_values(assignment.activity.fields, ctx.rng, taught_on),
                    private_note="A private reflection that only its author can see."))
    db.session.flush()


def _demo_values(fields: list[dict], rng: random.Random, taught_on: date) -> dict:
    values = {}
    for spec in fields:
        kind = spec["kind"]
        if kind in ("scale", "number"):
            values[spec["name"]] = rng.randint(int(spec["min"]), int(min(spec["max"], spec["min"] + 30)))
        elif kind == "choice":
            values[spec["name"]] = rng.choice(spec["choices"])
        elif kind == "date":
            values[spec["name"]] = (taught_on + timedelta(days=rng.randint(1, 10))).isoformat()
        else:
            values[spec["name"]] = "Demo entry."
    return values


def _attendance(ctx: DemoContext) -> None:
    """Marks for every past day: mostly present, a few late or absent, one person missing two
    days, one leaving before every afternoon, six called away one afternoon; nobody is marked
    on a day after they left."""
    intervention = [m for m in ctx.participants if m.arm == "intervention"]
    trainer = ctx.users["trainer@demo.test"]
    often_away = next(m for m in intervention[3:] if m.in_post)
    for index, day in enumerate(ctx.days):
        expected = [m for m in intervention if attendance.not_expected_reason(m, day) is None]
        for member in expected:
            roll = ctx.rng.random()
            status = ("absent" if member is often_away and index < 2 else
                      "late" if roll < 0.08 else "absent" if roll < 0.14 else "present")
            if status == "absent" and member is not often_away and ctx.rng.random() < 0.5:
                db.session.add(Apology(day=day, membership=member, reason="Covering a duty shift",
                                       sent_at=ctx.now - timedelta(days=(ctx.today - day.day).days + 2)))
                status = "excused"
            db.session.add(DayAttendance(day=day, membership=member, status=status,
                                         recorded_by_id=trainer.id, recorded_at=ctx.now))
        late_leaver = next(m for m in intervention[5:] if m.in_post)
        db.session.add(SessionAttendance(session=day.sessions[-1], membership=late_leaver,
                                         status="absent", recorded_by_id=trainer.id))
    # An urgent case conference called six people away for the afternoon of the second day.
    on_second = [m for m in intervention if attendance.not_expected_reason(m, ctx.days[1]) is None]
    for member in on_second[6:12]:
        db.session.add(SessionAttendance(session=ctx.days[1].sessions[-1], membership=member,
                                         status="absent", recorded_by_id=trainer.id))
    db.session.flush()
    attendance.tell_leads_if_missed_two(ctx.programme, often_away)
    ctx.lines.append(f"Attendance taken for {len(ctx.days)} days; {often_away.user.display_name} "
                     "missed two (the lead's outbox has the notice).")


def _calendar_feeds(ctx: DemoContext) -> None:
    """Calendar addresses for the demo's lead, trainer and participant."""
    for email in ("lead@demo.test", "trainer@demo.test", "participant@demo.test"):
        db.session.add(CalendarFeed(user=ctx.users[email], token=secrets.token_urlsafe(32)))
    db.session.flush()


# Later features add their own steps here, in order.
def _withdrawals(ctx: DemoContext) -> None:
    """Two people of the live programme withdrew from the evaluation a week ago: one let their
    answers stay, one asked for them to be deleted."""
    in_post = [m for m in ctx.participants if m.in_post
               and m.user.email not in ("participant@demo.test", ctx.comparison_email)]
    keep = next(m for m in in_post if m.arm == "intervention")
    delete = next(m for m in reversed(in_post) if m.arm == "comparison")
    for member, kept in ((keep, True), (delete, False)):
        withdrawal.record_withdrawal(member, scope="evaluation", keep_answers=kept,
                                     today=ctx.today - timedelta(days=7), actor_id=member.user_id)
    ctx.lines.append(f"{keep.user.display_name} withdrew from the evaluation and kept their answers; "
                     f"{delete.user.display_name} withdrew and asked for their answers to be deleted.")


STEPS = [_people, _programme, demo_outcomes.leavers, _schedule, _activities, _attendance, _calendar_feeds,
         demo_ratings.current_waves, demo_activities.goals_and_peers, demo_outcomes.outcomes_step,
         demo_ratings.earlier_programme, _withdrawals, demo_evaluation.plan_step,
         demo_trial_data.leaver_categories, demo_costs.costs]
