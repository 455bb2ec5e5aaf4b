"""The cohort: enrolment, CSV import checks, randomisation from a seed, the waitlist offer."""
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.factories import UNALLOCATED, make_member, make_programme, make_user
from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import Membership, OutboxMessage, Randomisation, User
from trainer.services.scheduling import cohort

NOW = datetime(2026, 8, 1, 9, tzinfo=timezone.utc)
GOOD = """name,email,arm,team
Ada Lovelace,ada@example.org,intervention,North
Ben Brown,BEN@example.org,comparison,
Cat Clark,cat@example.org,Intervention,South
"""


@pytest.fixture
def setup(app):
    programme = make_programme(status="draft")
    lead = make_member(programme, "lead")
    return programme, lead


def _participants(programme):
    return db.session.scalar(select(func.count(Membership.id)).where(
        Membership.programme_id == programme.id, Membership.role == "participant"))


def test_a_clean_file_enrols_everyone_with_invite_links(setup):
    programme, lead = setup
    enrolled = cohort.import_cohort(lead.user, programme, GOOD, base_url="http://x", now=NOW)
    assert [(m.user.email, m.arm, m.team) for m, _ in enrolled] == [
        ("ada@example.org", "intervention", "North"), ("ben@example.org", "comparison", None),
        ("cat@example.org", "intervention", "South")]
    assert all(link.startswith("http://x/set-password/") for _, link in enrolled)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 3


def test_a_bad_file_lists_every_bad_row_and_imports_nothing(setup):
    programme, lead = setup
    make_member(programme, user=make_user("already@example.org"))
    text = ("name,email,arm,locality\n"
            "Ada,ada@example.org,intervention,North\n"
            "Bad Email,not-an-address,intervention,\n"
            "Odd Arm,odd@example.org,control,\n"
            "Ada Again,ADA@example.org,comparison,\n"
            "Been Here,already@example.org,comparison,\n"
            ",blank@example.org,comparison,\n")
    with pytest.raises(cohort.CohortImportError) as exc:
        cohort.import_cohort(lead.user, programme, text, base_url="http://x", now=NOW)
    problems = dict(exc.value.problems)
    assert sorted(problems) == [3, 4, 5, 6, 7]
    assert "not a valid email" in problems[3]
    assert "arm 'control' is unknown" in problems[4]
    assert "also on line 2" in problems[5]
    assert "already enrolled" in problems[6]
    assert "name is blank" in problems[7]
    assert _participants(programme) == 1
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "ada@example.org")) == 0


def test_a_file_without_the_needed_columns_is_refused(setup):
    programme, _ = setup
    check = cohort.check_import(programme, "full name,mail\nA,a@example.org\n")
    assert check.problems[0][0] == 1 and "missing: name, email" in check.problems[0][1]
    assert cohort.check_import(programme, "name,email,arm\n").problems[0][1].startswith("The file has no")


def test_enrolling_one_participant_and_refusing_a_second_enrolment(setup):
    programme, lead = setup
    membership, link = cohort.enrol_participant(lead.user, programme, name="Dee", email="dee@example.org",
                                                arm="comparison", team="East", base_url="http://x", now=NOW)
    assert membership.arm == "comparison" and re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", membership.code) and link
    with pytest.raises(RuleViolation, match="already enrolled"):
        cohort.enrol_participant(lead.user, programme, name="Dee", email="dee@example.org",
                                 arm="comparison", team="", base_url="http://x", now=NOW)
    with pytest.raises(RuleViolation) as exc:
        cohort.enrol_participant(lead.user, programme, name="E", email="e@example.org", arm="x",
                                 team="", base_url="http://x", now=NOW)
    assert exc.value.field == "arm"


def test_an_import_may_leave_the_arm_blank_for_those_to_be_randomised(setup):
    programme, lead = setup
    text = "name,email,arm,team\nAda,ada@example.org,,North\nBen,ben@example.org,comparison,\n"
    enrolled = cohort.import_cohort(lead.user, programme, text, base_url="http://x", now=NOW)
    assert [m.arm for m, _ in enrolled] == [None, "comparison"]
    no_arm_column = cohort.check_import(programme, "name,email\nCy,cy@example.org\n")
    assert not no_arm_column.problems and no_arm_column.rows[0].arm is None


def test_randomising_stratifies_by_team_and_records_algorithm_version_seed_and_list(setup):
    programme, lead = setup
    members = ([make_member(programme, arm=UNALLOCATED, team="North") for _ in range(6)]
               + [make_member(programme, arm=UNALLOCATED, team="South") for _ in range(4)])
    record = cohort.randomise(lead.user, programme, cohort.Selection("unallocated"), seed="abc")
    stored = db.session.get(Randomisation, record.id)
    assert (stored.seed, stored.method, stored.method_version) == ("abc", "stratified-permuted-blocks", "1")
    assert [line["membership_id"] for line in stored.sequence] == [int(k) for k in stored.allocation]
    assert {line["stratum"] for line in stored.sequence} == {"North", "South"}
    assert all(m.arm in ("intervention", "comparison") for m in members)
    names = cohort.allocation_list(stored)
    assert len(names) == 10 and names[0][0] == next(m for m in members if m.id == stored.sequence[0]["membership_id"]).user.display_name
    again = cohort.randomise(lead.user, programme, cohort.Selection("all"), seed="abc")
    assert again.allocation == record.allocation
    generated = cohort.randomise(lead.user, programme, cohort.Selection("teams", teams=("South",)))
    assert len(generated.seed) == 16 and len(generated.allocation) == 4


def test_randomising_only_the_chosen_or_unallocated_people(setup):
    programme, lead = setup
    allocated = make_member(programme, arm="comparison")
    waiting = [make_member(programme, arm=UNALLOCATED) for _ in range(3)]
    record = cohort.randomise(lead.user, programme, cohort.Selection("unallocated"), seed="x")
    assert sorted(map(int, record.allocation)) == sorted(m.id for m in waiting)
    assert allocated.arm == "comparison"
    chosen = cohort.randomise(lead.user, programme,
                              cohort.Selection("chosen", membership_ids=(allocated.id, waiting[0].id)))
    assert sorted(map(int, chosen.allocation)) == sorted([allocated.id, waiting[0].id])


def test_randomising_needs_two_people_and_a_programme_not_yet_running(setup):
    programme, lead = setup
    member = make_member(programme)
    with pytest.raises(RuleViolation, match="at least two"):
        cohort.randomise(lead.user, programme, cohort.Selection(membership_ids=(member.id,)))
    programme.status = "running"
    with pytest.raises(RuleViolation, match="before training starts"):
        cohort.randomise(lead.user, programme, cohort.Selection("all"))


def test_the_comparison_arm_is_offered_a_later_programme_in_one_step(setup):
    programme, lead = setup
    waiting = [make_member(programme, arm="comparison", team="North") for _ in range(3)]
    make_member(programme, arm="intervention")
    later = make_programme("Later", status="draft")
    with pytest.raises(RuleViolation, match="once this evaluation is closed"):
        cohort.offer_waitlist(lead.user, programme, later)
    programme.status = "closed"
    assert cohort.offer_waitlist(lead.user, programme, later) == 3
    assert cohort.offer_waitlist(lead.user, programme, later) == 0
    enrolled = db.session.scalars(select(Membership).where(Membership.programme_id == later.id)).all()
    assert sorted(m.user_id for m in enrolled) == sorted(m.user_id for m in waiting)
    assert {m.arm for m in enrolled} == {"intervention"}
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "waitlist")) == 3


def test_a_programme_cannot_be_scheduled_while_someone_waits_for_an_arm(setup):
    from datetime import date

    from trainer.services.scheduling import programmes
    programme, _ = setup
    make_member(programme, arm=UNALLOCATED)
    problems = programmes.status_problems(programme, "scheduled", today=date(2026, 8, 1))
    assert "Randomise each participant who has no arm yet (1 participant)." in problems


def test_one_participant_may_be_enrolled_to_be_randomised_only_before_training(setup):
    programme, lead = setup
    membership, _ = cohort.enrol_participant(lead.user, programme, name="Fay", email="fay@example.org",
                                             arm=None, team="", base_url="http://x", now=NOW)
    assert membership.arm is None
    programme.status = "running"
    with pytest.raises(RuleViolation, match="Training has started") as exc:
        cohort.enrol_participant(lead.user, programme, name="Gus", email="gus@example.org",
                                 arm=None, team="", base_url="http://x", now=NOW)
    assert exc.value.field == "arm"


def test_the_randomise_form_suggests_the_unallocated_until_everyone_has_an_arm(app):
    programme = make_programme()
    allocated, waiting = make_member(programme), make_member(programme, arm=UNALLOCATED)
    assert cohort.suggested_scope([allocated, waiting]) == "unallocated"
    assert cohort.suggested_scope([allocated]) == "all"
