"""Scheduled jobs: thin, idempotent calls into services, safe to run twice or late.

Each job takes the current instant and computes what is due from the database; what it sends
goes through the outbox with a unique dedupe key, so running it again sends nothing twice.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from trainer.extensions import db
from trainer.clock import today_in
from trainer.services.outcomes import outcomes
from trainer.services.participation import assignments, goals
from trainer.services.privacy import anonymisation
from trainer.services.ratings import ratings
from trainer.services.system import mail, organisation
from trainer.services.scheduling import reminders as reminder_service


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


@job("assignment-reminders", minutes=60)
def assignment_reminders(now: datetime) -> int:
    """One reminder when an assignment is due within two days, one when it is overdue."""
    return assignments.send_due_reminders(now)


@job("goal-review-reminders", minutes=60)
def goal_review_reminders(now: datetime) -> int:
    """One reminder when an active goal has gone 14 days without a review."""
    return goals.send_review_reminders(now)


@job("outcome-invitations", minutes=60)
def outcome_invitations(now: datetime) -> int:
    """Invite both arms to open outcome waves and remind non-respondents, each once."""
    return outcomes.send_invitations(now, base_url=current_app.config["BASE_URL"])


@job("rating-waves", minutes=15)
def rating_waves(now: datetime):
    """Open and close rating waves on their local dates; invite participants and remind them."""
    return ratings.run_waves(now, base_url=current_app.config["BASE_URL"])


@job("reminders", minutes=60)
def reminders(now: datetime):
    """Reminders two days before each training day."""
    return reminder_service.queue_reminders(now)


@job("deliver-outbox", minutes=2)
def deliver_outbox(now: datetime):
    """Send the outbox over SMTP (nothing without MAIL_SERVER)."""
    return mail.deliver_outbox(mail.SmtpSettings.from_config(current_app.config), now=now)


@job("retention-schedule", minutes=24 * 60)
def retention_schedule(now: datetime) -> int:
    """Anonymise programmes closed longer ago than the organisation's retention period; return how many."""
    today = today_in("Europe/London", now)
    return len(anonymisation.anonymise_expired(today, organisation.retention_months(), now=now))
