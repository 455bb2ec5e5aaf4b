"""Forgotten passwords, new sign-in links from admins, the password hint, and throttling by address."""
import re

from sqlalchemy import select

from tests.factories import PASSWORD, make_user
from trainer.extensions import db
from trainer.models import OutboxMessage
from trainer.services.accounts.password_policy import HINT

NEW = "lantern maple quietly"


def _link_path(message: OutboxMessage) -> str:
    return re.search(r"/set-password/[A-Za-z0-9_-]+", message.body).group(0)


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_sign_in_page_offers_forgotten_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password">Forgotten your password?</a>' in page


def test_forgotten_password_form_explains_itself_and_needs_an_address(client):
    page = client.get("/forgot-password").get_data(as_text=True)
    assert "<h1" in page and "Forgotten your password?" in page and "1 hour" in page
    page = client.post("/forgot-password", data={"email": ""}).get_data(as_text=True)
    assert "Enter your email address" in page and "govuk-error-summary" in page


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client):
    make_user("amy@example.org")
    known = client.post("/forgot-password", data={"email": "amy@example.org"})
    unknown = client.post("/forgot-password", data={"email": "zed@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert (known.get_data(as_text=True).replace("amy@example.org", "X")
            == unknown.get_data(as_text=True).replace("zed@example.org", "X"))
    assert "Check your email" in known.get_data(as_text=True)
    assert [m.to_address for m in _outbox()] == ["amy@example.org"]


def test_recovery_link_sets_a_password_once_and_ends_every_session(app, client, auth):
    make_user("amy@example.org")
    laptop = app.test_client()
    laptop.post("/login", data={"email": "amy@example.org", "password": PASSWORD})
    assert laptop.get("/modules/").status_code == 200
    client.post("/forgot-password", data={"email": "amy@example.org"})
    path = _link_path(_outbox()[0])
    page = client.get(path).get_data(as_text=True)
    assert "Set your password" in page and HINT in page
    response = client.post(path, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert laptop.get("/modules/").status_code == 302
    assert auth.login("amy@example.org", NEW).status_code == 302
    again = client.get(path)
    assert again.status_code == 410 and "ask for a new link" in again.get_data(as_text=True)


def test_recovery_requests_are_throttled_with_a_429_page(client):
    for _ in range(3):
        assert client.post("/forgot-password", data={"email": "zed@example.org"}).status_code == 200
    response = client.post("/forgot-password", data={"email": "zed@example.org"})
    assert response.status_code == 429 and "Too many requests" in response.get_data(as_text=True)


def test_set_password_page_refuses_a_common_password_beside_the_field(client):
    make_user("amy@example.org")
    client.post("/forgot-password", data={"email": "amy@example.org"})
    path = _link_path(_outbox()[0])
    page = client.post(path, data={"password": "passwordpassword", "confirm": "passwordpassword"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "too common" in text and 'id="password-error"' in text
    page = client.post(path, data={"password": "amy@example.org!!", "confirm": "amy@example.org!!"})
    assert "must not contain your name or email address" in page.get_data(as_text=True)


def test_change_password_page_shows_the_hint_and_the_policy(client, auth):
    make_user("amy@example.org", name="Amy Example")
    auth.login("amy@example.org")
    assert HINT in client.get("/account/password").get_data(as_text=True)
    page = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "123456789012", "confirm": "123456789012"})
    assert page.status_code == 200 and "too common" in page.get_data(as_text=True)


def test_admin_sends_a_new_sign_in_link_from_the_accounts_page(client, auth):
    make_user("root@example.org", is_admin=True)
    amy = make_user("amy@example.org", name="Amy Example")
    make_user("off@example.org", name="Otto Off", enabled=False)
    auth.login("root@example.org")
    page = client.get("/admin/users").get_data(as_text=True)
    assert f'action="/admin/users/{amy.id}/send-link"' in page
    assert page.count("Send sign-in link") == 2  # the admin and Amy; not the disabled account
    response = client.post(f"/admin/users/{amy.id}/send-link")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Sign-in link sent" in text and "24 hours" in text
    [message] = _outbox()
    assert message.to_address == "amy@example.org" and _link_path(message) in text
    client.post("/logout")
    assert client.get(_link_path(message)).status_code == 200


def test_only_admins_may_send_sign_in_links(client, auth):
    amy = make_user("amy@example.org")
    make_user("bob@example.org")
    auth.login("bob@example.org")
    assert client.post(f"/admin/users/{amy.id}/send-link").status_code == 403
    assert _outbox() == []


def test_wrong_passwords_from_one_address_block_that_address_only(app):
    make_user("amy@example.org")
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "10.0.0.66"
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    for _ in range(5):
        assert attacker.post("/login", data={"email": "amy@example.org", "password": "guess"}).status_code == 200
    refused = attacker.post("/login", data={"email": "amy@example.org", "password": PASSWORD})
    assert refused.status_code == 429 and "Too many failed sign-in attempts" in refused.get_data(as_text=True)
    assert owner.post("/login", data={"email": "amy@example.org", "password": PASSWORD}).status_code == 302
