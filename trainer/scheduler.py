"""The scheduler process (``flask scheduler``): every registered job on APScheduler's BlockingScheduler.

At start-up (and so after every restart) the process runs each job once, one after another in
the order of the registry (delivery of the outbox last, so what the other jobs queued goes out
at once); then each job runs on its interval, coalesced, one instance at a time. Every job is
idempotent, so the extra run never sends anything twice.

On PostgreSQL the process first takes a session-level advisory lock on its own connection, so
a second scheduler (another host, a second deploy) waits as a standby and takes over only when
the first one's connection ends. On SQLite (one host) it takes an exclusive ``fcntl`` lock on a
file in the instance folder (SCHEDULER_LOCK_FILE) instead, to the same effect; the operating
system releases it when the process ends, however it ends.
"""
import fcntl
import logging
import os
import socket
import time
from collections.abc import Callable

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import text

from trainer import jobs
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.services.system import health

log = logging.getLogger(__name__)
# An arbitrary constant identifying "the trainer scheduler" among advisory locks.
ADVISORY_LOCK_KEY = 7_340_551_217


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A BlockingScheduler with every job in ``jobs.JOBS`` (coalesced, one instance at a time).

    Each job's first run is one interval from now: ``run`` has just run them all once.
    """
    scheduler = BlockingScheduler(timezone="UTC",
                                  job_defaults={"coalesce": True, "max_instances": 1,
                                                "misfire_grace_time": 300})
    for entry in jobs.JOBS:
        scheduler.add_job(_runner(app, entry), "interval", minutes=entry.minutes, id=entry.id,
                          name=entry.id, coalesce=True, max_instances=1)
    scheduler.add_job(lambda: beat(app), "interval", id="heartbeat", name="heartbeat", coalesce=True,
                      max_instances=1,
                      seconds=int(app.config.get("SCHEDULER_HEARTBEAT_SECONDS") or 60))
    return scheduler


def beat(app: Flask) -> None:
    """Record the heartbeat /healthz reads (a failure is logged; the next beat tries again)."""
    with app.app_context():
        try:
            health.record_heartbeat(utcnow(), host=socket.gethostname())
        except Exception:  # noqa: BLE001 - a missed beat must not stop the scheduler
            db.session.rollback()
            log.exception("Heartbeat failed")


def run_startup(app: Flask) -> None:
    """Run every job once, in registry order, each in its own transaction (failures are logged)."""
    for entry in jobs.JOBS:
        _runner(app, entry)()


def acquire_lock(connection, *, wait: Callable[[], None] | None = None) -> bool:
    """Take the scheduler's advisory lock on ``connection`` (PostgreSQL), waiting while another holds it.

    Returns True once held; with ``wait=None`` it tries once and returns whether it got the lock.
    """
    while True:
        if connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}).scalar():
            return True
        if wait is None:
            return False
        wait()


def hold_lock(engine, *, lock_file: str | None = None, poll_seconds: float | None = None,
              sleep: Callable[[float], None] = time.sleep):
    """The scheduler lock, waiting for it while another scheduler holds it.

    On PostgreSQL: a connection holding the advisory lock. Elsewhere: the open ``lock_file``
    holding an exclusive ``fcntl`` lock (None without a ``lock_file``). A standby tries again
    every ``poll_seconds`` (default: SCHEDULER_LOCK_POLL_SECONDS from the environment, else 15).
    """
    if poll_seconds is None:
        poll_seconds = float(os.environ.get("SCHEDULER_LOCK_POLL_SECONDS", "15"))
    if engine.dialect.name != "postgresql":
        return _hold_file_lock(lock_file, poll_seconds, sleep) if lock_file else None
    connection = engine.connect()
    if not acquire_lock(connection, wait=None):
        log.warning("Another scheduler holds the lock; waiting as a standby.")
        acquire_lock(connection, wait=lambda: sleep(poll_seconds))
    connection.commit()
    return connection


def release_lock(lock) -> None:
    """Give up the scheduler lock taken by ``hold_lock`` and close its connection or file."""
    if hasattr(lock, "fileno"):
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
        return
    lock.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
    lock.commit()
    lock.close()  # a pooled connection would keep the lock


def _hold_file_lock(path: str, poll_seconds: float, sleep: Callable[[float], None]):
    handle = open(path, "a")  # noqa: SIM115 - held open for as long as the scheduler runs
    if not _try_flock(handle):
        log.warning("Another scheduler holds the lock; waiting as a standby.")
        while not _try_flock(handle):
            sleep(poll_seconds)
    return handle


def _try_flock(handle) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def run(app: Flask) -> None:
    """Run the scheduler until interrupted, as the one active scheduler of the database.

    Once it holds the lock it runs every job once, then on their intervals. However it stops
    (Ctrl+C, SIGTERM turned into SystemExit by the command), it shuts the scheduler down and
    gives the lock up.
    """
    with app.app_context():
        lock = hold_lock(db.engine, lock_file=app.config.get("SCHEDULER_LOCK_FILE"))
    log.info("Scheduler active: running every job once, then on its interval.")
    scheduler = build_scheduler(app)
    try:
        beat(app)
        run_startup(app)
        scheduler.start()
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        if lock is not None:
            release_lock(lock)


def _runner(app: Flask, entry: jobs.Job):
    def run_entry():
        with app.app_context():
            try:
                log.info("%s: %s", entry.id, jobs.run_job(entry, utcnow()))
            except Exception:  # noqa: BLE001 - a failed run is logged; the next run tries again
                log.exception("Job %s failed", entry.id)
    return run_entry
