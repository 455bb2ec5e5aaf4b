"""Audit events: who did what to which record, for sensitive actions."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime


class AuditEvent(db.Model):
    """One sensitive action, e.g. an invitation, an account disabled, an export."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"),
                                                      index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    # The hash chain: the previous row's hash, and this row's hash over its content and prev_hash.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))
