"""Accounts: sign-in, throttling, session versions, invitations, password rules."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.factories import PASSWORD, make_user
from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import OutboxMessage, PasswordToken
from trainer.services.accounts import accounts

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)


def test_right_password_signs_in_and_wrong_one_does_not(app):
    user = make_user("a@example.org")
    assert accounts.authenticate("A@Example.org ", PASSWORD, ip="1.1.1.1", now=NOW) == user
    assert accounts.authenticate("a@example.org", "wrong password", ip="1.1.1.1", now=NOW) is None


def test_disabled_account_cannot_sign_in(app):
    make_user("off@example.org", enabled=False)
    assert accounts.authenticate("off@example.org", PASSWORD, ip="1.1.1.1", now=NOW) is None


def test_session_identity_stops_working_when_the_version_changes(app):
    user = make_user()
    identity = user.get_id()
    assert accounts.load_session_user(identity) == user
    accounts.end_all_sessions(user)
    assert accounts.load_session_user(identity) is None
    assert accounts.load_session_user(user.get_id()) == user
    assert accounts.load_session_user("garbage") is None


def test_invitation_creates_account_link_and_outbox_message(app):
    admin = make_user(is_admin=True)
    user, link = accounts.invite_user(admin, "New.Person@Example.org", "New Person",
                                      base_url="https://rt.example.org", now=NOW)
    assert user.email == "new.person@example.org" and user.password_hash is None
    assert link.startswith("https://rt.example.org/set-password/")
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.to_address == "new.person@example.org" and link in message.body
    token = link.rsplit("/", 1)[1]
    assert token not in {t.token_hash for t in db.session.scalars(db.select(PasswordToken))}


def test_invite_link_works_once(app):
    user, link = accounts.invite_user(None, "p@example.org", "P", base_url="http://x", now=NOW)
    token = link.rsplit("/", 1)[1]
    accounts.set_password_with_token(token, "a long enough password", now=NOW)
    assert accounts.authenticate("p@example.org", "a long enough password", ip="1", now=NOW) == user
    with pytest.raises(RuleViolation, match="already been used"):
        accounts.set_password_with_token(token, "another long password", now=NOW)


def test_expired_invite_link_is_refused(app):
    _, link = accounts.invite_user(None, "p@example.org", "P", base_url="http://x", now=NOW)
    token = link.rsplit("/", 1)[1]
    assert accounts.token_user(token, now=NOW + timedelta(days=15)) is None
    with pytest.raises(RuleViolation):
        accounts.set_password_with_token(token, "a long enough password", now=NOW + timedelta(days=15))


def test_cannot_invite_an_existing_active_account(app):
    make_user("here@example.org")
    with pytest.raises(RuleViolation) as err:
        accounts.invite_user(None, "here@example.org", "Here", base_url="http://x", now=NOW)
    assert err.value.field == "email" and "send them a new sign-in link" in err.value.message


def test_bad_email_is_refused_with_a_field_error(app):
    with pytest.raises(RuleViolation) as err:
        accounts.invite_user(None, "not-an-email", "X", base_url="http://x", now=NOW)
    assert err.value.field == "email"


def test_short_passwords_are_refused(app):
    with pytest.raises(RuleViolation):
        accounts.check_password_rules("short")


def test_changing_password_needs_the_current_one_and_ends_sessions(app):
    user = make_user()
    old_identity = user.get_id()
    with pytest.raises(RuleViolation) as err:
        accounts.change_password(user, "wrong", "a brand new password")
    assert err.value.field == "current_password"
    accounts.change_password(user, PASSWORD, "a brand new password")
    assert accounts.load_session_user(old_identity) is None
    assert accounts.authenticate(user.email, "a brand new password", ip="1", now=NOW) == user


def test_create_admin_makes_or_promotes_an_admin(app):
    admin = accounts.create_admin("root@example.org", "a long admin password")
    assert admin.is_admin
    existing = make_user("someone@example.org")
    accounts.create_admin("someone@example.org", "another long password")
    assert existing.is_admin


def test_an_admin_cannot_disable_themselves(app):
    admin = make_user(is_admin=True)
    with pytest.raises(RuleViolation):
        accounts.set_enabled(admin, admin, False)


def test_create_admin_command_reads_the_password_from_the_environment(app, runner, monkeypatch):
    monkeypatch.setenv("TRAINER_ADMIN_PASSWORD", "a long admin password")
    result = runner.invoke(args=["create-admin", "Boss@Example.org", "--name", "The Boss"])
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("boss@example.org", "a long admin password", ip="1", now=NOW).is_admin


def test_create_admin_command_refuses_a_short_password(app, runner, monkeypatch):
    monkeypatch.setenv("TRAINER_ADMIN_PASSWORD", "short")
    result = runner.invoke(args=["create-admin", "boss@example.org"])
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    assert accounts.find_user_by_email("boss@example.org") is None
