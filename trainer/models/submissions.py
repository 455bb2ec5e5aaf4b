"""One-time form submission tokens: a used token remembers where its result is."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime


class Submission(db.Model):
    """A form submission that created something. ``token`` is unique: the same form sent twice
    (a double click, a resend after a timeout) finds this row instead of creating again."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    result_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
