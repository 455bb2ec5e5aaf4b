"""Participants' personal goals and their progress reviews."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime


class Goal(db.Model):
    """A participant-owned goal; its text reaches a trainer only if ``shared_with_trainer``."""

    __tablename__ = "goals"
    __table_args__ = (CheckConstraint("status IN ('active', 'achieved', 'dropped')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(String(300))
    why: Mapped[str] = mapped_column(Text, default="")
    measure: Mapped[str] = mapped_column(Text, default="")
    target_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(10), default="active")
    shared_with_trainer: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    membership: Mapped["Membership"] = relationship()  # noqa: F821
    reviews: Mapped[list["GoalReview"]] = relationship(
        back_populates="goal", order_by="GoalReview.reviewed_on", cascade="all, delete-orphan")


class GoalReview(db.Model):
    """A progress check-in on a goal, 0 to 100."""

    __tablename__ = "goal_reviews"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_in_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    reviewed_on: Mapped[date]
    progress: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="reviews")
