"""The scheduler as a real process: it delivers at start-up, stops cleanly, and waits as a standby."""
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import select, text

from tests.factories import make_day, make_member, make_programme, make_user
from trainer import create_app
from trainer.clock import today_in, utcnow
from trainer.extensions import db
from trainer.models import OutboxMessage
from trainer.services.system import outbox

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0
POLL = 0.1


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition, what: str, *processes) -> None:
    """Poll ``condition`` until true; fail after TIMEOUT or as soon as a process dies."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        for process, log in processes:
            assert process.poll() is None, f"the scheduler died:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}:\n" + "\n".join(
            log.read_text() for _, log in processes)
        time.sleep(POLL)


def _start(env: dict, log: Path) -> tuple[subprocess.Popen, Path]:
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "scheduler"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return process, log


def _stop(process: subprocess.Popen, log: Path) -> None:
    process.terminate()
    try:
        assert process.wait(timeout=TIMEOUT) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Scheduler stopped." in log.read_text()


def _env(database_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "DATABASE_URL"))}
    return env | {"DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1", "TRAINER_ENV": "development"} | extra


@pytest.fixture
def scratch(tmp_path):
    """A migrated scratch SQLite file with a queued message and a reminder due (day after tomorrow)."""
    url = "sqlite:///" + str(tmp_path / "scheduler.sqlite3")
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with other.app_context():
        upgrade()
        outbox.enqueue(dedupe_key="test:queued", kind="test", to=make_user("queued@example.org"),
                       subject="Queued before the restart", body="Body text")
        programme = make_programme(status="scheduled", start=utcnow().date() - timedelta(days=30),
                                   end=utcnow().date() + timedelta(days=60))
        make_member(programme, user=make_user("due@example.org"))
        make_day(programme, today_in(programme.timezone, utcnow()) + timedelta(days=2))
        db.session.commit()
        db.session.remove()
    yield url, other
    with other.app_context():
        db.engine.dispose()


def test_the_scheduler_process_delivers_at_start_up_and_stops_cleanly(scratch, tmp_path):
    url, other = scratch
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        env = _env(url, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(controller.port))
        process, log = _start(env, tmp_path / "scheduler.log")
        try:
            _wait_for(lambda: len(inbox.messages) >= 2, "two messages over SMTP", (process, log))
        finally:
            _stop(process, log)
    finally:
        controller.stop()
    assert sorted(m.rcpt_tos[0] for m in inbox.messages) == ["due@example.org", "queued@example.org"]
    with other.app_context():
        kinds = db.session.execute(select(OutboxMessage.kind, OutboxMessage.sent_at)).all()
        db.session.remove()
    assert sorted(k for k, _ in kinds) == ["reminder", "test"] and all(sent for _, sent in kinds)


def test_a_second_scheduler_process_stays_standby_while_the_first_holds_the_lock(app, tmp_path):
    # PostgreSQL: the advisory lock; SQLite: the file lock (in tmp_path, not the instance folder).
    env = _env(app.config["SQLALCHEMY_DATABASE_URI"], SCHEDULER_LOCK_POLL_SECONDS="0.2",
               SCHEDULER_LOCK_FILE=str(tmp_path / "scheduler.lock"))
    first = _start(env, tmp_path / "first.log")
    second = None
    try:
        _wait_for(lambda: "Scheduler active" in first[1].read_text(), "the first to start", first)
        second = _start(env, tmp_path / "second.log")
        _wait_for(lambda: "waiting as a standby" in second[1].read_text(), "the standby", first, second)
        assert "Scheduler active" not in second[1].read_text()
        _stop(*first)
        _wait_for(lambda: "Scheduler active" in second[1].read_text(), "the standby to take over", second)
    finally:
        if first[0].poll() is None:
            _stop(*first)
        if second is not None:
            _stop(*second)
    if db.engine.dialect.name == "postgresql":
        held = db.session.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"))
        assert held == 0
