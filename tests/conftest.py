"""Shared fixtures: an app on SQLite (or TEST_DATABASE_URL), clean tables per test, builders."""
import contextvars
import os
import re
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from trainer import create_app
from trainer.config import normalise_database_url
from trainer.extensions import db
from trainer.services.scheduling import curriculum
from trainer.services.system import memo

MODULES_DIR = Path(__file__).resolve().parent.parent / "modules"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


class IsolatedClient(FlaskClient):
    """A test client whose requests run like real ones: in their own app context and session.

    Flask would otherwise reuse the test's app context, sharing ``g`` (and Flask-Login's cached
    user) and the database session between requests. What the test has built is committed
    before each request, and the test's session is expired after it, so it sees the result.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The app, with the schema built by the real migrations once per test session."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
    yield app


@pytest.fixture(autouse=True)
def _clean_tables(app):
    """Each test runs in an app context and leaves every table empty behind it."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                db.session.execute(text(f"DELETE FROM {name}"))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def modules(app):
    """The real curriculum loaded from modules/, as a dict key -> Module."""
    curriculum.load_modules(MODULES_DIR)
    return {m.key: m for m in curriculum.list_modules()}


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port: (controller, inbox)."""
    inbox = _Inbox()
    with socket.socket() as probe:  # a free loopback port (aiosmtpd checks its port by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, inbox
    controller.stop()



class Auth:
    """Signs a test client in and out."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = "correct-horse-battery", follow: bool = False):
        return self.client.post("/login", data={"email": email, "password": password},
                                follow_redirects=follow)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    """Sign-in helper bound to ``client``."""
    return Auth(client)


def csrf_token_from(html: str) -> str:
    """The CSRF token in a rendered form."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def pytest_terminal_summary(terminalreporter):
    """Say loudly when the browser tests did not run."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "Chromium not found" in str(r.longrepr)]
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} BROWSER TESTS SKIPPED: /usr/bin/chromium is "
                                        "missing (apt-get install chromium)", red=True, bold=True)


def count_statements(client, url: str) -> int:
    """How many SQL statements the app runs to answer one GET of ``url`` (which must be 200).

    For tests that a page's statement count does not grow with its rows (no N+1 queries). The
    request runs in its own session (IsolatedClient), so the test's session does not affect it.
    """
    return len(statements_of(client, url))


def statements_of(client, url: str) -> list[str]:
    """The SQL statements the app runs to answer one GET of ``url`` (which must be 200)."""
    from sqlalchemy import event

    seen = []

    def record(_connection, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def page_text(client, url: str) -> str:
    """The page at ``url`` (which must be 200) with its CSRF tokens blanked, to compare pages."""
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]*"|csrf_token" value="[^"]*"', "CSRF",
                  response.get_data(as_text=True))


def page_afresh(app, client, url: str) -> str:
    """``page_text`` computed with nothing remembered (``PAGE_MEMO`` off for the request)."""
    app.config["PAGE_MEMO"] = False
    try:
        return page_text(client, url)
    finally:
        app.config["PAGE_MEMO"] = True


def remembered_reads(client, url: str) -> tuple[set[str], list[str]]:
    """A first view of ``url`` (nothing remembered) and a second: the tables that the statements
    of the first and not the second read (what the remembered part computed from), and the
    second view's statements."""
    memo._PAGES.clear()
    first, second = statements_of(client, url), statements_of(client, url)
    computed = list(first)
    for statement in second:
        computed.remove(statement)
    read = {name for statement in computed for name in db.metadata.tables if re.search(rf"\b{name}\b", statement)}
    return read, second
