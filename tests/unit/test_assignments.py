"""Assignments: the due-date rule, bulk assignment, and due/overdue reminders."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.factories import (make_assignment, make_day, make_log, make_member, make_programme,
                             make_session, make_user)
from trainer import jobs
from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import Assignment, OutboxMessage
from trainer.services.participation import assignments


@pytest.fixture
def three_days(app, modules):
    programme = make_programme()
    days = [make_day(programme, d) for d in (date(2026, 9, 10), date(2026, 10, 8), date(2026, 11, 5))]
    make_session(days[0], modules["peer-support"])
    make_session(days[1], modules["mindfulness"])
    make_session(days[2], modules["critical-reflection"])
    return programme, days


def test_default_due_date_is_the_next_training_day(three_days, modules):
    programme, _ = three_days
    assert assignments.default_due_on(programme, modules["peer-support"]) == date(2026, 10, 8)
    assert assignments.default_due_on(programme, modules["mindfulness"]) == date(2026, 11, 5)


def test_default_due_date_is_two_weeks_after_the_last_day(three_days, modules):
    programme, _ = three_days
    assert assignments.default_due_on(programme, modules["critical-reflection"]) == date(2026, 11, 19)


def test_cancelled_days_do_not_count(three_days, modules):
    programme, days = three_days
    days[1].cancelled = True
    assert assignments.default_due_on(programme, modules["peer-support"]) == date(2026, 11, 5)
    assert assignments.default_due_on(programme, modules["mindfulness"]) is None


def test_an_unscheduled_module_has_no_default(three_days, modules):
    programme, _ = three_days
    assert assignments.default_due_on(programme, modules["goal-setting"]) is None
    with pytest.raises(RuleViolation) as exc:
        assignments.assign_module(make_user(), programme, modules["goal-setting"].id, None)
    assert exc.value.field == "due_on"


def test_bulk_assign_adds_each_activity_once_with_the_default_due_date(three_days, modules):
    programme, _ = three_days
    lead = make_user()
    module = modules["mindfulness"]
    added = assignments.assign_module(lead, programme, module.id, None)
    assert added == len([a for a in module.activities if not a.retired]) >= 2
    assert assignments.assign_module(lead, programme, module.id, None) == 0
    dues = set(db.session.scalars(select(Assignment.due_on)))
    assert dues == {date(2026, 11, 5)}


def test_a_due_date_given_overrides_the_default_and_can_be_edited(three_days, modules):
    programme, _ = three_days
    lead = make_user()
    assignments.assign_module(lead, programme, modules["goal-setting"].id, date(2026, 12, 1))
    assignment = db.session.scalars(select(Assignment)).first()
    assert assignment.due_on == date(2026, 12, 1)
    assignments.set_due_on(lead, assignment, date(2026, 12, 3))
    assert db.session.get(Assignment, assignment.id).due_on == date(2026, 12, 3)


def test_an_assignment_with_logs_cannot_be_withdrawn(three_days, modules):
    programme, _ = three_days
    member = make_member(programme)
    assignment = make_assignment(programme, modules["mindfulness"].activities[0])
    make_log(assignment, member)
    with pytest.raises(RuleViolation):
        assignments.unassign(make_user(), assignment)
    empty = make_assignment(programme, modules["mindfulness"].activities[1])
    assignments.unassign(make_user(), empty)
    assert db.session.get(Assignment, empty.id) is None


def _outbox(kind: str) -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == kind))


def _run(now: datetime) -> None:
    entry = next(j for j in jobs.JOBS if j.id == "assignment-reminders")
    jobs.run_job(entry, now)


@pytest.fixture
def reminder_setup(app, modules):
    programme = make_programme(status="running")
    doer = make_member(programme)
    idler = make_member(programme)
    comparison = make_member(programme, arm="comparison")
    assignment = make_assignment(programme, modules["mindfulness"].activities[0],
                                 due_on=date(2026, 10, 10))
    make_log(assignment, doer, status="done")
    return programme, doer, idler, comparison, assignment


def test_due_soon_reminder_goes_once_to_who_has_not_done_it(reminder_setup):
    _, _, idler, _, _ = reminder_setup
    idler_user_id = idler.user_id
    db.session.commit()
    now = datetime(2026, 10, 8, 7, 0, tzinfo=timezone.utc)
    _run(now)
    _run(now)
    messages = list(db.session.scalars(select(OutboxMessage)))
    assert [(m.kind, m.user_id) for m in messages] == [("assignment_due", idler_user_id)]


def test_no_reminder_more_than_two_days_ahead(reminder_setup):
    db.session.commit()
    _run(datetime(2026, 10, 7, 7, 0, tzinfo=timezone.utc))
    assert _outbox("assignment_due") == 0


def test_overdue_reminder_goes_once(reminder_setup):
    db.session.commit()
    _run(datetime(2026, 10, 11, 7, 0, tzinfo=timezone.utc))
    _run(datetime(2026, 10, 12, 7, 0, tzinfo=timezone.utc))
    assert _outbox("assignment_overdue") == 1
    assert _outbox("assignment_due") == 0


def test_a_started_entry_is_not_done(reminder_setup):
    _, _, idler, _, assignment = reminder_setup
    make_log(assignment, idler, status="started")
    db.session.commit()
    _run(datetime(2026, 10, 9, 7, 0, tzinfo=timezone.utc))
    assert _outbox("assignment_due") == 1


def test_no_stale_overdue_reminder_weeks_later(reminder_setup):
    db.session.commit()
    _run(datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc))
    assert _outbox("assignment_overdue") == 0
