"""Delivering the outbox over SMTP, with retries that back off after each failure."""
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import select

from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import OutboxMessage
from trainer.services import organisation

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
    signature = _signature(organisation.organisation_name())
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
                connection.send_message(_email(message, settings.sender, signature))
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


def _signature(organisation_name: str) -> str:
    return f"\n-- \nResilience Trainer · {organisation_name}\n" if organisation_name else ""


def _email(message: OutboxMessage, sender: str, signature: str = "") -> EmailMessage:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, message.to_address, message.subject
    email["Message-ID"] = f"<outbox-{message.id}@resilience-trainer>"
    email.set_content(message.body + signature)
    return email


def send_test_message(settings: SmtpSettings, to: str, *, organisation_name: str = "") -> str:
    """Send one test message now, not through the outbox; return the SMTP server's answer.

    RuleViolation (field ``to``) when no server is configured, or when the server cannot be
    reached or refuses the message, with what went wrong.
    """
    if not settings.server:
        raise RuleViolation("No mail server is configured: set MAIL_SERVER (and the other MAIL_ "
                            "settings) first", field="to")
    email = EmailMessage()
    email["From"], email["To"] = settings.sender, to
    email["Subject"] = "Test message from Resilience Trainer"
    email.set_content("This is a test message sent by an administrator from the organisation "
                      "settings page. If you can read it, the app can send e-mail.\n"
                      + _signature(organisation_name))
    try:
        with _connect(settings) as connection:
            connection.ehlo_or_helo_if_needed()
            for code, answer in (connection.mail(parseaddr(settings.sender)[1]), connection.rcpt(to)):
                if code not in (250, 251):
                    raise smtplib.SMTPResponseException(code, answer)
            code, answer = connection.data(email.as_bytes())
    except smtplib.SMTPResponseException as exc:
        raise RuleViolation(f"The mail server at {settings.server}:{settings.port} refused the "
                            f"message: {exc.smtp_code} {_text(exc.smtp_error)}", field="to") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise RuleViolation(f"Could not send through {settings.server}:{settings.port}: "
                            f"{type(exc).__name__}: {exc}", field="to") from exc
    return f"{code} {_text(answer)}"


def _text(answer) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


def _failed(message: OutboxMessage, exc: Exception, now: datetime) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    message.next_attempt_at = now + backoff(message.attempts)
