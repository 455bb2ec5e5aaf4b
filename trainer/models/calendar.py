"""Private calendar feeds: one unguessable token per user, and events removed from a user's feed."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime


class CalendarFeed(db.Model):
    """A user's calendar feed token (in the feed URL; a reset replaces it, killing the old URL)."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821


class RemovedEvent(db.Model):
    """An event that left a user's feed (session removed, taken off the team); sent as cancelled."""

    __tablename__ = "calendar_removed_events"
    __table_args__ = (UniqueConstraint("user_id", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Higher than any SEQUENCE the user's calendar saw for the event.
    sequence: Mapped[int] = mapped_column(Integer)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
