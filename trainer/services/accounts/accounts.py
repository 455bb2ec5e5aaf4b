"""Accounts: sign-in with throttling, session versions, invitations and password changes."""
import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from flask import has_request_context, request
from sqlalchemy import bindparam, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import CalendarFeed, PasswordToken, User
from trainer.services.accounts import password_policy, throttling
from trainer.services.privacy import audit, consent
from trainer.services.scheduling import calendar
from trainer.services.system import listing, organisation, outbox

INVITE_VALID_FOR = timedelta(days=14)


def normalise_email(email: str, *, check_deliverability: bool = False) -> str:
    """Return the canonical lower-case form of ``email``; RuleViolation if it is not an address."""
    try:
        result = validate_email((email or "").strip(), check_deliverability=check_deliverability,
                                test_environment=True)
    except EmailNotValidError as exc:
        raise RuleViolation(f"Enter an email address in the correct format, like name@example.org ({exc})",
                            field="email") from exc
    return result.normalized.lower()


def check_password_rules(password: str, *, email: str | None = None, name: str | None = None) -> None:
    """RuleViolation unless ``password`` keeps the password policy for this e-mail and name."""
    password_policy.check_password(password, email=email, name=name)


def find_user_by_email(email: str) -> User | None:
    """Return the user with this e-mail address (case-insensitive), if any."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(email: str, display_name: str, *, password: str | None = None,
                is_admin: bool = False) -> User:
    """Add a new user to the session (no commit). RuleViolation if the e-mail is taken or bad."""
    email = normalise_email(email)
    if find_user_by_email(email):
        raise RuleViolation("An account with this email address already exists", field="email")
    if not display_name or not display_name.strip():
        raise RuleViolation("Enter the person's name", field="display_name")
    user = User(email=email, display_name=display_name.strip(), is_admin=is_admin)
    if password is not None:
        check_password_rules(password, email=email, name=display_name)
        user.password_hash = generate_password_hash(password)
    db.session.add(user)
    db.session.flush()
    return user


def create_admin(email: str, password: str, display_name: str = "Administrator") -> User:
    """Create an admin account, or make an existing account an admin and set its password."""
    email = normalise_email(email)
    user = find_user_by_email(email)
    check_password_rules(password, email=email, name=user.display_name if user else display_name)
    if user is None:
        user = create_user(email, display_name, password=password, is_admin=True)
    else:
        user.is_admin = True
        user.password_hash = generate_password_hash(password)
        user.session_version += 1
    audit.record(None, "admin.created", user)
    db.session.commit()
    return user


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash of a random password, made like a real one, checked when there is no real one."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str, *, ip: str, now: datetime,
                 policy: throttling.ThrottlePolicy = throttling.ThrottlePolicy()) -> User | None:
    """Return the user if the credentials are right and the account enabled, else None.

    Throttling (``policy``) may raise TooManyAttempts before the password is checked. An unknown
    e-mail, or an account without a password, costs the same password check as a real one, so
    the time taken does not tell whether an account exists.
    """
    email = (email or "").strip().lower()[:254]  # the column's width; longer is no real address
    throttling.check_allowed(email, ip, now=now, policy=policy)
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    ok = (check_password_hash(stored, password or "") and user is not None
          and user.password_hash is not None and user.is_enabled)
    if not ok:
        throttling.record_failure(email, ip, now=now, policy=policy)
        db.session.commit()
        return None
    user.last_login_at = now
    throttling.forget_pair(email, ip)
    db.session.commit()
    return user


# Run on every request of a signed-in user: built once, so it keeps its cache key (see access._ACCESS).
# The organisation's name, which every page's header shows, and the user's calendar feed token,
# which their home page shows, come in the same statement.
_SESSION_USER = select(User, organisation.NAME.scalar_subquery(),
                       calendar.TOKEN.where(CalendarFeed.user_id == User.id).scalar_subquery()
                       ).where(User.id == bindparam("user_id"))
# On a GET, the user's roles and the programmes whose information they must consent to come in the
# same statement too (the navigation and the consent gate read them on every page).
_SESSION_USER_GET = _SESSION_USER.add_columns(consent.PLACES_TEXT)


def load_session_user(identity: str) -> User | None:
    """Return the user for a session identity ``"<id>:<version>"`` if the version still holds.

    The organisation's name and the calendar feed token read with it, and on a GET the user's
    roles with the consent due, are kept for the rest of a GET (``organisation.remember_name``,
    ``calendar.remember_token``, ``consent.remember_places``)."""
    try:
        user_id, version = (int(part) for part in identity.split(":"))
    except (ValueError, AttributeError):
        return None
    get = has_request_context() and request.method == "GET"
    row = db.session.execute(_SESSION_USER_GET if get else _SESSION_USER, {"user_id": user_id}).first()
    if row is None:
        return None
    user, name, token, *places = row
    if user.session_version != version or not user.is_enabled:
        return None
    organisation.remember_name(name)
    calendar.remember_token(user.id, token)
    if get:
        consent.remember_places(places[0])
    return user


def end_all_sessions(user: User) -> None:
    """Sign the user out everywhere: every cookie carrying the old session version stops working."""
    user.session_version += 1
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; ends every other session too."""
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise RuleViolation("Your current password is not right", field="current_password")
    check_password_rules(new, email=user.email, name=user.display_name)
    user.password_hash = generate_password_hash(new)
    user.session_version += 1
    audit.record(user.id, "password.changed", user)
    db.session.commit()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_user(actor: User | None, email: str, display_name: str, *, base_url: str,
                now: datetime, is_admin: bool = False) -> tuple[User, str]:
    """Create an account without a password and a one-time link to set one.

    The link is returned (to show on screen) and put in the outbox; only its hash is stored.
    Inviting an address that already has an account but never set a password issues a new link.
    """
    user, link, _ = prepare_invite(actor, email, display_name, base_url=base_url, now=now,
                                   is_admin=is_admin)
    db.session.commit()
    return user, link


def prepare_invite(actor: User | None, email: str, display_name: str, *, base_url: str,
                   now: datetime, is_admin: bool = False) -> tuple[User, str, bool]:
    """``invite_user`` without the commit; also says whether the account existed already (a
    renewed link for someone who never set a password)."""
    existing = find_user_by_email(normalise_email(email))
    if existing is not None and existing.password_hash is not None:
        raise RuleViolation("This person already has an account. To help them sign in, send them a "
                            "new sign-in link from the accounts page.", field="email")
    user = existing or create_user(email, display_name, is_admin=is_admin)
    link = issue_password_link(user, actor, base_url=base_url, now=now)
    audit.record(actor.id if actor else None, "user.reinvited" if existing else "user.invited", user)
    return user, link, existing is not None


def _duration(valid_for: timedelta) -> str:
    hours = int(valid_for.total_seconds() // 3600)
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{hours} hour{'s' if hours != 1 else ''}"


def issue_password_link(user: User, actor: User | None, *, base_url: str, now: datetime,
                        purpose: str = "invite", valid_for: timedelta = INVITE_VALID_FOR) -> str:
    """Add a one-time set-password token for ``user`` and its outbox message; return the link.

    ``purpose`` is "invite" (a new account) or "reset" (a new sign-in link for an account).
    """
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordToken(user_id=user.id, token_hash=_hash_token(token), purpose=purpose,
                                 created_at=now, expires_at=now + valid_for,
                                 created_by_id=actor.id if actor else None))
    link = f"{base_url.rstrip('/')}/set-password/{token}"
    lasts = f"the link works once and for {_duration(valid_for)}"
    if purpose == "invite":
        subject = "Set your password for Resilience Trainer"
        body = (f"Hello {user.display_name},\n\nYou have been given an account on Resilience Trainer, "
                f"the tool for your resilience training programme.\n\nSet your password here ({lasts}):"
                f"\n{link}\n")
    else:
        subject = "Your new sign-in link for Resilience Trainer"
        body = (f"Hello {user.display_name},\n\nA new sign-in link was asked for your Resilience "
                f"Trainer account. Choose a new password here ({lasts}):\n{link}\n\n"
                "Choosing a new password signs you out on every device. If you did not ask for this, "
                "you can ignore this message: your password has not changed.\n")
    outbox.enqueue(dedupe_key=f"{purpose}:{_hash_token(token)[:32]}", kind=purpose, to=user,
                   subject=subject, body=body)
    return link


def token_user(token: str, *, now: datetime) -> User | None:
    """Return the user a password link is for, if the link is unused and unexpired."""
    row = db.session.scalar(select(PasswordToken).where(PasswordToken.token_hash == _hash_token(token)))
    if row is None or row.used_at is not None or row.expires_at < now:
        return None
    return row.user


def set_password_with_token(token: str, password: str, *, now: datetime) -> User:
    """Set a password through a one-time link; it and every other open link of the user stop working.

    Ends every session of the user (the session version moves on).
    """
    row = db.session.scalar(select(PasswordToken).where(PasswordToken.token_hash == _hash_token(token)))
    if row is None or row.used_at is not None or row.expires_at < now:
        raise RuleViolation("This link has already been used or has expired. Ask for a new one with "
                            "\u201cForgotten your password?\u201d on the sign-in page.")
    user = row.user
    check_password_rules(password, email=user.email, name=user.display_name)
    db.session.execute(update(PasswordToken).where(
        PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None)).values(used_at=now))
    user.password_hash = generate_password_hash(password)
    user.session_version += 1
    audit.record(user.id, "password.set", user)
    db.session.commit()
    return user


def set_enabled(actor: User, user: User, enabled: bool) -> None:
    """Enable or disable an account; disabling ends its sessions. Admins cannot disable themselves."""
    if actor.id == user.id and not enabled:
        raise RuleViolation("You cannot disable your own account")
    user.is_enabled = enabled
    user.session_version += 1
    audit.record(actor.id, "user.enabled" if enabled else "user.disabled", user)
    db.session.commit()


USER_STATUSES = ("active", "invited", "disabled", "admin")


def user_page(*, q: str = "", status: str | None = None, page: int = 1) -> listing.ListPage:
    """One page of accounts by name, matching ``q`` (name or e-mail) and ``status`` if given.

    Statuses: active (enabled, password set), invited (enabled, no password yet), disabled, admin.
    """
    query = listing.matching(select(User), q, User.display_name, User.email)
    if status == "active":
        query = query.where(User.is_enabled.is_(True), User.password_hash.is_not(None))
    elif status == "invited":
        query = query.where(User.is_enabled.is_(True), User.password_hash.is_(None))
    elif status == "disabled":
        query = query.where(User.is_enabled.is_(False))
    elif status == "admin":
        query = query.where(User.is_admin.is_(True))
    return listing.paginate(query.order_by(User.display_name, User.id), page=page)


def get_user(user_id: int) -> User:
    """The user with this id; NotFound otherwise."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user
