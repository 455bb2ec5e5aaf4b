"""A programme's costs as the lead enters them: each figure with its source and price year."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime

# Cost groups: each has its figures, a source and a price year. Every figure starts empty.
COST_GROUPS = ("trainer", "venue", "materials", "coordination", "backfill", "participant", "replacement")


def _money() -> Mapped[Decimal | None]:
    return mapped_column(Numeric(12, 2), nullable=True)


class ProgrammeCosts(db.Model):
    """One row per programme; None means "not entered yet" (no default figure without a source)."""

    __tablename__ = "programme_costs"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), unique=True)
    trainer_days: Mapped[Decimal | None] = _money()
    trainer_day_rate: Mapped[Decimal | None] = _money()
    trainer_source: Mapped[str] = mapped_column(String(300), default="")
    trainer_year: Mapped[int | None]
    venue_cost: Mapped[Decimal | None] = _money()
    venue_source: Mapped[str] = mapped_column(String(300), default="")
    venue_year: Mapped[int | None]
    materials_cost: Mapped[Decimal | None] = _money()
    materials_source: Mapped[str] = mapped_column(String(300), default="")
    materials_year: Mapped[int | None]
    coordination_cost: Mapped[Decimal | None] = _money()
    coordination_source: Mapped[str] = mapped_column(String(300), default="")
    coordination_year: Mapped[int | None]
    backfill_cost: Mapped[Decimal | None] = _money()
    backfill_source: Mapped[str] = mapped_column(String(300), default="")
    backfill_year: Mapped[int | None]
    participant_hourly_cost: Mapped[Decimal | None] = _money()
    participant_source: Mapped[str] = mapped_column(String(300), default="")
    participant_year: Mapped[int | None]
    peer_meeting_hours: Mapped[Decimal | None] = _money()
    replacement_cost: Mapped[Decimal | None] = _money()
    replacement_source: Mapped[str] = mapped_column(String(300), default="")
    replacement_year: Mapped[int | None]
    sensitivity_from: Mapped[Decimal | None] = _money()
    sensitivity_to: Mapped[Decimal | None] = _money()
    sensitivity_step: Mapped[Decimal | None] = _money()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
