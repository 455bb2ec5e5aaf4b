"""Account recovery: "forgotten your password?" requests and admins' new sign-in links."""
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from trainer.errors import RuleViolation, TooManyAttempts
from trainer.extensions import db
from trainer.models import RecoveryRequest, User
from trainer.services.accounts import accounts
from trainer.services.privacy import audit

RESET_VALID_FOR = timedelta(hours=1)
ADMIN_LINK_VALID_FOR = timedelta(hours=24)
REQUEST_WINDOW = timedelta(hours=1)
REQUESTS_PER_EMAIL = 3
REQUESTS_PER_ADDRESS = 20


def _requests(*conditions, since: datetime) -> int:
    return db.session.scalar(select(func.count(RecoveryRequest.id)).where(
        RecoveryRequest.requested_at >= since, *conditions))


def request_password_reset(email: str, *, ip: str, base_url: str, now: datetime) -> None:
    """Send a one-hour, one-time link to choose a new password, if ``email`` has an enabled account.

    Returns nothing either way, so the caller cannot tell whether the account exists. Throttled
    the same way for known and unknown addresses: more than REQUESTS_PER_EMAIL requests for one
    e-mail, or REQUESTS_PER_ADDRESS from one client address, in REQUEST_WINDOW raise TooManyAttempts.
    """
    email = (email or "").strip().lower()[:254]
    since = now - REQUEST_WINDOW
    if (_requests(RecoveryRequest.email == email, since=since) >= REQUESTS_PER_EMAIL
            or _requests(RecoveryRequest.ip == ip, since=since) >= REQUESTS_PER_ADDRESS):
        raise TooManyAttempts("Too many requests for a new sign-in link. Wait an hour and try again, "
                              "or ask your programme lead or administrator.")
    db.session.add(RecoveryRequest(email=email, ip=ip, requested_at=now))
    db.session.execute(delete(RecoveryRequest).where(RecoveryRequest.requested_at < now - 24 * REQUEST_WINDOW))
    user = accounts.find_user_by_email(email)
    if user is not None and user.is_enabled:
        accounts.issue_password_link(user, None, base_url=base_url, now=now, purpose="reset",
                                     valid_for=RESET_VALID_FOR)
        audit.record(None, "password.reset_requested", user)
    db.session.commit()


def send_sign_in_link(actor: User, user: User, *, base_url: str, now: datetime) -> str:
    """An admin sends ``user`` a new one-time link to choose a password (valid 24 hours).

    Works for any enabled account, with or without a password; the link is returned (to show
    on screen) and put in the outbox. RuleViolation for a disabled account.
    """
    if not user.is_enabled:
        raise RuleViolation(f"{user.display_name}'s account is disabled. Enable it first.")
    link = accounts.issue_password_link(user, actor, base_url=base_url, now=now, purpose="reset",
                                        valid_for=ADMIN_LINK_VALID_FOR)
    audit.record(actor.id, "user.link_sent", user)
    db.session.commit()
    return link
