"""Training days, the sessions inside them, and the trainers of each session."""
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime


class TrainingDay(db.Model):
    """A dated day of a programme; ``day`` and times are local to the programme's time zone."""

    __tablename__ = "training_days"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    venue: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    cancelled: Mapped[bool] = mapped_column(default=False)
    # iCalendar SEQUENCE: incremented whenever the day changes, so calendar clients update it.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped["Programme"] = relationship()  # noqa: F821
    sessions: Mapped[list["TrainingSession"]] = relationship(
        back_populates="day", order_by="TrainingSession.starts_at", cascade="all, delete-orphan")


class TrainingSession(db.Model):
    """A time slot of a training day that runs one module."""

    __tablename__ = "training_sessions"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("training_days.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    room: Mapped[str] = mapped_column(String(120), default="")
    sequence: Mapped[int] = mapped_column(default=0)

    day: Mapped[TrainingDay] = relationship(back_populates="sessions")
    module: Mapped["Module"] = relationship()  # noqa: F821
    trainers: Mapped[list["SessionTrainer"]] = relationship(
        back_populates="session", cascade="all, delete-orphan")


class SessionTrainer(db.Model):
    """A trainer (a trainer membership of the programme) running a session."""

    __tablename__ = "session_trainers"
    __table_args__ = (UniqueConstraint("session_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)

    session: Mapped[TrainingSession] = relationship(back_populates="trainers")
    membership: Mapped["Membership"] = relationship()  # noqa: F821
