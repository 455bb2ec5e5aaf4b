"""Recording sensitive actions in a hash chain: each row carries the hash of the one before."""
import hashlib
import json

from sqlalchemy import select, text

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import AuditEvent

# Any fixed number: PostgreSQL serialises audit writers on it until they commit.
CHAIN_LOCK = 7_260_001


def row_hash(event: AuditEvent) -> str:
    """SHA-256 over the row's canonical content and the previous row's hash."""
    content = {"id": event.id, "at": event.at.isoformat(timespec="microseconds"),
               "actor_id": event.actor_id, "action": event.action, "object_type": event.object_type,
               "object_id": event.object_id, "programme_id": event.programme_id,
               "detail": event.detail or {}, "prev_hash": event.prev_hash}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(actor_id: int | None, action: str, obj, *, programme_id: int | None = None,
           **detail) -> AuditEvent:
    """Add an audit event for ``action`` on ``obj`` (a model instance) to the current transaction,
    chained to the newest row."""
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    previous = db.session.scalar(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(at=utcnow(), actor_id=actor_id, action=action,
                       object_type=obj.__class__.__name__, object_id=getattr(obj, "id", None),
                       programme_id=programme_id, detail=detail, prev_hash=previous)
    db.session.add(event)
    db.session.flush()
    event.row_hash = row_hash(event)
    return event
