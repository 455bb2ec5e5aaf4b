"""Rating waves (time points after training) and participants' module usefulness ratings."""
from datetime import date, datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime


class RatingWave(db.Model):
    """A time point at which modules are rated: ``offset_days`` after the last training day,
    open for ``window_days``. ``opens_on``/``closes_on`` are local dates derived from those."""

    __tablename__ = "rating_waves"
    __table_args__ = (
        UniqueConstraint("programme_id", "label"),
        CheckConstraint("window_days > 0", name="window_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(80))
    offset_days: Mapped[int]
    window_days: Mapped[int] = mapped_column(default=14)
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    programme: Mapped["Programme"] = relationship()  # noqa: F821

    @property
    def last_open_day(self) -> date | None:
        """The last local date on which answers are accepted (the day before ``closes_on``)."""
        return self.closes_on - timedelta(days=1) if self.closes_on else None


class ModuleRating(db.Model):
    """One participant's usefulness rating (1-5) of one module in one wave, or "did not attend"."""

    __tablename__ = "module_ratings"
    __table_args__ = (
        UniqueConstraint("wave_id", "membership_id", "module_id"),
        CheckConstraint(
            "(did_not_attend AND usefulness IS NULL) OR "
            "(NOT did_not_attend AND usefulness BETWEEN 1 AND 5)",
            name="usefulness_or_absent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("rating_waves.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    usefulness: Mapped[int | None]
    did_not_attend: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    wave: Mapped[RatingWave] = relationship()
    membership: Mapped["Membership"] = relationship()  # noqa: F821
    module: Mapped["Module"] = relationship()  # noqa: F821


class RatingSummary(db.Model):
    """Per wave and module: how many intervention-arm participants gave each score (1 to 5).

    Derived from ``module_ratings`` alone, kept up to date in the transaction of every write to
    them (services/ratings/rating_summaries.py), and recomputed by ``flask summaries rebuild``.
    The comparison across programmes reads these counts instead of every rating.
    """

    __tablename__ = "rating_summaries"

    wave_id: Mapped[int] = mapped_column(ForeignKey("rating_waves.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    score_1: Mapped[int]
    score_2: Mapped[int]
    score_3: Mapped[int]
    score_4: Mapped[int]
    score_5: Mapped[int]


class RatingResponse(db.Model):
    """A participant's progress through one wave: invited, started, finished.

    A row is written when the participant is invited (or first saves, if that comes first).
    Reminders go only to rows without ``finished_at``.
    """

    __tablename__ = "rating_responses"
    __table_args__ = (UniqueConstraint("wave_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("rating_waves.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    wave: Mapped[RatingWave] = relationship()
    membership: Mapped["Membership"] = relationship()  # noqa: F821
