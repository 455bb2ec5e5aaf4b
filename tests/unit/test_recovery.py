"""Account recovery: one-hour one-time links by e-mail, throttled, and admins' new sign-in links."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_user
from trainer.errors import RuleViolation, TooManyAttempts
from trainer.extensions import db
from trainer.models import OutboxMessage, PasswordToken
from trainer.services.accounts import accounts, recovery

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
NEW = "lantern maple quietly"


def _messages() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _token(message: OutboxMessage) -> str:
    return re.search(r"/set-password/([A-Za-z0-9_-]+)", message.body).group(1)


def _ask(email: str, ip: str = "10.0.0.1", now: datetime = NOW) -> None:
    recovery.request_password_reset(email, ip=ip, base_url="https://rt.example.org", now=now)


def test_a_request_for_an_account_sends_a_one_hour_link(app):
    user = make_user("amy@example.org", name="Amy Example")
    _ask(" Amy@Example.org ")
    [message] = _messages()
    assert message.to_address == "amy@example.org" and message.kind == "reset"
    assert "https://rt.example.org/set-password/" in message.body and "1 hour" in message.body
    token = db.session.scalars(select(PasswordToken)).one()
    assert token.purpose == "reset" and token.expires_at == NOW + timedelta(hours=1)
    assert accounts.token_user(_token(message), now=NOW + timedelta(minutes=59)) == user


def test_a_request_for_an_unknown_or_disabled_address_sends_nothing_and_says_nothing(app):
    make_user("off@example.org", enabled=False)
    assert _ask("nobody@example.org") is None
    assert _ask("off@example.org") is None
    assert _messages() == []


def test_the_link_works_once(app):
    make_user("amy@example.org")
    _ask("amy@example.org")
    token = _token(_messages()[0])
    accounts.set_password_with_token(token, NEW, now=NOW)
    assert accounts.authenticate("amy@example.org", NEW, ip="10.0.0.1", now=NOW) is not None
    assert accounts.token_user(token, now=NOW) is None
    with pytest.raises(RuleViolation, match="already been used"):
        accounts.set_password_with_token(token, "another fine passphrase", now=NOW)


def test_the_link_is_refused_after_an_hour(app):
    make_user("amy@example.org")
    _ask("amy@example.org")
    token = _token(_messages()[0])
    later = NOW + timedelta(hours=1, seconds=1)
    assert accounts.token_user(token, now=later) is None
    with pytest.raises(RuleViolation, match="expired"):
        accounts.set_password_with_token(token, NEW, now=later)
    assert accounts.authenticate("amy@example.org", PASSWORD, ip="10.0.0.1", now=later) is not None


def test_using_the_link_ends_every_session_and_every_other_link(app):
    user = make_user("amy@example.org")
    identity = user.get_id()
    _ask("amy@example.org")
    _ask("amy@example.org", now=NOW + timedelta(minutes=1))
    first, second = (_token(m) for m in _messages())
    accounts.set_password_with_token(second, NEW, now=NOW + timedelta(minutes=2))
    assert accounts.load_session_user(identity) is None
    assert accounts.token_user(first, now=NOW + timedelta(minutes=3)) is None


def test_requests_are_throttled_per_email_known_or_not(app):
    make_user("amy@example.org")
    for email in ("amy@example.org", "nobody@example.org"):
        for n in range(3):
            _ask(email, ip=f"10.0.0.{n}")
        with pytest.raises(TooManyAttempts):
            _ask(email, ip="10.0.0.99")
    assert len(_messages()) == 3
    _ask("amy@example.org", ip="10.0.0.1", now=NOW + timedelta(hours=1, seconds=1))
    assert len(_messages()) == 4


def test_requests_are_throttled_per_address(app):
    for n in range(20):
        _ask(f"person{n}@example.org", ip="10.6.6.6")
    with pytest.raises(TooManyAttempts):
        _ask("someone@example.org", ip="10.6.6.6")
    _ask("someone@example.org", ip="10.7.7.7")


def test_an_admin_sends_a_new_sign_in_link_to_an_active_account(app):
    admin = make_user(is_admin=True)
    user = make_user("amy@example.org")
    link = recovery.send_sign_in_link(admin, user, base_url="https://rt.example.org", now=NOW)
    [message] = _messages()
    assert link in message.body and message.to_address == "amy@example.org"
    token = link.rsplit("/", 1)[1]
    assert accounts.token_user(token, now=NOW + timedelta(hours=23)) == user
    assert accounts.token_user(token, now=NOW + timedelta(hours=24, seconds=1)) is None
    accounts.set_password_with_token(token, NEW, now=NOW + timedelta(hours=1))
    assert accounts.authenticate("amy@example.org", NEW, ip="10.0.0.1", now=NOW) == user


def test_an_admin_cannot_send_a_link_to_a_disabled_account(app):
    admin = make_user(is_admin=True)
    user = make_user("off@example.org", enabled=False)
    with pytest.raises(RuleViolation, match="disabled"):
        recovery.send_sign_in_link(admin, user, base_url="http://x", now=NOW)
    assert _messages() == []
