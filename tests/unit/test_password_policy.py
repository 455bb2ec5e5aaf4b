"""The password policy: length, common passwords, the user's own details, everywhere a password is set."""
from datetime import datetime, timezone

import pytest

from tests.factories import PASSWORD, make_user
from trainer.errors import RuleViolation
from trainer.services.accounts import accounts, password_policy

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)


def _refusal(password: str, **who) -> str:
    with pytest.raises(RuleViolation) as refused:
        password_policy.check_password(password, **who)
    assert refused.value.field == "password"
    return refused.value.message


def test_the_shipped_list_holds_at_least_100000_common_passwords():
    common = password_policy.common_passwords()
    assert len(common) >= 96_000  # 100,000 lines; a few differ only in case
    assert {"123456", "password", "iloveyou"} <= common


@pytest.mark.parametrize("length, accepted", [(11, False), (12, True), (128, True), (129, False)])
def test_length_must_be_12_to_128_characters(length, accepted):
    password = ("river otter " * 11)[:length]
    if accepted:
        password_policy.check_password(password)
    else:
        assert "characters" in _refusal(password)


@pytest.mark.parametrize("password", ["passwordpassword", "PasswordPassword", "aaaaaaaaaaaa",
                                      "123456789012", "qwertyuiopasdfgh", "abcabcabcabc",
                                      "iloveyouiloveyou"])
def test_common_passwords_and_repetitions_of_them_are_refused(password):
    assert "too common" in _refusal(password)


@pytest.mark.parametrize("password", ["tulip kettle orbit", "Ünïcödé pässwörd ✓", "   spaces  only  ok ",
                                      "ÅÄÖ\u00a0日本語のパスワード"])
def test_any_characters_are_allowed(password):
    password_policy.check_password(password, email="amy@example.org", name="Amy Example")


@pytest.mark.parametrize("password", ["amy.pond@example.org!", "my name is amy.pond", "AMY.POND rocks 99",
                                      "pond river boat 77", "hello Amelia Pond!"])
def test_the_users_email_or_name_is_refused(password):
    message = _refusal(password, email="amy.pond@example.org", name="Amelia Pond")
    assert "name or email address" in message


def test_setting_a_password_by_link_keeps_the_policy(app):
    user, link = accounts.invite_user(None, "jo.bloggs@example.org", "Jo Bloggs", base_url="http://x", now=NOW)
    token = link.rsplit("/", 1)[1]
    for bad in ("passwordpassword", "jo.bloggs is here", "short"):
        with pytest.raises(RuleViolation):
            accounts.set_password_with_token(token, bad, now=NOW)
    assert accounts.token_user(token, now=NOW) == user  # a refused password leaves the link usable
    accounts.set_password_with_token(token, "lantern maple quietly", now=NOW)


def test_changing_a_password_keeps_the_policy(app):
    user = make_user("sam.jones@example.org", name="Sam Jones")
    for bad in ("passwordpassword", "I am Sam Jones!", "sam.jones@example.org"):
        with pytest.raises(RuleViolation) as refused:
            accounts.change_password(user, PASSWORD, bad)
        assert refused.value.field == "password"
    accounts.change_password(user, PASSWORD, "lantern maple quietly")


def test_create_admin_command_refuses_a_common_password_or_the_email(app, runner, monkeypatch):
    for bad in ("123456789012", "boss@example.org rules"):
        monkeypatch.setenv("TRAINER_ADMIN_PASSWORD", bad)
        result = runner.invoke(args=["create-admin", "boss@example.org"])
        assert result.exit_code != 0
    assert accounts.find_user_by_email("boss@example.org") is None

