"""Admins giving a programme role to someone (themselves included): the only way an admin
reaches a programme's data, and always audited."""
from dataclasses import dataclass

from sqlalchemy import select

from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import Membership, Programme, User
from trainer.services.accounts import access
from trainer.services.privacy import audit
from trainer.services.scheduling import programmes

GRANTABLE = ("lead", "trainer", "evaluator")


@dataclass(frozen=True)
class GrantChoices:
    """What the admin's grant form offers: every programme and every enabled account."""

    programmes: list[Programme]
    users: list[User]


def choices(admin: User) -> GrantChoices:
    """The programmes and people an admin may pick from; PermissionDenied for a non-admin."""
    access.require_admin(admin)
    return GrantChoices(
        list(db.session.scalars(select(Programme).order_by(Programme.start_date.desc(), Programme.name))),
        list(db.session.scalars(select(User).where(User.is_enabled.is_(True)).order_by(User.display_name))))


def grant_role(admin: User, programme_id: int, user_id: int, role: str) -> Membership:
    """Give ``user_id`` the ``role`` (lead, trainer or evaluator) in the programme; commits.

    Audited as ``role.granted`` with the admin as actor, which the programme's team page shows.
    The rules of ``programmes.add_member`` hold (separation of duties included).
    """
    access.require_admin(admin)
    if role not in GRANTABLE:
        raise RuleViolation("Choose lead, trainer or evaluator", field="role")
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise NotFound("No such programme.")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such person.")
    try:
        membership = programmes.add_member(programme, user, role)
    except RuleViolation as exc:
        raise RuleViolation(exc.message, field="user_id" if exc.field == "email" else exc.field) from exc
    audit.record(admin.id, "role.granted", membership, programme_id=programme.id, role=role,
                 user_id=user.id)
    db.session.commit()
    return membership
