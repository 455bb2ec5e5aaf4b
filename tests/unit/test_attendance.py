"""Attendance: apologies before a day, marks on or after it, totals, and the lead told once."""
from datetime import date, time

import pytest
from sqlalchemy import func, select

from tests.factories import make_day, make_member, make_programme, make_session
from trainer.errors import PermissionDenied, RuleViolation
from trainer.extensions import db
from trainer.models import OutboxMessage, SessionAttendance
from trainer.services import attendance

DAY1, DAY2, DAY3 = date(2026, 9, 10), date(2026, 10, 8), date(2026, 11, 5)


@pytest.fixture
def course(app, modules):
    programme = make_programme(start=date(2026, 9, 1), end=date(2026, 12, 31), status="running")
    lead = make_member(programme, "lead")
    trainer = make_member(programme, "trainer")
    people = [make_member(programme) for _ in range(3)]
    comparison = make_member(programme, arm="comparison")
    days = []
    for d in (DAY1, DAY2, DAY3):
        day = make_day(programme, d)
        make_session(day, modules["mindfulness"], starts=time(9, 30), ends=time(12, 30))
        make_session(day, modules["goal-setting"], starts=time(13, 30), ends=time(16, 30))
        days.append(day)
    return programme, lead, trainer, people, comparison, days


def test_a_participant_sends_and_withdraws_apologies_before_the_day(course):
    *_, people, comparison, days = course
    apology = attendance.send_apology(people[0], days[0], " Court hearing ", today=date(2026, 9, 9))
    assert apology.reason == "Court hearing"
    attendance.send_apology(people[0], days[0], "Court", today=date(2026, 9, 9))
    assert attendance.apology_for(people[0], days[0]).reason == "Court"
    attendance.withdraw_apology(people[0], days[0], today=date(2026, 9, 9))
    assert attendance.apology_for(people[0], days[0]) is None


def test_apologies_are_too_late_on_the_day_and_not_for_the_comparison_arm(course):
    *_, people, comparison, days = course
    with pytest.raises(RuleViolation, match="before the day"):
        attendance.send_apology(people[0], days[0], "", today=DAY1)
    with pytest.raises(PermissionDenied):
        attendance.send_apology(comparison, days[0], "", today=date(2026, 9, 1))


def test_the_sheet_lists_expected_participants_with_apologies(course):
    *_, people, comparison, days = course
    attendance.send_apology(people[1], days[0], "Ill", today=date(2026, 9, 1))
    rows = attendance.sheet(days[0])
    assert {r.membership.id for r in rows} == {p.id for p in people}
    assert [r.apology.reason for r in rows if r.apology] == ["Ill"]


def test_attendance_cannot_be_taken_before_the_day(course):
    programme, lead, trainer, people, _, days = course
    with pytest.raises(RuleViolation, match="on or after the day"):
        attendance.record_attendance(trainer.user, days[0], {people[0].id: "present"}, {}, today=date(2026, 9, 9))


def test_marks_per_day_and_per_session_are_saved_and_updated(course):
    programme, lead, trainer, people, _, days = course
    morning, afternoon = days[0].sessions
    marks = {people[0].id: "present", people[1].id: "late", people[2].id: "absent"}
    attendance.record_attendance(trainer.user, days[0], marks,
                                 {(afternoon.id, people[1].id): "absent",
                                  (morning.id, people[0].id): "present"}, today=DAY1)
    rows = {r.membership.id: r for r in attendance.sheet(days[0])}
    assert rows[people[1].id].status == "late"
    assert rows[people[1].id].session_status == {afternoon.id: "absent"}
    assert rows[people[0].id].session_status == {}  # same as the day: not stored
    attendance.record_attendance(trainer.user, days[0], {people[1].id: "present"},
                                 {(afternoon.id, people[1].id): ""}, today=DAY1)
    assert db.session.scalar(select(func.count(SessionAttendance.id))) == 0
    summary = attendance.summary(programme)
    assert summary.per_day[0][1] == {"present": 2, "absent": 1}
    assert summary.per_day[1][1] == {"not recorded": 3}
    assert dict(summary.per_module)["Mindfulness and relaxation"]["present"] == 2


def test_unknown_statuses_and_outsiders_are_refused(course):
    programme, lead, trainer, people, comparison, days = course
    with pytest.raises(RuleViolation):
        attendance.record_attendance(trainer.user, days[0], {people[0].id: "asleep"}, {}, today=DAY1)
    with pytest.raises(RuleViolation):
        attendance.record_attendance(trainer.user, days[0], {comparison.id: "present"}, {}, today=DAY1)


def test_the_lead_is_told_once_when_someone_has_missed_two_days(course):
    programme, lead, trainer, people, _, days = course
    who = people[0]
    attendance.record_attendance(trainer.user, days[0], {who.id: "absent"}, {}, today=DAY3)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    for _ in range(2):
        attendance.record_attendance(trainer.user, days[1], {who.id: "excused"}, {}, today=DAY3)
    attendance.record_attendance(trainer.user, days[2], {who.id: "absent"}, {}, today=DAY3)
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.kind, m.to_address) for m in messages] == [("missed-two", lead.user.email)]
    assert who.code in messages[0].body
