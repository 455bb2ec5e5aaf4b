"""Speed of the lead's and trainer's heaviest pages on a large generated cohort.

Run: .venv/bin/python benchmarks/report_speed.py [--participants 400] [--repeat 5]
It builds its own SQLite database in a temporary folder, generates one programme with the given
number of intervention participants (each with activity logs and two waves of ratings), then
times the services and the rendered pages. Targets (median, on the 2-core reference machine):
the ratings report and the cohort progress page under 1 second for 400 participants.
"""
import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, time as clock_time, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.security import generate_password_hash  # noqa: E402

from trainer import create_app  # noqa: E402
from trainer.clock import utcnow  # noqa: E402
from trainer.extensions import db  # noqa: E402
from trainer.models import (ActivityLog, Assignment, Membership, ModuleRating, Programme,  # noqa: E402
                            RatingWave, TrainingDay, TrainingSession, User)
from trainer.services.participation import progress  # noqa: E402
from trainer.services.ratings import ratings_report
from trainer.services.scheduling import codes, curriculum

TARGET_SECONDS = 1.0
NOW = datetime(2026, 11, 22, 9, tzinfo=timezone.utc)


def generate(participants: int, rng: random.Random) -> tuple[User, Programme]:
    """One programme in the study's shape with ``participants`` rated and logged members."""
    curriculum.load_modules(Path(__file__).resolve().parent.parent / "modules")
    modules = curriculum.list_modules()
    password = generate_password_hash("benchmark-password")
    lead = User(email="lead@bench.test", display_name="Lead", password_hash=password)
    programme = Programme(name="Benchmark", organisation="Bench", timezone="Europe/London",
                          start_date=date(2026, 8, 1), end_date=date(2027, 8, 1), status="follow-up")
    db.session.add_all([lead, programme, Membership(programme=programme, user=lead, role="lead")])
    last = date(2026, 11, 12)
    days = []
    for i in range(3):
        day = TrainingDay(programme=programme, day=last - timedelta(weeks=4 * (2 - i)),
                          starts_at=clock_time(9, 30), ends_at=clock_time(16, 30))
        for slot, module in enumerate(modules[2 * i:2 * i + 2]):
            day.sessions.append(TrainingSession(module=module, starts_at=clock_time(9 + 4 * slot, 30),
                                                ends_at=clock_time(12 + 4 * slot, 30)))
        days.append(day)
    db.session.add_all(days)
    waves = [RatingWave(programme=programme, label=label, offset_days=offset, window_days=14,
                        opens_on=last + timedelta(days=offset), closes_on=last + timedelta(days=offset + 14))
             for label, offset in (("One week", 7), ("Eight weeks", 56))]
    assignments = [Assignment(programme=programme, activity=a, due_on=last)
                   for m in modules for a in m.activities]
    db.session.add_all(waves + assignments)
    teams, taken = ["North", "South", "East", "West"], set()
    for n in range(participants):
        user = User(email=f"p{n}@bench.test", display_name=f"Participant {n}", password_hash=password)
        member = Membership(programme=programme, user=user, role="participant", arm="intervention",
                            team=rng.choice(teams), code=codes.new_code(programme.id, taken))
        taken.add(member.code)
        db.session.add_all([user, member])
        for assignment in rng.sample(assignments, k=len(assignments) // 2):
            db.session.add(ActivityLog(assignment=assignment, membership=member, done_on=last,
                                       minutes=rng.randint(5, 40), values={}, private_note="x"))
        for wave in waves:
            for module in modules:
                db.session.add(ModuleRating(wave=wave, membership=member, module=module,
                                            usefulness=rng.randint(1, 5), submitted_at=NOW))
    db.session.commit()
    return lead, programme


def timed(label: str, func, repeat: int) -> float:
    """Run ``func`` ``repeat`` times; print and return the median seconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
        db.session.expire_all()
    median = statistics.median(runs)
    verdict = "ok" if median <= TARGET_SECONDS else f"SLOWER than the {TARGET_SECONDS:.1f} s target"
    print(f"{label:<42} median {median * 1000:8.1f} ms  ({verdict})")
    return median


def main() -> int:
    """Generate the data, time each page, and exit 1 if any median misses its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                          "WTF_CSRF_ENABLED": False, "TESTING": True})
        with app.app_context():
            db.create_all()
            lead, programme = generate(args.participants, random.Random(1))
            lead_id, programme_id = lead.id, programme.id
            print(f"{args.participants} participants, "
                  f"{db.session.query(ModuleRating).count()} ratings, "
                  f"{db.session.query(ActivityLog).count()} activity logs")
            client = app.test_client()
            client.post("/login", data={"email": "lead@bench.test", "password": "benchmark-password"})
            results = [
                timed("ratings report (service)", lambda: ratings_report.programme_report(
                    db.session.get(User, lead_id), programme_id, now=utcnow()), args.repeat),
                timed("cohort progress (service)", lambda: progress.cohort(
                    db.session.get(Programme, programme_id)), args.repeat),
                timed("GET ratings report page", lambda: client.get(
                    f"/programmes/{programme_id}/ratings/report"), args.repeat),
                timed("GET progress page", lambda: client.get(
                    f"/programmes/{programme_id}/progress"), args.repeat),
            ]
    return 0 if all(r <= TARGET_SECONDS for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
