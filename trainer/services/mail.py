"""Delivering the outbox over SMTP, with retries that back off after each failure."""
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select

from trainer.extensions import db
from trainer.models import OutboxMessage

MAX_ATTEMPTS = 8
BATCH = 100


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: built from the app's MAIL_* settings."""

    server: str | None
    port: int = 25
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    sender: str = "Resilience Trainer <no-reply@localhost>"
    timeout: float = 20.0

    @classmethod
    def from_config(cls, config) -> "SmtpSettings":
        """Read MAIL_SERVER, MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_USE_TLS, MAIL_FROM."""
        return cls(config.get("MAIL_SERVER"), int(config.get("MAIL_PORT") or 25),
                   config.get("MAIL_USERNAME"), config.get("MAIL_PASSWORD"),
                   bool(config.get("MAIL_USE_TLS")), config.get("MAIL_FROM") or cls.sender)


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try after ``attempts`` failures: 2, 4, 8 ... up to 6 hours."""
    return min(timedelta(minutes=2 ** attempts), timedelta(hours=6))


def due_messages(now: datetime) -> list[OutboxMessage]:
    """Unsent messages whose next attempt is due and that have not used up their attempts."""
    return list(db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS,
            OutboxMessage.next_attempt_at.is_(None) | (OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id).limit(BATCH)))


def deliver_outbox(settings: SmtpSettings, *, now: datetime) -> dict[str, int]:
    """Send what is due over one SMTP connection; return counts of sent and failed messages.

    Without a server configured nothing is sent (messages wait, visible to admins). Each
    message's outcome is committed as soon as it is known, so a crash part-way never sends a
    delivered message again. A failure records the error and schedules a retry with backoff.
    """
    if not settings.server:
        return {"sent": 0, "failed": 0}
    messages = due_messages(now)
    if not messages:
        return {"sent": 0, "failed": 0}
    sent = failed = 0
    try:
        connection = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        for message in messages:
            _failed(message, exc, now)
        db.session.commit()
        return {"sent": 0, "failed": len(messages)}
    with connection:
        for message in messages:
            try:
                connection.send_message(_email(message, settings.sender))
            except (OSError, smtplib.SMTPException) as exc:
                _failed(message, exc, now)
                failed += 1
            else:
                message.sent_at, message.last_error = now, None
                message.attempts += 1
                sent += 1
            db.session.commit()
    return {"sent": sent, "failed": failed}


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    connection = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    if settings.use_tls:
        connection.starttls()
    if settings.username:
        connection.login(settings.username, settings.password or "")
    return connection


def _email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, message.to_address, message.subject
    email["Message-ID"] = f"<outbox-{message.id}@resilience-trainer>"
    email.set_content(message.body)
    return email


def _failed(message: OutboxMessage, exc: Exception, now: datetime) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    message.next_attempt_at = now + backoff(message.attempts)
