"""Organisation settings page: admins only; the name in header, titles and e-mails; the test e-mail."""
import socket
from datetime import datetime, timezone

import pytest

from tests.conftest import statements_of
from tests.factories import make_user
from trainer.extensions import db
from trainer.services.system import mail, organisation, outbox


@pytest.fixture
def admin(client, auth):
    make_user("root@example.org", is_admin=True, name="Root Admin")
    auth.login("root@example.org")


def _save(client, **overrides):
    data = {"name": "Northshire County Council", "support_resources": "Staff counselling\nCall 0800 111 222",
            "retention_months": "24"}
    data.update(overrides)
    return client.post("/admin/settings", data=data, follow_redirects=True)


def test_admin_saves_the_organisation_name_which_shows_in_header_and_title(client, admin):
    page = _save(client).get_data(as_text=True)
    assert "The organisation settings are saved." in page
    assert '<span class="app-organisation-name">Northshire County Council</span>' in page
    assert "<title>Organisation settings – Resilience Trainer – Northshire County Council</title>" in page
    assert 'value="24"' in page and "Call 0800 111 222" in page
    assert organisation.retention_months() == 24


def test_the_header_s_name_comes_with_the_signed_in_user_and_changes_at_once(client, admin):
    _save(client)
    statements = statements_of(client, "/")
    page = client.get("/").get_data(as_text=True)
    assert '<span class="app-organisation-name">Northshire County Council</span>' in page
    # Read once, inside the statement that loads the session's user, not by a statement of its own.
    reading = [s for s in statements if "organisation_settings" in s]
    assert len(reading) == 1 and "FROM users" in reading[0]
    _save(client, name="Southshire Council")
    assert '<span class="app-organisation-name">Southshire Council</span>' in client.get("/").get_data(as_text=True)
    client.post("/logout")
    # Signed out, the name is still shown, by a statement of its own.
    reading = [s for s in statements_of(client, "/login") if "organisation_settings" in s]
    assert len(reading) == 1 and "FROM users" not in reading[0]


def test_a_bad_retention_period_re_renders_with_a_field_error(client, admin):
    response = _save(client, retention_months="0")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter a number of months from 1 to 600" in page
    assert "<title>Error: Organisation settings" in page
    assert organisation.settings().retention_months == 36


@pytest.mark.parametrize("who", ("lead", "participant", None))
def test_only_admins_reach_the_settings(app, client, auth, who):
    if who:
        make_user(f"{who}@example.org")
        auth.login(f"{who}@example.org")
    for method, url in (("GET", "/admin/settings"), ("POST", "/admin/settings"),
                        ("POST", "/admin/settings/test-email")):
        status = client.open(url, method=method, data={"name": "X", "retention_months": "1",
                                                       "to": "x@example.org"}).status_code
        assert status == (403 if who else 302), (method, url)
    assert organisation.organisation_name() == ""


def test_the_test_email_reaches_a_real_smtp_server_and_its_answer_is_shown(app, client, admin, smtp_server):
    controller, inbox = smtp_server
    _save(client)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        page = client.post("/admin/settings/test-email", data={"to": "it@example.org"}).get_data(as_text=True)
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    assert "The mail server answered: <code>250 OK</code>" in page
    assert [m.rcpt_tos for m in inbox.messages] == [["it@example.org"]]
    body = inbox.messages[0].content.decode()
    assert "Test message from Resilience Trainer" in body and "Northshire County Council" in body


def test_the_test_email_reports_a_server_that_does_not_answer(app, client, admin):
    with socket.socket() as probe:  # a loopback port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        page = client.post("/admin/settings/test-email", data={"to": "it@example.org"}).get_data(as_text=True)
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    assert f"Could not send through 127.0.0.1:{port}" in page and "ConnectionRefusedError" in page


def test_without_a_mail_server_the_test_email_says_so(client, admin):
    page = client.post("/admin/settings/test-email", data={"to": "it@example.org"}).get_data(as_text=True)
    assert "No mail server is configured" in page


def test_delivered_mail_is_signed_with_the_organisation_name(app, smtp_server):
    controller, inbox = smtp_server
    organisation.update_settings(make_user(is_admin=True), name="Northshire County Council",
                                 support_resources="", retention_months=36, now=datetime(2026, 9, 1, tzinfo=timezone.utc))
    outbox.enqueue(dedupe_key="t:1", kind="test", to="amy@example.org", subject="Hi", body="Hello")
    db.session.commit()
    sent = mail.deliver_outbox(mail.SmtpSettings("127.0.0.1", controller.port), now=datetime(2026, 9, 1, tzinfo=timezone.utc))
    assert sent == {"sent": 1, "failed": 0}
    assert "Resilience Trainer \xb7 Northshire County Council" in inbox.messages[0].content.decode("utf-8")
