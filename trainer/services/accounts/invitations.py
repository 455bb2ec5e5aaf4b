"""Invitations: an account (or a renewed link) and, in the same step, a place in a programme."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import Membership, Programme, User
from trainer.services.accounts import accounts
from trainer.services.privacy import audit
from trainer.services.scheduling.programmes import add_member

INVITE_ROLES = {"lead": ("lead", None), "trainer": ("trainer", None),
                "intervention": ("participant", "intervention"), "comparison": ("participant", "comparison")}


@dataclass(frozen=True)
class Invitation:
    """An invitation: the account, its one-time link, whether the account existed (a renewed
    link), and the membership it was given, if any."""

    user: User
    link: str
    renewed: bool
    membership: Membership | None


def invite(actor: User, email: str, name: str, *, is_admin: bool, programme: Programme | None,
           role: str | None, base_url: str, now: datetime) -> Invitation:
    """Invite someone (or renew their link) and add them to ``programme`` as ``role`` (a key of
    ``INVITE_ROLES``) in the same transaction; commits."""
    if programme is not None and role not in INVITE_ROLES:
        raise RuleViolation("Choose the person's role in the programme", field="role")
    user, link, renewed = accounts.prepare_invite(actor, email, name, base_url=base_url, now=now,
                                                  is_admin=is_admin)
    membership = None
    if programme is not None:
        member_role, arm = INVITE_ROLES[role]
        membership = add_member(programme, user, member_role, arm=arm)
        audit.record(actor.id, "member.added", membership, programme_id=programme.id, role=role)
    db.session.commit()
    return Invitation(user, link, renewed, membership)


def all_programmes() -> list[Programme]:
    """Every programme, newest first (for admins)."""
    return list(db.session.scalars(select(Programme).order_by(Programme.start_date.desc(), Programme.id)))
