"""Signing in and out, sessions, CSRF and passwords, through the web."""
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_user
from trainer.clock import utcnow
from trainer.services.accounts import accounts


def test_sign_in_page_explains_itself(client):
    page = client.get("/login").get_data(as_text=True)
    assert "<h1" in page and "Sign in" in page and 'autocomplete="current-password"' in page


def test_signing_in_lands_on_home_and_signing_out_returns_to_sign_in(client, auth):
    make_user("amy@example.org", name="Amy Example")
    response = auth.login("amy@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Hello, Amy Example" in client.get("/").get_data(as_text=True)
    out = auth.logout()
    assert out.status_code == 302 and out.headers["Location"].endswith("/login")
    assert client.get("/modules/").status_code == 302


def test_wrong_password_shows_an_error_and_keeps_the_email(client, auth):
    make_user("amy@example.org")
    page = auth.login("amy@example.org", "not the password").get_data(as_text=True)
    assert "The email address or password is not right" in page
    assert 'value="amy@example.org"' in page
    assert "govuk-error-summary" in page
    assert "<title>Error:" in page


def test_empty_sign_in_form_shows_field_errors(client):
    page = client.post("/login", data={}).get_data(as_text=True)
    assert "Enter your email address" in page and "Enter your password" in page


def test_disabled_account_cannot_sign_in(client, auth):
    make_user("off@example.org", enabled=False)
    response = auth.login("off@example.org")
    assert response.status_code == 200
    assert "or the account is disabled" in response.get_data(as_text=True)


def test_a_copied_session_cookie_is_refused_after_sign_out(app, client, auth):
    make_user("amy@example.org")
    auth.login("amy@example.org")
    cookie = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    response = thief.get("/modules/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_signing_out_ends_sessions_on_every_device(app, client, auth):
    make_user("amy@example.org")
    other = app.test_client()
    other.post("/login", data={"email": "amy@example.org", "password": PASSWORD})
    assert other.get("/modules/").status_code == 200
    auth.login("amy@example.org")
    auth.logout()
    assert other.get("/modules/").status_code == 302


def test_remember_me_cookie_is_http_only_and_short_lived(client):
    make_user("amy@example.org")
    response = client.post("/login", data={"email": "amy@example.org", "password": PASSWORD,
                                           "remember": "y"})
    remember = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]


def test_state_changing_requests_without_csrf_token_are_refused(app, client, auth, monkeypatch):
    make_user("amy@example.org")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/login", data={"email": "amy@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "nothing was saved" in response.get_data(as_text=True)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    ok = client.post("/login", data={"email": "amy@example.org", "password": PASSWORD,
                                     "csrf_token": token})
    assert ok.status_code == 302


def test_too_many_failures_get_a_429_page(client, auth):
    make_user("amy@example.org")
    for _ in range(5):
        auth.login("amy@example.org", "wrong")
    response = auth.login("amy@example.org")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)


def test_next_parameter_never_redirects_off_site(client):
    make_user("amy@example.org")
    response = client.post("/login?next=//evil.example/x",
                           data={"email": "amy@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/"
    response = client.post("/logout")
    response = client.post("/login?next=/modules/",
                           data={"email": "amy@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/modules/"


def test_invite_link_sets_a_password_once(client, auth):
    _, link = accounts.invite_user(None, "new@example.org", "New Person", base_url="http://localhost",
                                   now=utcnow())
    path = link.replace("http://localhost", "")
    page = client.get(path).get_data(as_text=True)
    assert "Welcome, New Person" in page
    response = client.post(path, data={"password": "a good long password",
                                       "confirm": "a good long password"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert auth.login("new@example.org", "a good long password").status_code == 302
    second = client.get(path)
    assert second.status_code == 410
    assert "This link no longer works" in second.get_data(as_text=True)


def test_set_password_form_explains_mismatch_and_length(client):
    _, link = accounts.invite_user(None, "new@example.org", "New", base_url="http://localhost",
                                   now=utcnow())
    page = client.post(link.replace("http://localhost", ""),
                       data={"password": "short", "confirm": "different"}).get_data(as_text=True)
    assert "at least 12 characters" in page and "The passwords do not match" in page


def test_changing_password_keeps_this_session_and_ends_others(app, client, auth):
    make_user("amy@example.org")
    other = app.test_client()
    other.post("/login", data={"email": "amy@example.org", "password": PASSWORD})
    auth.login("amy@example.org")
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "my new long password",
        "confirm": "my new long password"})
    assert response.status_code == 302
    assert client.get("/modules/").status_code == 200
    assert other.get("/modules/").status_code == 302


def test_security_headers_are_sent(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_page_has_an_inline_script(client, auth):
    make_user("root@example.org", is_admin=True)
    auth.login("root@example.org")
    for path in ("/", "/modules/", "/admin/users", "/admin/users/invite", "/login"):
        page = client.get(path).get_data(as_text=True)
        for tag in page.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], f"inline script on {path}"
