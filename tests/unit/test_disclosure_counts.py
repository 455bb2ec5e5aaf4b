"""Disclosure decided from counts (for statistics counted in SQL): the same answers as from the
respondents themselves."""
import random

import pytest
from sqlalchemy import literal, select

from tests.factories import make_member, make_programme
from trainer.extensions import db
from trainer.services.privacy import disclosure


@pytest.fixture
def partitioned(app):
    """Teams of 7, 5, 3 and 2 people, and 2 people without a team: the 3 and the 2 merge."""
    programme = make_programme("Teams")
    members = {}
    for team, size in (("North", 7), ("South", 5), ("West", 3), ("East", 2), (None, 2), ("", 1)):
        members[team] = [make_member(programme, team=team).id for _ in range(size)]
    make_member(programme, "lead", team="North")
    make_member(programme, arm="comparison", team="South")
    db.session.flush()
    return disclosure.team_partition(programme), members


def test_each_team_maps_to_the_part_holding_its_participants(partitioned):
    partition, members = partitioned
    for team, ids in members.items():
        assert {partition.part_of(mid) for mid in ids} == {partition.part_of_team(team)}
    assert partition.part_of_team("Nowhere") is None


@pytest.mark.parametrize("seed", range(20))
def test_a_breakdown_from_counts_per_part_shows_what_the_respondents_would(partitioned, seed):
    partition, members = partitioned
    rng = random.Random(seed)
    everyone = [mid for ids in members.values() for mid in ids]
    respondents = set(rng.sample(everyone, rng.randint(0, len(everyone))))
    counts = {}
    for mid in respondents:
        part = partition.part_of(mid)
        counts[part] = counts.get(part, 0) + 1
    assert (disclosure.shown_in_breakdown_of_counts(partition, counts)
            == disclosure.shown_in_breakdown(partition, respondents))


@pytest.mark.parametrize("seed", range(25))
def test_the_parts_counted_per_team_are_the_partition_of_the_members(app, seed):
    """team_parts (teams' sizes counted in SQL) gives exactly team_partition's parts, labels,
    order and each team's part, on random teams: big, small, merged, none at all, "" and None."""
    rng = random.Random(seed)
    programme = make_programme(f"Random {seed}")
    names = ["North", "South", "West", "East", "Duty", "", None][:rng.randint(1, 7)]
    for _ in range(rng.randint(0, 40)):
        make_member(programme, team=rng.choice(names))
    make_member(programme, "lead", team="North")
    make_member(programme, arm="comparison", team=rng.choice(names))
    db.session.flush()
    partition, parts = disclosure.team_partition(programme), disclosure.team_parts(programme)
    assert list(parts.labels.items()) == list(partition.labels.items()) == partition.choices()
    assert list(partition.labels) == list(partition.parts)
    assert parts.teams == partition.teams
    assert parts.choices() == partition.choices()
    for team in names + ["Nowhere"]:
        assert parts.part_of_team(team) == partition.part_of_team(team)


def test_the_sql_condition_shows_a_group_exactly_when_group_shown_does(app):
    for n in range(0, 12):
        shown = db.session.scalar(select(disclosure.group_shown_sql(literal(n))))
        assert bool(shown) == disclosure.group_shown(n)
