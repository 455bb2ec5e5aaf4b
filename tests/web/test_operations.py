"""Running behind a proxy, the request log, and the health check's scheduler heartbeat."""
import io
import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, make_user
from trainer import create_app, request_log, scheduler
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import LoginAttempt, SchedulerHeartbeat
from trainer.services.system import health

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "trainer.example.org",
             "X-Forwarded-For": "203.0.113.9"}


def _production_app(app, monkeypatch, **env):
    """A second app on the test database, configured from a production environment."""
    monkeypatch.setenv("TRAINER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.setenv("BASE_URL", "https://trainer.example.org")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    production = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                             "WTF_CSRF_ENABLED": False})
    production.test_client_class = IsolatedClient  # requests must not leak context into the test
    return production


@pytest.fixture
def restore_logging(app):
    yield
    request_log.configure_logging(app.config["LOG_FORMAT"])


def test_behind_a_trusted_proxy_cookies_are_secure_redirects_https_and_the_client_address_real(
        app, monkeypatch, restore_logging):
    make_user("amy@example.org")
    db.session.commit()
    client = _production_app(app, monkeypatch, TRUSTED_PROXIES="1").test_client()
    signed_in = client.post("/login", data={"email": "amy@example.org", "password": PASSWORD},
                            headers=FORWARDED)
    assert signed_in.status_code == 302
    cookie = signed_in.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "Secure" in cookie and "HttpOnly" in cookie
    assert signed_in.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert client.get("/modules", headers=FORWARDED).headers["Location"] == "https://trainer.example.org/modules/"
    client.post("/logout", headers=FORWARDED)
    client.post("/login", data={"email": "amy@example.org", "password": "wrong"}, headers=FORWARDED)
    assert db.session.scalars(select(LoginAttempt.ip)).all() == ["203.0.113.9"]


def test_without_trusted_proxies_forwarded_headers_are_ignored(app, monkeypatch, restore_logging):
    make_user("amy@example.org")
    db.session.commit()
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    client = _production_app(app, monkeypatch).test_client()
    assert client.get("/modules", headers=FORWARDED).headers["Location"] == "http://localhost/modules/"
    client.post("/login", data={"email": "amy@example.org", "password": "wrong"}, headers=FORWARDED)
    assert db.session.scalars(select(LoginAttempt.ip)).all() == ["127.0.0.1"]


def test_each_request_logs_one_json_line_with_its_request_id_and_user_id_never_email(
        app, monkeypatch, restore_logging):
    user = make_user("amy@example.org")
    db.session.commit()
    json_app = _production_app(app, monkeypatch, LOG_FORMAT="json")
    stream = io.StringIO()
    handler = next(h for h in logging.getLogger("trainer").handlers if getattr(h, "trainer_handler", False))
    assert isinstance(handler.formatter, request_log.JsonFormatter)
    handler.setStream(stream)
    client = json_app.test_client()
    client.post("/login", data={"email": "amy@example.org", "password": PASSWORD})
    stream.truncate(0), stream.seek(0)
    response = client.get("/modules/", headers={"X-Request-ID": "req-from-nginx-0001"})
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert response.headers["X-Request-ID"] == entry["request_id"] == "req-from-nginx-0001"
    assert (entry["user_id"], entry["method"], entry["path"], entry["status"]) == (user.id, "GET", "/modules/", 200)
    assert entry["duration_ms"] >= 0 and entry["level"] == "INFO"
    assert "amy@example.org" not in lines[0]


def test_a_request_without_an_id_gets_a_new_one_and_tokens_never_reach_the_log(client, caplog):
    with caplog.at_level(logging.INFO, logger="trainer.requests"):
        first = client.get("/healthz").headers["X-Request-ID"]
        second = client.get("/healthz", headers={"X-Request-ID": "bad id; drop"}).headers["X-Request-ID"]
        client.get("/set-password/secret-one-time-token-value")
    assert len(first) == 32 and len(second) == 32 and first != second
    assert "secret-one-time-token-value" not in caplog.text and "/set-password/[token]" in caplog.text


def test_health_check_reports_no_heartbeat_before_the_scheduler_first_runs(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["scheduler"] == {"status": "never", "age_seconds": None, "last_heartbeat": None}


def test_health_check_is_503_when_the_scheduler_heartbeat_is_older_than_the_threshold(app, client):
    health.record_heartbeat(utcnow() - timedelta(seconds=30), host="sched-1")
    fresh = client.get("/healthz")
    assert fresh.status_code == 200 and fresh.get_json()["scheduler"]["status"] == "ok"
    health.record_heartbeat(utcnow() - timedelta(minutes=10), host="sched-1")
    stale = client.get("/healthz")
    body = stale.get_json()
    assert stale.status_code == 503 and body["status"] == "error" and body["database"] == "ok"
    assert body["scheduler"]["status"] == "stale" and body["scheduler"]["age_seconds"] >= 600
    app.config["SCHEDULER_HEARTBEAT_MAX_AGE"] = 3600
    try:
        assert client.get("/healthz").status_code == 200
    finally:
        app.config["SCHEDULER_HEARTBEAT_MAX_AGE"] = 300


def test_the_scheduler_beats_into_the_one_heartbeat_row(app):
    scheduler.beat(app)
    scheduler.beat(app)
    rows = db.session.scalars(select(SchedulerHeartbeat)).all()
    assert len(rows) == 1 and utcnow() - rows[0].beat_at < timedelta(seconds=30) and rows[0].host
    status = health.scheduler_status(utcnow(), max_age=timedelta(minutes=5))
    assert status.state == "ok" and status.healthy
