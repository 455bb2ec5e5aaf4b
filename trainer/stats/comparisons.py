"""Comparing groups: Welch's t, Hedges' g, ANCOVA, correlation and Holm's adjustment."""
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from trainer.stats._common import Values, _complete, _present, _sd, _t_interval, _t_sf, _z_quantile


@dataclass(frozen=True)
class Welch:
    n_a: int
    n_b: int
    mean_a: float | None
    mean_b: float | None
    diff: float | None
    ci_low: float | None
    ci_high: float | None
    t: float | None
    df: float | None
    p: float | None


@dataclass(frozen=True)
class EffectSize:
    g: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    d: float | None


@dataclass(frozen=True)
class Ancova:
    n: int
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None


@dataclass(frozen=True)
class Correlation:
    n: int
    r: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None


def welch(a: Values, b: Values, *, confidence: float = 0.95) -> Welch:
    """Welch's unequal-variance t-test of a against b, ignoring None; diff = mean_a - mean_b.

    df is Welch-Satterthwaite; t, df and the two-sided p match
    ``scipy.stats.ttest_ind(a, b, equal_var=False)``; the CI of diff uses that df. Means are
    None for an empty group, diff None if either is; t, df, p and CI are None when a group has
    fewer than 2 values or both variances are 0.
    """
    xa, xb = _present(a), _present(b)
    na, nb = len(xa), len(xb)
    mean_a = float(np.mean(xa)) if na else None
    mean_b = float(np.mean(xb)) if nb else None
    diff = mean_a - mean_b if na and nb else None
    if na < 2 or nb < 2:
        return Welch(na, nb, mean_a, mean_b, diff, None, None, None, None, None)
    va, vb = _sd(xa) ** 2 / na, _sd(xb) ** 2 / nb
    if va + vb == 0:
        return Welch(na, nb, mean_a, mean_b, diff, None, None, None, None, None)
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    t = diff / se
    p = 2 * _t_sf(abs(t), df)
    low, high = _t_interval(diff, se, df, confidence)
    return Welch(na, nb, mean_a, mean_b, diff, low, high, t, df, p)


def hedges_g_from_d(d: float, n_a: int, n_b: int, *, confidence: float = 0.95) -> EffectSize:
    """Hedges' g from Cohen's d and group sizes, with SE and normal-theory CI.

    g = J * d with the exact correction J = Γ(m/2) / (sqrt(m/2) Γ((m-1)/2)), m = n_a + n_b - 2.
    SE(g) = sqrt((n_a + n_b) / (n_a n_b) + g² / (2 (n_a + n_b))), the large-sample variance of
    Hedges & Olkin (1985) evaluated at g (as metafor's escalc does); d = 0.5, n 25 vs 31 gives
    g = 0.493, SE = 0.273. CI = g ± z * SE. All None but d when a group is empty or m < 2.
    """
    m = n_a + n_b - 2
    if n_a < 1 or n_b < 1 or m < 2:
        return EffectSize(None, None, None, None, d)
    j = math.exp(special.gammaln(m / 2) - 0.5 * math.log(m / 2) - special.gammaln((m - 1) / 2))
    g = j * d
    se = math.sqrt((n_a + n_b) / (n_a * n_b) + g**2 / (2 * (n_a + n_b)))
    half = _z_quantile((1 + confidence) / 2) * se
    return EffectSize(g, se, g - half, g + half, d)


def hedges_g(a: Values, b: Values, *, confidence: float = 0.95) -> EffectSize:
    """Hedges' g of a against b, ignoring None: d = (mean_a - mean_b) / pooled SD (ddof=1 each).

    See ``hedges_g_from_d`` for g, SE and CI. All None when a group has fewer than 2 values or
    the pooled SD is 0.
    """
    xa, xb = _present(a), _present(b)
    na, nb = len(xa), len(xb)
    if na < 2 or nb < 2:
        return EffectSize(None, None, None, None, None)
    pooled = math.sqrt(((na - 1) * _sd(xa) ** 2 + (nb - 1) * _sd(xb) ** 2) / (na + nb - 2))
    if pooled == 0:
        return EffectSize(None, None, None, None, None)
    d = (float(np.mean(xa)) - float(np.mean(xb))) / pooled
    return hedges_g_from_d(d, na, nb, confidence=confidence)


def ancova(
    pre: Values,
    post: Values,
    group: Sequence[int | bool | None],
    *,
    confidence: float = 0.95,
) -> Ancova:
    """Adjusted group difference from OLS of post on intercept + pre + group (1 = intervention).

    Complete cases only. estimate is the group coefficient (intervention - comparison at equal
    pre), with its SE, t-based CI and two-sided p on n - 3 residual df. All None but n when
    n < 4 or the design is singular (e.g. one group only, or pre constant); p is None when the
    fit is exact (SE 0).
    """
    x_pre, y, x_group = _complete(pre, post, group)
    n = len(y)
    if n < 4:
        return Ancova(n, None, None, None, None, None)
    design = np.column_stack([np.ones(n), x_pre, x_group != 0])
    if np.linalg.matrix_rank(design) < 3:
        return Ancova(n, None, None, None, None, None)
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    df = n - 3
    sigma2 = float(np.sum((y - design @ beta) ** 2)) / df
    se = math.sqrt(sigma2 * np.linalg.inv(design.T @ design)[2, 2])
    estimate = float(beta[2])
    if se == 0:
        return Ancova(n, estimate, 0.0, estimate, estimate, None)
    p = 2 * _t_sf(abs(estimate / se), df)
    low, high = _t_interval(estimate, se, df, confidence)
    return Ancova(n, estimate, se, low, high, p)


def pearson(x: Values, y: Values, *, confidence: float = 0.95) -> Correlation:
    """Pearson's r over complete cases, r and p as ``scipy.stats.pearsonr`` computes them, Fisher-z CI.

    All None but n when n < 3 or either variable is constant; the CI is None when n = 3
    (its SE, 1/sqrt(n - 3), is undefined).
    """
    xs, ys = _complete(x, y)
    n = len(xs)
    if n < 3 or xs.min() == xs.max() or ys.min() == ys.max():
        return Correlation(n, None, None, None, None)
    r, p = _pearson_r_p(xs, ys)
    if n == 3:
        return Correlation(n, r, None, None, p)
    if abs(r) == 1:
        return Correlation(n, r, r, r, p)
    half = _z_quantile((1 + confidence) / 2) / math.sqrt(n - 3)
    z = math.atanh(r)
    return Correlation(n, r, math.tanh(z - half), math.tanh(z + half), p)


def _pearson_r_p(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    # What scipy.stats.pearsonr computes (r from the normalised deviations, clipped to [-1, 1];
    # p from r's beta distribution under no correlation), without its ~0.5 ms of checks a call:
    # a page correlates every scale with two exposures. NumPy's mean and vector norm are written
    # out as the arithmetic they do (a pairwise sum over n; the root of the pairwise sum of
    # squares), which costs a fraction of their calls on a few dozen values.
    n = len(xs)
    xm, ym = xs - xs.sum() / n, ys - ys.sum() / n
    # Scaled by the largest deviation first, as SciPy does, so r comes out to the same bits.
    largest_x, largest_y = np.abs(xm).max(), np.abs(ym).max()
    scaled_x, scaled_y = xm / largest_x, ym / largest_y
    normxm = largest_x * math.sqrt((scaled_x * scaled_x).sum())
    normym = largest_y * math.sqrt((scaled_y * scaled_y).sum())
    r = float(np.vecdot(xm / normxm, ym / normym))
    if not -1.0 <= r <= 1.0:
        r = float(np.clip(r, -1.0, 1.0))
    ab = n / 2 - 1
    return r, float(2 * special.betaincc(ab, ab, (abs(r) + 1) / 2))


def hedges_g_baseline(pre_a: Values, post_a: Values, pre_b: Values, post_b: Values, *,
                      confidence: float = 0.95) -> EffectSize:
    """Hedges' g of the difference in mean change (a minus b) over the pooled BASELINE SD.

    Pairs with a None are dropped in each group. d = ((post_a - pre_a) - (post_b - pre_b)) means
    / pooled SD of pre (ddof=1 each), Morris (2008) d_ppc2; g, SE and CI as ``hedges_g_from_d``
    (the independent-groups SE, conservative when before and after correlate above 0.5). So g is
    on the scale of published between-group effect sizes, unlike g of change scores. All None
    when a group has fewer than 2 pairs or the pooled baseline SD is 0.
    """
    xa, ya = _complete(pre_a, post_a)
    xb, yb = _complete(pre_b, post_b)
    na, nb = len(xa), len(xb)
    if na < 2 or nb < 2:
        return EffectSize(None, None, None, None, None)
    pooled = math.sqrt(((na - 1) * _sd(xa) ** 2 + (nb - 1) * _sd(xb) ** 2) / (na + nb - 2))
    if pooled == 0:
        return EffectSize(None, None, None, None, None)
    d = (float(np.mean(ya - xa)) - float(np.mean(yb - xb))) / pooled
    return hedges_g_from_d(d, na, nb, confidence=confidence)


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values, in the input's order; None stays None and is not
    counted among the tests. Matches statsmodels' ``multipletests(method="holm")``."""
    present = [(p, i) for i, p in enumerate(pvalues) if p is not None]
    adjusted: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(present)):
        running = max(running, min(1.0, (len(present) - rank) * p))
        adjusted[i] = running
    return adjusted
