"""Intervals of paired differences (``experiments.intervals``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from experiments.intervals import paired_interval, ratio_interval, welch_interval


def test_t_interval_by_hand():
    d = [1.0, 2.0, 3.0, 4.0]
    mean, lo, hi, method = paired_interval(d)
    half = stats.t.ppf(0.975, 3) * np.std(d, ddof=1) / 2.0
    assert method == "t" and mean == 2.5
    assert (lo, hi) == pytest.approx((2.5 - half, 2.5 + half))


def test_skewed_differences_get_a_deterministic_bootstrap():
    d = [0.0] * 9 + [10.0]  # one future far out: skewness 3
    mean, lo, hi, method = paired_interval(d)
    assert method == "bootstrap" and mean == 1.0
    assert 0.0 <= lo < mean < hi <= 10.0
    assert paired_interval(d) == (mean, lo, hi, method)  # same runs, same interval
    assert paired_interval(d[:5] + [10.0])[3] == "t"  # too few values for a bootstrap


def test_degenerate_cases():
    assert paired_interval([3.0, 3.0, 3.0]) == (3.0, 3.0, 3.0, "t")
    mean, lo, hi, _ = paired_interval([2.0])
    assert mean == 2.0 and math.isnan(lo) and math.isnan(hi)


def test_welch_matches_scipy():
    a, b = np.array([1.0, 2.0, 4.0, 7.0]), np.array([2.0, 2.5, 6.0, 9.0, 11.0])
    diff, lo, hi = welch_interval(a, b)
    res = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert diff == pytest.approx(b.mean() - a.mean())
    assert (lo, hi) == pytest.approx((res.low, res.high))


def test_ratio_interval():
    value, lo, hi = ratio_interval(np.array([10.0, 20.0, 30.0]), np.array([1.0, 2.0, 3.0]))
    assert value == 10.0 and lo == pytest.approx(10.0) and hi == pytest.approx(10.0)
    assert all(math.isnan(x) for x in ratio_interval(np.array([1.0, 1.0]), np.array([-1.0, 0.5])))
