"""Attendance at training days and sessions, and participants' apologies before a day."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime

ATTENDANCE = ("present", "late", "absent", "excused")
_KNOWN = f"status IN {ATTENDANCE}"


class Apology(db.Model):
    """A participant's apology for a training day, sent before the day."""

    __tablename__ = "apologies"
    __table_args__ = (UniqueConstraint("day_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("training_days.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    day: Mapped["TrainingDay"] = relationship()  # noqa: F821
    membership: Mapped["Membership"] = relationship()  # noqa: F821


class DayAttendance(db.Model):
    """Whether a participant came to a training day, as a trainer marked it."""

    __tablename__ = "day_attendance"
    __table_args__ = (UniqueConstraint("day_id", "membership_id"),
                      CheckConstraint(_KNOWN, name="status_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("training_days.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    day: Mapped["TrainingDay"] = relationship()  # noqa: F821
    membership: Mapped["Membership"] = relationship()  # noqa: F821


class SessionAttendance(db.Model):
    """A participant's attendance at one session, kept only where it differs from the day's."""

    __tablename__ = "session_attendance"
    __table_args__ = (UniqueConstraint("session_id", "membership_id"),
                      CheckConstraint(_KNOWN, name="status_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"),
                                            index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped["TrainingSession"] = relationship()  # noqa: F821
    membership: Mapped["Membership"] = relationship()  # noqa: F821
