"""The evaluation plan page and the trial analysis on the evaluation page, as leads and evaluators see them."""
import re
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from tests.factories import make_member, make_outcome_waves, make_programme, make_scores, make_user
from trainer import stats
from trainer.extensions import db
from trainer.models import EvaluationPlan, EvaluationPlanVersion

PLAN = {"primary_outcome": "brs/total", "secondary_outcomes": ["proqol5/burnout", "proqol5/compassion-satisfaction"],
        "timepoint": "post", "analysis": "ANCOVA of post on arm and baseline.", "alpha": "0.05",
        "missing_data": "Complete cases; MICE as sensitivity analysis."}


@pytest.fixture
def trial(app):
    """A programme with BRS and ProQOL, 8 and 8 people answering baseline and post (both closed
    by default) and 2 more per arm answering the baseline only; a lead, an evaluator and a trainer."""
    today = date.today()
    programme = make_programme(start=today - timedelta(days=200), end=today + timedelta(days=200))
    waves = make_outcome_waves(programme, ("brs", "proqol5"),
                               baseline=(today - timedelta(days=100), today - timedelta(days=90)),
                               post=(today - timedelta(days=20), today - timedelta(days=10)),
                               follow_up=(today + timedelta(days=100), today + timedelta(days=110)))
    rng = np.random.default_rng(3)
    data = {"intervention": [], "comparison": []}
    for arm, gain in (("intervention", 0.4), ("comparison", 0.0)):
        for i in range(10):
            m = make_member(programme, arm=arm, team="North" if i % 2 else "South")
            pre = float(rng.normal(3, 0.5))
            post = pre + gain + float(rng.normal(0, 0.2)) if i < 8 else None
            make_scores(m, waves["baseline"], "brs", {"total": pre})
            make_scores(m, waves["baseline"], "proqol5", {"burnout": 25 + i, "compassion-satisfaction": 30 - i})
            if post is not None:
                make_scores(m, waves["post"], "brs", {"total": post})
                make_scores(m, waves["post"], "proqol5", {"burnout": 24 + i + (arm == "comparison"),
                                                         "compassion-satisfaction": 31 - i})
            data[arm].append((pre, post))
    make_member(programme, "lead", user=make_user("lead@example.org", name="Lee Lead"))
    make_member(programme, "evaluator", user=make_user("eve@example.org", name="Eve Evaluator"))
    make_member(programme, "trainer", user=make_user("tom@example.org"))
    db.session.commit()
    return programme, waves, data


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _post_plan(client, programme, **changes):
    page = client.get(f"/programmes/{programme.id}/outcomes/plan").get_data(as_text=True)
    token = re.search(r'name="submission_token" value="([^"]+)"', page).group(1)
    return client.post(f"/programmes/{programme.id}/outcomes/plan",
                       data={**PLAN, "submission_token": token, **changes})


def test_lead_writes_locks_and_evaluator_records_a_deviation_shown_on_the_evaluation_page(client, auth, trial):
    programme, _, _ = trial
    auth.login("lead@example.org")
    assert _post_plan(client, programme).status_code == 302
    page = _text(client.get(f"/programmes/{programme.id}/outcomes/plan"))
    assert "Not locked" in page and "Brief Resilience Scale: Resilience" in page
    assert client.post(f"/programmes/{programme.id}/outcomes/plan/lock").status_code == 302
    page = _text(client.get(f"/programmes/{programme.id}/outcomes/plan"))
    assert "Locked on" in page and "after post-training answers already existed" in page
    assert "Record a deviation" in page
    auth.logout()
    auth.login("eve@example.org")
    response = _post_plan(client, programme, secondary_outcomes=["proqol5/burnout"])
    assert response.status_code == 400 and "The plan is locked: say why it changes." in _text(response)
    assert _post_plan(client, programme, secondary_outcomes=["proqol5/burnout"],
                      reason="Compassion satisfaction was dropped from the form").status_code == 302
    page = _text(client.get(f"/programmes/{programme.id}/outcomes/"))
    assert "Deviations from the locked plan" in page
    assert "Why: Compassion satisfaction was dropped from the form" in page
    assert "Secondary outcomes: removed Professional Quality of Life Scale (ProQOL 5): Compassion satisfaction" in page
    assert "by Eve Evaluator" in page


def test_sending_the_plan_form_twice_saves_one_version(client, auth, trial):
    programme, _, _ = trial
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/plan").get_data(as_text=True)
    token = re.search(r'name="submission_token" value="([^"]+)"', page).group(1)
    for _ in range(2):
        assert client.post(f"/programmes/{programme.id}/outcomes/plan",
                           data={**PLAN, "submission_token": token}).status_code == 302
    assert db.session.scalars(select(EvaluationPlanVersion)).all().__len__() == 1


@pytest.mark.parametrize(("changes", "message"), [
    ({"alpha": "x"}, "Significance level"), ({"alpha": "0.5"}, "Enter a level above 0 and at most 0.2"),
    ({"primary_outcome": "ghq12/total"}, "Not a valid choice"),
    ({"secondary_outcomes": ["brs/total"]}, "The primary outcome cannot also be a secondary outcome."),
    ({"analysis": ""}, "Describe the primary analysis")])
def test_bad_plans_re_render_with_the_error_beside_the_field(client, auth, trial, changes, message):
    programme, _, _ = trial
    auth.login("lead@example.org")
    response = _post_plan(client, programme, **changes)
    assert response.status_code == 400 and message in _text(response)
    assert db.session.scalar(select(EvaluationPlan)) is None


@pytest.mark.parametrize(("email", "status"), [("lead@example.org", 200), ("eve@example.org", 200),
                                               ("tom@example.org", 403)])
def test_the_plan_is_for_the_lead_and_the_evaluator(client, auth, trial, email, status):
    programme, _, _ = trial
    auth.login(email)
    assert client.get(f"/programmes/{programme.id}/outcomes/plan").status_code == status
    assert client.post(f"/programmes/{programme.id}/outcomes/plan/lock").status_code in (
        (302,) if status == 200 else (403,))


def test_evaluation_page_shows_planned_outcomes_balance_reliable_change_and_imputation(client, auth, trial):
    programme, waves, data = trial
    auth.login("lead@example.org")
    _post_plan(client, programme)
    page = _text(client.get(f"/programmes/{programme.id}/outcomes/?scale=brs/total"))
    pre = {arm: [p for p, q in data[arm] if q is not None] for arm in data}
    post = {arm: [q for p, q in data[arm] if q is not None] for arm in data}
    ancova = stats.ancova(pre["intervention"] + pre["comparison"], post["intervention"] + post["comparison"],
                          [1] * 8 + [0] * 8)
    g = stats.hedges_g_baseline(pre["intervention"], post["intervention"], pre["comparison"], post["comparison"])
    assert f"Primary Resilience (BRS) 8, 8 {ancova.estimate:.2f} ({ancova.ci_low:.2f} to {ancova.ci_high:.2f})" in page
    assert f"{g.g:.2f} ({g.ci_low:.2f} to {g.ci_high:.2f})" in page
    assert "Hedges' g of change scores" in page
    # Balance: every baseline score by arm, no p-values; team mix as counts.
    base = [p for p, _ in data["intervention"]]
    assert f"Resilience (BRS) 10 {np.mean(base):.2f} {np.std(base, ddof=1):.2f}" in page
    assert "North 5 5" in page and "All 10 10" in page
    # Completers (8) against non-completers (2): the 2 are too few, so neither shows (no subtraction).
    assert page.count("fewer than 5 responses elsewhere could then be worked out by subtraction") == 2
    assert "20 imputations" in page and "seed 20261130" in page and "20 allocated participants, 4 with a score missing" in page
    assert "reliability of 0.80" in page and "Reliably improved" in page
    page = _text(client.get(f"/programmes/{programme.id}/outcomes/?scale=proqol5/compassion-satisfaction"))
    assert "reliability of 0.88" in page


def test_reliable_change_is_not_available_without_a_published_reliability(client, auth, trial, app):
    programme, waves, _ = trial
    from trainer.models import ProgrammeInstrument
    db.session.add(ProgrammeInstrument(programme_id=programme.id, instrument_key="ghq12", position=5))
    db.session.commit()
    auth.login("eve@example.org")
    page = _text(client.get(f"/programmes/{programme.id}/outcomes/?scale=ghq12/total"))
    assert "Reliable change is not available for this scale" in page


def test_lead_sees_no_planned_statistics_while_the_wave_is_open_but_the_evaluator_does(client, auth, trial):
    programme, waves, _ = trial
    waves["post"].closes_on = date.today() + timedelta(days=3)
    db.session.commit()
    auth.login("lead@example.org")
    _post_plan(client, programme)
    page = _text(client.get(f"/programmes/{programme.id}/outcomes/?scale=brs/total"))
    assert "Primary Resilience (BRS) Secondary Burnout (ProQOL)" in page and "imputations" not in page
    assert "Not shown: results appear when the wave closes" in page
    auth.logout()
    auth.login("eve@example.org")
    page = _text(client.get(f"/programmes/{programme.id}/outcomes/?scale=brs/total"))
    assert "Primary Resilience (BRS) 8, 8" in page and "20 imputations" in page


def test_without_a_plan_the_page_says_every_p_value_is_exploratory(client, auth, trial):
    programme, _, _ = trial
    auth.login("lead@example.org")
    page = _text(client.get(f"/programmes/{programme.id}/outcomes/?scale=brs/total"))
    assert "No evaluation plan has been recorded" in page and "Write the evaluation plan" in page
