"""The cohort progress table: counts, sorting, filtering, and what it must never contain."""
from datetime import date

import pytest

from tests.factories import make_assignment, make_goal, make_log, make_member, make_programme, make_user
from trainer.services.participation import progress


@pytest.fixture
def cohort(app, modules):
    programme = make_programme()
    ann = make_member(programme, user=make_user(name="Ann"), team="North")
    bob = make_member(programme, user=make_user(name="Bob"), team="South")
    make_member(programme, arm="comparison")
    mind = [make_assignment(programme, a) for a in modules["mindfulness"].activities[:2]]
    cbt = make_assignment(programme, modules["cognitive-behavioural"].activities[0])
    make_log(mind[0], ann, done_on=date(2026, 9, 20), minutes=10)
    make_log(mind[0], ann, done_on=date(2026, 9, 22), minutes=20)
    make_log(cbt, ann, status="started", done_on=date(2026, 9, 23), minutes=5)
    make_log(mind[1], bob, done_on=date(2026, 9, 10), minutes=30)
    make_goal(ann, "Ann's secret goal", reviews=[(date(2026, 9, 1), 30)])
    make_goal(bob, "Bob's shared goal", shared=True)
    return programme, ann, bob, modules


def test_counts_per_participant_and_module(cohort):
    programme, ann, bob, modules = cohort
    table = progress.cohort(programme)
    rows = {r.membership.id: r for r in table.rows}
    assert len(rows) == 2
    a = rows[ann.id]
    assert (a.done, a.assigned, a.minutes, a.last_logged) == (1, 3, 35, date(2026, 9, 23))
    assert a.done_by_module == {modules["mindfulness"].id: 1}
    assert (a.goals_set, a.goals_reviewed) == (1, 1)
    assert (rows[bob.id].goals_set, rows[bob.id].goals_reviewed) == (1, 0)
    assert table.assigned_by_module == {modules["mindfulness"].id: 2,
                                        modules["cognitive-behavioural"].id: 1}


def test_sort_and_filter(cohort):
    programme, ann, bob, _ = cohort
    assert [r.membership.id for r in progress.cohort(programme, sort="minutes", descending=True).rows] \
        == [ann.id, bob.id]
    assert [r.membership.id for r in progress.cohort(programme, sort="last_logged").rows] == [bob.id, ann.id]
    assert [r.membership.id for r in progress.cohort(programme, team="South").rows] == [bob.id]
    assert progress.cohort(programme).teams == ["North", "South"]
    assert len(progress.cohort(programme, behind_only=True).rows) == 2


def test_only_shared_goals_show_their_text(cohort):
    programme, *_ = cohort
    shared = progress.shared_goals(programme)
    assert [g.what for g in shared] == ["Bob's shared goal"]
