"""Trial-grade analysis: reliable change, multiple imputation, proportions and break-even."""
import functools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from trainer.stats._common import Values


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


def reliable_change_counts(pre: Sequence[float], post: Sequence[float], sd: float, reliability: float,
                           higher_is_better: bool) -> dict[str, int]:
    """How many (pre, post) pairs fall in each ``reliable_change_category`` of their
    ``reliable_change_index``, every category present: the same arithmetic, done for a whole
    group at once. ValueError as ``reliable_change_index``."""
    if sd <= 0 or not 0 <= reliability < 1:
        raise ValueError("sd must be positive and reliability in [0, 1)")
    rci = (np.asarray(post, dtype=float) - np.asarray(pre, dtype=float)) / (
        math.sqrt(2) * sd * math.sqrt(1 - reliability))
    beyond = np.abs(rci) > RELIABLE
    better = (rci > 0) == higher_is_better
    improved = int(np.count_nonzero(beyond & better))
    deteriorated = int(np.count_nonzero(beyond & ~better))
    return {"improved": improved, "unchanged": len(rci) - improved - deteriorated,
            "deteriorated": deteriorated}


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
