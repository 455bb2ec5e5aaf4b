"""Admins giving a programme role to someone (themselves included): the only way an admin
reaches a programme's data, and always audited."""
from sqlalchemy import select

from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import Membership, Programme, User
from trainer.services.accounts import access, accounts
from trainer.services.privacy import audit
from trainer.services.scheduling import programmes

GRANTABLE = ("lead", "trainer", "evaluator")


def programmes_to_choose(admin: User) -> list[Programme]:
    """The programmes an admin may give a role in (every one, newest first); PermissionDenied
    for a non-admin. People are named by e-mail address, not chosen from a list of every account."""
    access.require_admin(admin)
    return list(db.session.scalars(select(Programme).order_by(Programme.start_date.desc(), Programme.name)))


def grant_role_by_email(admin: User, programme_id: int, email: str, role: str) -> Membership:
    """``grant_role`` to the enabled account with this e-mail address (any case); commits.
    RuleViolation on the field ``email`` when there is no such account, or when the person may
    not hold the role (separation of duties)."""
    access.require_admin(admin)
    user = accounts.find_user_by_email(email or "")
    if user is None or not user.is_enabled:
        raise RuleViolation("No enabled account has that e-mail address: check it under Accounts, "
                            "or invite the person first", field="email")
    try:
        return grant_role(admin, programme_id, user.id, role)
    except RuleViolation as exc:
        if exc.field == "user_id":
            raise RuleViolation(exc.message, field="email") from exc
        raise


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
