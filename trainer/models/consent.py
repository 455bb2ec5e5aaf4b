"""Participant information (versioned), consent per purpose, and withdrawal."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime

PURPOSES = ("programme", "evaluation", "follow_up")
METHODS = ("online", "paper")


class ParticipantInformation(db.Model):
    """One version of a programme's participant information, as the lead wrote it.

    Version 1 is the app's standard text and is not stored; the lead's edits are versions 2, 3, ...
    """

    __tablename__ = "participant_information"
    __table_args__ = (UniqueConstraint("programme_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Consent(db.Model):
    """A participant's consent to one purpose: when, how, on which version of the information,
    and (if so) when it was withdrawn. One row per membership and purpose."""

    __tablename__ = "consents"
    __table_args__ = (
        UniqueConstraint("membership_id", "purpose"),
        CheckConstraint(f"purpose IN {PURPOSES}", name="purpose_known"),
        CheckConstraint(f"method IN {METHODS}", name="method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    given_on: Mapped[date]
    method: Mapped[str] = mapped_column(String(10), default="online")
    information_version: Mapped[int] = mapped_column(default=1)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_on: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    membership: Mapped["Membership"] = relationship()  # noqa: F821
