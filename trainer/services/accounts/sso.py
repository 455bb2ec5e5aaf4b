"""Single sign-on: which account a verified identity from the organisation's provider opens."""
from datetime import datetime

from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import User
from trainer.services.accounts import accounts
from trainer.services.privacy import audit


def _verified(claims: dict) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def account_for(claims: dict, *, allowed_domains: tuple[str, ...] = (), now: datetime) -> User:
    """The account that the identity in ``claims`` (an ID token's) signs in to. Commits.

    The e-mail address must be verified by the provider and match an invited, enabled account.
    Only if its domain is in ``allowed_domains`` is a missing account created, with no role
    (an admin or lead gives it one). RuleViolation, saying why, otherwise.
    """
    if not claims.get("email") or not _verified(claims):
        raise RuleViolation("Your organisation's sign-in did not confirm a verified email address, "
                            "so we cannot tell which account is yours.")
    email = accounts.normalise_email(claims["email"])
    user = accounts.find_user_by_email(email)
    if user is None:
        if email.rpartition("@")[2] not in allowed_domains:
            raise RuleViolation(f"There is no account for {email}. Ask your programme lead or "
                                "administrator to invite you, then sign in again.")
        name = (claims.get("name") or "").strip() or email.partition("@")[0]
        user = accounts.create_user(email, name[:120])
        audit.record(None, "user.created_by_sso", user)
    if not user.is_enabled:
        raise RuleViolation("This account is disabled. Ask your administrator if you need it.")
    user.last_login_at = now
    db.session.commit()
    return user
