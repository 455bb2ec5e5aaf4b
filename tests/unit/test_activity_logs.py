"""Logging activities: each field kind validated against its spec; only one's own entries."""
from datetime import date

import pytest

from tests.factories import make_assignment, make_member, make_programme, make_user
from trainer.errors import NotFound, PermissionDenied, RuleViolation
from trainer.extensions import db
from trainer.models import ActivityLog
from trainer.services.participation import activity_logs
from trainer.services.participation.activity_logs import (InvalidValues, LogEntry, check_value,
                                                          clean_values)

TEXT = {"name": "t", "label": "Emotions", "kind": "text", "required": False, "max_length": 10}
LONG = {"name": "l", "label": "Situation", "kind": "long_text", "required": True, "max_length": 4000}
NUMBER = {"name": "n", "label": "Minutes", "kind": "number", "required": True, "min": 1, "max": 120}
SCALE = {"name": "s", "label": "Calm", "kind": "scale", "required": False, "min": 0, "max": 10,
         "min_label": "No", "max_label": "Yes"}
CHOICE = {"name": "c", "label": "Practice", "kind": "choice", "required": True,
          "choices": ["Body scan", "Other"]}
DATE = {"name": "d", "label": "Review date", "kind": "date", "required": False}


@pytest.mark.parametrize("spec, raw, expected", [
    (TEXT, "  anxious ", "anxious"), (TEXT, "", None), (LONG, "x" * 4000, "x" * 4000),
    (NUMBER, "1", 1), (NUMBER, "120", 120), (NUMBER, "7.5", 7.5),
    (SCALE, "0", 0), (SCALE, "10", 10), (SCALE, None, None),
    (CHOICE, "Body scan", "Body scan"), (DATE, "2026-03-27", "2026-03-27"), (DATE, "", None),
])
def test_good_values_are_cleaned(spec, raw, expected):
    assert check_value(spec, raw) == (expected, None)


def test_a_missing_answer_keeps_the_labels_capitals_or_quotes_a_sentence():
    plan = {"name": "p", "label": "When I notice my early signs, I will...", "kind": "long_text",
            "required": True}
    smart = {"name": "s", "label": "SMART goal", "kind": "text", "required": True}
    assert check_value(plan, "")[1] == 'Enter your answer to "When I notice my early signs, I will..."'
    assert check_value(smart, "")[1] == "Enter SMART goal"
    assert check_value(dict(smart, label="What your goal is"), "")[1] == "Enter what your goal is"


@pytest.mark.parametrize("spec, raw, message", [
    (TEXT, "x" * 11, "Emotions must be 10 characters or fewer"),
    (LONG, "   ", "Enter situation"),
    (LONG, "x" * 4001, "4000 characters or fewer"),
    (NUMBER, "", "Enter minutes"),
    (NUMBER, "ten", "must be a number"),
    (NUMBER, "0", "between 1 and 120"),
    (NUMBER, "121", "between 1 and 120"),
    (NUMBER, "nan", "must be a number"),
    (SCALE, "11", "between 0 and 10"),
    (SCALE, "2.5", "whole number from 0 to 10"),
    (CHOICE, "Yoga", "Choose one of the options"),
    (CHOICE, "", "Choose an answer"),
    (DATE, "2026-02-30", "real date"),
    (DATE, "27/03/2026", "real date"),
])
def test_bad_values_get_a_clear_message(spec, raw, message):
    value, error = check_value(spec, raw)
    assert value is None and message in error


def test_a_started_entry_may_leave_required_fields_empty_but_not_break_rules():
    assert clean_values([NUMBER, CHOICE], {}, partial=True) == {}
    with pytest.raises(InvalidValues):
        clean_values([NUMBER], {"n": "500"}, partial=True)
    with pytest.raises(InvalidValues):
        clean_values([NUMBER], {})


def test_clean_values_reports_every_bad_field_and_drops_empty_optionals():
    with pytest.raises(InvalidValues) as exc:
        clean_values([NUMBER, CHOICE, TEXT], {"n": "500", "c": "Nope"})
    assert set(exc.value.errors) == {"n", "c"}
    assert clean_values([NUMBER, TEXT], {"n": "5", "t": ""}) == {"n": 5}


@pytest.fixture
def setup(app, modules):
    programme = make_programme()
    me = make_member(programme)
    other = make_member(programme)
    assignment = make_assignment(programme, modules["mindfulness"].activities[0])
    return programme, me, other, assignment


def _entry(**kw):
    values = {"practice": "Body scan", "practice_minutes": "10"}
    base = dict(status="done", done_on=date(2026, 9, 20), minutes=10, values=values,
                private_note="Only mine")
    base.update(kw)
    return LogEntry(**base)


def test_log_stores_clean_values_and_note(setup):
    _, me, _, assignment = setup
    log = activity_logs.log_activity(me, assignment, _entry(), today=date(2026, 9, 21))
    stored = db.session.get(ActivityLog, log.id)
    assert stored.values == {"practice": "Body scan", "practice_minutes": 10}
    assert stored.private_note == "Only mine"


@pytest.mark.parametrize("kw, field", [
    ({"done_on": date(2026, 9, 22)}, "done_on"), ({"minutes": -1}, "minutes"),
    ({"status": "maybe"}, "status"), ({"values": {"practice": "Yoga"}}, "practice"),
])
def test_bad_entries_are_refused(setup, kw, field):
    _, me, _, assignment = setup
    with pytest.raises(RuleViolation) as exc:
        activity_logs.log_activity(me, assignment, _entry(**kw), today=date(2026, 9, 21))
    assert exc.value.field == field


def test_an_activity_can_be_logged_more_than_once(setup):
    _, me, _, assignment = setup
    for day in (18, 19, 20):
        activity_logs.log_activity(me, assignment, _entry(done_on=date(2026, 9, day)),
                                   today=date(2026, 9, 21))
    assert [l.done_on.day for l in activity_logs.history(me, assignment)] == [20, 19, 18]


def test_only_the_author_may_see_edit_or_delete_an_entry(setup):
    _, me, other, assignment = setup
    log = activity_logs.log_activity(me, assignment, _entry(), today=date(2026, 9, 21))
    with pytest.raises(NotFound):
        activity_logs.get_own_log(other, log.id)
    with pytest.raises(NotFound):
        activity_logs.update_log(other, log, _entry(minutes=1), today=date(2026, 9, 21))
    with pytest.raises(NotFound):
        activity_logs.delete_log(other, log)
    activity_logs.update_log(me, log, _entry(minutes=25, status="started"), today=date(2026, 9, 21))
    assert db.session.get(ActivityLog, log.id).minutes == 25
    activity_logs.delete_log(me, log)
    assert db.session.get(ActivityLog, log.id) is None


def test_an_assignment_of_another_programme_is_not_found(setup, modules):
    _, me, _, _ = setup
    elsewhere = make_assignment(make_programme(), modules["mindfulness"].activities[0])
    with pytest.raises(NotFound):
        activity_logs.get_assignment_for(me, elsewhere.id)
    with pytest.raises(NotFound):
        activity_logs.log_activity(me, elsewhere, _entry(), today=date(2026, 9, 21))


def test_work_shows_due_soon_overdue_and_done(setup, modules):
    programme, me, _, assignment = setup
    later = make_assignment(programme, modules["mindfulness"].activities[1], due_on=date(2026, 9, 25))
    activity_logs.log_activity(me, later, _entry(values={}, status="started"), today=date(2026, 9, 21))
    work = activity_logs.work_for(me, date(2026, 9, 28))
    items = {i.assignment.id: i for w in work for i in w.items}
    assert items[assignment.id].due_soon and not items[assignment.id].overdue
    assert items[later.id].overdue and items[later.id].state == "started"
    assert work[0].done == 0


def test_comparison_participants_and_staff_cannot_log(setup):
    programme, *_ = setup
    comparison = make_member(programme, arm="comparison")
    with pytest.raises(PermissionDenied):
        activity_logs.require_intervention_participant(comparison.user, programme.id)
    trainer = make_member(programme, "trainer")
    with pytest.raises(PermissionDenied):
        activity_logs.require_intervention_participant(trainer.user, programme.id)
    with pytest.raises(PermissionDenied):
        activity_logs.require_intervention_participant(make_user(is_admin=True), programme.id)


def test_blank_minutes_spent_counts_the_activitys_own_minutes_field(setup):
    _, me, _, assignment = setup
    log = activity_logs.log_activity(me, assignment, _entry(minutes=None), today=date(2026, 9, 21))
    assert log.minutes == 10, "practice_minutes (unit: minutes) counts when Minutes spent is blank"
    entered = activity_logs.log_activity(me, assignment, _entry(minutes=25), today=date(2026, 9, 21))
    assert entered.minutes == 25, "what the participant entered as Minutes spent wins"
    activity_logs.update_log(me, log, _entry(minutes=None, values={"practice": "Body scan",
                                                                   "practice_minutes": "40"}),
                             today=date(2026, 9, 21))
    assert log.minutes == 40


def test_blank_minutes_stay_blank_when_the_activity_asks_for_none(app, modules):
    programme = make_programme()
    me = make_member(programme)
    record = next(a for a in modules["cognitive-behavioural"].activities if a.key == "thought-record")
    assignment = make_assignment(programme, record)
    values = {"situation": "A hard visit", "automatic_thought": "I failed",
              "balanced_thought": "I did what I could"}
    log = activity_logs.log_activity(me, assignment, LogEntry(
        status="done", done_on=date(2026, 9, 20), minutes=None, values=values), today=date(2026, 9, 21))
    assert log.minutes is None
