"""The organisation's settings (one row) and the scheduler's heartbeat (one row)."""
from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime

DEFAULT_RETENTION_MONTHS = 36


class OrganisationSettings(db.Model):
    """What admins set for the whole organisation. There is one row, id 1."""

    __tablename__ = "organisation_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),
                      CheckConstraint("retention_months >= 1", name="retention_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # The safety net's default help, in the text form programmes use (title line, details).
    support_resources: Mapped[str] = mapped_column(Text, default="")
    retention_months: Mapped[int] = mapped_column(default=DEFAULT_RETENTION_MONTHS)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SchedulerHeartbeat(db.Model):
    """When the active scheduler last said it was alive. There is one row, id 1."""

    __tablename__ = "scheduler_heartbeats"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    host: Mapped[str] = mapped_column(String(255), default="")
