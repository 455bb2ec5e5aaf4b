"""Two ``flask run-jobs`` processes at once, against a real SMTP server: every message goes once."""
import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tests.factories import make_user
from trainer.extensions import db
from trainer.models import OutboxMessage
from trainer.services.system import outbox

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 30


class _SlowInbox:
    """Holds the first message until a second sender has connected, so the two really overlap."""

    def __init__(self):
        self.messages = []
        self.sessions = set()

    async def handle_DATA(self, server, session, envelope):
        self.sessions.add(id(session))
        deadline = time.monotonic() + 30
        while len(self.sessions) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.02)
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run_jobs(app, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "DATABASE_URL"))}
    env |= {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(port), "BASE_URL": "https://trainer.example.org",
            "TRAINER_ENV": "development"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "run-jobs"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_two_run_jobs_processes_at_once_deliver_each_message_exactly_once(app):
    for i in range(MESSAGES):
        outbox.enqueue(dedupe_key=f"test:{i}", kind="test", to=make_user(), subject=f"Hello {i}",
                       body="Body text")
    db.session.commit()
    db.session.remove()
    inbox = _SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        processes = [_run_jobs(app, controller.port) for _ in range(2)]
        outputs = [p.communicate(timeout=120)[0] for p in processes]
    finally:
        controller.stop()
    assert [p.returncode for p in processes] == [0, 0], outputs
    sent = [int(re.search(r"deliver-outbox: \{'sent': (\d+)", out).group(1)) for out in outputs]
    assert all(n > 0 for n in sent), f"the two processes did not overlap: {outputs}"
    assert sum(sent) == MESSAGES
    ids = [re.search(rb"Message-ID: (\S+)", m.content).group(1) for m in inbox.messages]
    assert len(ids) == len(set(ids)) == MESSAGES
    assert all(i.endswith(b"@trainer.example.org>") for i in ids)
    unsent = db.session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None)))
    assert unsent == 0
