"""Confidence intervals for paired comparisons (used by :mod:`experiments.compare`).

* ``paired_interval``: the mean of paired differences (alternative - baseline, seed by
  seed) with a 95% interval: Student's t over the differences; where they are skewed
  (|sample skewness| > 1, with at least 8 values) a percentile bootstrap of their mean,
  4,000 resamples from a fixed seed, so the same runs always give the same interval.
* ``welch_interval``: the interval of the same difference of means *as if* the runs were
  independent (Welch); a paired design's interval is narrower on the same runs.
* ``ratio_interval``: ``sum(num) / sum(den)`` over paired values (cost per job created),
  with a paired percentile bootstrap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

LEVEL = 0.95
SKEW_LIMIT = 1.0
#: fewer values than this give too coarse a bootstrap: the t interval is used
MIN_BOOTSTRAP = 8
BOOTSTRAP_RESAMPLES = 4000
BOOTSTRAP_SEED = 20_260_101


def paired_interval(d: Sequence[float], level: float = LEVEL) -> tuple[float, float, float, str]:
    """Mean of paired differences with its interval: ``(mean, low, high, method)``.

    Student's t over the differences, or (``method == "bootstrap"``) a seeded percentile
    bootstrap of the mean where they are skewed (|skewness| > 1, 8 or more values). One value
    gives no interval (NaN); identical values give a zero-width one.
    """
    d = np.asarray(d, dtype=float)
    n, mean = d.size, float(d.mean())
    if n < 2:
        return mean, float("nan"), float("nan"), "t"
    sd = float(d.std(ddof=1))
    if sd <= 1e-12 * max(1.0, abs(mean)) or not np.isfinite(sd):
        return mean, mean, mean, "t"
    if n >= MIN_BOOTSTRAP and abs(float(stats.skew(d, bias=False))) > SKEW_LIMIT:
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        means = d[rng.integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))].mean(axis=1)
        low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
        return mean, float(low), float(high), "bootstrap"
    half = float(stats.t.ppf((1 + level) / 2, n - 1)) * sd / np.sqrt(n)
    return mean, mean - half, mean + half, "t"


def welch_interval(
    baseline: Sequence[float], alternative: Sequence[float], level: float = LEVEL
) -> tuple[float, float, float]:
    """The interval of ``mean(alternative) - mean(baseline)`` as if the runs were independent.

    Welch's t interval (unequal variances, Welch-Satterthwaite degrees of freedom): what
    two unpaired sets of runs would give. Returns ``(difference, low, high)``.
    """
    a, b = np.asarray(baseline, dtype=float), np.asarray(alternative, dtype=float)
    diff = float(b.mean() - a.mean())
    if a.size < 2 or b.size < 2:
        return diff, float("nan"), float("nan")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se2 = va + vb
    if se2 == 0.0:
        return diff, diff, diff
    df = se2**2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = float(stats.t.ppf((1 + level) / 2, df)) * float(np.sqrt(se2))
    return diff, diff - half, diff + half


def ratio_interval(
    num: np.ndarray, den: np.ndarray, level: float = LEVEL
) -> tuple[float, float, float]:
    """``sum(num) / sum(den)`` with a paired percentile-bootstrap interval (NaN if undefined)."""
    nan = float("nan")
    if den.sum() <= 0:
        return nan, nan, nan
    value = float(num.sum() / den.sum())
    if num.size < 2:
        return value, nan, nan
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    idx = rng.integers(0, num.size, size=(BOOTSTRAP_RESAMPLES, num.size))
    n_s, d_s = num[idx].sum(axis=1), den[idx].sum(axis=1)
    ok = d_s > 0
    if ok.mean() < 0.95:  # jobs created in too few resamples: no interval to speak of
        return value, nan, nan
    low, high = np.quantile(n_s[ok] / d_s[ok], [(1 - level) / 2, (1 + level) / 2])
    return value, float(low), float(high)
