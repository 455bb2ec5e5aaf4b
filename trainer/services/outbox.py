"""Queueing e-mail: every message goes through the outbox, identified by a dedupe key."""
from sqlalchemy import select

from trainer.extensions import db
from trainer.models import OutboxMessage, User


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


def recent_messages(limit: int = 200) -> list[OutboxMessage]:
    """Return the newest outbox messages, newest first (for the admins' outbox page)."""
    return list(db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)))
