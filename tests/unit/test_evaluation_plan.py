"""The evaluation plan: versions, the lock, deviations and what they changed."""
from datetime import datetime, timezone

import pytest

from tests.factories import make_member, make_outcome_waves, make_programme, make_scores
from trainer.errors import RuleViolation
from trainer.services.outcomes import evaluation_plan

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)
T1 = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)


def _setup():
    programme = make_programme()
    waves = make_outcome_waves(programme, ("scs-sf", "brs"))
    lead = make_member(programme, "lead")
    return programme, waves, lead


def _save(programme, user, *, now=T0, reason="", **kw):
    fields = dict(primary_outcome="scs-sf/total", secondary_outcomes=["brs/total"], timepoint="post",
                  analysis=evaluation_plan.DEFAULT_ANALYSIS, alpha=0.05,
                  missing_data=evaluation_plan.DEFAULT_MISSING)
    fields.update(kw)
    return evaluation_plan.save_version(programme, user, reason=reason, now=now, **fields)


def test_versions_before_the_lock_are_not_deviations(app):
    programme, _, lead = _setup()
    _save(programme, lead.user)
    second = _save(programme, lead.user, alpha=0.01)
    view = evaluation_plan.plan_for(programme)
    assert (second.number, second.deviation, view.current.alpha) == (2, False, 0.01)
    assert view.deviations == [] and not view.locked


def test_lock_records_the_time_and_that_no_post_training_answers_existed(app):
    programme, _, lead = _setup()
    _save(programme, lead.user)
    plan = evaluation_plan.lock(programme, lead.user, now=T1)
    assert plan.locked_at == T1 and plan.locked_by_id == lead.user.id
    assert plan.locked_before_post_data is True
    with pytest.raises(RuleViolation, match="already locked"):
        evaluation_plan.lock(programme, lead.user, now=T1)


def test_lock_after_post_training_answers_says_so(app):
    programme, waves, lead = _setup()
    make_scores(make_member(programme), waves["post"], "scs-sf", {"total": 3.0})
    _save(programme, lead.user)
    assert evaluation_plan.lock(programme, lead.user, now=T1).locked_before_post_data is False


def test_lock_needs_a_plan(app):
    programme, _, lead = _setup()
    with pytest.raises(RuleViolation, match="Write the plan"):
        evaluation_plan.lock(programme, lead.user, now=T1)


def test_edits_after_the_lock_are_deviations_with_reason_and_what_changed(app):
    programme, _, lead = _setup()
    evaluator = make_member(programme, "evaluator")
    _save(programme, lead.user)
    evaluation_plan.lock(programme, lead.user, now=T1)
    with pytest.raises(RuleViolation) as exc:
        _save(programme, evaluator.user, primary_outcome="brs/total", secondary_outcomes=[])
    assert exc.value.field == "reason"
    _save(programme, evaluator.user, primary_outcome="brs/total", secondary_outcomes=["scs-sf/total"],
          reason="The SCS-SF licence was withdrawn")
    view = evaluation_plan.plan_for(programme)
    [(version, changed)] = view.deviations
    assert version.created_by_id == evaluator.user.id and version.reason == "The SCS-SF licence was withdrawn"
    assert [c.label for c in changed] == ["Primary outcome", "Secondary outcomes"]
    assert changed[0].before == "Self-Compassion Scale, short form: Self-compassion"
    assert changed[0].after == "Brief Resilience Scale: Resilience"
    assert view.current.primary_outcome == "brs/total" and view.locked


@pytest.mark.parametrize(("kw", "field"), [
    ({"primary_outcome": "ghq12/total"}, "primary_outcome"),
    ({"secondary_outcomes": ["scs-sf/total"]}, "secondary_outcomes"),
    ({"secondary_outcomes": ["nope/x"]}, "secondary_outcomes"),
    ({"alpha": 0.0}, "alpha"), ({"alpha": 0.5}, "alpha"), ({"timepoint": "baseline"}, "timepoint")])
def test_bad_plans_are_refused_on_their_field(app, kw, field):
    programme, _, lead = _setup()
    with pytest.raises(RuleViolation) as exc:
        _save(programme, lead.user, **kw)
    assert exc.value.field == field
    assert evaluation_plan.plan_for(programme).current is None


def test_a_version_that_changes_nothing_is_refused(app):
    programme, _, lead = _setup()
    _save(programme, lead.user)
    with pytest.raises(RuleViolation, match="Nothing"):
        _save(programme, lead.user)


def test_lock_counts_only_answers_submitted_by_the_lock_time(app):
    programme, waves, lead = _setup()
    make_scores(make_member(programme), waves["post"], "scs-sf", {"total": 3.0})  # submitted 1 Oct 2026
    _save(programme, lead.user)
    assert evaluation_plan.lock(programme, lead.user, now=T0).locked_before_post_data is True
