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


@pytest.fixture
def crowd(app, modules):
    """Nine intervention participants with names that tie apart from case, logs of every kind,
    goals with and without reviews and teams, and a comparison participant."""
    programme = make_programme()
    mind = [make_assignment(programme, a) for a in modules["mindfulness"].activities[:2]]
    mind.append(make_assignment(programme, modules["self-knowledge"].activities[0]))
    cbt = make_assignment(programme, modules["cognitive-behavioural"].activities[0])
    names = ["cal", "Ann", "bea", "Cal", "ann", "Dee", "eve", "Fay", "gus"]
    people = [make_member(programme, user=make_user(name=n), team=("North", "South", None)[i % 3])
              for i, n in enumerate(names)]
    make_member(programme, arm="comparison")
    plan = {0: [(mind[0], "done", 1, 10), (mind[1], "done", 3, 5)], 1: [(mind[0], "started", 2, 20)],
            2: [(cbt, "done", 1, 10)], 3: [(mind[0], "done", 3, 5), (mind[1], "done", 1, 10),
                                           (mind[2], "done", 2, 1), (cbt, "started", 4, None)],
            5: [(mind[2], "done", 3, 15), (mind[2], "done", 1, 15)], 7: [(cbt, "done", 2, 10)]}
    for i, logs in plan.items():
        for assignment, status, day, minutes in logs:
            make_log(assignment, people[i], status=status, done_on=date(2026, 9, day), minutes=minutes)
    make_goal(people[1], reviews=[(date(2026, 9, 1), 10), (date(2026, 9, 8), 40)], shared=True)
    make_goal(people[1])
    make_goal(people[4], shared=True)
    make_goal(people[6], reviews=[(date(2026, 9, 2), 20)])
    return programme, people, {people[i].id: logs for i, logs in plan.items()}


def _expected_order(rows, sort, descending):
    """The table's order by the rule: the sort key, then name (any case), then membership id."""
    key = {"name": lambda r: r.membership.name.lower(), "done": lambda r: r.done,
           "minutes": lambda r: r.minutes, "goals": lambda r: (r.goals_set, r.goals_reviewed),
           # "Never" comes before any date.
           "last_logged": lambda r: (r.last_logged is not None, r.last_logged or date.min)}[sort]
    by_name = sorted(rows, key=lambda r: (r.membership.name.lower(), r.membership.id))
    return [r.membership.id for r in sorted(by_name, key=key, reverse=descending)]


def _every_view(whole):
    """Every (sort, descending, team, behind only) the page offers, with the ids of ``whole``'s
    rows that view shows, in its order."""
    for sort in progress.SORTS:
        for descending in (False, True):
            for team in (None, "North"):
                for behind in (False, True):
                    rows = [r for r in whole if (team is None or r.membership.team == team)
                            and (not behind or r.done * 2 < r.assigned)]
                    yield sort, descending, team, behind, _expected_order(rows, sort, descending)


def test_every_order_and_filter_pages_as_the_whole_table_would(crowd, monkeypatch):
    programme, people, _ = crowd
    whole = progress.cohort(programme).rows
    assert len(whole) == 9
    monkeypatch.setattr(progress.listing, "PER_PAGE", 2)
    for sort, descending, team, behind, expected in _every_view(whole):
        pages = [progress.cohort(programme, sort=sort, descending=descending, team=team,
                                 behind_only=behind, page=n) for n in range(1, 7)]
        seen = [r.membership.id for n, p in enumerate(pages, 1) if p.page.page == n
                for r in p.rows]
        assert seen == expected, (sort, descending, team, behind)
        assert {p.page.total for p in pages} == {len(expected)}
        last = pages[-1].page  # past the end: the last page, as listing.paginate does
        assert last.page == max(1, -(-len(expected) // 2))
        assert [r.membership.id for r in pages[-1].rows] == expected[(last.page - 1) * 2:]


def test_row_totals_and_shared_goals_follow_the_logs_and_reviews(crowd, modules):
    programme, people, plan = crowd
    rows = {r.membership.id: r for r in progress.cohort(programme).rows}
    for member in people:
        logs = plan.get(member.id, [])
        done = {a.id for a, status, *_ in logs if status == "done"}
        row = rows[member.id]
        assert row.done == len(done) and row.assigned == 4
        assert row.minutes == sum(m or 0 for *_, m in logs)
        assert row.last_logged == max((date(2026, 9, d) for _, _, d, _ in logs), default=None)
        by_module = {}
        for a, status, *_ in logs:
            if a.id in done and status == "done":
                by_module.setdefault(a.activity.module_id, set()).add(a.id)
        assert row.done_by_module == {m: len(ids) for m, ids in by_module.items()}
    assert [(rows[p.id].goals_set, rows[p.id].goals_reviewed) for p in people] \
        == [(0, 0), (2, 1), (0, 0), (0, 0), (1, 0), (0, 0), (1, 1), (0, 0), (0, 0)]
    shared = progress.shared_goals(programme)
    assert [(g.membership.id, g.membership.name, g.latest_progress) for g in shared] \
        == [(people[1].id, "Ann", 40), (people[4].id, "ann", None)]
    assert progress.shared_goals(programme, [people[4].id])[0].membership.id == people[4].id


def test_module_cells_are_done_over_assigned_in_the_module_columns_order(crowd):
    """The cells the page shows per module are the row's done count and the module's assigned
    count, in the order of the table's module columns."""
    programme, people, _ = crowd
    table = progress.cohort(programme)
    assert [m.id for m in table.modules] == list(table.assigned_by_module)
    for row in table.rows:
        assert row.module_cells == [f"{row.done_by_module.get(m.id, 0)}/{table.assigned_by_module[m.id]}"
                                    for m in table.modules]
    assert any(cell != f"0/{a}" for row in table.rows for cell, a in
               zip(row.module_cells, table.assigned_by_module.values()))


@pytest.mark.parametrize("seed", range(2))
def test_pages_taken_by_limit_and_offset_follow_the_rule_on_random_cohorts(app, modules, monkeypatch, seed):
    """A page is taken with LIMIT and OFFSET after counting the matches (the start clamped to the
    last page in SQL). On random cohorts (names differing only in case, teams, logs, goals,
    another programme's participants), every order and filter pages, on every page from before
    the first to past the last, as the whole table ordered by the rule and paged by
    listing.paginate would be, with the same count."""
    import random

    from trainer.services.system import listing

    rng = random.Random(seed)
    programme, other = make_programme(), make_programme()
    activities = [a for key in ("mindfulness", "cognitive-behavioural") for a in modules[key].activities[:2]]
    assignments = [make_assignment(programme, a) for a in activities]
    make_log(make_assignment(other, activities[0]), make_member(other), done_on=date(2026, 9, 3), minutes=7)
    people = [make_member(programme, user=make_user(name=rng.choice(["ann", "Ann", "bo", "Cy", "cy", "Di"])),
                          team=rng.choice(["North", "South", None]))
              for _ in range(rng.randint(3, 12))]
    make_member(programme, arm="comparison")
    for person in people:
        for assignment in rng.sample(assignments, rng.randint(0, len(assignments))):
            make_log(assignment, person, status=rng.choice(["done", "started"]),
                     done_on=date(2026, 9, rng.randint(1, 28)), minutes=rng.choice([None, 5, 10, 30]))
        for _ in range(rng.randint(0, 2)):
            make_goal(person, reviews=[(date(2026, 9, 1), 10)] if rng.random() < .5 else [])
    whole = progress.cohort(programme).rows
    per_page = rng.randint(1, 4)
    monkeypatch.setattr(progress.listing, "PER_PAGE", per_page)
    for sort, descending, team, behind, expected in _every_view(whole):
        for number in range(0, len(expected) // per_page + 3):
            table = progress.cohort(programme, sort=sort, descending=descending, team=team,
                                    behind_only=behind, page=number)
            reference = listing.paginate(expected, page=number, per_page=per_page)
            assert [r.membership.id for r in table.rows] == reference.items, (sort, descending)
            assert (table.page.total, table.page.page) == (reference.total, reference.page)
