"""Programmes (one run of the curriculum for a cohort) and memberships (user x programme x role)."""
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime

STATUSES = ("draft", "scheduled", "running", "follow-up", "closed")
ROLES = ("lead", "trainer", "participant", "evaluator")
ARMS = ("intervention", "comparison")
# Why a leaver left, in the categories of the national children's social work workforce statistics.
LEAVER_CATEGORIES = ("another_la", "agency", "left_profession", "other_unknown")


class Programme(db.Model):
    """One run of the curriculum. Dates are local to ``timezone``."""

    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint(f"status IN {STATUSES}", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    start_date: Mapped[date]
    end_date: Mapped[date]
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"),
                                                        index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the retention schedule removed the participants' identities.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list["Membership"]] = relationship(back_populates="programme",
                                                           cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Programme {self.id} {self.name}>"


class ProgrammeVersion(db.Model):
    """The versions of a programme's data: written only by database triggers (migrations
    ``k12d0vers001`` and ``l12e0rates01``), which move ``version`` in every transaction that
    writes a row of the tables the remembered pages are computed from (``memo.VERSIONED_TABLES``)
    and ``ratings_version`` in every one that changes its ratings (``memo.RATINGS_TABLES``), so
    a page remembered against them is never stale. Both start at a random number when the
    programme is created."""

    __tablename__ = "programme_versions"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)
    # PostgreSQL only: the transaction that last moved the version (moved once a transaction).
    bumped_in: Mapped[int | None] = mapped_column(BigInteger)
    ratings_version: Mapped[int] = mapped_column(BigInteger)
    ratings_bumped_in: Mapped[int | None] = mapped_column(BigInteger)


class Membership(db.Model):
    """A user's role in a programme. Participants also carry an arm, a team and retention facts."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("programme_id", "user_id", "role"),
        UniqueConstraint("programme_id", "code"),
        CheckConstraint(f"role IN {ROLES}", name="role_known"),
        CheckConstraint("arm IS NULL OR arm IN ('intervention', 'comparison')", name="arm_known"),
        CheckConstraint("role = 'participant' OR arm IS NULL", name="arm_only_for_participants"),
        CheckConstraint(f"leaver_category IS NULL OR leaver_category IN {LEAVER_CATEGORIES}",
                        name="leaver_category_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    arm: Mapped[str | None] = mapped_column(String(20))
    team: Mapped[str | None] = mapped_column(String(120))
    # Random pseudonymous participant code, unique within the programme; shown only to evaluators.
    code: Mapped[str | None] = mapped_column(String(20))
    consent_date: Mapped[date | None]
    in_post: Mapped[bool] = mapped_column(default=True)
    left_on: Mapped[date | None]
    leaving_reason: Mapped[str | None] = mapped_column(String(200))
    leaver_category: Mapped[str | None] = mapped_column(String(20))
    # Withdrawal: from "evaluation" or the whole "programme"; whether answers given so far are kept.
    withdrawn_on: Mapped[date | None]
    withdrawn_from: Mapped[str | None] = mapped_column(String(20))
    answers_kept: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="memberships")
    user: Mapped["User"] = relationship(back_populates="memberships")  # noqa: F821

    def __repr__(self) -> str:
        return f"<Membership {self.role} user={self.user_id} programme={self.programme_id}>"
