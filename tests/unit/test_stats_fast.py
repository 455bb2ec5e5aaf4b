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
