"""Attendance: apologies before a day, marks on or after it, totals, and the lead told once."""
import random
from datetime import date, time

import pytest
from sqlalchemy import func, select

from tests.factories import make_day, make_mark, make_member, make_programme, make_session
from trainer.errors import PermissionDenied, RuleViolation
from trainer.extensions import db
from trainer.models import OutboxMessage, SessionAttendance
from trainer.services.scheduling import attendance

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
    assert who.user.email in messages[0].body and who.code not in messages[0].body


def test_late_counts_as_attended_and_absent_or_excused_as_missed(course):
    programme, *_, people, _, days = course
    for day in days:
        for person, status in zip(people, ("late", "absent", "excused")):
            make_mark(day, person, status)
    mindfulness = days[0].sessions[0].module_id
    assert attendance.module_attendance(programme)[mindfulness] == {
        people[0].id: True, people[1].id: False, people[2].id: False}
    assert attendance.days_attended(programme) == {people[0].id: 3, people[1].id: 0, people[2].id: 0}


def test_a_sessions_own_mark_overrides_the_days(course):
    programme, *_, people, _, days = course
    morning, afternoon = days[0].sessions
    make_mark(days[0], people[0], "present")
    make_mark(days[0], people[0], "absent", session=afternoon)
    make_mark(days[0], people[1], "absent")
    make_mark(days[0], people[1], "late", session=morning)
    for day in days[1:]:
        make_mark(day, people[0], "absent")
        make_mark(day, people[1], "absent")
    result = attendance.module_attendance(programme)
    assert result[morning.module_id] == {people[0].id: True, people[1].id: True}
    assert result[afternoon.module_id] == {people[0].id: False, people[1].id: False}
    # Someone marked absent for the day who came to one session attended that day.
    assert attendance.days_attended(programme)[people[1].id] == 1


def test_a_module_in_two_sessions_counts_as_attended_if_either_was(course, modules):
    programme, *_, people, _, days = course
    for day in days[:2]:
        make_mark(day, people[0], "absent")
        make_mark(day, people[1], "absent")
    make_mark(days[1], people[0], "present", session=days[1].sessions[0])
    mindfulness = modules["mindfulness"].id
    result = attendance.module_attendance(programme)[mindfulness]
    # Day 3 also runs mindfulness and is not marked yet: only a known attendance counts.
    assert result == {people[0].id: True}
    make_mark(days[2], people[1], "absent")
    assert attendance.module_attendance(programme)[mindfulness] == {people[0].id: True,
                                                                    people[1].id: False}


def test_cancelled_days_do_not_count(course, modules):
    programme, *_, people, _, days = course
    extra = make_day(programme, date(2026, 12, 1))
    make_session(extra, modules["peer-support"])
    make_mark(days[0], people[0], "present")
    make_mark(extra, people[0], "present")
    extra.cancelled = True
    db.session.flush()
    assert modules["peer-support"].id not in attendance.module_attendance(programme)
    assert attendance.days_attended(programme)[people[0].id] == 1
    assert [day for day, _ in attendance.day_attendance(programme)] == days


def test_the_comparison_arm_is_not_counted(course):
    programme, *_, people, comparison, days = course
    assert comparison.id not in attendance.days_attended(programme)
    assert all(known == {} for _, known in attendance.day_attendance(programme))


def test_leavers_are_shown_apart_after_their_leaving_date_and_cannot_be_marked(course):
    programme, lead, trainer, people, _, days = course
    people[0].in_post, people[0].left_on = False, date(2026, 9, 20)
    people[1].in_post = False  # left, date unknown
    db.session.flush()
    first = attendance.register(days[0], today=DAY3)
    assert {r.membership.id for r in first.rows} == {people[0].id, people[2].id}
    assert [r.away for r in first.away] == ["Left their post"]
    second = attendance.register(days[1], today=DAY3)
    assert [r.membership.id for r in second.rows] == [people[2].id]
    assert {r.away for r in second.away} == {"Left on 20 September 2026", "Left their post"}
    with pytest.raises(RuleViolation, match="expected at the day"):
        attendance.record_attendance(trainer.user, days[1], {people[0].id: "absent"}, {}, today=DAY3)
    attendance.record_attendance(trainer.user, days[0], {people[0].id: "present"}, {}, today=DAY3)


def test_a_future_or_cancelled_day_is_closed_with_the_reason(course):
    *_, days = course
    assert "on or after the day" in attendance.register(days[1], today=DAY1).closed
    assert attendance.register(days[0], today=DAY1).closed is None
    days[0].cancelled = True
    assert "cancelled" in attendance.register(days[0], today=DAY3).closed


def test_everyone_present_keeps_marks_made_and_excuses_apologies(course):
    *_, people, _, days = course
    attendance.send_apology(people[1], days[0], "Ill", today=date(2026, 9, 1))
    rows = attendance.register(days[0], today=DAY1).rows
    marks = attendance.everyone_present(rows, {people[2].id: "late"})
    assert marks == {people[0].id: "present", people[1].id: "excused", people[2].id: "late"}


def test_the_register_shows_saved_marks_else_excused_for_apologies(course):
    programme, lead, trainer, people, _, days = course
    attendance.send_apology(people[1], days[0], "Ill", today=date(2026, 9, 1))
    afternoon = days[0].sessions[1]
    attendance.record_attendance(trainer.user, days[0], {people[0].id: "late"},
                                 {(afternoon.id, people[0].id): "absent"}, today=DAY1)
    marks, session_marks = attendance.register(days[0], today=DAY1).marks()
    assert marks == {people[0].id: "late", people[1].id: "excused"}
    assert session_marks == {(afternoon.id, people[0].id): "absent"}


def test_the_summary_does_not_count_a_leaver_as_not_recorded_after_they_left(course):
    programme, lead, trainer, people, _, days = course
    people[0].in_post, people[0].left_on = False, date(2026, 9, 20)
    attendance.record_attendance(trainer.user, days[0], {p.id: "present" for p in people}, {}, today=DAY3)
    attendance.record_attendance(trainer.user, days[1], {people[1].id: "present"}, {}, today=DAY3)
    per_day = dict(attendance.summary(programme).per_day)
    assert per_day[days[0]] == {"present": 3}
    assert per_day[days[1]] == {"present": 1, "not recorded": 1}


def test_the_register_pages_the_expected_by_name_and_keeps_leavers_apart(course):
    programme, lead, trainer, people, _, days = course
    more = [make_member(programme) for _ in range(2)]
    people[0].in_post, people[0].left_on = False, date(2026, 9, 20)
    people[1].in_post = False
    attendance.send_apology(more[1], days[1], "Ill", today=date(2026, 9, 1))
    attendance.record_attendance(trainer.user, days[1], {more[0].id: "late"}, {}, today=DAY3)
    whole = attendance.sheet(days[1])
    expected = [r.membership.id for r in whole if r.away is None]
    first = attendance.register(days[1], today=DAY3, page=1, per_page=2)
    second = attendance.register(days[1], today=DAY3, page=2, per_page=2)
    assert first.page.total == second.page.total == len(expected) == 3
    assert [r.membership.id for r in first.rows + second.rows] == expected
    assert {r.away for r in first.away} == {r.away for r in second.away} \
        == {"Left on 20 September 2026", "Left their post"}
    rows = {r.membership.id: r for r in first.rows + second.rows}
    assert rows[more[0].id].status == "late" and rows[more[1].id].apology.reason == "Ill"
    assert first.marks()[0] | second.marks()[0] == {more[0].id: "late", more[1].id: "excused"}



def test_the_register_s_lines_name_each_field_and_show_the_marks_given(course, modules):
    """Each line of the form: the day's radio group day-<id> with the day's mark given, and per
    session (when the day has more than one), in time order, the select s-<session>-<id> with
    the session's mark given; open when a session has a mark of its own. A day with one
    session shows no session choices."""
    programme, lead, trainer, people, _, days = course
    more = [make_member(programme) for _ in range(4)]
    rnd = random.Random(7)
    choices = [None, "", "present", "late", "absent", "excused"]
    register = attendance.register(days[0], today=DAY1)
    sessions = sorted(days[0].sessions, key=lambda s: (s.starts_at, s.id))
    assert [s.id for s in register.sessions] == [s.id for s in sessions]
    for _ in range(20):
        marks = {p.id: m for p in people + more if (m := rnd.choice(choices)) is not None}
        session_marks = {(s.id, p.id): m for s in sessions for p in people + more
                         if (m := rnd.choice(choices)) is not None}
        lines = register.lines(marks, session_marks)
        assert [line.row for line in lines] == register.rows
        for line in lines:
            mid = line.row.membership.id
            assert (line.id, line.field, line.mark) == (mid, f"day-{mid}", marks.get(mid))
            assert [(c.field, c.heading, c.chosen) for c in line.sessions] == [
                (f"s-{s.id}-{mid}", f"{s.starts_at:%H:%M} {s.module.title}", session_marks.get((s.id, mid)))
                for s in sessions]
            assert line.open == any(session_marks.get((s.id, mid)) for s in sessions)
    single = make_day(programme, date(2026, 12, 3))
    make_session(single, modules["mindfulness"], starts=time(9, 30), ends=time(12, 30))
    lines = attendance.register(single, today=date(2026, 12, 3)).lines({}, {})
    assert lines and all(line.sessions == [] and not line.open for line in lines)

def _register(programme) -> dict[int, dict[int, bool]]:
    """attendance.module_register read back as module_attendance answers."""
    result: dict[int, dict[int, bool]] = {}
    for module_id, membership_id, _team, attended in db.session.execute(
            attendance.module_register(programme.id)):
        result.setdefault(module_id, {})[membership_id] = attended == 1
    return result


@pytest.mark.parametrize("seed", range(6))
def test_the_register_in_sql_answers_as_module_attendance(course, modules, seed):
    """Reports count module_register in SQL: it follows module_attendance's rule exactly, with
    session marks overriding the day's, a session marked without its day, unmarked sessions,
    a module run on several days, a cancelled day and marks of someone not expected."""
    import random
    rng = random.Random(seed)
    programme, *_, people, comparison, days = course
    people = people + [make_member(programme, team="North") for _ in range(4)]
    cancelled = make_day(programme, date(2026, 12, 3))
    make_session(cancelled, modules["peer-support"])
    cancelled.cancelled = True
    statuses = (None, "present", "late", "absent", "excused")
    for day in [*days, cancelled]:
        for person in people + [comparison]:
            status = rng.choice(statuses)
            if status:
                make_mark(day, person, status)
            for session in day.sessions:
                own = rng.choice(statuses + (None, None))
                if own:
                    make_mark(day, person, own, session=session)
    db.session.flush()
    expected = {module_id: known for module_id, known in attendance.module_attendance(programme).items()
                if known}
    assert _register(programme) == expected


def test_the_register_matches_the_sheet_on_every_page_and_past_the_end(course):
    programme, lead, trainer, people, _, days = course
    people += [make_member(programme) for _ in range(3)]
    people[0].in_post, people[0].left_on = False, date(2026, 9, 20)
    attendance.send_apology(people[3], days[1], "Ill", today=date(2026, 9, 1))
    attendance.send_apology(people[4], days[1], "", today=date(2026, 9, 1))
    afternoon = days[1].sessions[1]
    attendance.record_attendance(trainer.user, days[0], {people[0].id: "absent"}, {}, today=DAY3)
    attendance.record_attendance(trainer.user, days[1], {people[2].id: "late", people[5].id: "present"},
                                 {(afternoon.id, people[5].id): "absent"}, today=DAY3)
    for day in days[:2]:
        # The sheet's rows carry entities, the register's what it shows of them.
        whole = [(r.membership.id, r.membership.user.display_name, r.apology and r.apology.reason, r.status,
                  r.session_status, r.away) for r in attendance.sheet(day)]

        def seen(rows):
            return [(r.membership.id, r.membership.name, r.apology and r.apology.reason, r.status,
                     r.session_status, r.away) for r in rows]
        expected = [r for r in whole if r[-1] is None]
        pages = [attendance.register(day, today=DAY3, page=n, per_page=2) for n in range(0, 5)]
        assert seen(pages[0].rows) == seen(pages[1].rows) == expected[:2]
        assert seen(pages[2].rows) == expected[2:4]
        assert seen(pages[3].rows) == seen(pages[4].rows) == expected[4:]  # past the end: the last page
        assert [p.page.page for p in pages] == [1, 1, 2, 3, 3]
        assert {p.page.total for p in pages} == {len(expected)}
        for page in pages:
            assert seen(page.away) == [r for r in whole if r[-1] is not None]
            assert [(s.id, s.starts_at, s.title) for s in page.sessions] \
                == [(s.id, s.starts_at, s.module.title) for s in day.sessions]


@pytest.mark.parametrize("seed", range(3))
def test_the_register_s_page_taken_by_limit_and_offset_equals_the_sheet_paged_by_name(course, seed):
    """The register counts the expected and takes a page of them by name with LIMIT and OFFSET
    (the start clamped to the last page in SQL). On random cohorts (shared and differing names,
    people who left before, on or after the day or left their post with no date, apologies,
    marks, the comparison arm and another programme's participants beside them), every page,
    before the first and past the last, is the sheet's expected rows paged as listing.paginate
    pages them, and the others all come apart, by name, on every page."""
    from tests.factories import make_user
    from trainer.services.system import listing

    rng = random.Random(seed)
    programme, _lead, _trainer, people, _comparison, days = course
    day = days[1]
    names = ["Ada", "Ben", "ada", "Cy", "Ben", "Zoe", "Émile"]
    people += [make_member(programme, user=make_user(name=rng.choice(names) + rng.choice(["", " Smith", " Jones"])))
               for _ in range(rng.randint(0, 25))]
    people += [make_member(programme, arm="comparison") for _ in range(3)]
    other = make_programme()
    make_member(other)
    for person in people:
        draw = rng.random()
        if draw < .15:
            person.in_post, person.left_on = False, rng.choice([date(2026, 9, 20), DAY2, date(2026, 10, 20)])
        elif draw < .2:
            person.in_post = False
        if person.arm == "intervention" and rng.random() < .3:
            attendance.send_apology(person, day, rng.choice(["", "Ill", "<b>Court</b>"]), today=date(2026, 9, 1))
        if person.arm == "intervention" and rng.random() < .4:
            make_mark(day, person, rng.choice(["present", "late", "absent", "excused"]))
    db.session.flush()

    def seen(rows):
        return [(r.membership.id, r.membership.name if hasattr(r.membership, "name") else
                 r.membership.user.display_name, r.apology and r.apology.reason, r.status, r.away) for r in rows]
    whole = seen(attendance.sheet(day))
    expected = [r for r in whole if r[-1] is None]
    away = [r for r in whole if r[-1] is not None]
    for per_page in (1, 2, 3, 50):
        for number in range(0, len(expected) // per_page + 3):
            register = attendance.register(day, today=DAY3, page=number, per_page=per_page)
            reference = listing.paginate(expected, page=number, per_page=per_page)
            assert seen(register.rows) == reference.items
            assert (register.page.total, register.page.page) == (reference.total, reference.page)
            assert seen(register.away) == away


def _reference_counts(programme) -> tuple[dict, set]:
    """module_register's rows counted per (module, team) as [attended, missed], and the rows of
    those who missed a module."""
    counts, missed = {}, set()
    for module_id, membership_id, team, attended in db.session.execute(attendance.module_register(programme.id)):
        counts.setdefault((module_id, team), [0, 0])[0 if attended == 1 else 1] += 1
        if attended == 0:
            missed.add((module_id, membership_id, team))
    return counts, missed


@pytest.mark.parametrize("seed", range(12))
def test_the_register_counted_without_a_row_per_participant_adds_up_to_the_register(app, modules, seed):
    """module_register_tally's counts (day marks counted per day and team, corrected by
    sessions' own marks; modules held more than once per participant) add up to
    module_register's counts per module and team, and its missed rows are exactly those with
    attended 0: modules held
    once, twice on one day or on several days, cancelled days, sessions' own marks with and
    without a day mark, unmarked participants, teams (and none), other roles and the
    comparison arm."""
    rng = random.Random(seed)
    programme = make_programme(start=date(2026, 9, 1), end=date(2026, 12, 31), status="running")
    make_member(programme, "lead")
    people = [make_member(programme, team=rng.choice((None, "", "North", "South", "East")))
              for _ in range(rng.randint(0, 12))]
    others = [make_member(programme, arm="comparison"), make_member(programme, "trainer")]
    keys = sorted(modules)
    days = []
    for i in range(rng.randint(1, 5)):
        day = make_day(programme, date(2026, 9, 10 + i))
        for j in range(rng.randint(0, 3)):
            make_session(day, modules[rng.choice(keys[:5])], starts=time(9 + 2 * j), ends=time(10 + 2 * j))
        day.cancelled = rng.random() < 0.2
        days.append(day)
    db.session.flush()
    statuses = (None, "present", "late", "absent", "excused")
    for day in days:
        for person in people + others:
            status = rng.choice(statuses + ("present",))
            if status:
                make_mark(day, person, status)
            for session in day.sessions:
                own = rng.choice(statuses + (None,) * 4)
                if own:
                    make_mark(day, person, own, session=session)
    db.session.flush()
    counts, missed = _reference_counts(programme)
    added: dict = {}
    tally, missed_rows = attendance.module_register_tally(programme.id)
    for select_ in tally:
        for module_id, team, attended, missed_ in db.session.execute(select_):
            total = added.setdefault((module_id, team), [0, 0])
            total[0] += attended
            total[1] += missed_
    assert {k: v for k, v in added.items() if v != [0, 0]} == counts
    assert sorted(db.session.execute(select(missed_rows)).all()) == sorted(missed)
