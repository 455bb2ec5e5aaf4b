"""Curriculum modules and their self-directed activity templates, loaded from ``modules/``."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime


class Module(db.Model):
    """One strand of the curriculum."""

    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    aims: Mapped[list] = mapped_column(JSON, default=list)
    evidence_note: Mapped[str] = mapped_column(Text)
    default_minutes: Mapped[int]
    source_file: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    activities: Mapped[list["Activity"]] = relationship(
        back_populates="module", order_by="Activity.position", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Module {self.key}>"


class Activity(db.Model):
    """A self-directed task of a module, with the fields a participant fills in when logging it."""

    __tablename__ = "activities"
    __table_args__ = (UniqueConstraint("module_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text)
    suggested_minutes: Mapped[int]
    # The field specifications exactly as validated from the module file (see modules/SCHEMA.md).
    fields: Mapped[list] = mapped_column(JSON, default=list)
    # A module file that no longer lists an activity retires it; logs against it are kept.
    retired: Mapped[bool] = mapped_column(default=False)

    module: Mapped[Module] = relationship(back_populates="activities")

    def __repr__(self) -> str:
        return f"<Activity {self.key}>"
