"""Outcome waves, answering and scoring, invitations for both arms, the safety net."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.factories import make_day, make_member, make_outcome_waves, make_programme
from trainer import jobs
from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import OutboxMessage, OutcomeResponse
from trainer.services.outcomes import outcomes

NOW = datetime(2026, 9, 10, 9, 0, tzinfo=timezone.utc)  # inside the baseline wave


def test_default_waves_run_from_enrolment_to_first_day_then_eight_weeks_and_six_months(app):
    programme = make_programme()
    make_day(programme, date(2026, 10, 1))
    make_day(programme, date(2026, 11, 26))
    dates = {d.kind: d for d in outcomes.default_wave_dates(programme, date(2026, 9, 3))}
    assert (dates["baseline"].opens_on, dates["baseline"].closes_on) == (date(2026, 9, 3), date(2026, 10, 1))
    assert dates["post"].opens_on == date(2027, 1, 21)
    assert dates["follow-up"].opens_on == date(2027, 5, 27)
    assert dates["post"].closes_on == date(2027, 2, 18)


def test_set_up_form_offers_what_the_lead_saved_else_the_suggestions(app):
    programme = make_programme()
    make_day(programme, date(2026, 10, 1))
    keys, dates = outcomes.current_setup(programme, date(2026, 9, 3))
    assert keys == ["scs-sf", "brs", "proqol5"]
    assert dates == outcomes.default_wave_dates(programme, date(2026, 9, 3))
    waves = make_outcome_waves(programme, ("gse",))
    keys, dates = outcomes.current_setup(programme, date(2026, 9, 3))
    assert keys == ["gse"]
    assert [(d.kind, d.opens_on, d.closes_on) for d in dates] == [
        (w.kind, w.opens_on, w.closes_on) for w in waves.values()]


def test_configure_sets_instruments_and_waves_and_rejects_bad_choices(app):
    programme = make_programme()
    waves = make_outcome_waves(programme, ("scs-sf", "proqol5"))
    assert [i.key for i in outcomes.chosen_instruments(programme)] == ["scs-sf", "proqol5"]
    assert set(waves) == {"baseline", "post", "follow-up"}
    with pytest.raises(RuleViolation, match="at least one"):
        outcomes.configure(programme, [], [])
    with pytest.raises(RuleViolation, match="from the list"):
        outcomes.configure(programme, ["nope"], [])
    with pytest.raises(RuleViolation) as exc:
        outcomes.configure(programme, ["brs"], [outcomes.WaveDates("post", date(2027, 1, 2), date(2027, 1, 1))])
    assert exc.value.field == "post_closes"


def test_answers_are_saved_as_you_go_and_scored_with_version_on_submission(app):
    programme = make_programme()
    waves = make_outcome_waves(programme, ("brs",))
    member = make_member(programme, arm="comparison")
    response = outcomes.save_answers(member, waves["baseline"].id, "brs", {1: 4, 2: 2}, submit=False, now=NOW)
    assert response.answers == {"1": 4, "2": 2} and response.submitted_at is None and not response.scores
    outcomes.save_answers(member, waves["baseline"].id, "brs", {3: 4, 4: 2, 5: 4}, submit=False, now=NOW)
    *_, answers, _ = outcomes.open_questionnaire(member, waves["baseline"].id, "brs", NOW.date())
    assert answers == {1: 4, 2: 2, 3: 4, 4: 2, 5: 4}
    response = outcomes.save_answers(member, waves["baseline"].id, "brs", {}, submit=True, now=NOW)
    [score] = response.scores
    assert score.value == 4.0 and score.instrument_version == "BRS 2008"
    assert score.band == "Normal resilience"


def test_answers_outside_the_options_or_waves_not_open_are_refused(app):
    programme = make_programme()
    waves = make_outcome_waves(programme, ("brs",))
    member = make_member(programme)
    with pytest.raises(RuleViolation) as exc:
        outcomes.save_answers(member, waves["baseline"].id, "brs", {2: 9}, submit=False, now=NOW)
    assert exc.value.field == "item_2"
    with pytest.raises(RuleViolation, match="open from"):
        outcomes.save_answers(member, waves["post"].id, "brs", {1: 3}, submit=False, now=NOW)
    with pytest.raises(NotFound):
        outcomes.open_questionnaire(member, waves["baseline"].id, "gse", NOW.date())
    other = make_programme()
    other_waves = make_outcome_waves(other, ("brs",))
    with pytest.raises(NotFound):
        outcomes.open_questionnaire(member, other_waves["baseline"].id, "brs", NOW.date())
    assert db.session.scalar(select(func.count(OutcomeResponse.id))) == 0


def test_licensed_instrument_without_loaded_wording_cannot_be_answered(app):
    programme = make_programme()
    waves = make_outcome_waves(programme, ("wemwbs",))
    member = make_member(programme)
    with pytest.raises(RuleViolation, match="wording has not been loaded"):
        outcomes.open_questionnaire(member, waves["baseline"].id, "wemwbs", NOW.date())


def test_invitations_reach_both_arms_once_and_reminders_only_non_respondents(app):
    programme = make_programme()
    waves = make_outcome_waves(programme, ("brs",))
    a = make_member(programme, arm="intervention")
    b = make_member(programme, arm="comparison")
    make_member(programme, "trainer")
    left = make_member(programme, arm="comparison")
    left.in_post = False
    db.session.commit()
    a_id, a_user, b_user, wave_id, pid = a.id, a.user_id, b.user_id, waves["baseline"].id, programme.id
    for _ in range(2):
        jobs.run_job(next(j for j in jobs.JOBS if j.id == "outcome-invitations"), NOW)
    invites = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "outcome-invitation")))
    assert sorted(m.user_id for m in invites) == sorted([a_user, b_user])
    assert "/programmes/%d/questionnaires" % pid in invites[0].body
    from trainer.models import Membership
    outcomes.save_answers(db.session.get(Membership, a_id), wave_id, "brs",
                          {i: 3 for i in range(1, 7)}, submit=True, now=NOW)
    late = datetime(2026, 9, 25, 9, 0, tzinfo=timezone.utc)
    for _ in range(2):
        jobs.run_job(next(j for j in jobs.JOBS if j.id == "outcome-invitations"), late)
    reminders = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "outcome-reminder")))
    assert [m.user_id for m in reminders] == [b_user]
    assert reminders[0].subject.startswith("Reminder:")


def test_safety_net_lists_support_only_for_a_high_risk_score(app):
    programme = make_programme()
    waves = make_outcome_waves(programme, ("proqol5", "brs"))
    outcomes.save_support_resources(programme, "Employee Assistance Programme\nCall 0800 000 000, any time.\n\n"
                                               "Your supervisor\nAsk for an extra supervision session.")
    member = make_member(programme)
    from trainer.models import InstrumentItemText
    for n in range(1, 31):
        db.session.add(InstrumentItemText(instrument_key="proqol5", number=n, text=f"Item {n}"))
    answers = {i: 5 for i in range(1, 31)}
    outcomes.save_answers(member, waves["baseline"].id, "proqol5", answers, submit=True, now=NOW)
    result = outcomes.result_for(member, waves["baseline"].id, "proqol5")
    assert result.high_risk == ["Secondary traumatic stress"]
    assert [r.title for r in result.resources] == ["Employee Assistance Programme", "Your supervisor"]
    assert result.resources[0].details == "Call 0800 000 000, any time."
    outcomes.save_answers(member, waves["baseline"].id, "brs", {i: 3 for i in range(1, 7)}, submit=True, now=NOW)
    calm = outcomes.result_for(member, waves["baseline"].id, "brs")
    assert calm.high_risk == [] and calm.resources == []


def test_scores_are_shared_with_coaches_only_after_opting_in(app):
    programme = make_programme()
    waves = make_outcome_waves(programme, ("brs",))
    member = make_member(programme)
    outcomes.save_answers(member, waves["baseline"].id, "brs", {i: 3 for i in range(1, 7)}, submit=True, now=NOW)
    assert outcomes.shared_scores(programme) == []
    outcomes.set_sharing(member, True)
    [(m, wave, instrument, score)] = outcomes.shared_scores(programme)
    assert m.id == member.id and instrument.key == "brs" and score.value == 3.0
    outcomes.set_sharing(member, False)
    assert outcomes.shared_scores(programme) == [] and not outcomes.sharing_for(member)


def test_questionnaire_states_follow_dates_and_answers(app):
    programme = make_programme()
    waves = make_outcome_waves(programme, ("brs",))
    member = make_member(programme)
    states = {s.wave.kind: s.state for s in outcomes.questionnaires_for(member, NOW.date())}
    assert states == {"baseline": "to do", "post": "not open yet", "follow-up": "not open yet"}
    outcomes.save_answers(member, waves["baseline"].id, "brs", {1: 2}, submit=False, now=NOW)
    assert outcomes.questionnaires_for(member, NOW.date())[0].state == "started"
    assert outcomes.questionnaires_for(member, date(2026, 10, 5))[0].state == "closed"
