"""Single sign-on end to end against a real OpenID Connect provider on loopback (oidc-provider-mock)."""
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import func, select

from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, make_programme, make_user
from trainer import create_app, request_log
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import Membership, User
from trainer.services.system import organisation

PEOPLE = [
    ProviderUser(sub="amy", claims={"email": "Amy@Example.org", "email_verified": True, "name": "Amy Ash"}),
    ProviderUser(sub="stranger", claims={"email": "stranger@example.org", "email_verified": True}),
    ProviderUser(sub="unverified", claims={"email": "amy@example.org", "email_verified": False}),
    ProviderUser(sub="newcomer", claims={"email": "nia@northshire.gov.uk", "email_verified": True,
                                          "name": "Nia New"}),
]


@pytest.fixture(scope="module")
def provider():
    """A real OpenID Connect provider in a thread on loopback; yields its issuer URL."""
    with run_server_in_thread(user_claims=PEOPLE, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def _sso_app(app, provider, **config):
    settings = {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "OIDC_ISSUER": provider, "OIDC_CLIENT_ID": "resilience-trainer",
                "OIDC_CLIENT_SECRET": "client-secret", "BASE_URL": "http://localhost"}
    settings.update(config)
    sso_app = create_app(settings)
    sso_app.test_client_class = IsolatedClient
    request_log.configure_logging(app.config["LOG_FORMAT"])
    return sso_app


@pytest.fixture
def sso_client(app, provider):
    return _sso_app(app, provider).test_client()


def _sign_in_at_provider(client, sub: str, **headers) -> tuple[dict, str]:
    """Follow the app to the provider, post its authorization form as ``sub``; return the
    authorization request's parameters and the app callback path the provider sent back."""
    start = client.get("/login/sso", headers=headers)
    assert start.status_code == 302
    authorize = start.headers["Location"]
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=20)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return params, f"{back.path}?{back.query}"


def test_an_invited_user_signs_in_with_state_nonce_and_pkce(app, sso_client):
    make_user("amy@example.org", name="Amy Ash", password=None)  # invited, never set a password
    params, callback = _sign_in_at_provider(sso_client, "amy")
    assert params["response_type"] == "code" and params["redirect_uri"] == "http://localhost/login/sso/callback"
    assert set(params["scope"].split()) >= {"openid", "email"}
    assert params["state"] and params["nonce"] and params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    response = sso_client.get(callback)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = sso_client.get("/").get_data(as_text=True)
    assert "Amy Ash" in home and "Sign out" in home
    assert db.session.scalar(select(User.last_login_at).where(User.email == "amy@example.org"))


def test_an_unknown_email_is_refused_and_no_account_is_created(app, sso_client):
    _, callback = _sign_in_at_provider(sso_client, "stranger")
    response = sso_client.get(callback)
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and "There is no account for stranger@example.org" in page
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert "Sign out" not in sso_client.get("/").get_data(as_text=True)


def test_a_tampered_state_is_refused(app, sso_client):
    make_user("amy@example.org")
    params, callback = _sign_in_at_provider(sso_client, "amy")
    tampered = callback.replace(f"state={params['state']}", "state=forged-by-someone-else")
    assert tampered != callback
    response = sso_client.get(tampered)
    assert response.status_code == 400 and "did not complete" in response.get_data(as_text=True)
    assert "Sign out" not in sso_client.get("/").get_data(as_text=True)


def test_an_unverified_email_is_refused_even_for_an_existing_account(app, sso_client):
    make_user("amy@example.org")
    _, callback = _sign_in_at_provider(sso_client, "unverified")
    response = sso_client.get(callback)
    assert response.status_code == 403 and "verified email address" in response.get_data(as_text=True)


def test_a_disabled_account_is_refused(app, sso_client):
    make_user("amy@example.org", enabled=False)
    _, callback = _sign_in_at_provider(sso_client, "amy")
    assert sso_client.get(callback).status_code == 403


def test_an_allowed_domain_creates_an_account_with_no_role(app, provider):
    sso_app = _sso_app(app, provider, OIDC_ALLOWED_DOMAINS=("northshire.gov.uk",))
    client = sso_app.test_client()
    make_programme()
    _, callback = _sign_in_at_provider(client, "newcomer")
    assert client.get(callback).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nia@northshire.gov.uk"))
    assert user.display_name == "Nia New" and not user.is_admin and user.password_hash is None
    assert db.session.scalar(select(func.count(Membership.id)).where(Membership.user_id == user.id)) == 0
    other = sso_app.test_client()
    _, stranger = _sign_in_at_provider(other, "stranger")
    assert other.get(stranger).status_code == 403


def test_signing_out_ends_the_single_sign_on_session(app, sso_client):
    make_user("amy@example.org", name="Amy Ash")
    _, callback = _sign_in_at_provider(sso_client, "amy")
    sso_client.get(callback)
    copied = sso_client.get_cookie("session").value
    other_device = _sso_app(app, "http://unused.invalid").test_client()
    other_device.set_cookie("session", copied)
    assert "Amy Ash" in other_device.get("/").get_data(as_text=True)
    sso_client.post("/logout")
    assert other_device.get("/account/password").status_code == 302
    assert "Amy Ash" not in other_device.get("/").get_data(as_text=True)


def test_the_login_page_offers_the_organisation_button_beside_passwords(app, sso_client):
    organisation.update_settings(make_user(is_admin=True), name="Northshire County Council",
                                 support_resources="", retention_months=36, now=utcnow())
    page = sso_client.get("/login").get_data(as_text=True)
    assert "Sign in with Northshire County Council" in page and 'name="password"' in page


def test_password_signin_off_hides_and_refuses_passwords(app, provider):
    make_user("amy@example.org")
    client = _sso_app(app, provider, PASSWORD_SIGNIN=False).test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with your organisation" in page and 'name="password"' not in page
    client.post("/login", data={"email": "amy@example.org", "password": PASSWORD})
    assert "Sign out" not in client.get("/").get_data(as_text=True)


def test_without_sso_configured_its_routes_are_404_and_passwords_stay(client):
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with" not in page and 'name="password"' in page


def test_behind_a_trusted_proxy_the_callback_address_is_https(app, provider):
    client = _sso_app(app, provider, TRUSTED_PROXIES=1).test_client()
    start = client.get("/login/sso", headers={"X-Forwarded-Proto": "https",
                                              "X-Forwarded-Host": "trainer.example.org"})
    params = parse_qs(urlsplit(start.headers["Location"]).query)
    assert params["redirect_uri"] == ["https://trainer.example.org/login/sso/callback"]


def test_a_provider_that_does_not_answer_gives_a_clear_page_not_a_500(app):
    with socket.socket() as probe:  # a loopback port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = _sso_app(app, f"http://127.0.0.1:{port}").test_client()
    response = client.get("/login/sso")
    assert response.status_code == 502 and "did not answer" in response.get_data(as_text=True)
