"""Trial statistics: g over the baseline SD, Holm, reliable change and the MICE sensitivity analysis."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import special
from statsmodels.imputation import mice
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.meta_analysis import effectsize_smd
from statsmodels.stats.multitest import multipletests

from trainer import stats


def trial(seed, n_a, n_b, r=0.7):
    rng = np.random.default_rng(seed)
    pre_a, pre_b = rng.normal(3, 0.6, n_a), rng.normal(3.1, 0.5, n_b)
    post_a = 0.4 + r * pre_a + (1 - r) * 3 + rng.normal(0, 0.3, n_a)
    post_b = r * pre_b + (1 - r) * 3 + rng.normal(0, 0.3, n_b)
    return list(pre_a), list(post_a), list(pre_b), list(post_b)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("n_a", "n_b"), [(5, 6), (25, 24), (80, 70)])
def test_g_over_baseline_sd_is_difference_in_change_over_pooled_baseline_sd(seed, n_a, n_b):
    pre_a, post_a, pre_b, post_b = trial(seed, n_a, n_b)
    pooled = math.sqrt(((n_a - 1) * np.var(pre_a, ddof=1) + (n_b - 1) * np.var(pre_b, ddof=1))
                       / (n_a + n_b - 2))
    d = (np.mean(np.subtract(post_a, pre_a)) - np.mean(np.subtract(post_b, pre_b))) / pooled
    m = n_a + n_b - 2
    j = special.gamma(m / 2) / (math.sqrt(m / 2) * special.gamma((m - 1) / 2))
    result = stats.hedges_g_baseline(pre_a, post_a, pre_b, post_b)
    assert result.d == pytest.approx(d)
    assert result.g == pytest.approx(j * d)
    se = math.sqrt((n_a + n_b) / (n_a * n_b) + (j * d) ** 2 / (2 * (n_a + n_b)))
    assert result.se == pytest.approx(se)
    assert (result.ci_low, result.ci_high) == pytest.approx((j * d - 1.959964 * se, j * d + 1.959964 * se))


def test_g_over_baseline_sd_agrees_with_statsmodels_smd():
    pre_a, post_a, pre_b, post_b = trial(9, 40, 45)
    reference, _ = effectsize_smd(np.mean(np.subtract(post_a, pre_a)), np.std(pre_a, ddof=1), 40,
                                  np.mean(np.subtract(post_b, pre_b)), np.std(pre_b, ddof=1), 45)
    assert stats.hedges_g_baseline(pre_a, post_a, pre_b, post_b).g == pytest.approx(reference, rel=1e-4)


def test_g_over_baseline_sd_is_smaller_than_change_score_g_when_scores_correlate():
    pre_a, post_a, pre_b, post_b = trial(4, 30, 30, r=0.9)
    change = stats.hedges_g(np.subtract(post_a, pre_a), np.subtract(post_b, pre_b))
    baseline = stats.hedges_g_baseline(pre_a, post_a, pre_b, post_b)
    assert 0 < baseline.g < change.g


def test_g_over_baseline_sd_drops_incomplete_pairs_and_is_undefined_for_tiny_groups():
    full = stats.hedges_g_baseline([1, 2, 3], [2, 3, 5], [1, 3, 2], [1, 3, 3])
    assert stats.hedges_g_baseline([1, 2, None, 3], [2, 3, 4, 5], [1, 3, 2, 4], [1, 3, 3, None]) == full
    assert stats.hedges_g_baseline([1], [2], [1, 2], [1, 2]).g is None
    assert stats.hedges_g_baseline([2, 2], [3, 4], [2, 2], [1, 2]).g is None


@pytest.mark.parametrize("pvalues", [[0.01, 0.04, 0.03, 0.005], [0.5, 0.2, 0.9], [0.001],
                                     [0.02, 0.02, 0.04, 0.3, 0.0001, 0.6]])
def test_holm_matches_statsmodels_multipletests(pvalues):
    _, expected, _, _ = multipletests(pvalues, method="holm")
    assert stats.holm(pvalues) == pytest.approx(list(expected))


def test_holm_leaves_none_out_of_the_count():
    assert stats.holm([0.01, None, 0.04]) == pytest.approx([0.02, None, 0.04])
    assert stats.holm([]) == []


def test_reliable_change_index_hand_worked():
    # S_diff = sqrt(2) * 5 * sqrt(1 - 0.84) = sqrt(2) * 5 * 0.4 = 2.8284; RCI = 8 / 2.8284 = 2.8284.
    assert stats.reliable_change_index(20, 28, 5, 0.84) == pytest.approx(2.828427, abs=1e-6)
    assert stats.reliable_change_index(20, 18, 5, 0.84) == pytest.approx(-0.707107, abs=1e-6)


@pytest.mark.parametrize(("rci", "higher_is_better", "category"), [
    (2.0, True, "improved"), (-2.0, True, "deteriorated"), (2.0, False, "deteriorated"),
    (-2.0, False, "improved"), (1.95, True, "unchanged"), (1.97, True, "improved"), (-1.5, False, "unchanged")])
def test_reliable_change_category_follows_direction(rci, higher_is_better, category):
    assert stats.reliable_change_category(rci, higher_is_better) == category


@pytest.mark.parametrize(("sd", "r"), [(0, 0.8), (-1, 0.8), (5, 1.0), (5, -0.1)])
def test_reliable_change_index_rejects_impossible_inputs(sd, r):
    with pytest.raises(ValueError):
        stats.reliable_change_index(1, 2, sd, r)


def mice_data():
    rng = np.random.default_rng(11)
    n = 50
    group = np.arange(n) % 2
    pre = rng.normal(3, 0.6, n)
    post = 0.5 + 0.8 * pre + 0.4 * group + rng.normal(0, 0.3, n)
    pre_l = [None if i % 13 == 5 else float(v) for i, v in enumerate(pre)]
    post_l = [None if i % 6 == 1 else float(v) for i, v in enumerate(post)]
    return pre_l, post_l, list(group)


def test_mice_ancova_matches_a_direct_statsmodels_run_on_a_fixed_seed():
    pre, post, group = mice_data()
    result = stats.mice_ancova(pre, post, group, seed=2026, imputations=10, burn_in=5)
    frame = pd.DataFrame({"pre": [np.nan if v is None else v for v in pre],
                          "post": [np.nan if v is None else v for v in post],
                          "grp": [float(g) for g in group]})
    data = mice.MICEData(frame, rng=np.random.default_rng(2026))
    fit = mice.MICE("post ~ pre + grp", OLS, data, n_skip=1).fit(5, 10)
    i = list(fit.model.exog_names).index("grp")
    assert result.estimate == pytest.approx(fit.params[i])
    assert result.se == pytest.approx(fit.bse[i])
    assert result.p == pytest.approx(fit.pvalues[i])
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(np.asarray(fit.conf_int())[i]))
    assert (result.n, result.missing, result.imputations, result.seed) == (50, 12, 10, 2026)


def test_mice_ancova_with_statsmodels_default_skip_matches_a_direct_run():
    pre, post, group = mice_data()
    result = stats.mice_ancova(pre, post, group, seed=7, imputations=5, burn_in=3, skip=3)
    frame = pd.DataFrame({"pre": [np.nan if v is None else v for v in pre],
                          "post": [np.nan if v is None else v for v in post],
                          "grp": [float(g) for g in group]})
    fit = mice.MICE("post ~ pre + grp", OLS, mice.MICEData(frame, rng=np.random.default_rng(7))).fit(3, 5)
    assert result.estimate == pytest.approx(fit.params[list(fit.model.exog_names).index("grp")])


def test_mice_ancova_is_reproducible_and_close_to_complete_case_ancova():
    pre, post, group = mice_data()
    first = stats.mice_ancova(pre, post, group, seed=5, imputations=10, burn_in=5)
    stats.trial._mice_ancova.cache_clear()  # computed afresh, not remembered
    assert stats.mice_ancova(pre, post, group, seed=5, imputations=10, burn_in=5) == first
    assert stats.mice_ancova(pre, post, group, seed=6, imputations=10, burn_in=5) != first
    complete = stats.ancova(pre, post, group)
    assert first.estimate == pytest.approx(complete.estimate, abs=0.15)


def test_mice_ancova_without_enough_data_gives_counts_only():
    result = stats.mice_ancova([1, None, 2], [2, 3, None], [1, 0, 1], seed=1)
    assert (result.n, result.missing, result.estimate) == (3, 2, None)
