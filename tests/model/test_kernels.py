"""The compiled kernels give numpy's results to the last bit (``model.kernels``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from model import kernels
from scenarios.limits import MAX_CAPABILITIES

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=True)


def population(seed: int, n: int = 300, c: int = 22, k: int = 9):
    """Random firm capability arrays: proficiency, 0/1 requirements, industries."""
    rng = np.random.default_rng(seed)
    proficiency = rng.random((n, c))
    proficiency[rng.random((n, c)) < 0.1] = 0.0
    requires = (rng.random((k, c)) < 0.4).astype(float)
    requires[0] = 0.0  # an industry that requires nothing
    return proficiency, requires, rng.integers(0, k, n)


def test_rows_the_kernels_sum_cover_the_schemas_capabilities():
    assert MAX_CAPABILITIES <= kernels.MAX_ROW


@given(arrays(np.float64, st.integers(0, kernels.MAX_ROW), elements=finite))
@settings(max_examples=300, deadline=None)
def test_numpy_sum_is_numpys_summation_order(a):
    assert np.array_equal(kernels.numpy_sum(a), a.sum(), equal_nan=True)
    assert np.signbit(kernels.numpy_sum(a)) == np.signbit(a.sum())


def test_numpy_sum_of_badly_scaled_rows():
    rng = np.random.default_rng(0)
    for c in range(kernels.MAX_ROW + 1):
        rows = rng.random((20, c)) * 10.0 ** rng.uniform(-8, 8, (20, c))
        rows *= rng.choice([-1.0, 1.0], (20, c))
        got = np.array([kernels.numpy_sum(r) for r in rows])
        assert np.array_equal(got, rows.sum(axis=1)), c


@pytest.mark.parametrize("seed", range(5))
def test_capability_fit(seed):
    prof, req, ind = population(seed)
    want = (prof * req[ind]).sum(axis=1) / np.maximum(req[ind].sum(axis=1), 1.0)
    assert np.array_equal(kernels.capability_fit(prof, req, ind), want)


@pytest.mark.parametrize("seed", range(5))
def test_learn(seed):
    prof, req, ind = population(seed)
    used = prof + 0.013 * (1.0 - prof)
    want = np.where(req[ind] > 0, used, prof * (1.0 - 0.021))
    assert np.array_equal(kernels.learn(prof, req, ind, 0.013, 0.021), want)


@pytest.mark.parametrize("seed", range(5))
def test_blend_hires(seed):
    prof, req, ind = population(seed)
    rng = np.random.default_rng(100 + seed)
    staff = rng.uniform(0, 50, len(ind))
    staff[:5] = 0.0
    got = rng.uniform(0, 5, len(ind)) * (rng.random(len(ind)) < 0.7)
    quality = rng.random(len(ind))
    r = req[ind]
    blended = (staff[:, None] * prof + got[:, None] * quality[:, None] * r) / np.maximum(
        staff + got, 1e-12
    )[:, None]
    want = np.where(r > 0, blended, prof)
    assert np.array_equal(kernels.blend_hires(prof, staff, got, quality, req, ind), want)


@pytest.mark.parametrize("seed", range(5))
def test_weakest_required(seed):
    prof, req, ind = population(seed)
    masked = np.where(req[ind] > 0, prof, np.inf)
    weakest = masked.argmin(axis=1)
    low = masked[np.arange(len(ind)), weakest] < 0.35
    want = np.where(low, weakest, -1)
    assert np.array_equal(kernels.weakest_required(prof, req, ind, 0.35), want)
    assert (want == -1).any() and (want >= 0).any()


@pytest.mark.parametrize("seed", range(5))
def test_held_capabilities(seed):
    prof, req, ind = population(seed)
    staff = np.random.default_rng(200 + seed).uniform(0, 80, len(ind))
    want = (staff[:, None] * prof * req[ind]).sum(axis=0)
    assert np.array_equal(kernels.held_capabilities(prof, staff, req, ind), want)


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.uint64, np.bool_])
def test_compact_keeps_the_given_rows_in_order(dtype):
    rng = np.random.default_rng(3)
    arr = (rng.random(50) * 100).astype(dtype)
    keep = np.flatnonzero(rng.random(50) < 0.6)
    want = arr[keep].copy()
    kernels.compact(arr, keep)
    assert np.array_equal(arr[: len(keep)], want)
    rows = rng.random((50, 4))
    want_rows = rows[keep].copy()
    kernels.compact(rows, keep)
    assert np.array_equal(rows[: len(keep)], want_rows)
