"""Assignments of activities to a programme, and participants' logs against them."""
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime


class Assignment(db.Model):
    """An activity handed to a programme's intervention-arm participants, with a due date."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("programme_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    due_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    programme: Mapped["Programme"] = relationship()  # noqa: F821
    activity: Mapped["Activity"] = relationship()  # noqa: F821


class ActivityLog(db.Model):
    """A participant's entry against an assignment. ``private_note`` is for its author alone."""

    __tablename__ = "activity_logs"
    __table_args__ = (
        Index("ix_activity_logs_membership_assignment", "membership_id", "assignment_id"),
        CheckConstraint("status IN ('started', 'done')", name="status_known"),
        CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="done")
    done_on: Mapped[date]
    minutes: Mapped[int | None]
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    private_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship()
    membership: Mapped["Membership"] = relationship()  # noqa: F821


class ActivitySummary(db.Model):
    """Per membership and assignment: how many entries, how many done, minutes and the latest day.

    Derived from ``activity_logs`` alone, kept up to date in the transaction of every write to
    them (services/activity_summaries.py), and recomputed by ``flask summaries rebuild``.
    """

    __tablename__ = "activity_summaries"

    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"),
                                               primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"),
                                               primary_key=True, index=True)
    entries: Mapped[int]
    done: Mapped[int]
    minutes: Mapped[int]
    last_done_on: Mapped[date]


class ActivityModuleSummary(db.Model):
    """Per membership and module: how many of the module's assigned activities the participant
    has done (any entry marked done), their minutes and the latest day, over the membership's
    activity summaries of that module's assignments in its own programme.

    Derived from ``activity_summaries`` alone, in the same statement run that recomputes them
    (services/participation/activity_summaries.py), and recomputed by ``flask summaries
    rebuild``; cohort progress reads it (a row per module rather than per assignment).
    """

    __tablename__ = "activity_module_summaries"

    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"),
                                               primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    done: Mapped[int]
    minutes: Mapped[int]
    last_done_on: Mapped[date]
