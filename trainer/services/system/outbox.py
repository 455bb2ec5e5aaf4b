"""Queueing e-mail: every message goes through the outbox, identified by a dedupe key."""
import re
from dataclasses import dataclass

from sqlalchemy import select

from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import OutboxMessage, User
from trainer.services.privacy import audit
from trainer.services.system import listing

MESSAGE_STATUSES = ("sent", "waiting", "failed")


def enqueue(*, dedupe_key: str, kind: str, to: User | str, subject: str, body: str) -> bool:
    """Queue a message unless one with ``dedupe_key`` exists; return True if it was queued.

    Adds to the current transaction (the caller commits). The unique index on ``dedupe_key`` is
    the real guard: two jobs racing past the check make the second commit fail, not send twice.
    """
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return False
    user = to if isinstance(to, User) else None
    db.session.add(OutboxMessage(
        dedupe_key=dedupe_key, kind=kind, user_id=user.id if user else None,
        to_address=user.email if user else str(to), subject=subject, body=body))
    return True


# A one-time set-password link in a message body: whoever reads it can take over the account.
PASSWORD_LINK = re.compile(r"(/set-password/)[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class MessageView:
    """A message as admins see it: the body with one-time links hidden."""

    message: OutboxMessage
    body: str


def recent_messages(limit: int = 200) -> list[MessageView]:
    """The newest outbox messages, newest first, for the admins' outbox page.

    Set-password links are masked: an admin reading the outbox must not be able to use
    someone else's invitation. The person receives the real link by e-mail.
    """
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit))
    return [MessageView(m, PASSWORD_LINK.sub(r"\1[hidden: sent to the person only]", m.body))
            for m in messages]


def status_of(message: OutboxMessage) -> str:
    """"sent", "failed" (not sent, and the last try failed) or "waiting" (not tried yet)."""
    if message.sent_at is not None:
        return "sent"
    return "failed" if message.last_error else "waiting"


def message_page(*, q: str = "", status: str | None = None, page: int = 1) -> listing.ListPage:
    """One page of outbox messages, newest first, matching ``q`` (recipient, subject or kind).

    The page's items are ``MessageView``s, with one-time links masked as in ``recent_messages``.
    """
    query = listing.matching(select(OutboxMessage), q, OutboxMessage.to_address,
                             OutboxMessage.subject, OutboxMessage.kind)
    if status == "sent":
        query = query.where(OutboxMessage.sent_at.is_not(None))
    elif status == "failed":
        query = query.where(OutboxMessage.sent_at.is_(None), OutboxMessage.last_error.is_not(None))
    elif status == "waiting":
        query = query.where(OutboxMessage.sent_at.is_(None), OutboxMessage.last_error.is_(None))
    result = listing.paginate(query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
                              page=page)
    views = [MessageView(m, PASSWORD_LINK.sub(r"\1[hidden: sent to the person only]", m.body))
             for m in result.items]
    return listing.ListPage(views, result.total, result.page, result.per_page)


def retry(actor: User, message_id: int) -> OutboxMessage:
    """Send a failed message again at the next delivery run (its tries start again); commits."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("No such message.")
    if message.sent_at is not None:
        raise RuleViolation("This message was sent already")
    message.attempts, message.next_attempt_at, message.last_error = 0, None, None
    audit.record(actor.id, "outbox.retried", message)
    db.session.commit()
    return message
