"""Programmes: creating, editing, status changes with their checks, the team, copying a plan."""
from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import select

from tests.factories import make_day, make_member, make_programme, make_session, make_user
from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import Assignment, Membership, OutboxMessage, RatingWave
from trainer.services.scheduling import programmes
from trainer.services.scheduling.programmes import ProgrammeInput

NOW = datetime(2026, 8, 1, 9, tzinfo=timezone.utc)


def _input(**kw):
    values = dict(name="Autumn", organisation="North Council", timezone="Europe/London",
                  start_date=date(2026, 9, 1), end_date=date(2027, 3, 31), description="")
    values.update(kw)
    return ProgrammeInput(**values)


def test_creating_a_programme_makes_a_draft_led_by_its_creator(app):
    user = make_user()
    programme = programmes.create_programme(user, _input())
    assert programme.status == "draft"
    assert [(m.user_id, m.role) for m in programme.memberships] == [(user.id, "lead")]


@pytest.mark.parametrize("kw, field", [({"timezone": "Mars/Base"}, "timezone"),
                                       ({"end_date": date(2026, 8, 1)}, "end_date")])
def test_bad_programme_details_are_refused(app, kw, field):
    with pytest.raises(RuleViolation) as exc:
        programmes.create_programme(make_user(), _input(**kw))
    assert exc.value.field == field


def test_editing_dates_cannot_strand_a_training_day(app):
    programme = make_programme(start=date(2026, 9, 1), end=date(2027, 3, 31))
    make_day(programme, date(2026, 9, 10))
    with pytest.raises(RuleViolation, match="10 September 2026"):
        programmes.update_programme(make_user(), programme, _input(start_date=date(2026, 9, 15)))
    programmes.update_programme(make_user(), programme, _input(name="Renamed"))
    assert programme.name == "Renamed"


@pytest.fixture
def draft(app, modules):
    programme = make_programme(start=date(2026, 9, 1), end=date(2027, 3, 31), status="draft")
    lead = make_member(programme, "lead")
    return programme, lead, modules


def test_scheduling_needs_days_with_sessions_a_cohort_and_a_trainer(draft):
    programme, lead, modules = draft
    problems = programmes.status_problems(programme, "scheduled", today=date(2026, 8, 1))
    assert len(problems) == 3
    day = make_day(programme, date(2026, 9, 10))
    assert any("Add sessions to the day on 10 September 2026" in p
               for p in programmes.status_problems(programme, "scheduled", today=date(2026, 8, 1)))
    make_session(day, modules["mindfulness"])
    make_member(programme, "trainer")
    participant = make_member(programme)
    programmes.change_status(lead.user, programme, "scheduled", today=date(2026, 8, 1))
    assert programme.status == "scheduled"
    plan = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "plan")).all()
    assert [m.to_address for m in plan] == [participant.user.email]


def test_status_moves_follow_the_days(draft):
    programme, lead, modules = draft
    programme.status = "scheduled"
    make_session(make_day(programme, date(2026, 9, 10)), modules["mindfulness"])
    with pytest.raises(RuleViolation, match="first training day"):
        programmes.change_status(lead.user, programme, "running", today=date(2026, 9, 9))
    programmes.change_status(lead.user, programme, "running", today=date(2026, 9, 10))
    with pytest.raises(RuleViolation, match="after the last training day"):
        programmes.change_status(lead.user, programme, "follow-up", today=date(2026, 9, 10))
    programmes.change_status(lead.user, programme, "follow-up", today=date(2026, 9, 11))
    programmes.change_status(lead.user, programme, "closed", today=date(2026, 9, 11))
    with pytest.raises(RuleViolation, match="cannot become"):
        programmes.change_status(lead.user, programme, "draft", today=date(2026, 9, 11))


def test_team_members_are_added_by_email_and_new_people_invited(draft):
    programme, lead, _ = draft
    existing = make_user("known@example.org")
    membership, link = programmes.add_team_member(lead.user, programme, email="Known@example.org",
                                                  name="", role="trainer", base_url="http://x", now=NOW)
    assert membership.user_id == existing.id and link is None
    membership, link = programmes.add_team_member(lead.user, programme, email="new@example.org",
                                                  name="New Trainer", role="trainer",
                                                  base_url="http://x", now=NOW)
    assert link.startswith("http://x/set-password/")
    with pytest.raises(RuleViolation, match="already a trainer"):
        programmes.add_team_member(lead.user, programme, email="new@example.org", name="",
                                   role="trainer", base_url="http://x", now=NOW)


def test_the_last_lead_cannot_be_removed(draft):
    programme, lead, _ = draft
    with pytest.raises(RuleViolation, match="needs a lead"):
        programmes.remove_team_member(lead.user, programme, lead.id)
    trainer = make_member(programme, "trainer")
    programmes.remove_team_member(lead.user, programme, trainer.id)
    assert db.session.get(Membership, trainer.id) is None


def test_copying_a_plan_shifts_days_assignments_and_waves_without_people(draft):
    programme, lead, modules = draft
    trainer = make_member(programme, "trainer")
    make_member(programme)
    day = make_day(programme, date(2026, 9, 10), venue="Hall")
    make_session(day, modules["mindfulness"], trainers=[trainer])
    cancelled = make_day(programme, date(2026, 9, 20))
    cancelled.cancelled = True
    activity = modules["mindfulness"].activities[0]
    db.session.add(Assignment(programme=programme, activity=activity, due_on=date(2026, 9, 24)))
    db.session.add(RatingWave(programme=programme, label="One week", offset_days=7, window_days=14,
                              opens_on=date(2026, 9, 17), closes_on=date(2026, 10, 1)))
    copy = programmes.copy_plan(lead.user, programme, name="Spring", start_date=date(2027, 1, 5))
    shift = date(2027, 1, 5) - date(2026, 9, 1)
    overview = programmes.plan_overview(copy)
    assert [d.day for d in overview.days] == [date(2026, 9, 10) + shift]
    assert [s.trainers for s in overview.days[0].sessions] == [[]]
    assert overview.days[0].venue == "Hall" and copy.status == "draft" and copy.copied_from_id == programme.id
    assert [(m.role, m.user_id) for m in copy.memberships] == [("lead", lead.user_id)]
    assert db.session.scalar(select(Assignment.due_on).where(Assignment.programme_id == copy.id)) == \
        date(2026, 9, 24) + shift
    wave = db.session.scalar(select(RatingWave).where(RatingWave.programme_id == copy.id))
    assert (wave.opens_on, wave.opened_at) == (date(2026, 9, 17) + shift, None)
    assert overview.days[0].starts_at == time(9, 30)


def test_next_steps_wait_for_open_or_coming_waves_before_closing(app, modules):
    from tests.factories import make_outcome_waves, make_wave

    programme = make_programme(start=date(2026, 1, 1), end=date(2027, 6, 30), status="follow-up")
    make_member(programme, "lead")
    make_wave(programme, "One week", opens_on=date(2026, 10, 1), window_days=14)
    make_outcome_waves(programme, baseline=(date(2026, 1, 1), date(2026, 1, 31)),
                       post=(date(2026, 10, 5), date(2026, 10, 30)),
                       follow_up=(date(2027, 3, 1), date(2027, 3, 31)))
    steps = programmes.programme_page(programme, today=date(2026, 10, 10)).next_steps
    assert any("rating wave \u201cOne week\u201d is open until 15 October 2026" in s for s in steps)
    assert any("questionnaire wave" in s and "opens on 1 March 2027" in s for s in steps)
    assert not any("You can now move the programme to closed" in s for s in steps)
    assert programmes.programme_page(programme, today=date(2027, 4, 1)).next_steps == [
        "You can now move the programme to closed."]
