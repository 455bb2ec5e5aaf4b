"""User accounts, one-time password links and sign-in attempts."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models.types import UTCDateTime


class User(UserMixin, db.Model):
    """A person who can sign in. Programme roles live on memberships; ``is_admin`` is global."""

    __tablename__ = "users"
    # The admin's list of people is ordered by name (then id), a page at a time.
    __table_args__ = (Index("ix_users_display_name_id", "display_name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Bumped on sign-out and password change; the session carries it, so old cookies stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list["Membership"]] = relationship(back_populates="user")  # noqa: F821

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses disabled accounts."""
        return self.is_enabled

    def get_id(self) -> str:
        """The session identity: user id and session version, so a version bump ends sessions."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class PasswordToken(db.Model):
    """A one-time link to set a password (an invitation or a reset). Only its hash is stored."""

    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20), default="invite")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class LoginAttempt(db.Model):
    """A failed sign-in, kept for throttling by e-mail address and by client address."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_at", "email", "attempted_at"),
                      Index("ix_login_attempts_ip_at", "ip", "attempted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())


class RecoveryRequest(db.Model):
    """A "forgotten your password?" request, kept for throttling by e-mail and by client address."""

    __tablename__ = "recovery_requests"
    __table_args__ = (Index("ix_recovery_requests_email_at", "email", "requested_at"),
                      Index("ix_recovery_requests_ip_at", "ip", "requested_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
