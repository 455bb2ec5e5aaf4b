"""Peer groups: pairs or triads within the intervention arm; meetings with private notes."""
import random
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from tests.factories import make_member, make_programme, make_user
from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import PeerGroupMember
from trainer.services.participation import peers


@pytest.mark.parametrize("n, size, shape", [
    (4, 2, [2, 2]), (5, 2, [2, 3]), (6, 3, [3, 3]), (7, 3, [3, 2, 2]), (8, 3, [3, 3, 2]),
    (1, 2, []), (0, 3, []), (3, 2, [3]),
])
def test_split_never_leaves_anyone_alone(n, size, shape):
    groups = peers.split(list(range(n)), size)
    assert [len(g) for g in groups] == shape
    assert sorted(x for g in groups for x in g) == (list(range(n)) if shape else [])


@pytest.fixture
def cohort(app):
    programme = make_programme()
    people = [make_member(programme) for _ in range(5)]
    make_member(programme, arm="comparison")
    return programme, people


def test_shuffle_groups_the_intervention_arm_only(cohort):
    programme, people = cohort
    formed = peers.shuffle_groups(make_user(), programme, 2, rng=random.Random(1))
    assert formed == 2
    overview = peers.overview(programme)
    grouped = {m.membership_id for g in overview.groups for m in g.members}
    assert grouped == {p.id for p in people}
    assert overview.ungrouped == []


def test_manual_groups_take_two_or_three_free_participants(cohort):
    programme, people = cohort
    lead = make_user()
    with pytest.raises(RuleViolation):
        peers.form_group(lead, programme, [people[0].id])
    peers.form_group(lead, programme, [people[0].id, people[1].id])
    with pytest.raises(RuleViolation):
        peers.form_group(lead, programme, [people[1].id, people[2].id])
    comparison = [m for m in programme.memberships if m.arm == "comparison"][0]
    with pytest.raises(RuleViolation):
        peers.form_group(lead, programme, [people[3].id, comparison.id])


def test_one_group_per_participant_is_a_database_rule(cohort):
    programme, people = cohort
    group = peers.form_group(make_user(), programme, [people[0].id, people[1].id])
    db.session.add(PeerGroupMember(group=group, programme_id=programme.id, membership_id=people[0].id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_peers_see_the_shared_line_but_not_the_private_note(cohort):
    programme, people = cohort
    peers.form_group(make_user(), programme, [people[0].id, people[1].id])
    peers.log_meeting(people[0], date(2026, 9, 20), 30, "Saying no to extra cases", "I felt weak",
                      today=date(2026, 9, 21))
    mine = peers.meetings_seen_by(people[0])
    theirs = peers.meetings_seen_by(people[1])
    assert mine[0][1] == "I felt weak"
    assert theirs[0][0].agenda == "Saying no to extra cases" and theirs[0][1] is None
    assert peers.meetings_seen_by(people[2]) == []


def test_meeting_rules(cohort):
    programme, people = cohort
    with pytest.raises(RuleViolation):
        peers.log_meeting(people[0], date(2026, 9, 20), 30, "x", "", today=date(2026, 9, 21))
    peers.form_group(make_user(), programme, [people[0].id, people[1].id])
    with pytest.raises(RuleViolation) as exc:
        peers.log_meeting(people[0], date(2026, 9, 22), 30, "x", "", today=date(2026, 9, 21))
    assert exc.value.field == "met_on"
    with pytest.raises(RuleViolation) as exc:
        peers.log_meeting(people[0], date(2026, 9, 20), 30, " ", "", today=date(2026, 9, 21))
    assert exc.value.field == "agenda"


def test_a_group_with_meetings_cannot_be_dissolved(cohort):
    programme, people = cohort
    lead = make_user()
    empty = peers.form_group(lead, programme, [people[2].id, people[3].id])
    used = peers.form_group(lead, programme, [people[0].id, people[1].id])
    peers.log_meeting(people[0], date(2026, 9, 20), 30, "Agenda", "", today=date(2026, 9, 21))
    with pytest.raises(RuleViolation):
        peers.dissolve_group(lead, programme, used.id)
    peers.dissolve_group(lead, programme, empty.id)
    with pytest.raises(NotFound):
        peers.dissolve_group(lead, make_programme(), used.id)


def _meeting(cohort):
    programme, people = cohort
    peers.form_group(make_user(), programme, [people[0].id, people[1].id])
    return peers.log_meeting(people[0], date(2026, 9, 20), 30, "Saying no", "I felt weak",
                             today=date(2026, 9, 21))


def test_the_author_changes_a_meeting_and_peers_see_the_new_shared_line(cohort):
    _, people = cohort
    meeting = _meeting(cohort)
    own = peers.get_own_meeting(people[0], meeting.id)
    peers.update_meeting(people[0], own, date(2026, 9, 19), 45, " Saying no, again ", " Stronger now ",
                         today=date(2026, 9, 21))
    seen_by_peer = peers.meetings_seen_by(people[1])
    assert [(m.met_on, m.minutes, m.agenda, note) for m, note in seen_by_peer] == [
        (date(2026, 9, 19), 45, "Saying no, again", None)]
    assert peers.meetings_seen_by(people[0])[0][1] == "Stronger now"


def test_changing_a_meeting_keeps_the_meeting_rules(cohort):
    _, people = cohort
    meeting = _meeting(cohort)
    with pytest.raises(RuleViolation) as exc:
        peers.update_meeting(people[0], meeting, date(2026, 9, 22), 30, "x", "", today=date(2026, 9, 21))
    assert exc.value.field == "met_on"
    with pytest.raises(RuleViolation) as exc:
        peers.update_meeting(people[0], meeting, date(2026, 9, 20), 30, "  ", "", today=date(2026, 9, 21))
    assert exc.value.field == "agenda"
    with pytest.raises(RuleViolation) as exc:
        peers.update_meeting(people[0], meeting, date(2026, 9, 20), 601, "x", "", today=date(2026, 9, 21))
    assert exc.value.field == "minutes"
    db.session.refresh(meeting)
    assert (meeting.agenda, meeting.minutes) == ("Saying no", 30)


def test_only_the_author_may_change_or_delete_a_meeting(cohort):
    _, people = cohort
    meeting = _meeting(cohort)
    for other in (people[1], people[2]):
        with pytest.raises(NotFound):
            peers.get_own_meeting(other, meeting.id)
        with pytest.raises(NotFound):
            peers.update_meeting(other, meeting, date(2026, 9, 20), 1, "Hijack", "", today=date(2026, 9, 21))
        with pytest.raises(NotFound):
            peers.delete_meeting(other, meeting)
    with pytest.raises(NotFound):
        peers.get_own_meeting(people[0], meeting.id + 1000)
    assert peers.meetings_seen_by(people[1])[0][0].agenda == "Saying no"


def test_the_author_deletes_a_meeting_for_the_whole_group(cohort):
    _, people = cohort
    meeting = _meeting(cohort)
    peers.delete_meeting(people[0], meeting)
    assert peers.meetings_seen_by(people[0]) == [] and peers.meetings_seen_by(people[1]) == []
