"""Fast generator of a benchmark organisation: bulk, parameterised inserts through the real schema.

Run: .venv/bin/python benchmarks/generate.py --database-url URL [--size org|cohort|quick]
The database is emptied, migrated with the real migrations, loaded with the curriculum, then filled:
  org     200 programmes x 50 participants, ~1,000,000 activity logs, ~37,000 ratings, ~180,000 scores;
  cohort  one programme of 1,000 participants (the same shape per participant);
  quick   20 programmes x 50 participants, for development.
Programme 1 is the "current" one: its last training day was 60 days ago, so its first rating wave
and its baseline and post questionnaires are closed (their results show), and its second rating
wave is open (participants can rate). Every other programme lies further in the past. Dates are
relative to today, so the pages show what they would on a real server. Everyone's password is
``benchmark-password``; the accounts the runner signs in as are printed at the end.
"""
import argparse
import random
import sys
import time
from datetime import date, datetime, time as clock_time, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, make_url, select, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from trainer import create_app  # noqa: E402
from trainer.config import normalise_database_url  # noqa: E402
from trainer.extensions import db  # noqa: E402
from trainer.models import (Activity, ActivityLog, ActivityModuleSummary, ActivitySummary, Assignment, Consent,  # noqa: E402
                            DayAttendance, Goal, Membership, Module, ModuleRating, OutcomeResponse,
                            OutcomeScore, OutcomeWave, Programme, ProgrammeInstrument, RatingResponse, RatingWave,
                            SessionTrainer, TrainingDay, TrainingSession, User)
from trainer.services.outcomes import instruments  # noqa: E402
from trainer.services.participation import activity_summaries  # noqa: E402
from trainer.services.ratings import rating_summaries  # noqa: E402
from trainer.services.scheduling import codes, curriculum

SIZES = {"org": (200, 50), "cohort": (1, 1000), "quick": (20, 50)}
PASSWORD = "benchmark-password"
LOGS_PER_PARTICIPANT = 200          # 200 x 25 intervention participants x 200 programmes = 1,000,000
RATING_RATE = 0.62                  # share of invited participants who answer a closed wave
INSTRUMENT_KEYS = ("scs-sf", "proqol5", "brs")
TEAMS = ("North", "South", "East", "West", "Fostering", "Duty")
ACCOUNTS = {"admin": "admin@bench.test", "lead": "lead@bench.test", "trainer": "trainer@bench.test",
            "participant": "p1-1@bench.test"}


class Curriculum(NamedTuple):
    """A module's id, position and live activity ids, read once."""

    id: int
    position: int
    activities: list[int]


class Writer:
    """Inserts rows in batches of many rows per (parameterised) INSERT statement."""

    def __init__(self, connection):
        self.connection = connection
        self.pending: dict = {}
        self.counts: dict[str, int] = {}
        self.next_id: dict[str, int] = {}
        # SQLite allows 32,766 bound parameters per statement; PostgreSQL 65,535.
        self.max_parameters = 30000

    def new_id(self, model) -> int:
        """The next primary key of ``model``'s table (ids are given, so no RETURNING is needed)."""
        name = model.__tablename__
        if name not in self.next_id:
            self.next_id[name] = (self.connection.scalar(select(func.max(model.id))) or 0) + 1
        self.next_id[name] += 1
        return self.next_id[name] - 1

    def add(self, model, **row) -> int:
        """Queue one row; returns its id."""
        row.setdefault("id", self.new_id(model))
        batch = self.pending.setdefault(model, [])
        batch.append(row)
        if len(batch) * len(row) >= self.max_parameters:
            self.flush()  # every table, parents first, so foreign keys hold
        return row["id"]

    def _insert(self, model):
        """The INSERT for many rows, compiled once per table.

        On SQLite, RETURNING makes SQLAlchemy's "insertmanyvalues" send up to 1,000 rows per
        parameterised statement. On PostgreSQL a plain executemany is faster: psycopg then parses
        the one-row statement once and pipelines the rows, where it would parse every
        placeholder of every 1,000-row statement in Python.
        """
        insert = model.__table__.insert()
        return insert if self.connection.dialect.name == "postgresql" else insert.returning(model.__table__.c.id)

    def flush(self, model=None) -> None:
        """Write the queued rows of ``model`` (or of every model, parents first)."""
        models = [model] if model else [m for m in ORDER if m in self.pending]
        for m in models:
            rows = self.pending.pop(m, [])
            if rows:
                keys = {k for r in rows for k in r}
                rows = [r if len(r) == len(keys) else {k: r.get(k, _default(m, k)) for k in keys}
                        for r in rows]
                if self.connection.dialect.name == "postgresql":
                    self._copy(m, sorted(keys), rows)
                else:
                    self.connection.execute(self._insert(m), rows)
                self.counts[m.__tablename__] = self.counts.get(m.__tablename__, 0) + len(rows)

    def _copy(self, model, keys: list[str], rows: list[dict]) -> None:
        """PostgreSQL: the rows through COPY, in the connection's transaction (its triggers and
        constraints hold as for an INSERT), each value converted by its column's type as an
        INSERT would convert it: a quarter of the time of pipelined INSERTs for a million logs."""
        dialect, table = self.connection.dialect, model.__table__
        # The columns' own defaults, as an INSERT fills in the columns it is not given.
        defaults = {c.key: c.default for c in table.columns
                    if c.key not in keys and c.default is not None and (c.default.is_scalar or c.default.is_callable)}
        keys = keys + sorted(defaults)
        convert = [table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in keys]
        cursor = self.connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(keys)}) FROM STDIN") as copy:
            for row in rows:
                values = [row[k] if k in row else (d.arg if d.is_scalar else d.arg(None))
                          for k, d in ((k, defaults.get(k)) for k in keys)]
                copy.write_row([v if f is None or v is None else f(v) for v, f in zip(values, convert)])


def _code(rng: random.Random, taken: set[str]) -> str:
    """A participant code as the app makes them (random, unique within the programme), from ``rng``."""
    while (code := "".join(rng.choice(codes.ALPHABET) for _ in range(codes.LENGTH))) in taken:
        pass
    taken.add(code)
    return code


def _default(model, key: str):
    """A column's scalar default, for a row that leaves out a key that other rows of its batch give."""
    default = model.__table__.c[key].default
    return default.arg if default is not None and default.is_scalar else None


ORDER = [User, Programme, Membership, Consent, TrainingDay, TrainingSession, SessionTrainer, Assignment,
         RatingWave, RatingResponse, ModuleRating, ActivityLog, DayAttendance, Goal,
         ProgrammeInstrument, OutcomeWave, OutcomeResponse, OutcomeScore]


def _answer_pool(rng: random.Random) -> dict[str, list[tuple[dict, list]]]:
    """For each instrument, 64 answer sets and their real scores, reused across participants."""
    pool = {}
    for key in INSTRUMENT_KEYS:
        instrument = instruments.catalogue()[key]
        sets = []
        for _ in range(64):
            level = rng.uniform(0.2, 0.8)
            answers = {n: min(instrument.high, max(instrument.low, round(
                instrument.low + level * (instrument.high - instrument.low) + rng.gauss(0, 0.8))))
                for n in range(1, instrument.item_count + 1)}
            sets.append(({str(k): v for k, v in answers.items()}, instruments.score(instrument, answers)))
        pool[key] = sets
    return pool


class Organisation:
    """Builds programmes in the study's shape through a ``Writer``: staff first, then programmes.

    The tests of statement counts use it too, with fewer logs per participant and every invited
    participant answering, so that a report shows the same sections at every size.
    """

    def __init__(self, connection, *, seed: int = 12, trainers: int = 1,
                 logs_per_participant: int = LOGS_PER_PARTICIPANT, rating_rate: float = RATING_RATE):
        self.w = Writer(connection)
        self.rng = random.Random(seed)
        self.logs_per_participant, self.rating_rate = logs_per_participant, rating_rate
        self.now = datetime.now(timezone.utc).replace(microsecond=0)
        activities = connection.execute(select(Activity.module_id, Activity.id).where(Activity.retired.is_(False))
                                        .order_by(Activity.position)).all()
        self.modules = [Curriculum(id_, position, [a for m, a in activities if m == id_])
                        for id_, position in connection.execute(select(Module.id, Module.position)
                                                                .order_by(Module.position))]
        self.pool = _answer_pool(self.rng)
        self.programmes = 0
        hashed = generate_password_hash(PASSWORD)
        w, now = self.w, self.now
        self.staff = {
            "hash": hashed,
            "admin": w.add(User, email=ACCOUNTS["admin"], display_name="Admin", is_admin=True,
                           password_hash=hashed, created_at=now),
            "lead": w.add(User, email=ACCOUNTS["lead"], display_name="Lead", password_hash=hashed, created_at=now),
            "trainers": [w.add(User, email=ACCOUNTS["trainer"] if t == 0 else f"trainer{t}@bench.test",
                               display_name=f"Trainer {t}", password_hash=hashed, created_at=now)
                         for t in range(trainers)]}

    def use(self, connection) -> None:
        """Write through ``connection`` from now on (a test's session has a new one after each commit)."""
        self.w.connection = connection

    def add_programme(self, participants: int, *, last: date | None = None) -> int:
        """Add the next programme, whose last training day was ``last`` (default: 60 days ago, so
        its first rating wave is closed and its second open); returns its id. Writes everything."""
        self.programmes += 1
        last = last or self.now.date() - timedelta(days=60)
        programme_id = _programme(self, self.programmes, participants, last)
        self.w.flush()
        return programme_id

    def finish(self) -> dict[str, int]:
        """Write what is queued, move PostgreSQL's id sequences past the given ids, derive the
        activity and rating summaries (as ``flask summaries rebuild`` does), then ANALYZE, so
        the planner has statistics of the summaries too."""
        self.w.flush()
        connection = self.w.connection
        activity_summaries.recompute_all(connection)
        rating_summaries.recompute_all(connection)
        if connection.dialect.name == "postgresql":
            for model in ORDER:
                name = model.__tablename__
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                        f"(SELECT max(id) FROM {name}))"))
        connection.execute(text("ANALYZE"))
        return self.w.counts


def _programme(org: Organisation, number: int, participants: int, last: date) -> int:
    """One programme in the study's shape with its cohort, logs, ratings and questionnaires."""
    w, rng, now, staff, modules, pool = org.w, org.rng, org.now, org.staff, org.modules, org.pool
    start = last - timedelta(days=120)
    current = last >= now.date() - timedelta(days=70)
    programme_id = w.add(Programme, name=f"Cohort {number:03d}", organisation="Bench County",
                         timezone="Europe/London", start_date=start, end_date=last + timedelta(days=240),
                         status="follow-up" if current else "closed", description="", created_at=now)
    w.add(Membership, programme_id=programme_id, user_id=staff["lead"], role="lead", created_at=now)
    trainer = staff["trainers"][(number - 1) % len(staff["trainers"])]
    trainer_member = w.add(Membership, programme_id=programme_id, user_id=trainer, role="trainer",
                           created_at=now)
    members, taken = [], set()
    for n in range(1, participants + 1):
        user_id = w.add(User, email=f"p{number}-{n}@bench.test", display_name=f"Participant {number}-{n}",
                        password_hash=staff["hash"], created_at=now)
        arm = "intervention" if n % 2 else "comparison"
        leaves = rng.random() < 0.1
        member_id = w.add(Membership, programme_id=programme_id, user_id=user_id, role="participant", arm=arm,
                          team=rng.choice(TEAMS), code=_code(rng, taken), consent_date=start,
                          in_post=not leaves,
                          left_on=start + timedelta(days=rng.randint(30, 300)) if leaves else None,
                          leaving_reason="Moved on" if leaves else None, created_at=now)
        for purpose in ("programme", "evaluation"):
            w.add(Consent, membership_id=member_id, purpose=purpose, given_on=start, method="online",
                  information_version=1, updated_at=now)
        members.append((member_id, arm))
    intervention = [m for m, arm in members if arm == "intervention"]
    days = []
    for i in range(3):
        day = last - timedelta(weeks=8 * (2 - i))
        day_id = w.add(TrainingDay, programme_id=programme_id, day=day, starts_at=clock_time(9, 30),
                       ends_at=clock_time(16, 30), created_at=now)
        days.append(day_id)
        for slot, module in enumerate(modules[2 * i:2 * i + 2]):
            session_id = w.add(TrainingSession, day_id=day_id, module_id=module.id,
                               starts_at=clock_time(9 + 4 * slot, 30), ends_at=clock_time(12 + 4 * slot, 30))
            w.add(SessionTrainer, session_id=session_id, membership_id=trainer_member)
        for member_id in intervention:
            w.add(DayAttendance, day_id=day_id, membership_id=member_id, recorded_at=now,
                  status=rng.choices(("present", "late", "absent"), (0.85, 0.05, 0.1))[0])
    assignments = [w.add(Assignment, programme_id=programme_id, activity_id=activity_id, created_at=now,
                         due_on=start + timedelta(days=7 * (1 + m.position)))
                   for m in modules for activity_id in m.activities]
    for member_id in intervention:
        for _ in range(org.logs_per_participant):
            w.add(ActivityLog, assignment_id=rng.choice(assignments), membership_id=member_id,
                  status="done" if rng.random() < 0.8 else "started", minutes=rng.randint(5, 40),
                  done_on=start + timedelta(days=rng.randint(0, 200)), values={}, private_note="",
                  created_at=now, updated_at=now)
        w.add(Goal, membership_id=member_id, what="Protect a lunch break each day", status="active",
              shared_with_trainer=rng.random() < 0.5, created_at=now)
    for label, offset in (("One week", 7), ("Eight weeks", 56)):
        opens, closes = last + timedelta(days=offset), last + timedelta(days=offset + 14)
        wave_id = w.add(RatingWave, programme_id=programme_id, label=label, offset_days=offset, window_days=14,
                        opens_on=opens, closes_on=closes)
        wave_open = opens <= now.date() < closes
        for member_id in intervention:
            answered = not wave_open and rng.random() < org.rating_rate
            w.add(RatingResponse, wave_id=wave_id, membership_id=member_id, invited_at=now,
                  started_at=now if answered else None, finished_at=now if answered else None)
            for module in modules if answered else ():
                absent = rng.random() < 0.05
                w.add(ModuleRating, wave_id=wave_id, membership_id=member_id, module_id=module.id,
                      usefulness=None if absent else rng.choices((1, 2, 3, 4, 5), (1, 2, 4, 6, 4))[0],
                      did_not_attend=absent, comment="", submitted_at=now, updated_at=now)
    for position, key in enumerate(INSTRUMENT_KEYS):
        w.add(ProgrammeInstrument, programme_id=programme_id, instrument_key=key, position=position)
    waves = {kind: w.add(OutcomeWave, programme_id=programme_id, kind=kind, label=label, opens_on=opens,
                         closes_on=closes)
             for kind, label, opens, closes in (
                 ("baseline", "Baseline", start, start + timedelta(days=28)),
                 ("post", "After training", last + timedelta(days=3), last + timedelta(days=31)),
                 ("follow-up", "Six months on", last + timedelta(days=182), last + timedelta(days=210)))}
    for member_id, _arm in members:
        for kind, rate in (("baseline", 0.95), ("post", 0.8)):
            if rng.random() > rate:
                continue
            for key in INSTRUMENT_KEYS:
                answers, scores = rng.choice(pool[key])
                response_id = w.add(OutcomeResponse, wave_id=waves[kind], membership_id=member_id,
                                    instrument_key=key, answers=answers, submitted_at=now, updated_at=now)
                for s in scores:
                    w.add(OutcomeScore, response_id=response_id, scale_key=s.scale_key, value=s.value,
                          band=s.band, high_risk=s.high_risk,
                          instrument_version=instruments.catalogue()[key].version)
    return programme_id


def generate(database_url: str, size: str, *, seed: int = 12) -> dict[str, int]:
    """Empty, migrate and fill the database at ``database_url``; returns rows written per table."""
    programmes, participants = SIZES[size]
    url = make_url(normalise_database_url(database_url))
    if url.get_backend_name() == "sqlite" and url.database:
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
                      "SECRET_KEY": "benchmark"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade(directory=str(ROOT / "migrations"))
        curriculum.load_modules(ROOT / "modules")
        db.session.commit()
        db.session.close()
        with db.engine.begin() as connection:
            organisation = Organisation(connection, seed=seed, trainers=max(1, programmes // 10))
            for number in range(1, programmes + 1):
                organisation.add_programme(
                    participants, last=organisation.now.date() - timedelta(days=60 + 14 * (number - 1)))
            counts = organisation.finish()
        counts["activity_summaries"] = db.session.scalar(select(func.count()).select_from(ActivitySummary))
        counts["activity_module_summaries"] = db.session.scalar(
            select(func.count()).select_from(ActivityModuleSummary))
        return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="this database is EMPTIED, then filled")
    parser.add_argument("--size", choices=SIZES, default="quick")
    args = parser.parse_args()
    started = time.perf_counter()
    counts = generate(args.database_url, args.size)
    print(f"{args.size}: generated in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{n:,} {t}" for t, n in sorted(counts.items())))


if __name__ == "__main__":
    main()
