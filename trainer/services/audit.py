"""Recording sensitive actions."""
from trainer.extensions import db
from trainer.models import AuditEvent


def record(actor_id: int | None, action: str, obj, *, programme_id: int | None = None,
           **detail) -> AuditEvent:
    """Add an audit event for ``action`` on ``obj`` (a model instance) to the current transaction."""
    db.session.flush()
    event = AuditEvent(actor_id=actor_id, action=action, object_type=obj.__class__.__name__,
                       object_id=getattr(obj, "id", None), programme_id=programme_id,
                       detail=detail)
    db.session.add(event)
    return event
