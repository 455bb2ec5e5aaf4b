"""Scheduled jobs: thin, idempotent calls into services, safe to run twice or late.

Each job takes the current instant and computes what is due from the database; what it sends
goes through the outbox with a unique dedupe key, so running it again sends nothing twice.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from trainer.extensions import db
from trainer.services import mail, reminders as reminder_service


@dataclass(frozen=True)
class Job:
    """A registered job: a name, how often it runs, and what it calls."""

    id: str
    minutes: int
    func: Callable[[datetime], object]


JOBS: list[Job] = []


def job(job_id: str, *, minutes: int):
    """Register ``func(now)`` as a job that runs every ``minutes`` minutes."""
    def register(func):
        JOBS.append(Job(job_id, minutes, func))
        return func
    return register


def run_job(entry: Job, now: datetime):
    """Run one job and end its transaction: commit what it did, or roll back on error."""
    try:
        result = entry.func(now)
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        raise
    finally:
        db.session.remove()


def run_all(now: datetime) -> dict[str, object]:
    """Run every registered job once (``flask run-jobs``, tests); return each job's result."""
    return {entry.id: run_job(entry, now) for entry in JOBS}


@job("reminders", minutes=60)
def reminders(now: datetime):
    """Reminders two days before each training day."""
    return reminder_service.queue_reminders(now)


@job("deliver-outbox", minutes=2)
def deliver_outbox(now: datetime):
    """Send the outbox over SMTP (nothing without MAIL_SERVER)."""
    return mail.deliver_outbox(mail.SmtpSettings.from_config(current_app.config), now=now)
