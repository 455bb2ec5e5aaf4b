"""Delivering the outbox over SMTP, with retries that back off after each failure."""
import hashlib
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import urlsplit

from sqlalchemy import and_, or_, select, update

from trainer import stopping
from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import OutboxMessage
from trainer.services.system import organisation

MAX_ATTEMPTS = 8
BATCH = 100
# Longer than any one SMTP exchange (timeout 20 s): a live sender never loses its claim.
CLAIM_LEASE = timedelta(minutes=10)


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
    domain: str = "localhost"

    @classmethod
    def from_config(cls, config) -> "SmtpSettings":
        """Read MAIL_SERVER, MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_USE_TLS, MAIL_FROM
        and the host of BASE_URL (the domain of every ``Message-ID``)."""
        return cls(config.get("MAIL_SERVER"), int(config.get("MAIL_PORT") or 25),
                   config.get("MAIL_USERNAME"), config.get("MAIL_PASSWORD"),
                   bool(config.get("MAIL_USE_TLS")), config.get("MAIL_FROM") or cls.sender,
                   domain=urlsplit(config.get("BASE_URL") or "").hostname or "localhost")


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try after ``attempts`` failures: 2, 4, 8 ... up to 6 hours."""
    return min(timedelta(minutes=2 ** attempts), timedelta(hours=6))


def due_messages(now: datetime) -> list[OutboxMessage]:
    """Unsent, unclaimed messages whose next attempt is due and that have attempts left."""
    return list(db.session.scalars(select(OutboxMessage).where(_due(now))
                                   .order_by(OutboxMessage.id).limit(BATCH)))


@dataclass(frozen=True)
class Claim:
    """A message this process has claimed: its outbox id and the email to send."""

    id: int
    email: EmailMessage


def claim_next(settings: SmtpSettings, *, now: datetime) -> Claim | None:
    """Claim the oldest due message in a transaction of its own; return it ready to send.

    PostgreSQL locks the row (``FOR UPDATE SKIP LOCKED``: a message another process is
    claiming is passed over, not waited for); SQLite runs the claim under ``BEGIN IMMEDIATE``.
    On both, a conditional update (still unsent and unclaimed) is what makes the claim:
    whoever updates no row did not get it. The claim lasts ``CLAIM_LEASE``. The email is
    built before the commit, so sending it holds no transaction (nor SQLite's write lock).
    """
    while True:
        message_id = db.session.scalar(select(OutboxMessage.id).where(_due(now))
                                       .order_by(OutboxMessage.id).limit(1)
                                       .with_for_update(skip_locked=True))
        if message_id is None:
            db.session.commit()
            return None
        claimed = db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id, _due(now))
            .values(claimed_until=now + CLAIM_LEASE).execution_options(synchronize_session=False))
        if claimed.rowcount == 1:
            claim = Claim(message_id, _email(db.session.get(OutboxMessage, message_id), settings))
            db.session.commit()
            return claim
        db.session.commit()


def deliver_outbox(settings: SmtpSettings, *, now: datetime) -> dict[str, int]:
    """Send what is due over one SMTP connection; return counts of sent and failed messages.

    Without a server configured nothing is sent (messages wait, visible to admins). Each
    message is claimed before it is sent and its outcome committed as soon as it is known, so
    any number of delivery runs at once send each message once. The one repeat: a process
    that dies after the SMTP server accepted a message and before it recorded that leaves its
    claim to expire, and the message is sent again (the same ``Message-ID`` lets mail clients
    drop the copy). A failure records the error and schedules a retry with backoff; a server
    that cannot be reached, or drops the connection, fails the claimed message and ends the run.
    """
    sent = failed = 0
    if not settings.server:
        return {"sent": sent, "failed": failed}
    connection = None
    try:
        for _ in range(BATCH):
            claim = claim_next(settings, now=now)
            if claim is None:
                break
            # A stop asked for meanwhile (SIGTERM to the scheduler) waits until the outcome is
            # recorded: a clean stop never leaves a sent message to be sent again.
            with stopping.uninterrupted():
                try:
                    if connection is None:
                        connection = _connect(settings)
                    connection.send_message(claim.email)
                except (OSError, smtplib.SMTPException) as exc:
                    _record(claim.id, now, error=exc)
                    failed += 1
                    if connection is None or isinstance(exc, (OSError, smtplib.SMTPServerDisconnected)):
                        break  # no usable connection: the rest wait for the next run
                else:
                    _record(claim.id, now)
                    sent += 1
    finally:
        if connection is not None:
            _quit(connection)
    return {"sent": sent, "failed": failed}


def stable_message_id(message: OutboxMessage, domain: str) -> str:
    """The message's stable ``Message-ID``: the same on every attempt, unique per dedupe key."""
    digest = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:16]
    return f"<outbox-{message.id}.{digest}@{domain}>"


def _due(now: datetime):
    return and_(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS,
                or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now))


def _record(message_id: int, now: datetime, *, error: Exception | None = None) -> None:
    message = db.session.get(OutboxMessage, message_id)
    message.attempts += 1
    message.claimed_until = None
    if error is None:
        message.sent_at, message.last_error = now, None
    else:
        message.last_error = f"{type(error).__name__}: {error}"[:1000]
        message.next_attempt_at = now + backoff(message.attempts)
    db.session.commit()


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    connection = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    if settings.use_tls:
        connection.starttls()
    if settings.username:
        connection.login(settings.username, settings.password or "")
    return connection


def _signature(organisation_name: str) -> str:
    return f"\n-- \nResilience Trainer · {organisation_name}\n" if organisation_name else ""


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


def _email(message: OutboxMessage, settings: SmtpSettings) -> EmailMessage:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = settings.sender, message.to_address, message.subject
    email["Message-ID"] = stable_message_id(message, settings.domain)
    email.set_content(message.body + _signature(organisation.organisation_name()))
    return email
