"""Activity summaries, by assignment and by module: kept in step with the logs by every write,
and equal to a rebuild from raw rows."""
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from tests.factories import make_assignment, make_log, make_member, make_programme, make_user
from trainer.extensions import db
from trainer.models import ActivityLog, ActivityModuleSummary, ActivitySummary
from trainer.services.participation import activity_logs, activity_summaries
from trainer.services.privacy import erasure
from trainer.services.participation.activity_logs import LogEntry


def _summaries() -> set[tuple]:
    return {(s.membership_id, s.assignment_id, s.entries, s.done, s.minutes, s.last_done_on)
            for s in db.session.scalars(select(ActivitySummary))}


def _by_module() -> set[tuple]:
    return {(s.membership_id, s.module_id, s.done, s.minutes, s.last_done_on)
            for s in db.session.scalars(select(ActivityModuleSummary))}


def _by_module_from_logs() -> set[tuple]:
    """The summaries by module, worked out in Python from the raw logs: per membership and
    module, the assignments with an entry done, all entries' minutes and the latest day."""
    cells: dict[tuple, dict] = {}
    for log in db.session.scalars(select(ActivityLog)):
        cell = cells.setdefault((log.membership_id, log.assignment.activity.module_id),
                                {"done": set(), "minutes": 0, "last": log.done_on})
        if log.status == "done":
            cell["done"].add(log.assignment_id)
        cell["minutes"] += log.minutes or 0
        cell["last"] = max(cell["last"], log.done_on)
    return {(mid, module_id, len(c["done"]), c["minutes"], c["last"]) for (mid, module_id), c in cells.items()}


def _entry(status="done", done_on=date(2026, 9, 20), minutes=10):
    return LogEntry(status=status, done_on=done_on, minutes=minutes,
                    values={"practice": "Body scan", "practice_minutes": str(minutes)})


@pytest.fixture
def setup(app, modules):
    programme = make_programme()
    me, other = make_member(programme), make_member(programme)
    first, second = (make_assignment(programme, a) for a in modules["mindfulness"].activities[:2])
    db.session.commit()
    return me, other, first, second


def test_each_write_updates_the_summary_in_its_own_transaction(setup):
    me, other, first, _ = setup
    today = date(2026, 9, 25)
    log = activity_logs.log_activity(me, first, _entry(status="started", minutes=5), today=today)
    assert _summaries() == {(me.id, first.id, 1, 0, 5, date(2026, 9, 20))}
    activity_logs.log_activity(me, first, _entry(done_on=date(2026, 9, 22), minutes=20), today=today)
    assert _summaries() == {(me.id, first.id, 2, 1, 25, date(2026, 9, 22))}
    activity_logs.update_log(me, log, _entry(done_on=date(2026, 9, 24), minutes=15), today=today)
    assert _summaries() == {(me.id, first.id, 2, 2, 35, date(2026, 9, 24))}
    activity_logs.delete_log(me, log)
    assert _summaries() == {(me.id, first.id, 1, 1, 20, date(2026, 9, 22))}
    module_id = first.activity.module_id
    assert _by_module() == {(me.id, module_id, 1, 20, date(2026, 9, 22))}
    db.session.rollback()  # nothing was left uncommitted: the committed summary is the same
    assert _summaries() == {(me.id, first.id, 1, 1, 20, date(2026, 9, 22))}
    assert _by_module() == {(me.id, module_id, 1, 20, date(2026, 9, 22))}


def test_rebuilt_equals_incremental(setup):
    me, other, first, second = setup
    today = date(2026, 9, 30)
    kept = activity_logs.log_activity(me, first, _entry(minutes=10), today=today)
    activity_logs.log_activity(me, second, _entry(status="started", minutes=None), today=today)
    gone = activity_logs.log_activity(other, second, _entry(status="started", done_on=date(2026, 9, 12)),
                                      today=today)
    activity_logs.log_activity(other, first, _entry(done_on=date(2026, 9, 28), minutes=45), today=today)
    make_log(second, other, done_on=date(2026, 9, 29), minutes=None)
    activity_logs.update_log(me, kept, _entry(status="started", minutes=30), today=today)
    activity_logs.delete_log(other, gone)
    db.session.commit()
    incremental, by_module = _summaries(), _by_module()
    assert len(incremental) == 4
    assert by_module == _by_module_from_logs() and len(by_module) == 2
    assert activity_summaries.rebuild() == 4
    assert _summaries() == incremental
    assert _by_module() == by_module


def test_erasing_a_person_removes_their_summaries(setup, app):
    me, other, first, _ = setup
    today = date(2026, 9, 25)
    activity_logs.log_activity(me, first, _entry(), today=today)
    activity_logs.log_activity(other, first, _entry(), today=today)
    admin = make_user(name="Admin", is_admin=True)
    db.session.commit()
    erasure.erase(admin, me.user_id)
    assert {s[0] for s in _summaries()} == {other.id}
    assert {s[0] for s in _by_module()} == {other.id}
    activity_summaries.rebuild()
    assert {s[0] for s in _summaries()} == {other.id}
    assert {s[0] for s in _by_module()} == {other.id}


def test_any_flush_of_logs_keeps_the_summary_in_step_and_a_rollback_undoes_both(setup):
    me, other, first, _ = setup
    make_log(first, me, done_on=date(2026, 9, 21), minutes=12)
    assert _summaries() == {(me.id, first.id, 1, 1, 12, date(2026, 9, 21))}
    assert _by_module() == {(me.id, first.activity.module_id, 1, 12, date(2026, 9, 21))}
    db.session.rollback()
    assert _summaries() == set()
    assert _by_module() == set()


def test_the_rebuild_command_restores_summaries_after_a_bulk_load(setup, runner):
    me, other, first, second = setup
    make_log(first, me, minutes=10)
    make_log(second, other, status="started", minutes=None)
    db.session.commit()
    incremental, by_module = _summaries(), _by_module()
    # A bulk load or a restore writes logs without the session: their summaries are missing.
    db.session.execute(delete(ActivitySummary))
    db.session.execute(delete(ActivityModuleSummary))
    db.session.commit()
    result = runner.invoke(args=["summaries", "rebuild"])
    assert result.exit_code == 0 and "2 rows" in result.output
    db.session.expire_all()
    assert _summaries() == incremental
    assert _by_module() == by_module and by_module


def test_summaries_by_module_follow_random_writes_across_modules(app, modules):
    """Random logs, changes and deletions by several people across activities of three modules
    (and another programme's assignment of the same activity), each flushed and some committed:
    after every write, the summaries by module equal what the raw logs say, and a rebuild gives
    the same."""
    rng = random.Random(20261201)
    programme, elsewhere = make_programme(), make_programme(name="Elsewhere")
    people = [make_member(programme) for _ in range(3)] + [make_member(elsewhere)]
    activities = [a for key in ("mindfulness", "peer-support", "goal-setting")
                  for a in modules[key].activities[:2]]
    assignments = [make_assignment(programme, a) for a in activities]
    foreign = make_assignment(elsewhere, activities[0])
    db.session.commit()
    logs, today = [], date(2026, 9, 30)
    for step in range(60):
        roll = rng.random()
        status, minutes = rng.choice(["started", "done"]), rng.choice([None, rng.randrange(60)])
        done_on = today - timedelta(days=rng.randrange(20))
        if logs and roll < 0.2:
            db.session.delete(logs.pop(rng.randrange(len(logs))))
            db.session.flush()
        elif logs and roll < 0.4:
            log = rng.choice(logs)
            log.status, log.minutes, log.done_on = status, minutes, done_on
            db.session.flush()
        else:
            person = rng.choice(people)
            assignment = foreign if person.programme_id == elsewhere.id else rng.choice(assignments)
            logs.append(make_log(assignment, person, status=status, done_on=done_on, minutes=minutes))
        if step % 5 == 0:
            db.session.commit()
        assert _by_module() == _by_module_from_logs()
    db.session.commit()
    assert len({module_id for _, module_id, *_ in _by_module()}) == 3
    incremental = _by_module()
    activity_summaries.rebuild()
    assert _by_module() == incremental
