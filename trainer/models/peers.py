"""Peer-coaching groups (pairs or triads within the intervention arm) and their meetings."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime


class PeerGroup(db.Model):
    """A peer-coaching pair or triad of a programme."""

    __tablename__ = "peer_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    members: Mapped[list["PeerGroupMember"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="PeerGroupMember.id")
    meetings: Mapped[list["PeerMeeting"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="PeerMeeting.met_on.desc()")


class PeerGroupMember(db.Model):
    """A participant's place in a peer group: at most one group per participant per programme."""

    __tablename__ = "peer_group_members"
    __table_args__ = (UniqueConstraint("programme_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("peer_groups.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)

    group: Mapped[PeerGroup] = relationship(back_populates="members")
    membership: Mapped["Membership"] = relationship()  # noqa: F821


class PeerMeeting(db.Model):
    """A peer-coaching meeting logged by one member. ``agenda`` is shared with the group;
    ``private_note`` is for its author alone."""

    __tablename__ = "peer_meetings"
    __table_args__ = (CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("peer_groups.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    met_on: Mapped[date]
    minutes: Mapped[int | None]
    agenda: Mapped[str] = mapped_column(String(300))
    private_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[PeerGroup] = relationship(back_populates="meetings")
    author: Mapped["Membership"] = relationship()  # noqa: F821
