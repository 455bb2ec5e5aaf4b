"""Shared helpers of the statistics modules: missing values, SD and t intervals."""
import functools
import math
from collections.abc import Sequence

import numpy as np
from scipy import special
from scipy import stats as sps


SMALL_CELL = 5

Values = Sequence[float | None]


def _present(values: Values) -> np.ndarray:
    if not _has_none(values):
        return np.array(values, dtype=float)
    return np.array([v for v in values if v is not None], dtype=float)


def _complete(*columns: Sequence) -> list[np.ndarray]:
    if len({len(c) for c in columns}) > 1:
        raise ValueError("columns must have the same length")
    if not any(_has_none(c) for c in columns):
        # Every row is complete: the columns as they are (a report's groups run to thousands).
        return [np.array(c, dtype=float) for c in columns]
    rows = [row for row in zip(*columns) if all(v is not None for v in row)]
    if not rows:
        return [np.array([]) for _ in columns]
    return [np.array(col, dtype=float) for col in zip(*rows)]


def _has_none(column) -> bool:
    # True unless the column is a list, tuple or array known to hold no None (anything else,
    # say a generator, takes the slow path). ``in`` on a NumPy array would compare element by
    # element; one of numbers holds no None.
    if isinstance(column, np.ndarray):
        return column.dtype == object and any(v is None for v in column.tolist())
    return not isinstance(column, (list, tuple)) or None in column


def _sd(x: np.ndarray) -> float:
    # Equal values give exactly 0, where floating-point rounding of the mean could leave ~1e-17.
    if x.min() == x.max():
        return 0.0
    # np.std(x, ddof=1) written out as the arithmetic it does (the root of the pairwise sum of
    # squared deviations from the pairwise mean, over n - 1), without its per-call overhead.
    n = len(x)
    deviations = x - x.sum() / n
    return math.sqrt(float((deviations * deviations).sum() / (n - 1)))


@functools.lru_cache(maxsize=4096)
def _t_quantile(p: float, df: float) -> float:
    # A page may summarise thousands of groups, mostly of a few sizes: SciPy's ppf costs ~1 ms a call.
    return float(sps.t.ppf(p, df))


def _t_sf(x: float, df: float) -> float:
    """``scipy.stats.t.sf(x, df)``: for finite x and a finite positive df, SciPy computes it as
    ``special.stdtr(df, -x)`` after checks that cost far more than that (about 0.1 ms a call)."""
    if math.isfinite(x) and math.isfinite(df) and df > 0:
        return float(special.stdtr(df, -x))
    return float(sps.t.sf(x, df))


@functools.lru_cache(maxsize=64)
def _z_quantile(p: float) -> float:
    # The normal quantile of a confidence level: one SciPy call per level, not one per figure.
    return float(sps.norm.ppf(p))


def _t_interval(centre: float, se: float, df: float, confidence: float) -> tuple[float, float]:
    half = _t_quantile((1 + confidence) / 2, df) * se
    return centre - half, centre + half
