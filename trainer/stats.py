"""Pure statistics for reports: descriptives, comparisons, effect sizes, survival, small groups."""

import functools
import math
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special
from scipy import stats as sps

SMALL_CELL = 5

Values = Sequence[float | None]


@dataclass(frozen=True)
class Description:
    n: int
    mean: float | None
    sd: float | None
    median: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class PairedDifference:
    n: int
    mean_diff: float | None
    sd_diff: float | None
    ci_low: float | None
    ci_high: float | None


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


@dataclass(frozen=True)
class Survival:
    n: int
    times: tuple[float, ...]
    survival: tuple[float, ...]
    at_risk: tuple[int, ...]
    events: tuple[int, ...]
    ci_low: tuple[float | None, ...]
    ci_high: tuple[float | None, ...]
    last_time: float | None


def _present(values: Values) -> np.ndarray:
    return np.array([v for v in values if v is not None], dtype=float)


def _complete(*columns: Sequence) -> list[np.ndarray]:
    if len({len(c) for c in columns}) > 1:
        raise ValueError("columns must have the same length")
    rows = [row for row in zip(*columns) if all(v is not None for v in row)]
    if not rows:
        return [np.array([]) for _ in columns]
    return [np.array(col, dtype=float) for col in zip(*rows)]


def _sd(x: np.ndarray) -> float:
    # Equal values give exactly 0, where floating-point rounding of the mean could leave ~1e-17.
    return 0.0 if x.min() == x.max() else float(np.std(x, ddof=1))


@functools.lru_cache(maxsize=4096)
def _t_quantile(p: float, df: float) -> float:
    # A page may summarise thousands of groups, mostly of a few sizes: SciPy's ppf costs ~1 ms a call.
    return float(sps.t.ppf(p, df))


def _t_interval(centre: float, se: float, df: float, confidence: float) -> tuple[float, float]:
    half = _t_quantile((1 + confidence) / 2, df) * se
    return centre - half, centre + half


def describe(values: Values, *, confidence: float = 0.95) -> Description:
    """Summarise values, ignoring None: n, mean, sample SD (ddof=1), median, t-based 95% CI.

    n = 0 gives all None; n = 1 gives mean and median, with SD and CI None. Equal values give
    SD 0 and a CI collapsed onto the mean.
    """
    x = _present(values)
    n = len(x)
    if n == 0:
        return Description(0, None, None, None, None, None)
    mean, median = float(np.mean(x)), float(np.median(x))
    if n == 1:
        return Description(1, mean, None, median, None, None)
    sd = _sd(x)
    if sd == 0:
        mean = float(x[0])
    low, high = _t_interval(mean, sd / math.sqrt(n), n - 1, confidence)
    return Description(n, mean, sd, median, low, high)


def describe_counts(counts: Sequence[Sequence[int]], levels: Sequence[int] = range(1, 6), *,
                    confidence: float = 0.95) -> list[Description]:
    """``describe`` of many groups at once from sufficient statistics: row i of ``counts`` holds
    group i's count per level. The same figures as ``describe`` of the expanded values (mean and
    median exactly, SD and CI to floating-point rounding), with one t quantile call for all."""
    c = np.asarray(counts, dtype=float).reshape(-1, len(levels))
    v = np.asarray(levels, dtype=float)
    n = c.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (c @ v) / n
        sd = np.sqrt((c * (v - mean[:, None]) ** 2).sum(axis=1) / (n - 1))
        sd[(c > 0).sum(axis=1) == 1] = 0.0  # equal values: exactly 0, as describe gives
        half = sps.t.ppf((1 + confidence) / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    # The median: the middle value (or the mean of the two middle ones) read off cumulative counts.
    cum, whole = c.cumsum(axis=1), n.astype(int)
    middle = [v[np.minimum((cum <= k[:, None]).sum(axis=1), len(v) - 1)]
              for k in ((whole - 1) // 2, whole // 2)]
    median = (middle[0] + middle[1]) / 2
    result = []
    for count, m, s, med, h in zip(whole.tolist(), mean.tolist(), sd.tolist(), median.tolist(), half.tolist()):
        if count == 0:
            result.append(Description(0, None, None, None, None, None))
        elif count == 1:
            result.append(Description(1, m, None, med, None, None))
        else:
            result.append(Description(count, m, s, med, m - h, m + h))
    return result


def distribution(
    values: Sequence[int | None], levels: Sequence[int] = range(1, 6)
) -> dict[int, int]:
    """Count values per level, every level present (zero-filled), ignoring None.

    A value outside ``levels`` raises ValueError.
    """
    counts = {level: 0 for level in levels}
    for v in values:
        if v is None:
            continue
        if v not in counts:
            raise ValueError(f"value {v!r} is not one of the levels")
        counts[v] += 1
    return counts


def response_rate(responders: int, invited: int) -> float | None:
    """Return responders / invited, or None when nobody was invited.

    Raises ValueError when responders is negative or exceeds invited.
    """
    if not 0 <= responders <= invited:
        raise ValueError("responders must be between 0 and invited")
    return None if invited == 0 else responders / invited


def paired_difference(
    pairs: Sequence[tuple[float | None, float | None]], *, confidence: float = 0.95
) -> PairedDifference:
    """Mean of (second - first) over pairs with both values, with its SD and t-based CI.

    Pairs with a None are dropped. Edge rules as in ``describe``.
    """
    first, second = _complete([p[0] for p in pairs], [p[1] for p in pairs])
    d = describe(list(second - first), confidence=confidence)
    return PairedDifference(d.n, d.mean, d.sd, d.ci_low, d.ci_high)


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
    p = float(2 * sps.t.sf(abs(t), df))
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
    half = float(sps.norm.ppf((1 + confidence) / 2)) * se
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
    p = float(2 * sps.t.sf(abs(estimate / se), df))
    low, high = _t_interval(estimate, se, df, confidence)
    return Ancova(n, estimate, se, low, high, p)


def pearson(x: Values, y: Values, *, confidence: float = 0.95) -> Correlation:
    """Pearson's r over complete cases, p from ``scipy.stats.pearsonr``, Fisher-z CI.

    All None but n when n < 3 or either variable is constant; the CI is None when n = 3
    (its SE, 1/sqrt(n - 3), is undefined).
    """
    xs, ys = _complete(x, y)
    n = len(xs)
    if n < 3 or xs.min() == xs.max() or ys.min() == ys.max():
        return Correlation(n, None, None, None, None)
    result = sps.pearsonr(xs, ys)
    r, p = float(result.statistic), float(result.pvalue)
    if n == 3:
        return Correlation(n, r, None, None, p)
    if abs(r) == 1:
        return Correlation(n, r, r, r, p)
    half = float(sps.norm.ppf((1 + confidence) / 2)) / math.sqrt(n - 3)
    z = math.atanh(r)
    return Correlation(n, r, math.tanh(z - half), math.tanh(z + half), p)


def kaplan_meier(
    durations: Values, observed: Sequence[bool | None], *, confidence: float = 0.95
) -> Survival:
    """Kaplan-Meier survival in post: durations in days; observed True = left, False = censored.

    Rows with a None are dropped. Per distinct event time: S(t) (from ``scipy.stats.ecdf``), the
    number at risk (duration >= t), the events, and Greenwood log-log CI bounds (None where
    undefined, e.g. S = 0). last_time is the longest duration, event or censored.
    """
    x, obs = _complete(durations, observed)
    if len(x) == 0:
        return Survival(0, (), (), (), (), (), (), None)
    if x.min() < 0:
        raise ValueError("durations must not be negative")
    obs = obs.astype(bool)
    sf = sps.ecdf(sps.CensoredData(uncensored=x[obs], right=x[~obs])).sf
    with warnings.catch_warnings():
        # Undefined bounds come back as NaN with a warning; they become None below.
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = sf.confidence_interval(confidence, method="log-log")
    times = np.unique(x[obs])
    at = np.isin(sf.quantiles, times)

    def bounds(values: np.ndarray) -> tuple[float | None, ...]:
        return tuple(None if math.isnan(v) else float(v) for v in values[at])

    return Survival(
        n=len(x),
        times=tuple(float(t) for t in times),
        survival=tuple(float(s) for s in sf.probabilities[at]),
        at_risk=tuple(int(np.sum(x >= t)) for t in times),
        events=tuple(int(np.sum(obs & (x == t))) for t in times),
        ci_low=bounds(ci.low.probabilities),
        ci_high=bounds(ci.high.probabilities),
        last_time=float(x.max()),
    )


def survival_at(result: Survival, t: float) -> float | None:
    """S(t) as a right-continuous step: 1.0 before the first event, events at t counted.

    None when t lies beyond the longest follow-up (nobody was observed that long), unless S has
    already reached 0, which then holds for ever. None for an empty result.
    """
    if result.last_time is None:
        return None
    i = int(np.searchsorted(result.times, t, side="right")) - 1
    value = 1.0 if i < 0 else result.survival[i]
    if t > result.last_time and value > 0:
        return None
    return value


def is_small(n: int, threshold: int = SMALL_CELL) -> bool:
    """True when a group of n respondents is too small for any statistic of its responses.

    A statistic of nobody has nothing to show, so 0 counts as small here.
    """
    return n < threshold


def merge_small_groups(sizes: Mapping[Hashable, int], threshold: int = SMALL_CELL,
                       ) -> tuple[list[Hashable], list[Hashable]]:
    """Split groups into those shown on their own and those merged into one "other" group.

    Groups of ``threshold`` or more stand alone; smaller ones (and empty ones) are merged; both
    lists keep the mapping's order. While the merged group holds 1 to threshold - 1 people, the smallest
    standing group joins it (ties: the last in order). So every part has 0 or at least
    ``threshold`` people: a breakdown that shows every part can never be differenced into a
    smaller group. When a lone part would remain it is merged too (a breakdown of one part
    is no breakdown): the result is then ([], every key).
    """
    own = [k for k, n in sizes.items() if n >= threshold]
    merged = [k for k in sizes if k not in own]
    while own and 0 < sum(sizes[k] for k in merged) < threshold:
        smallest = min(reversed(own), key=lambda k: sizes[k])
        own.remove(smallest)
        merged.append(smallest)
    if len(own) == 1 and not sum(sizes[k] for k in merged):
        own = []
    return own, [k for k in sizes if k not in own]


def shown_parts(counts: Mapping[Hashable, int], threshold: int = SMALL_CELL) -> set:
    """Parts of a partition whose statistic may be shown beside the total's.

    A part is shown when it has ``threshold`` or more respondents, and the parts not shown have
    together 0 or at least ``threshold``: otherwise the total minus the shown parts would give
    the few others away, so the smallest shown parts are withdrawn until that holds (ties: the
    last in order). Whole groups are withdrawn, never single cells of a distribution.
    """
    shown = [k for k, c in counts.items() if c >= threshold]
    rest = sum(c for k, c in counts.items() if k not in shown)
    while shown and 0 < rest < threshold:
        smallest = min(reversed(shown), key=lambda k: counts[k])
        shown.remove(smallest)
        rest += counts[smallest]
    return set(shown)


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


RELIABLE = 1.959963984540054  # the two-sided 5% normal quantile Jacobson & Truax use


def reliable_change_index(pre: float, post: float, sd: float, reliability: float) -> float:
    """Jacobson & Truax (1991): (post - pre) / S_diff, S_diff = sqrt(2) * sd * sqrt(1 - r).

    ``sd`` is the baseline SD and ``reliability`` the scale's published alpha or test-retest r.
    ValueError when sd is not positive or the reliability is not in [0, 1).
    """
    if sd <= 0 or not 0 <= reliability < 1:
        raise ValueError("sd must be positive and reliability in [0, 1)")
    return (post - pre) / (math.sqrt(2) * sd * math.sqrt(1 - reliability))


def reliable_change_category(rci: float, higher_is_better: bool) -> str:
    """"improved", "deteriorated" or "unchanged": |RCI| above 1.96 in the better or worse direction."""
    if abs(rci) <= RELIABLE:
        return "unchanged"
    return "improved" if (rci > 0) == higher_is_better else "deteriorated"


@dataclass(frozen=True)
class Imputed:
    n: int
    missing: int
    imputations: int
    seed: int
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None


def mice_ancova(pre: Values, post: Values, group: Sequence[int | bool], *, seed: int,
                imputations: int = 20, burn_in: int = 10, skip: int = 1) -> Imputed:
    """Multiple-imputation ANCOVA (statsmodels MICE, predictive mean matching): post on pre and
    group (1 = intervention), missing pre and post imputed by chained equations, estimates pooled
    by Rubin's rules; ``skip`` imputation cycles between the datasets analysed. ``group`` must be
    complete. Seeded, so the same data give the same result (remembered: a page shows it often).
    All None but the counts when fewer than 4 people have both scores or one group is absent.
    """
    return _mice_ancova(tuple(pre), tuple(post), tuple(bool(g) for g in group), seed, imputations,
                        burn_in, skip)


@functools.lru_cache(maxsize=64)
def _mice_ancova(pre: tuple, post: tuple, group: tuple, seed: int, imputations: int, burn_in: int,
                 skip: int) -> Imputed:
    import pandas as pd
    from statsmodels.imputation import mice
    from statsmodels.regression.linear_model import OLS

    frame = pd.DataFrame({"pre": [np.nan if v is None else float(v) for v in pre],
                          "post": [np.nan if v is None else float(v) for v in post],
                          "grp": [1.0 if g else 0.0 for g in group]})
    missing = int(frame[["pre", "post"]].isna().any(axis=1).sum())
    complete = frame.dropna()
    if len(complete) < 4 or complete["grp"].nunique() < 2 or complete["pre"].nunique() < 2:
        return Imputed(len(frame), missing, imputations, seed, None, None, None, None, None)
    data = mice.MICEData(frame, rng=np.random.default_rng(seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = mice.MICE("post ~ pre + grp", OLS, data, n_skip=skip).fit(burn_in, imputations)
    i = list(fit.model.exog_names).index("grp")
    low, high = np.asarray(fit.conf_int())[i]
    return Imputed(len(frame), missing, imputations, seed, float(fit.params[i]), float(fit.bse[i]),
                   float(low), float(high), float(fit.pvalues[i]))


@dataclass(frozen=True)
class ProportionDifference:
    p_a: float | None
    p_b: float | None
    diff: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def excludes_zero(self) -> bool:
        """True when the confidence interval lies wholly above or wholly below 0."""
        return self.ci_low is not None and (self.ci_low > 0 or self.ci_high < 0)


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def proportion_difference(x_a: int, n_a: int, x_b: int, n_b: int, *,
                          confidence: float = 0.95) -> ProportionDifference:
    """p_a - p_b with Newcombe's hybrid score interval (his method 10, from two Wilson
    intervals; statsmodels' confint_proportions_2indep method "newcomb"). None without people."""
    if not n_a or not n_b:
        return ProportionDifference(None, None, None, None, None)
    z = float(sps.norm.ppf(1 - (1 - confidence) / 2))
    p_a, p_b = x_a / n_a, x_b / n_b
    (l_a, u_a), (l_b, u_b) = _wilson(x_a, n_a, z), _wilson(x_b, n_b, z)
    d = p_a - p_b
    return ProportionDifference(p_a, p_b, d, d - math.sqrt((p_a - l_a) ** 2 + (u_b - p_b) ** 2),
                                d + math.sqrt((u_a - p_a) ** 2 + (p_b - l_b) ** 2))


def break_even(total_cost, cost_per_event):
    """How many events (e.g. leavers averted), each saving ``cost_per_event``, repay
    ``total_cost``: total / unit, to two decimal places, in the type of the inputs."""
    return round(total_cost / cost_per_event, 2)
