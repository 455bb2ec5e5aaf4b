"""Descriptive statistics: a group's n, mean, SD, median, CI and distribution; paired change."""
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from trainer.stats._common import Values, _complete, _present, _sd, _t_interval


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


def describe(values: Values, *, confidence: float = 0.95) -> Description:
    """Summarise values, ignoring None: n, mean, sample SD (ddof=1), median, t-based 95% CI.

    n = 0 gives all None; n = 1 gives mean and median, with SD and CI None. Equal values give
    SD 0 and a CI collapsed onto the mean.
    """
    x = _present(values)
    n = len(x)
    if n == 0:
        return Description(0, None, None, None, None, None)
    # NumPy's own arithmetic, step by step, without the per-call overhead of np.mean, np.median and
    # np.std (a page describes dozens of small groups): np.mean is the pairwise sum over n, np.std the
    # root of the pairwise sum of squared deviations from that mean over n - 1, and np.median the
    # middle value (or the sum from 0.0 of the two middle ones, halved) of the sorted values.
    # Non-finite values take NumPy's path.
    mean = float(x.sum() / n)
    if not math.isfinite(mean):
        return _describe_numpy(x, confidence)
    ordered = np.sort(x)
    half = n // 2
    median = float((0.0 + ordered[half]) if n % 2 else ((0.0 + ordered[half - 1]) + ordered[half]) / 2)
    if n == 1:
        return Description(1, mean, None, median, None, None)
    if ordered[0] == ordered[-1]:
        # Equal values: SD exactly 0, where floating-point rounding of the mean could leave ~1e-17.
        sd = 0.0
    else:
        deviations = x - mean
        sd = math.sqrt(float((deviations * deviations).sum() / (n - 1)))
    if sd == 0:
        mean = float(x[0])
    low, high = _t_interval(mean, sd / math.sqrt(n), n - 1, confidence)
    return Description(n, mean, sd, median, low, high)


def _describe_numpy(x: np.ndarray, confidence: float) -> Description:
    """``describe`` through NumPy's own functions (the reference the shortcut follows)."""
    n = len(x)
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


def mean_change(changes: Values, *, confidence: float = 0.95) -> PairedDifference:
    """``paired_difference`` of the pairs (0, change) of ``changes``: their n, mean, SD and CI,
    without building the pairs."""
    d = describe(changes, confidence=confidence)
    return PairedDifference(d.n, d.mean, d.sd, d.ci_low, d.ci_high)


def paired_difference(
    pairs: Sequence[tuple[float | None, float | None]], *, confidence: float = 0.95
) -> PairedDifference:
    """Mean of (second - first) over pairs with both values, with its SD and t-based CI.

    Pairs with a None are dropped. Edge rules as in ``describe``.
    """
    first, second = _complete([p[0] for p in pairs], [p[1] for p in pairs])
    d = describe(list(second - first), confidence=confidence)
    return PairedDifference(d.n, d.mean, d.sd, d.ci_low, d.ci_high)
