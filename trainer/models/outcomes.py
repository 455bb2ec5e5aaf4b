"""Outcome measurement: waves, the instruments a programme uses, responses, scores, support."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime

WAVE_KINDS = ("baseline", "post", "follow-up")


class OutcomeWave(db.Model):
    """A time point at which both arms answer the programme's questionnaires (local dates)."""

    __tablename__ = "outcome_waves"
    __table_args__ = (
        UniqueConstraint("programme_id", "kind"),
        CheckConstraint("kind IN ('baseline', 'post', 'follow-up')", name="kind_known"),
        CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(80))
    opens_on: Mapped[date]
    closes_on: Mapped[date]

    programme: Mapped["Programme"] = relationship()  # noqa: F821


class ProgrammeInstrument(db.Model):
    """An instrument (by its file's key) that a programme's participants answer at every wave."""

    __tablename__ = "programme_instruments"
    __table_args__ = (UniqueConstraint("programme_id", "instrument_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    instrument_key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)


class InstrumentItemText(db.Model):
    """Item wording of a licensed instrument, loaded by a licence holder (never shipped)."""

    __tablename__ = "instrument_item_texts"
    __table_args__ = (UniqueConstraint("instrument_key", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(40), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutcomeResponse(db.Model):
    """One participant's answers to one instrument in one wave, saved as they go.

    ``answers`` maps item number (as text) to the chosen value; ``submitted_at`` is set when
    the participant finishes, which is when scores are computed.
    """

    __tablename__ = "outcome_responses"
    # The flow and retention ask, for each participant, whether they submitted a wave's response:
    # answered from the second index alone, without reading the responses' rows.
    __table_args__ = (UniqueConstraint("wave_id", "membership_id", "instrument_key"),
                      Index("ix_outcome_responses_wave_member_submitted", "wave_id", "membership_id", "submitted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("outcome_waves.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    instrument_key: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    wave: Mapped[OutcomeWave] = relationship()
    membership: Mapped["Membership"] = relationship()  # noqa: F821
    scores: Mapped[list["OutcomeScore"]] = relationship(back_populates="response",
                                                        cascade="all, delete-orphan")


class OutcomeScore(db.Model):
    """A scale's score on a submitted response, with the instrument version that scored it.

    ``value`` is None when the missing-item rule left too few answers to score.
    """

    __tablename__ = "outcome_scores"
    __table_args__ = (UniqueConstraint("response_id", "scale_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("outcome_responses.id", ondelete="CASCADE"), index=True)
    scale_key: Mapped[str] = mapped_column(String(40))
    value: Mapped[float | None]
    band: Mapped[str | None] = mapped_column(String(80))
    high_risk: Mapped[bool] = mapped_column(default=False)
    instrument_version: Mapped[str] = mapped_column(String(80))

    response: Mapped[OutcomeResponse] = relationship(back_populates="scores")


class SupportResource(db.Model):
    """A source of help (EAP, supervision, helpline) shown to a participant whose score is high-risk."""

    __tablename__ = "support_resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)


class ScoreSharing(db.Model):
    """A participant's choice to let the programme's trainers (their coaches) see their scores."""

    __tablename__ = "score_sharing"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), unique=True)
    share_with_coach: Mapped[bool] = mapped_column(default=False)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
