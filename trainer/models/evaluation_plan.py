"""A programme's evaluation plan: its versions, the lock, and deviations recorded after it."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime


class EvaluationPlan(db.Model):
    """One programme's plan. ``locked_at`` is set once; ``locked_before_post_data`` records
    whether any post-training answer existed at that moment."""

    __tablename__ = "evaluation_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              unique=True, index=True)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    locked_before_post_data: Mapped[bool | None]
    versions: Mapped[list["EvaluationPlanVersion"]] = relationship(
        back_populates="plan", order_by="EvaluationPlanVersion.number", cascade="all, delete-orphan")
    locked_by = relationship("User", foreign_keys=[locked_by_id])


class EvaluationPlanVersion(db.Model):
    """One version of the plan, never changed once written. A version written after the lock is
    a deviation and carries the reason for it."""

    __tablename__ = "evaluation_plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("evaluation_plans.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    # "instrument/scale" keys.
    primary_outcome: Mapped[str] = mapped_column(String(120))
    secondary_outcomes: Mapped[list] = mapped_column(JSON, default=list)
    timepoint: Mapped[str] = mapped_column(String(20))
    analysis: Mapped[str] = mapped_column(Text)
    alpha: Mapped[float]
    missing_data: Mapped[str] = mapped_column(Text)
    deviation: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    plan: Mapped[EvaluationPlan] = relationship(back_populates="versions")
    created_by = relationship("User", foreign_keys=[created_by_id])
