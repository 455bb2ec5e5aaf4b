"""The whole-group shortcuts of the statistics agree with SciPy and the one-at-a-time rules."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from trainer import stats

SCORES = st.lists(st.integers(0, 40).map(lambda v: v / 4), min_size=3, max_size=60)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_pearson_matches_scipy_on_random_scores(data):
    x = data.draw(SCORES)
    y = data.draw(st.lists(st.integers(0, 40).map(lambda v: v / 4), min_size=len(x), max_size=len(x)))
    result = stats.pearson(x, y)
    if min(x) == max(x) or min(y) == max(y):
        assert result.r is None and result.p is None
        return
    reference = sps.pearsonr(x, y)
    assert result.r == reference.statistic
    assert result.p == reference.pvalue


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_reliable_change_counts_are_the_categories_of_each_pair(data):
    pre = data.draw(SCORES)
    post = data.draw(st.lists(st.integers(0, 40).map(lambda v: v / 4), min_size=len(pre), max_size=len(pre)))
    sd = data.draw(st.floats(0.1, 5))
    reliability = data.draw(st.sampled_from([0.0, 0.5, 0.8, 0.92]))
    better = data.draw(st.booleans())
    categories = [stats.reliable_change_category(stats.reliable_change_index(a, b, sd, reliability), better)
                  for a, b in zip(pre, post)]
    assert stats.reliable_change_counts(pre, post, sd, reliability, better) == {
        k: categories.count(k) for k in ("improved", "unchanged", "deteriorated")}


def test_reliable_change_counts_of_nobody_and_impossible_inputs():
    assert stats.reliable_change_counts([], [], 1.0, 0.8, True) == {
        "improved": 0, "unchanged": 0, "deteriorated": 0}
    with pytest.raises(ValueError):
        stats.reliable_change_counts([1.0], [2.0], 0.0, 0.8, True)
    with pytest.raises(ValueError):
        stats.reliable_change_counts([1.0], [2.0], 1.0, 1.0, True)
    assert np.isclose(stats.reliable_change_index(20, 28, 5, 0.84), 2.828427)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 40).map(lambda v: v / 4)), max_size=30),
       st.data())
def test_complete_and_present_columns_give_the_same_figures_as_row_by_row(values, data):
    other = data.draw(st.lists(st.one_of(st.none(), st.floats(-5, 5)), min_size=len(values),
                               max_size=len(values)))
    from trainer.stats._common import _complete, _present
    rows = [row for row in zip(values, other) if None not in row]
    expected = [np.array([r[i] for r in rows], dtype=float) for i in (0, 1)]
    for got, want in zip(_complete(values, other), expected):
        assert got.dtype == want.dtype and got.tolist() == want.tolist()
    for given_as in (values, tuple(values), (v for v in values), np.array(values, dtype=object)):
        assert _present(given_as).tolist() == [v for v in values if v is not None]
    present = [v for v in values if v is not None]
    assert _present(np.array(present, dtype=float)).tolist() == present


def _describe_reference(values, confidence=0.95):
    """``describe`` as it was written with np.mean, np.median and np.std."""
    import math

    from trainer.stats._common import _present, _sd, _t_interval
    x = _present(values)
    n = len(x)
    if n == 0:
        return stats.Description(0, None, None, None, None, None)
    mean, median = float(np.mean(x)), float(np.median(x))
    if n == 1:
        return stats.Description(1, mean, None, median, None, None)
    sd = _sd(x)
    if sd == 0:
        mean = float(x[0])
    low, high = _t_interval(mean, sd / math.sqrt(n), n - 1, confidence)
    return stats.Description(n, mean, sd, median, low, high)


def _same_bits(a, b) -> bool:
    """Equal dataclasses whose floats are the same numbers with the same sign (0.0 is not -0.0)."""
    import math
    for x, y in zip(vars(a).values(), vars(b).values()):
        if isinstance(x, float) and isinstance(y, float):
            if not (x == y and math.copysign(1, x) == math.copysign(1, y)) and not (x != x and y != y):
                return False
        elif x != y:
            return False
    return True


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(
    st.none(), st.integers(0, 40).map(lambda v: v / 4), st.integers(-40, 40).map(lambda v: v / 7),
    st.sampled_from([0.0, -0.0]), st.floats(-1e6, 1e6, allow_nan=False), st.integers(-5, 5)), max_size=300),
    st.sampled_from([0.95, 0.9]))
def test_describe_gives_the_same_bits_as_numpys_mean_median_and_std(values, confidence):
    assert _same_bits(stats.describe(values, confidence=confidence), _describe_reference(values, confidence))


@pytest.mark.parametrize("values", [[float("nan"), 1.0, 2.0], [float("inf"), 1.0], [1.0, float("-inf"), 3.0],
                                    [float("nan")], [0.0, -0.0], [-0.0], [-0.0, -0.0, 2.0, 2.0], [1e308, 1e308]])
def test_describe_of_edge_values_is_numpys(values):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _same_bits(stats.describe(values), _describe_reference(values))


def _pearson_r_p_reference(xs, ys):
    """r and p as ``_pearson_r_p`` computed them with np.mean and np.linalg.norm."""
    from scipy import special
    xm, ym = xs - np.mean(xs), ys - np.mean(ys)
    normxm = np.max(np.abs(xm)) * np.linalg.norm(xm / np.max(np.abs(xm)), axis=-1)
    normym = np.max(np.abs(ym)) * np.linalg.norm(ym / np.max(np.abs(ym)), axis=-1)
    r = float(np.clip(np.vecdot(xm / normxm, ym / normym), -1.0, 1.0))
    ab = len(xs) / 2 - 1
    return r, float(2 * special.betaincc(ab, ab, (abs(r) + 1) / 2))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_pearson_r_and_p_are_the_same_bits_as_numpys_mean_and_norm(data):
    from trainer.stats.comparisons import _pearson_r_p
    value = st.one_of(st.integers(0, 600), st.floats(-1e6, 1e6, allow_nan=False), st.integers(-40, 40).map(lambda v: v / 7))
    x = data.draw(st.lists(value, min_size=3, max_size=200))
    y = data.draw(st.lists(value, min_size=len(x), max_size=len(x)))
    xs, ys = np.array(x, dtype=float), np.array(y, dtype=float)
    if xs.min() == xs.max() or ys.min() == ys.max():
        return
    assert _pearson_r_p(xs, ys) == _pearson_r_p_reference(xs, ys)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.floats(-60, 60), st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0])),
       st.one_of(st.floats(0.5, 5000), st.integers(1, 3000).map(float), st.sampled_from([0.0, -1.0, float("inf"), float("nan")])))
def test_t_survival_is_scipys_to_the_bit(x, df):
    import math
    import warnings

    from trainer.stats._common import _t_sf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, want = _t_sf(x, df), float(sps.t.sf(x, df))
    assert got == want or (math.isnan(got) and math.isnan(want))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 40).map(lambda v: v / 4), st.floats(-1e6, 1e6), st.integers(-40, 40).map(lambda v: v / 7)),
                min_size=2, max_size=300))
def test_sd_is_numpys_std_to_the_bit(values):
    from trainer.stats._common import _sd
    x = np.array(values, dtype=float)
    assert _sd(x) == (0.0 if x.min() == x.max() else float(np.std(x, ddof=1)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 40).map(lambda v: v / 4), st.integers(-40, 40).map(lambda v: v / 7),
                          st.sampled_from([0.0, -0.0])), max_size=600))
def test_describe_of_an_array_is_describe_of_its_list(values):
    assert _same_bits(stats.describe(np.array(values, dtype=float)), stats.describe(values))
    assert _same_bits(stats.describe(values), _describe_reference(values))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(-40, 40).map(lambda v: v / 4), st.integers(-40, 40).map(lambda v: v / 7),
                          st.sampled_from([0.0, -0.0])), max_size=300))
def test_mean_change_is_the_paired_difference_from_zero(changes):
    expected = stats.paired_difference([(0.0, c) for c in changes])
    assert _same_bits(stats.mean_change(changes), expected)
    assert _same_bits(stats.mean_change(np.array(changes, dtype=float)), expected)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40).map(lambda v: v / 4), st.integers(0, 40).map(lambda v: v / 4),
                          st.booleans()), max_size=120))
def test_the_comparisons_give_the_same_bits_for_arrays_as_for_lists(rows):
    from trainer.services.outcomes.evaluation import _by_arm
    pre, post, group = ([r[i] for r in rows] for i in range(3))
    lists = [[v for v, g in zip(values, group) if g == arm] for arm in (True, False) for values in (pre, post)]
    arrays = _by_arm(np.array(pre), np.array(post), np.array(group, dtype=bool))
    assert [a.tolist() for a in arrays] == lists
    change = {arm: [b - a for a, b, g in rows if g == arm] for arm in (True, False)}
    as_arrays = {arm: np.array(v, dtype=float) for arm, v in change.items()}
    for f in (stats.welch, stats.hedges_g):
        assert _same_bits(f(as_arrays[True], as_arrays[False]), f(change[True], change[False]))
    assert _same_bits(stats.ancova(np.array(pre), np.array(post), np.array(group, dtype=bool)), stats.ancova(pre, post, group))
    assert _same_bits(stats.hedges_g_baseline(*arrays), stats.hedges_g_baseline(*lists))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_pearson_of_arrays_is_pearson_of_lists(data):
    x = data.draw(st.lists(st.integers(0, 600), max_size=80))
    y = data.draw(st.lists(st.integers(-40, 40).map(lambda v: v / 7), min_size=len(x), max_size=len(x)))
    assert _same_bits(stats.pearson(np.array(x, dtype=np.int64), np.array(y, dtype=float)), stats.pearson(x, y))
