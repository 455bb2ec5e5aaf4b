"""Randomisations of a programme's participants into arms, each with the seed that reproduces it."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime


class Randomisation(db.Model):
    """One randomisation: its seed, and the arm each membership got (``{membership_id: arm}``)."""

    __tablename__ = "randomisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    seed: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(40), default="shuffle-alternate-v1")
    method_version: Mapped[str | None] = mapped_column(String(20))
    allocation: Mapped[dict] = mapped_column(JSON, default=dict)
    # The allocation list in order: [{"membership_id", "arm", "stratum", "block"}, ...].
    sequence: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
