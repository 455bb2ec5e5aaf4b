"""Reminder and mail jobs: one reminder each however often they run, delivery over real SMTP."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from tests.factories import make_day, make_member, make_programme, make_user
from trainer import jobs, scheduler
from trainer.extensions import db
from trainer.models import OutboxMessage
from trainer.services.system import mail, outbox

# 08:00 in London on Tuesday 8 September 2026.
NOW = datetime(2026, 9, 8, 7, tzinfo=timezone.utc)


@pytest.fixture
def soon(app):
    programme = make_programme(start=date(2026, 9, 1), end=date(2026, 12, 31), status="scheduled")
    make_member(programme, "lead")
    trainer = make_member(programme, "trainer")
    participant = make_member(programme)
    make_member(programme, arm="comparison")
    day = make_day(programme, date(2026, 9, 10))
    make_day(programme, date(2026, 9, 30))
    return trainer, participant, day


def _reminders():
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()


def test_reminders_go_two_days_before_once_each_however_often_the_job_runs(soon, app):
    trainer, participant, day = soon
    expected = sorted([trainer.user.email, participant.user.email])
    db.session.commit()
    entry = next(j for j in jobs.JOBS if j.id == "reminders")
    assert jobs.run_job(entry, NOW - timedelta(days=1)) == 0
    assert jobs.run_job(entry, NOW) == 2
    assert jobs.run_job(entry, NOW) == 0
    assert jobs.run_job(entry, NOW + timedelta(days=1)) == 0
    messages = _reminders()
    assert sorted(m.to_address for m in messages) == expected
    assert "Thursday 10 September 2026" in messages[0].body


def test_no_reminders_for_cancelled_days_or_draft_programmes(soon):
    trainer, participant, day = soon
    day.cancelled = True
    jobs.run_all(NOW)
    assert _reminders() == []


def _queue(n):
    for i in range(n):
        outbox.enqueue(dedupe_key=f"test:{i}", kind="test", to=make_user(), subject=f"Hello {i}",
                       body="Body text")
    db.session.commit()


def test_the_outbox_is_delivered_over_smtp_once(app, smtp_server, monkeypatch):
    controller, inbox = smtp_server
    _queue(3)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    entry = next(j for j in jobs.JOBS if j.id == "deliver-outbox")
    assert jobs.run_job(entry, NOW) == {"sent": 3, "failed": 0}
    assert jobs.run_job(entry, NOW) == {"sent": 0, "failed": 0}
    assert len(inbox.messages) == 3
    assert b"Subject: Hello 0" in inbox.messages[0].content
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))) == 0


def test_a_failed_delivery_is_retried_later_with_backoff(app, smtp_server):
    controller, inbox = smtp_server
    _queue(1)
    dead = mail.SmtpSettings("127.0.0.1", 1, timeout=2)
    assert mail.deliver_outbox(dead, now=NOW) == {"sent": 0, "failed": 1}
    message = db.session.scalar(select(OutboxMessage))
    assert message.attempts == 1 and message.last_error and message.next_attempt_at == NOW + timedelta(minutes=2)
    live = mail.SmtpSettings("127.0.0.1", controller.port)
    assert mail.deliver_outbox(live, now=NOW + timedelta(minutes=1)) == {"sent": 0, "failed": 0}
    assert mail.deliver_outbox(live, now=NOW + timedelta(minutes=2)) == {"sent": 1, "failed": 0}
    assert len(inbox.messages) == 1


def test_a_claimed_message_is_not_claimed_again_until_its_lease_runs_out(app):
    _queue(2)
    settings = mail.SmtpSettings("127.0.0.1")
    first, second = mail.claim_next(settings, now=NOW), mail.claim_next(settings, now=NOW)
    assert first.id != second.id
    assert mail.claim_next(settings, now=NOW) is None  # both claimed: a second sender finds nothing
    assert mail.due_messages(NOW + mail.CLAIM_LEASE - timedelta(seconds=1)) == []
    # The claimer died without recording an outcome: after the lease the message is tried again.
    again = mail.claim_next(settings, now=NOW + mail.CLAIM_LEASE)
    assert again.id == first.id and again.email["Message-ID"] == first.email["Message-ID"]


def test_each_message_has_a_stable_message_id_on_the_base_url_host(app, smtp_server, monkeypatch):
    controller, inbox = smtp_server
    _queue(2)
    monkeypatch.setitem(app.config, "BASE_URL", "https://trainer.example.org/app")
    settings = mail.SmtpSettings.from_config(app.config | {"MAIL_SERVER": "127.0.0.1",
                                                             "MAIL_PORT": controller.port})
    message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id))
    expected = mail.stable_message_id(message, "trainer.example.org")
    assert expected.startswith(f"<outbox-{message.id}.") and expected.endswith("@trainer.example.org>")
    assert mail.deliver_outbox(settings, now=NOW) == {"sent": 2, "failed": 0}
    ids = [m.content.split(b"Message-ID: ")[1].split(b"\r\n")[0].decode() for m in inbox.messages]
    assert ids[0] == expected and len(set(ids)) == 2
    assert not any(b"X-Outbox" in m.content for m in inbox.messages)


def test_without_a_mail_server_messages_wait_in_the_outbox(app):
    _queue(1)
    assert mail.deliver_outbox(mail.SmtpSettings(None), now=NOW) == {"sent": 0, "failed": 0}
    assert mail.backoff(20) == timedelta(hours=6)


def test_the_scheduler_runs_every_job_coalesced_one_at_a_time(app):
    built = scheduler.build_scheduler(app)
    registered = {j.id: j for j in built.get_jobs()}
    assert set(registered) == {j.id for j in jobs.JOBS} | {"heartbeat"}
    assert set(registered) >= {"reminders", "deliver-outbox"}
    assert all(j.coalesce and j.max_instances == 1 for j in registered.values())


def test_a_second_scheduler_on_sqlite_waits_for_the_file_lock(app, tmp_path):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("SQLite's scheduler lock; PostgreSQL's advisory lock is tested below")
    lock_file = str(tmp_path / "scheduler.lock")
    holder = scheduler.hold_lock(db.engine, lock_file=lock_file)
    waits = []

    def wait_then_release(_seconds):
        waits.append(1)
        if len(waits) == 3:
            scheduler.release_lock(holder)  # the active scheduler stops: the standby takes over
        assert len(waits) < 10, "the standby never got the lock"

    standby = scheduler.hold_lock(db.engine, lock_file=lock_file, poll_seconds=0, sleep=wait_then_release)
    assert len(waits) == 3
    scheduler.release_lock(standby)


def test_a_second_scheduler_waits_for_the_advisory_lock(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's advisory lock; SQLite's file lock is tested above")
    holder = scheduler.hold_lock(db.engine)
    waits = []

    def wait_then_release():
        waits.append(1)
        if len(waits) == 3:
            scheduler.release_lock(holder)  # the active scheduler stops: the standby takes over
        assert len(waits) < 10, "the standby never got the lock"

    with db.engine.connect() as standby:
        assert scheduler.acquire_lock(standby) is False
        assert scheduler.acquire_lock(standby, wait=wait_then_release) is True
        assert len(waits) == 3
        standby.execute(text("SELECT pg_advisory_unlock_all()"))
        standby.commit()
