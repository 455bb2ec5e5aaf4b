"""The retention schedule anonymises only programmes closed longer ago than the setting."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.factories import (make_assignment, make_goal, make_log, make_member, make_outcome_waves,
                             make_programme, make_scores, make_user)
from trainer import jobs
from trainer.extensions import db
from trainer.models import ActivityLog, AuditEvent, Goal, Membership, OutcomeScore, Programme
from trainer.services.privacy import anonymisation, audit_trail
from trainer.services.system import organisation

NOW = datetime(2029, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def programmes(app, modules):
    """An old closed programme (ended June 2026), a recent closed one and an old running one;
    one person takes part in the old and the recent closed programmes."""
    old = make_programme("Old", start=date(2025, 9, 1), end=date(2026, 6, 30), status="closed")
    recent = make_programme("Recent", start=date(2027, 9, 1), end=date(2028, 6, 30), status="closed")
    running = make_programme("Still running", start=date(2025, 9, 1), end=date(2026, 6, 30), status="running")
    both = make_user("both@example.org", name="Bo Both")
    old_member = make_member(old, user=both, team="North")
    make_member(old, "lead", user=make_user("lead@example.org", name="Lee Lead"))
    recent_member = make_member(recent, user=both)
    running_member = make_member(running, user=make_user("run@example.org", name="Ru Running"))
    waves = make_outcome_waves(old, ("brs",))
    make_scores(old_member, waves["baseline"], "brs", {"total": 3.0})
    assignment = make_assignment(old, modules["mindfulness"].activities[0])
    make_log(assignment, old_member, private_note="OLD-NOTE")
    make_goal(old_member)
    db.session.commit()
    return old, recent, running, old_member, recent_member, running_member


def test_months_after_keeps_the_day_or_the_months_last_day():
    assert anonymisation.months_after(date(2026, 6, 30), 24) == date(2028, 6, 30)
    assert anonymisation.months_after(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert anonymisation.months_after(date(2026, 11, 15), 3) == date(2027, 2, 15)


def _keep_for(months: int) -> None:
    """Set the organisation's retention period, as an admin does on the settings page."""
    admin = make_user(email="dpo@example.org", is_admin=True)
    organisation.update_settings(admin, name="", support_resources="", retention_months=months, now=NOW)


def test_the_dry_run_lists_only_expired_closed_programmes_and_changes_nothing(app, programmes, runner):
    old, *_ = programmes
    assert [e.programme.name for e in anonymisation.expired(date(2029, 3, 1), 24)] == ["Old"]
    assert anonymisation.expired(date(2028, 6, 30), 24) == []
    _keep_for(1)  # the command uses today's date: Old ended in June 2026
    result = runner.invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0 and "Would anonymise Old" in result.output and "1 participant" in result.output
    assert "Recent" not in result.output and "Still running" not in result.output
    assert db.session.get(Programme, old.id).anonymised_at is None


def test_the_job_anonymises_only_expired_programmes_and_keeps_the_aggregates(app, programmes):
    old, recent, running, old_member, recent_member, running_member = (x.id for x in programmes)
    _keep_for(24)
    entry = next(j for j in jobs.JOBS if j.id == "retention-schedule")
    assert jobs.run_job(entry, NOW) == 1
    assert jobs.run_job(entry, NOW) == 0
    old_member = db.session.get(Membership, old_member)
    assert old_member.user.display_name == "Anonymised participant" and not old_member.user.is_enabled
    assert old_member.team is None
    # The person's other programme and account are untouched; so are the lead and other programmes.
    assert db.session.get(Membership, recent_member).user.email == "both@example.org"
    assert db.session.get(Membership, running_member).user.display_name == "Ru Running"
    assert {m.user.display_name for m in db.session.get(Programme, old).memberships if m.role == "lead"} == {"Lee Lead"}
    assert db.session.scalar(select(ActivityLog.private_note)) == ""
    assert db.session.scalar(select(func.count(Goal.id))) == 0
    assert db.session.scalar(select(func.count(OutcomeScore.id))) == 1
    assert db.session.get(Programme, old).anonymised_at is not None
    assert db.session.get(Programme, recent).anonymised_at is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "programme.anonymised"))
    assert event.detail["participants"] == 1 and audit_trail.verify()[1] == []


def test_the_setting_decides_how_long_data_is_kept(app, programmes):
    _keep_for(120)
    entry = next(j for j in jobs.JOBS if j.id == "retention-schedule")
    assert jobs.run_job(entry, NOW) == 0
