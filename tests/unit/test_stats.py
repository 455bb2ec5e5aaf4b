"""Tests for trainer.stats, checked against SciPy, NumPy, statsmodels and hand-worked cases."""

import collections
import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import special
from scipy import stats as sps

from trainer import stats

SEEDS = [0, 1, 2]
SIZES = [2, 5, 30, 200]


def sample(seed, n, loc=3.0, scale=1.0):
    return list(np.random.default_rng(seed).normal(loc, scale, n))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
def test_describe_matches_numpy_and_scipy_t_interval(seed, n):
    x = sample(seed, n)
    result = stats.describe(x)
    low, high = sps.t.interval(0.95, n - 1, loc=np.mean(x), scale=sps.sem(x))
    assert result.n == n
    assert result.mean == pytest.approx(np.mean(x))
    assert result.sd == pytest.approx(np.std(x, ddof=1))
    assert result.median == pytest.approx(np.median(x))
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high))


def test_describe_honours_confidence_level():
    x = sample(3, 12)
    result = stats.describe(x, confidence=0.9)
    low, high = sps.t.interval(0.9, 11, loc=np.mean(x), scale=sps.sem(x))
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high))


def test_describe_ignores_none():
    assert stats.describe([1, None, 4, 5, None]) == stats.describe([1, 4, 5])


@pytest.mark.parametrize("values", [[], [None, None]])
def test_describe_of_nothing_is_all_none(values):
    assert stats.describe(values) == stats.Description(0, None, None, None, None, None)


def test_describe_of_one_value_has_no_sd_or_interval():
    assert stats.describe([4]) == stats.Description(1, 4.0, None, 4.0, None, None)


@pytest.mark.parametrize("value", [3, 0.1, 2.7])
def test_describe_of_equal_values_has_zero_sd_and_collapsed_interval(value):
    result = stats.describe([value] * 4)
    assert result == stats.Description(4, value, 0.0, value, value, value)


def test_describe_of_two_values_uses_one_degree_of_freedom():
    result = stats.describe([1, 3])
    half = sps.t.ppf(0.975, 1) * math.sqrt(2) / math.sqrt(2)
    assert result.sd == pytest.approx(math.sqrt(2))
    assert (result.ci_low, result.ci_high) == pytest.approx((2 - half, 2 + half))


def test_distribution_counts_every_level_and_ignores_none():
    assert stats.distribution([1, 5, 5, None, 3]) == {1: 1, 2: 0, 3: 1, 4: 0, 5: 2}


def test_distribution_of_nothing_is_zero_filled():
    assert stats.distribution([]) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}


def test_distribution_accepts_other_levels():
    assert stats.distribution([0, 1, 1], levels=[0, 1]) == {0: 1, 1: 2}


def test_distribution_rejects_value_outside_levels():
    with pytest.raises(ValueError):
        stats.distribution([1, 6])


@pytest.mark.parametrize(
    ("responders", "invited", "rate"), [(3, 4, 0.75), (0, 10, 0.0), (5, 5, 1.0), (0, 0, None)]
)
def test_response_rate_is_share_of_invited_or_none_when_nobody_invited(responders, invited, rate):
    assert stats.response_rate(responders, invited) == rate


@pytest.mark.parametrize(("responders", "invited"), [(5, 4), (-1, 3), (1, 0)])
def test_response_rate_rejects_impossible_counts(responders, invited):
    with pytest.raises(ValueError):
        stats.response_rate(responders, invited)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
def test_paired_difference_matches_scipy_ttest_rel(seed, n):
    first = sample(seed, n)
    second = [v + d for v, d in zip(first, sample(seed + 100, n, loc=0.4))]
    result = stats.paired_difference(list(zip(first, second)))
    reference = sps.ttest_rel(second, first).confidence_interval()
    diff = np.subtract(second, first)
    assert result.n == n
    assert result.mean_diff == pytest.approx(np.mean(diff))
    assert result.sd_diff == pytest.approx(np.std(diff, ddof=1))
    assert (result.ci_low, result.ci_high) == pytest.approx((reference.low, reference.high))


def test_paired_difference_is_second_minus_first_and_drops_incomplete_pairs():
    result = stats.paired_difference([(1, 3), (2, None), (None, 5), (2, 5)])
    assert result.n == 2
    assert result.mean_diff == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([], stats.PairedDifference(0, None, None, None, None)),
        ([(None, 2)], stats.PairedDifference(0, None, None, None, None)),
        ([(1, 4)], stats.PairedDifference(1, 3.0, None, None, None)),
        ([(1, 2), (3, 4), (0, 1)], stats.PairedDifference(3, 1.0, 0.0, 1.0, 1.0)),
    ],
)
def test_paired_difference_edge_cases(pairs, expected):
    assert stats.paired_difference(pairs) == expected


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n_a", "n_b"), [(2, 2), (2, 7), (15, 40), (120, 90)])
def test_welch_matches_scipy_unequal_variance_ttest(seed, n_a, n_b):
    a, b = sample(seed, n_a, 3.4, 1.0), sample(seed + 50, n_b, 3.0, 2.0)
    result = stats.welch(a, b)
    reference = sps.ttest_ind(a, b, equal_var=False)
    ci = reference.confidence_interval()
    assert (result.n_a, result.n_b) == (n_a, n_b)
    assert result.diff == pytest.approx(np.mean(a) - np.mean(b))
    assert result.t == pytest.approx(reference.statistic)
    assert result.df == pytest.approx(reference.df)
    assert result.p == pytest.approx(reference.pvalue)
    assert (result.ci_low, result.ci_high) == pytest.approx((ci.low, ci.high))


@pytest.mark.filterwarnings("ignore:Precision loss:RuntimeWarning")  # raised by SciPy, not stats
def test_welch_with_one_constant_group_matches_scipy():
    a, b = [2, 2, 2, 2], [1, 3, 4, 6, 2]
    result = stats.welch(a, b)
    reference = sps.ttest_ind(a, b, equal_var=False)
    assert result.t == pytest.approx(reference.statistic)
    assert result.p == pytest.approx(reference.pvalue)
    assert result.df == pytest.approx(len(b) - 1)


def test_welch_ignores_none():
    assert stats.welch([1, None, 2, 4], [None, 3, 5, 8]) == stats.welch([1, 2, 4], [3, 5, 8])


@pytest.mark.parametrize(
    ("a", "b", "means", "diff"),
    [
        ([], [], (None, None), None),
        ([], [1, 2], (None, 1.5), None),
        ([3], [1, 2], (3.0, 1.5), 1.5),
        ([3, 4], [5], (3.5, 5.0), -1.5),
        ([2, 2, 2], [4, 4], (2.0, 4.0), -2.0),
    ],
)
def test_welch_test_is_undefined_for_tiny_or_constant_groups(a, b, means, diff):
    result = stats.welch(a, b)
    assert (result.n_a, result.n_b) == (len(a), len(b))
    assert (result.mean_a, result.mean_b) == means
    assert result.diff == diff
    assert (result.ci_low, result.ci_high, result.t, result.df, result.p) == (None,) * 5


def test_hedges_g_reproduces_worked_case():
    result = stats.hedges_g_from_d(0.5, 25, 31)
    assert round(result.g, 3) == 0.493
    assert round(result.se, 3) == 0.273
    assert result.d == 0.5
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (result.g - 1.959964 * result.se, result.g + 1.959964 * result.se)
    )


@pytest.mark.parametrize(("n_a", "n_b"), [(2, 2), (3, 5), (10, 12), (25, 31), (60, 80)])
def test_hedges_correction_is_exact_gamma_ratio_close_to_usual_approximation(n_a, n_b):
    df = n_a + n_b - 2
    exact = special.gamma(df / 2) / (math.sqrt(df / 2) * special.gamma((df - 1) / 2))
    result = stats.hedges_g_from_d(1.0, n_a, n_b)
    assert result.g == pytest.approx(exact)
    assert result.g == pytest.approx(1 - 3 / (4 * df - 1), abs=0.02)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n_a", "n_b"), [(2, 3), (12, 9), (40, 60)])
def test_hedges_g_from_data_uses_pooled_sd(seed, n_a, n_b):
    a, b = sample(seed, n_a, 3.5), sample(seed + 7, n_b, 3.0, 1.5)
    pooled = math.sqrt(
        ((n_a - 1) * np.var(a, ddof=1) + (n_b - 1) * np.var(b, ddof=1)) / (n_a + n_b - 2)
    )
    d = (np.mean(a) - np.mean(b)) / pooled
    result = stats.hedges_g(a, b)
    expected = stats.hedges_g_from_d(d, n_a, n_b)
    assert result.d == pytest.approx(d)
    for field in ("g", "se", "ci_low", "ci_high"):
        assert getattr(result, field) == pytest.approx(getattr(expected, field))


@pytest.mark.parametrize("seed", SEEDS)
def test_hedges_g_agrees_with_statsmodels_approximation(seed):
    from statsmodels.stats.meta_analysis import effectsize_smd

    a, b = sample(seed, 30, 3.5), sample(seed + 7, 35, 3.0, 1.5)
    reference, _ = effectsize_smd(
        np.mean(a), np.std(a, ddof=1), 30, np.mean(b), np.std(b, ddof=1), 35
    )
    assert stats.hedges_g(a, b).g == pytest.approx(reference, rel=1e-4)


def test_hedges_g_is_positive_when_first_group_is_higher_and_ignores_none():
    result = stats.hedges_g([4, 5, None, 6], [1, 2, 3, None])
    assert result.g > 0
    assert result == stats.hedges_g([4, 5, 6], [1, 2, 3])


@pytest.mark.parametrize(("a", "b"), [([], [1, 2]), ([1], [2, 3]), ([2, 2], [2, 2, 2])])
def test_hedges_g_is_undefined_for_tiny_or_constant_groups(a, b):
    assert stats.hedges_g(a, b) == stats.EffectSize(None, None, None, None, None)


def test_hedges_g_from_d_keeps_d_when_groups_too_small():
    assert stats.hedges_g_from_d(0.4, 1, 2) == stats.EffectSize(None, None, None, None, 0.4)


def ancova_data(seed, n):
    rng = np.random.default_rng(seed)
    group = np.arange(n) % 2
    pre = rng.normal(20, 5, n)
    post = 5 + 0.7 * pre + 2.0 * group + rng.normal(0, 3, n)
    return list(pre), list(post), list(group)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [4, 6, 25, 300])
def test_ancova_matches_statsmodels_ols(seed, n):
    pre, post, group = ancova_data(seed, n)
    fit = sm.OLS(post, sm.add_constant(np.column_stack([pre, group]))).fit()
    result = stats.ancova(pre, post, group)
    assert result.n == n
    assert result.estimate == pytest.approx(fit.params[2])
    assert result.se == pytest.approx(fit.bse[2])
    assert result.p == pytest.approx(fit.pvalues[2])
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(fit.conf_int()[2]))


def test_ancova_uses_complete_cases_and_accepts_booleans():
    pre, post, group = ancova_data(4, 20)
    expected = stats.ancova(pre, post, group)
    pre_gaps, post_gaps = pre + [None, 3.0], post + [4.0, None]
    flags = [bool(g) for g in group] + [True, False]
    assert stats.ancova(pre_gaps, post_gaps, flags) == expected


@pytest.mark.parametrize(
    ("pre", "post", "group"),
    [
        ([], [], []),
        ([1, 2, 3], [2, 3, 5], [0, 1, 1]),
        ([1, 2, 3, 4, None], [2, 3, 5, None, 1], [0, 1, 1, 0, 0]),
        ([1, 2, 3, 4, 5], [2, 3, 5, 4, 6], [1, 1, 1, 1, 1]),
        ([3, 3, 3, 3, 3], [2, 3, 5, 4, 6], [0, 1, 0, 1, 0]),
    ],
)
def test_ancova_is_undefined_for_too_few_rows_or_singular_design(pre, post, group):
    result = stats.ancova(pre, post, group)
    assert result.n == sum(1 for row in zip(pre, post, group) if None not in row)
    assert (result.estimate, result.se, result.ci_low, result.ci_high, result.p) == (None,) * 5


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [4, 10, 50, 500])
def test_pearson_matches_scipy(seed, n):
    x = sample(seed, n)
    y = [0.5 * v + e for v, e in zip(x, sample(seed + 9, n))]
    reference = sps.pearsonr(x, y)
    ci = reference.confidence_interval()
    result = stats.pearson(x, y)
    assert result.n == n
    assert result.r == pytest.approx(reference.statistic)
    assert result.p == pytest.approx(reference.pvalue)
    assert (result.ci_low, result.ci_high) == pytest.approx((ci.low, ci.high))


def test_pearson_uses_complete_cases():
    x, y = [1, 2, None, 4, 5, 7], [2, 1, 3, None, 6, 6]
    assert stats.pearson(x, y) == stats.pearson([1, 2, 5, 7], [2, 1, 6, 6])


@pytest.mark.parametrize(
    ("x", "y"),
    [([], []), ([1, 2], [3, 1]), ([1, 2, None], [3, 1, 2]), ([2, 2, 2, 2], [1, 2, 3, 4])],
)
def test_pearson_is_undefined_for_fewer_than_three_or_constant(x, y):
    result = stats.pearson(x, y)
    assert (result.r, result.ci_low, result.ci_high, result.p) == (None,) * 4


def test_pearson_of_three_points_has_no_interval():
    result = stats.pearson([1, 2, 3], [2, 1, 5])
    assert result.r == pytest.approx(sps.pearsonr([1, 2, 3], [2, 1, 5]).statistic)
    assert (result.ci_low, result.ci_high) == (None, None)


def test_pearson_of_perfect_line_has_collapsed_interval():
    result = stats.pearson([1, 2, 3, 4, 5], [10, 8, 6, 4, 2])
    assert (result.r, result.ci_low, result.ci_high) == pytest.approx((-1, -1, -1))


HAND_DURATIONS = [5, 8, 8, 12, 15, 15, 20, 22]
HAND_OBSERVED = [True, True, False, True, False, True, True, False]


def test_kaplan_meier_matches_hand_computed_product_limit():
    result = stats.kaplan_meier(HAND_DURATIONS, HAND_OBSERVED)
    assert result.n == 8
    assert result.times == (5, 8, 12, 15, 20)
    assert result.at_risk == (8, 7, 5, 4, 2)
    assert result.events == (1, 1, 1, 1, 1)
    # 7/8; x 6/7; x 4/5; x 3/4; x 1/2
    assert result.survival == pytest.approx((0.875, 0.75, 0.6, 0.45, 0.225))
    assert result.last_time == 22


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [3, 20, 150])
def test_kaplan_meier_matches_scipy_ecdf_and_its_own_counts(seed, n):
    rng = np.random.default_rng(seed)
    durations = list(rng.integers(1, 60, n))
    observed = list(rng.random(n) < 0.6)
    x, obs = np.array(durations, float), np.array(observed)
    sf = sps.ecdf(sps.CensoredData(uncensored=x[obs], right=x[~obs])).sf
    result = stats.kaplan_meier(durations, observed)
    assert result.times == tuple(np.unique(x[obs]))
    assert result.survival == pytest.approx(sf.evaluate(np.array(result.times)))
    product_limit = np.cumprod(1 - np.divide(result.events, result.at_risk))
    assert result.survival == pytest.approx(product_limit)
    assert result.at_risk == tuple(int(np.sum(x >= t)) for t in result.times)


@pytest.mark.parametrize("seed", SEEDS)
def test_kaplan_meier_of_counted_groups_equals_listing_every_person(seed):
    rng = np.random.default_rng(seed)
    durations = list(rng.integers(0, 40, 300))
    observed = list(rng.random(300) < 0.3)
    pairs = collections.Counter(zip(durations, observed))
    grouped = stats.kaplan_meier_counts([d for d, _ in pairs], [o for _, o in pairs], list(pairs.values()))
    assert grouped == stats.kaplan_meier(durations, observed)
    assert stats.kaplan_meier_counts([], [], []) == stats.kaplan_meier([], [])


def test_kaplan_meier_interval_is_scipy_log_log_greenwood():
    result = stats.kaplan_meier(HAND_DURATIONS, HAND_OBSERVED)
    x, obs = np.array(HAND_DURATIONS, float), np.array(HAND_OBSERVED)
    sf = sps.ecdf(sps.CensoredData(uncensored=x[obs], right=x[~obs])).sf
    ci = sf.confidence_interval(0.95, method="log-log")
    times = np.array(result.times)
    assert result.ci_low == pytest.approx(ci.low.evaluate(times))
    assert result.ci_high == pytest.approx(ci.high.evaluate(times))
    assert all(lo < s < hi for lo, s, hi in zip(result.ci_low, result.survival, result.ci_high))


def test_kaplan_meier_reaching_zero_has_no_interval_there_and_no_nan():
    result = stats.kaplan_meier([3, 4], [True, True])
    assert result.survival == (0.5, 0.0)
    assert result.ci_low[-1] is None and result.ci_high[-1] is None


def test_kaplan_meier_drops_incomplete_rows():
    result = stats.kaplan_meier([5, None, 8, 9], [True, True, None, False])
    assert result == stats.kaplan_meier([5, 9], [True, False])


def test_kaplan_meier_of_nobody_is_empty():
    result = stats.kaplan_meier([], [])
    assert (result.n, result.times, result.last_time) == (0, (), None)
    assert stats.survival_at(result, 0) is None


def test_kaplan_meier_with_everyone_censored_has_no_events():
    result = stats.kaplan_meier([10, 30], [False, False])
    assert (result.times, result.survival, result.last_time) == ((), (), 30)
    assert stats.survival_at(result, 30) == 1.0
    assert stats.survival_at(result, 31) is None


def test_kaplan_meier_rejects_negative_durations():
    with pytest.raises(ValueError):
        stats.kaplan_meier([-1, 4], [True, False])


@pytest.mark.parametrize(
    ("t", "expected"),
    [(0, 1.0), (4.9, 1.0), (5, 0.875), (7, 0.875), (8, 0.75), (19, 0.45), (20, 0.225),
     (22, 0.225), (22.5, None), (100, None)],
)
def test_survival_at_is_a_right_continuous_step_within_follow_up(t, expected):
    result = stats.kaplan_meier(HAND_DURATIONS, HAND_OBSERVED)
    assert stats.survival_at(result, t) == pytest.approx(expected)


def test_survival_at_stays_zero_after_everyone_has_left():
    result = stats.kaplan_meier([3, 4], [True, True])
    assert stats.survival_at(result, 3.5) == 0.5
    assert stats.survival_at(result, 400) == 0.0


@pytest.mark.parametrize(
    ("n", "small"), [(0, True), (1, True), (4, True), (5, False), (40, False)]
)
def test_is_small_flags_fewer_than_five_people(n, small):
    assert stats.is_small(n) is small


def test_is_small_honours_threshold():
    assert stats.is_small(9, threshold=10) and not stats.is_small(10, threshold=10)


@pytest.mark.parametrize("sizes, own, merged", [
    ({"a": 6, "b": 8, "c": 12}, ["a", "b", "c"], []),
    ({"a": 6, "b": 3, "c": 2, "d": 9}, ["a", "d"], ["b", "c"]),        # 3 + 2 = 5 merged
    ({"a": 6, "b": 3, "c": 9}, ["c"], ["a", "b"]),                     # 3 alone is too few: a joins
    ({"a": 12, "b": 3}, [], ["a", "b"]),                               # a lone part is no breakdown
    ({"a": 3, "b": 1}, [], ["a", "b"]),
    ({"a": 7, "b": 9, "c": 0}, ["a", "b"], ["c"]),                     # an empty group gives nothing away
    ({}, [], []),
])
def test_merge_small_groups_leaves_parts_of_zero_or_five_or_more(sizes, own, merged):
    assert stats.merge_small_groups(sizes) == (own, merged)
    assert all(sizes[k] >= 5 for k in own)
    assert sum(sizes[k] for k in merged) == 0 or sum(sizes[k] for k in merged) >= 5 or not own


def test_merge_small_groups_honours_threshold():
    assert stats.merge_small_groups({"a": 9, "b": 12, "c": 20}, threshold=10) == (["c"], ["a", "b"])


@pytest.mark.parametrize("counts, shown", [
    ({"a": 6, "b": 8}, {"a", "b"}),
    ({"a": 6, "b": 8, "c": 0}, {"a", "b"}),           # nobody left over: nothing to work out
    ({"a": 6, "b": 8, "c": 3}, {"b"}),                # 3 left over: a withdrawn, leaving 9
    ({"a": 6, "b": 8, "c": 3, "d": 2}, {"a", "b"}),   # 3 + 2 = 5 left over is a group
    ({"a": 4, "b": 4}, set()),
    ({"a": 5, "b": 1}, set()),
    ({}, set()),
])
def test_shown_parts_withdraw_groups_until_the_rest_is_zero_or_five(counts, shown):
    assert stats.shown_parts(counts) == shown
    rest = sum(c for k, c in counts.items() if k not in shown)
    assert all(counts[k] >= 5 for k in shown) and (rest == 0 or rest >= 5 or not shown)


def test_describe_counts_gives_describe_of_the_expanded_values():
    rng = np.random.default_rng(12)
    tables = [list(rng.integers(0, 9, size=5) * rng.integers(0, 2, size=5)) for _ in range(400)]
    tables += [[0] * 5, [0, 1, 0, 0, 0], [0, 0, 7, 0, 0], [3, 0, 0, 0, 2]]
    for table, got in zip(tables, stats.describe_counts(tables)):
        want = stats.describe([level for level, k in zip(range(1, 6), table) for _ in range(k)])
        assert (got.n, got.mean, got.median) == (want.n, want.mean, want.median)
        for name in ("sd", "ci_low", "ci_high"):
            a, b = getattr(got, name), getattr(want, name)
            assert (a is None and b is None) or a == pytest.approx(b, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", range(40))
def test_kaplan_meier_of_groups_equals_scipy_listing_every_person_in_every_case(seed):
    """The grouped computation gives exactly (not only approximately) what SciPy gives for the
    people listed one by one: with nobody censored, everyone censored, everyone leaving (S = 0),
    groups of nobody, a pair split over several groups, groups in any order, any confidence."""
    rng = np.random.default_rng(seed)
    rows = int(rng.integers(0, 60))
    share_observed = (0.0, 1.0, 0.5, float(rng.random()))[seed % 4]
    durations = [float(d) if seed % 5 else int(d) for d in rng.integers(0, 25 if seed % 3 else 400, rows)]
    observed = [bool(o) for o in rng.random(rows) < share_observed]
    counts = [int(c) for c in rng.integers(0 if seed % 2 else 1, 6, rows)]
    if seed % 7 == 0 and rows:  # everyone leaves by the last time: S reaches 0
        observed = [True] * rows
    confidence = (0.95, 0.9, 0.99)[seed % 3]
    people_d = [d for d, c in zip(durations, counts) for _ in range(c)]
    people_o = [o for o, c in zip(observed, counts) for _ in range(c)]
    expected = stats.kaplan_meier(people_d, people_o, confidence=confidence)
    assert stats.kaplan_meier_counts(durations, observed, counts, confidence=confidence) == expected
    order = rng.permutation(rows) if rows else []
    assert stats.kaplan_meier_counts([durations[i] for i in order], [observed[i] for i in order],
                                     [counts[i] for i in order], confidence=confidence) == expected
    # Each person a group of one gives the same again.
    assert stats.kaplan_meier_counts(people_d, people_o, [1] * len(people_d), confidence=confidence) == expected


def test_kaplan_meier_of_groups_refuses_a_negative_duration_as_listing_does():
    with pytest.raises(ValueError):
        stats.kaplan_meier([-1, 3], [True, False])
    with pytest.raises(ValueError):
        stats.kaplan_meier_counts([-1, 3], [True, False], [2, 1])
    assert stats.kaplan_meier_counts([-1, 3], [True, False], [0, 1]) == stats.kaplan_meier([3], [False])
