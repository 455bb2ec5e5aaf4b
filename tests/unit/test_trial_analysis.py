"""The trial analysis: reliable change by arm, Holm over the secondary outcomes, completers and MICE."""
from datetime import date, datetime, timezone

import pytest

from tests.factories import make_member, make_outcome_waves, make_programme, make_scores
from trainer import stats
from trainer.extensions import db
from trainer.services.outcomes import evaluation_plan, trial_analysis

AFTER = date(2027, 6, 1)  # every wave of make_outcome_waves has closed
DURING_POST = date(2026, 12, 15)


def _trial(pre_post, extra_baseline=0):
    """BRS total per arm: [(pre, post), ...]; ``extra_baseline`` more per arm with a baseline only."""
    programme = make_programme()
    waves = make_outcome_waves(programme, ("brs", "gse"))
    for arm, rows in pre_post.items():
        for pre, post in rows + [(3.0, None)] * extra_baseline:
            m = make_member(programme, arm=arm)
            make_scores(m, waves["baseline"], "brs", {"total": pre})
            make_scores(m, waves["baseline"], "gse", {"total": 20 + pre})
            if post is not None:
                make_scores(m, waves["post"], "brs", {"total": post})
                make_scores(m, waves["post"], "gse", {"total": 20 + post + (arm == "intervention")})
    lead = make_member(programme, "lead")
    return programme, waves, lead


def _plan(programme, lead):
    evaluation_plan.save_version(programme, lead.user, primary_outcome="brs/total",
                                 secondary_outcomes=["gse/total"], timepoint="post", analysis="ANCOVA",
                                 alpha=0.05, missing_data="MICE", reason="",
                                 now=datetime(2026, 9, 1, tzinfo=timezone.utc))


def test_reliable_change_counts_each_arm_from_the_baseline_sd_and_published_alpha(app):
    pre_post = {"intervention": [(2.0, 3.5), (3.0, 3.1), (4.0, 2.5), (2.5, 3.0), (3.5, 4.9), (3.0, 3.0)],
                "comparison": [(2.0, 2.1), (3.0, 3.0), (4.0, 3.9), (2.5, 2.4), (3.5, 3.5), (3.0, 1.5)]}
    programme, _, _ = _trial(pre_post)
    result = trial_analysis.analyse(programme, ("brs", "total"), today=AFTER, live=False)
    sd = stats.describe([p for rows in pre_post.values() for p, _ in rows]).sd
    expected = {}
    for arm, rows in pre_post.items():
        cats = [stats.reliable_change_category(stats.reliable_change_index(a, b, sd, 0.80), True) for a, b in rows]
        expected[arm] = {k: cats.count(k) for k in ("improved", "unchanged", "deteriorated")}
    [post] = [r for r in result.reliable if r.wave.kind == "post"]
    assert post.counts == expected
    # By hand: baseline SD = sqrt(5 / 11) = 0.674, S_diff = sqrt(2) * 0.674 * sqrt(0.2) = 0.426, so a
    # change counts beyond 1.96 * 0.426 = 0.836 points.
    assert post.counts == {"intervention": {"improved": 2, "unchanged": 3, "deteriorated": 1},
                           "comparison": {"improved": 0, "unchanged": 5, "deteriorated": 1}}
    assert result.reliability[0] == 0.80 and "Smith" in result.reliability[1]


def test_planned_outcomes_holm_adjust_the_secondaries_only(app):
    rows = [(2.0 + i / 5, 2.1 + i / 5 + (i % 3) / 10) for i in range(7)]
    programme, _, lead = _trial({"intervention": [(a, b + 0.3) for a, b in rows], "comparison": rows})
    _plan(programme, lead)
    result = trial_analysis.analyse(programme, ("brs", "total"), today=AFTER, live=False)
    primary, secondary = result.planned
    assert primary.primary and primary.holm_p is None and primary.pairs == {"intervention": 7, "comparison": 7}
    assert secondary.holm_p == pytest.approx(stats.holm([secondary.ancova.p])[0])
    assert primary.g_baseline.g == pytest.approx(stats.hedges_g_baseline(
        [a for a, _ in rows], [b + 0.3 for _, b in rows], [a for a, _ in rows], [b for _, b in rows]).g)


def test_completers_and_non_completers_show_only_as_a_partition_of_fives(app):
    rows = [(2.0 + i / 5, 2.5 + i / 5) for i in range(6)]
    programme, _, lead = _trial({"intervention": rows, "comparison": rows}, extra_baseline=5)
    _plan(programme, lead)
    result = trial_analysis.analyse(programme, ("brs", "total"), today=AFTER, live=False)
    cells = result.completers.cells
    assert (cells[("intervention", "completers")].n, cells[("intervention", "non-completers")].n) == (6, 5)
    assert cells[("intervention", "non-completers")].desc.mean == pytest.approx(3.0)
    assert result.completers.imputed.n == 22 and result.completers.imputed.missing == 10
    assert result.completers.imputed.imputations == trial_analysis.MI_IMPUTATIONS


def test_a_part_under_five_hides_both_parts_and_open_waves_hide_everything_from_leads(app):
    rows = [(2.0 + i / 5, 2.5 + i / 5) for i in range(6)]
    programme, _, lead = _trial({"intervention": rows, "comparison": rows}, extra_baseline=2)
    _plan(programme, lead)
    result = trial_analysis.analyse(programme, ("brs", "total"), today=AFTER, live=False)
    assert result.completers.cells[("comparison", "completers")].reason.startswith("fewer than 5 responses elsewhere")
    assert result.completers.cells[("comparison", "non-completers")].reason == "fewer than 5 responses"
    during = trial_analysis.analyse(programme, ("brs", "total"), today=DURING_POST, live=False)
    assert all(p.reason == "results appear when the wave closes" for p in during.planned)
    assert during.completers.imputed is None
    assert all(r.reasons["intervention"] for r in during.reliable)
    live = trial_analysis.analyse(programme, ("brs", "total"), today=DURING_POST, live=True)
    assert live.planned[0].ancova is not None and live.completers.imputed is not None


def test_someone_whose_answers_were_deleted_counts_nowhere_but_in_the_team_mix(app):
    rows = [(2.0 + i / 5, 2.5 + i / 5) for i in range(6)]
    programme, _, lead = _trial({"intervention": rows, "comparison": rows})
    gone = make_member(programme, arm="intervention", team="North")
    gone.withdrawn_on, gone.answers_kept = date(2026, 10, 1), False
    db.session.commit()
    _plan(programme, lead)
    result = trial_analysis.analyse(programme, ("brs", "total"), today=AFTER, live=False)
    assert result.completers.imputed.n == 12
    assert result.arm_sizes == {"intervention": 7, "comparison": 6}
    assert ("North", {"intervention": 1, "comparison": 0}) in result.teams


@pytest.mark.parametrize("seed", range(3))
def test_the_participants_read_column_by_column_equal_reading_them_person_by_person(app, seed):
    """evaluation.columns (rows transposed at once) and what the page draws from it (ids, arms,
    counted, team mix, arm sizes) against reading each participant's facts one by one, on random
    arms, teams and withdrawals (answers kept or deleted), rows and entities alike."""
    import random
    from collections import Counter

    import numpy as np

    from trainer.models import Membership
    from trainer.services.outcomes import evaluation

    rng = random.Random(seed)
    programme = make_programme()
    make_outcome_waves(programme, ("brs",))
    make_member(programme, "lead")
    for _ in range(40):
        m = make_member(programme, arm=rng.choice(("intervention", "comparison", None)),
                        team=rng.choice((None, "", "North", "South")))
        if rng.random() < .3:
            m.withdrawn_on, m.withdrawn_from = date(2026, 10, rng.randint(1, 28)), "evaluation"
            m.answers_kept = rng.choice((True, False, None))
    db.session.flush()
    rows = evaluation.participants(programme)
    entities = [db.session.get(Membership, r.id) for r in rows]
    facts = evaluation.columns(rows)
    assert facts == evaluation.columns(entities)
    assert facts == {name: tuple(getattr(m, name) for m in entities) for name in evaluation._FACTS}
    data = evaluation.load(programme)
    assert data.ids.tolist() == [m.id for m in entities]
    assert data.arms.tolist() == evaluation._arms(entities).tolist()
    person_by_person = [bool(m.arm) and not (m.withdrawn_on and m.answers_kept is False) for m in entities]
    assert trial_analysis._counted(rows).tolist() == trial_analysis._counted(entities).tolist() == person_by_person
    assert trial_analysis._counted(rows, facts).dtype == np.bool_
    result = trial_analysis.analyse(programme, ("brs", "total"), today=AFTER, live=False, data=data)
    allocated = [m for m in entities if m.arm]
    teams = Counter((m.team or trial_analysis.NO_TEAM, m.arm) for m in allocated)
    assert result.teams == [(team, {arm: teams.get((team, arm), 0) for arm in trial_analysis.ARMS})
                            for team in sorted({t for t, _ in teams})]
    assert result.arm_sizes == {arm: sum(m.arm == arm for m in allocated) for arm in trial_analysis.ARMS}
    assert all(type(n) is int for n in result.arm_sizes.values())
    assert evaluation.columns([]) == dict.fromkeys(evaluation._FACTS, ())


def test_the_page_reuses_its_scales_dose_response_and_gets_what_the_analysis_alone_gets(app, modules):
    from tests.factories import make_assignment, make_log
    from trainer.models import Activity, Membership
    rows = [(2.0 + i / 5, 2.1 + i / 5 + (i % 3) / 10) for i in range(7)]
    programme, _, lead = _trial({"intervention": [(a, b + 0.3 * (i % 2)) for i, (a, b) in enumerate(rows)],
                                 "comparison": rows}, extra_baseline=2)
    _plan(programme, lead)
    assignment = make_assignment(programme, db.session.query(Activity).first())
    treated = db.session.query(Membership).filter_by(programme_id=programme.id, arm="intervention").all()
    for n, member in enumerate(treated):
        make_log(assignment, member, minutes=10 + 7 * n * (n % 3))
    for key, scale in (("brs", "total"), ("gse", "total")):
        page = trial_analysis.page(programme, key, scale, today=AFTER, live=False)
        alone = trial_analysis.analyse(programme, (key, scale), today=AFTER, live=False)
        assert page.overview.dose.exposures and page.trial.dose_holm
        assert page.trial == alone


def test_a_programme_without_a_baseline_wave_shows_no_dose_response_and_no_error(app):
    """Waves can be deleted: with a post wave but no baseline, nobody has a change to correlate."""
    programme, waves, _ = _trial({"intervention": [(2.0 + i / 5, 2.5 + i / 4) for i in range(6)],
                                  "comparison": [(2.0 + i / 5, 2.1 + i / 5) for i in range(6)]})
    db.session.delete(waves["baseline"])
    db.session.flush()
    page = trial_analysis.page(programme, "brs", "total", today=AFTER, live=False)
    assert page.overview.dose is None and page.trial.dose_holm == {}
    alone = trial_analysis.analyse(programme, ("brs", "total"), today=AFTER, live=False)
    assert alone.dose_holm == {} and alone.balance == page.trial.balance
