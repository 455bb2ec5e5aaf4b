"""Survival in post: Kaplan-Meier estimates."""
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special
from scipy import stats as sps

from trainer.stats._common import Values, _complete


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


def kaplan_meier(
    durations: Values, observed: Sequence[bool | None], *, confidence: float = 0.95
) -> Survival:
    """Kaplan-Meier survival in post: durations in days; observed True = left, False = censored.

    Rows with a None are dropped. Per distinct event time: S(t) (from ``scipy.stats.ecdf``), the
    number at risk (duration >= t), the events, and Greenwood log-log CI bounds (None where
    undefined, e.g. S = 0). last_time is the longest duration, event or censored.
    """
    x, obs = _complete(durations, observed)
    return _kaplan_meier(x, obs.astype(bool), confidence)


def kaplan_meier_counts(
    durations: Sequence[float], observed: Sequence[bool], counts: Sequence[int], *,
    confidence: float = 0.95
) -> Survival:
    """``kaplan_meier`` of people counted in groups: ``counts[i]`` people with duration
    ``durations[i]`` and outcome ``observed[i]`` (no None). The same result as listing each
    person, from as many rows as there are distinct (duration, outcome) pairs, so a caller can
    count people per pair in SQL.

    It computes from the groups what ``scipy.stats.ecdf`` computes from the people, by the same
    arithmetic in the same order (so the floats are equal, not only close): per distinct duration,
    the number at risk and the events; S(t) as 1 - (events so far / n) when nobody is censored,
    else as the product of (at risk - events) / at risk; the log-log Greenwood bounds as
    ``confidence_interval(method="log-log")`` does, clipped to [0, 1]. It skips SciPy's objects,
    whose set-up costs more than the arithmetic for a page's few hundred groups."""
    counts = np.asarray(counts, dtype=int)
    keep = counts > 0
    x = np.asarray(durations, dtype=float)[keep] if len(counts) else np.zeros(0)
    obs = np.asarray(observed, dtype=bool)[keep] if len(counts) else np.zeros(0, dtype=bool)
    counts = counts[keep]
    total = int(counts.sum())
    if total == 0:
        return Survival(0, (), (), (), (), (), (), None)
    if x.min() < 0:
        raise ValueError("durations must not be negative")
    times, where = np.unique(x, return_inverse=True)
    everyone = np.zeros(len(times), dtype=np.int64)
    np.add.at(everyone, where, counts)
    d = np.zeros(len(times), dtype=np.int64)
    np.add.at(d, where[obs], counts[obs])
    n = total - (np.cumsum(everyone) - everyone)  # durations >= t
    with np.errstate(all="ignore"):
        if d.sum() == total:  # nobody censored: scipy's _ecdf_uncensored
            sf = 1 - np.cumsum(d) / total
        else:  # scipy's _ecdf_right_censored
            sf = np.cumprod((n - d) / n)
        # EmpiricalDistributionFunction._loglog_ci, then confidence_interval's clip.
        level = np.asarray(confidence)[()]
        var = 1 / np.log(sf) ** 2 * np.cumsum(d / (n * (n - d)))
        se = np.sqrt(var)
        z = special.ndtri(1 / 2 + level / 2)
        lnl_points = np.log(-np.log(sf))
        z_se = z * se
        low = np.clip(np.exp(-np.exp(lnl_points + z_se)), 0, 1)
        high = np.clip(np.exp(-np.exp(lnl_points - z_se)), 0, 1)
    at = d > 0

    def bounds(values: np.ndarray) -> tuple[float | None, ...]:
        return tuple(None if math.isnan(v) else float(v) for v in values[at])

    return Survival(
        n=total,
        times=tuple(float(t) for t in times[at]),
        survival=tuple(float(v) for v in sf[at]),
        at_risk=tuple(int(v) for v in n[at]),
        events=tuple(int(v) for v in d[at]),
        ci_low=bounds(low),
        ci_high=bounds(high),
        last_time=float(times[-1]),
    )


def _kaplan_meier(x: np.ndarray, obs: np.ndarray, confidence: float) -> Survival:
    if len(x) == 0:
        return Survival(0, (), (), (), (), (), (), None)
    if x.min() < 0:
        raise ValueError("durations must not be negative")
    sf = sps.ecdf(sps.CensoredData(uncensored=x[obs], right=x[~obs])).sf
    with warnings.catch_warnings():
        # Undefined bounds come back as NaN with a warning; they become None below.
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = sf.confidence_interval(confidence, method="log-log")
    times, events = np.unique(x[obs], return_counts=True)
    at = np.isin(sf.quantiles, times)
    # Durations >= t, for every event time at once (sorted durations, binary search).
    at_risk = len(x) - np.searchsorted(np.sort(x), times, side="left")

    def bounds(values: np.ndarray) -> tuple[float | None, ...]:
        return tuple(None if math.isnan(v) else float(v) for v in values[at])

    return Survival(
        n=len(x),
        times=tuple(float(t) for t in times),
        survival=tuple(float(s) for s in sf.probabilities[at]),
        at_risk=tuple(int(n) for n in at_risk),
        events=tuple(int(n) for n in events),
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
