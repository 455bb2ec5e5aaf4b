"""Speed of every heavy page under gunicorn, as a ratio to a bare floor route on the same server.

Run: .venv/bin/python benchmarks/run.py [--database-url URL] [--size quick|org|cohort] [--rounds 25]
It generates the data (benchmarks/generate.py; --reuse keeps what is there), serves
benchmarks/wsgi.py under gunicorn (2 sync workers), signs in through the real form as an admin,
the lead, a trainer and a participant, then measures every page interleaved with the floor:
each round requests the floor, then a page, for every page in turn. It prints the median and
95th percentile of each, the median's ratio to the floor's, the SQL statements the page ran, and
exits 1 when a ratio misses its target. Generated data goes to /tmp/trainer-bench unless
--database-url says otherwise; nothing is written into the repository.
"""
import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import ACCOUNTS, PASSWORD, generate  # noqa: E402

PER_PROGRAMME, PARTICIPANT, ORGANISATION = 3.0, 3.0, 5.0


@dataclass
class Page:
    """A page to time: who asks, what, and its target ratio to the floor."""

    name: str
    role: str
    path: str
    target: float
    method: str = "GET"
    form: dict = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    statements: int = 0


class Client:
    """A keep-alive HTTP client holding one signed-in user's cookies."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str, float]:
        """One request; returns status, headers, body and seconds taken."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        elapsed = time.perf_counter() - started
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), text, elapsed

    def csrf(self, path: str) -> str:
        """The CSRF token of the form at ``path``."""
        status, _, text, _ = self.request("GET", path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text)
        if status != 200 or not match:
            raise SystemExit(f"no form at {path} (HTTP {status})")
        return match.group(1)

    def sign_in(self, email: str) -> None:
        """Sign in through the real form."""
        token = self.csrf("/login")
        status, headers, _, _ = self.request("POST", "/login", {"csrf_token": token, "email": email,
                                                               "password": PASSWORD})
        if status != 302:
            raise SystemExit(f"could not sign in as {email} (HTTP {status})")


def _ids(database_url: str) -> dict:
    """The ids the pages need: programme 1, its first training day, its closed and open rating waves."""
    from sqlalchemy import select

    from trainer import create_app
    from trainer.extensions import db
    from trainer.models import Membership, OutcomeResponse, Programme, RatingWave, TrainingDay, TrainingSession, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "benchmark"})
    with app.app_context():
        programme = db.session.scalar(select(Programme).order_by(Programme.id).limit(1))
        day = db.session.scalar(select(TrainingDay.id).where(TrainingDay.programme_id == programme.id)
                                .order_by(TrainingDay.day).limit(1))
        waves = {w.label: w for w in db.session.scalars(
            select(RatingWave).where(RatingWave.programme_id == programme.id))}
        today = date.today()
        closed = next(w.id for w in waves.values() if w.closes_on <= today)
        open_ = next(w.id for w in waves.values() if w.opens_on <= today < w.closes_on)
        modules = sorted(set(db.session.scalars(
            select(TrainingSession.module_id).join(TrainingDay).where(TrainingDay.programme_id == programme.id))))
        # The participant's own first submitted questionnaire, for its result page.
        answered = db.session.execute(
            select(OutcomeResponse.wave_id, OutcomeResponse.instrument_key).join(Membership).join(User)
            .where(User.email == ACCOUNTS["participant"], Membership.programme_id == programme.id,
                   OutcomeResponse.submitted_at.is_not(None)).order_by(OutcomeResponse.id).limit(1)).one()
        return {"programme": programme.id, "day": day, "closed_wave": closed, "open_wave": open_,
                "modules": modules, "answered": f"{answered[0]}/{answered[1]}"}


def pages(ids: dict) -> list[Page]:
    """Every page the issue lists, with its role and target."""
    p = f"/programmes/{ids['programme']}"
    rating = {f"m{m}_score": "4" for m in ids["modules"]} | {f"m{m}_comment": "" for m in ids["modules"]}
    return [
        Page("lead home", "lead", "/", ORGANISATION),
        Page("admin home", "admin", "/", ORGANISATION),
        Page("comparison across programmes", "lead", "/ratings/compare", ORGANISATION),
        Page("ratings report", "lead", f"{p}/ratings/report", PER_PROGRAMME),
        Page("outcomes evaluation", "lead", f"{p}/outcomes/", PER_PROGRAMME),
        Page("participant flow", "lead", f"{p}/outcomes/flow", PER_PROGRAMME),
        Page("retention", "lead", f"{p}/outcomes/retention", PER_PROGRAMME),
        Page("response tracking", "lead", f"{p}/waves/{ids['closed_wave']}/responses", PER_PROGRAMME),
        Page("rating waves", "lead", f"{p}/waves", PER_PROGRAMME),
        Page("cohort progress", "trainer", f"{p}/progress", PER_PROGRAMME),
        Page("attendance", "trainer", f"/days/{ids['day']}/attendance", PER_PROGRAMME),
        Page("trainer home", "trainer", "/", PER_PROGRAMME),
        Page("participant home", "participant", "/", PARTICIPANT),
        Page("my activities", "participant", f"{p}/my/activities", PARTICIPANT),
        Page("my goals", "participant", f"{p}/my/goals", PARTICIPANT),
        Page("my questionnaires", "participant", f"{p}/questionnaires", PARTICIPANT),
        Page("my questionnaire result", "participant", f"{p}/questionnaires/{ids['answered']}/done",
             PARTICIPANT),
        Page("rating form", "participant", f"{p}/ratings/{ids['open_wave']}", PARTICIPANT),
        Page("rating submission", "participant", f"{p}/ratings/{ids['open_wave']}", ORGANISATION,
             method="POST", form=rating | {"finish": "Submit my ratings"}),
    ]


def _serve(database_url: str, port: int, workers: int) -> subprocess.Popen:
    """gunicorn serving benchmarks/wsgi.py; waits until it answers."""
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="benchmark-secret", TRAINER_ENV="development")
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-w", str(workers),
                               "-b", f"127.0.0.1:{port}", "--timeout", "300", "--log-level", "warning",
                               "benchmarks.wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def measure(port: int, todo: list[Page], rounds: int) -> list[float]:
    """Interleave floor and pages for ``rounds`` rounds (after one warm-up); returns floor times."""
    clients = {}
    for role, email in ACCOUNTS.items():
        clients[role] = Client(port)
        clients[role].sign_in(email)
    floor_client, floor = Client(port), []
    for round_ in range(rounds + 1):
        for page in todo:
            client = clients[page.role]
            form = None
            if page.method == "POST":
                form = page.form | {"csrf_token": client.csrf(page.path)}
            _, _, _, floor_seconds = floor_client.request("GET", "/_bench/floor")
            status, headers, _, seconds = client.request(page.method, page.path, form)
            if status not in (200, 302):
                raise SystemExit(f"{page.name}: HTTP {status} at {page.path}")
            if round_:
                floor.append(floor_seconds)
                page.times.append(seconds)
                page.statements = int(headers.get("X-Bench-Statements", 0))
    return floor


def report(todo: list[Page], floor: list[float], label: str) -> bool:
    """Print the table; True if every target is met."""
    base = statistics.median(floor)
    print(f"\n{label}: floor median {base * 1000:.1f} ms, p95 {_p95(floor) * 1000:.1f} ms")
    print("| page | median ms | p95 ms | median / floor | target | statements | met |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    ok = True
    for page in todo:
        ratio = statistics.median(page.times) / base
        met = ratio <= page.target
        ok &= met
        print(f"| {page.name} | {statistics.median(page.times) * 1000:.1f} | {_p95(page.times) * 1000:.1f} "
              f"| {ratio:.1f}× | ≤ {page.target:g}× | {page.statements} | {'yes' if met else '**no**'} |")
    return ok


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="EMPTIED and refilled unless --reuse; "
                        "default: SQLite in /tmp/trainer-bench/<size>.sqlite3")
    parser.add_argument("--size", choices=("quick", "org", "cohort"), default="quick")
    parser.add_argument("--quick", action="store_const", const="quick", dest="size",
                        help="20 programmes x 50 participants, for development")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep the data already generated")
    args = parser.parse_args()
    url = args.database_url
    if not url:
        Path("/tmp/trainer-bench").mkdir(exist_ok=True)
        url = f"sqlite:////tmp/trainer-bench/{args.size}.sqlite3"
    from trainer.config import normalise_database_url
    url = normalise_database_url(url)
    if not args.reuse:
        started = time.perf_counter()
        counts = generate(url, args.size)
        print(f"generated {args.size} in {time.perf_counter() - started:.0f} s: "
              f"{counts.get('programmes', 0)} programmes, {counts.get('memberships', 0):,} memberships, "
              f"{counts.get('activity_logs', 0):,} activity logs, {counts.get('module_ratings', 0):,} ratings, "
              f"{counts.get('outcome_scores', 0):,} questionnaire scores")
    todo = pages(_ids(url))
    server = _serve(url, args.port, args.workers)
    try:
        floor = measure(args.port, todo, args.rounds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    ok = report(todo, floor, f"{dialect}, size {args.size}, {args.rounds} rounds, {args.workers} workers")
    print("All targets met." if ok else "Some targets missed.")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
