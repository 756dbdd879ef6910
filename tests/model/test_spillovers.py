"""The grid-field spillover computation equals the pairwise definition it replaces."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.spillovers import knowledge_levels
from scenarios.schema import FirmParams

#: the schema default and two other soft-maximum sharpnesses
SHARPNESSES = [FirmParams().spillover_sharpness, 1.0, 2.5]


def pairwise(x, y, ind, r, rel, radius, bonus, source, sharpness):
    d = np.abs(x[:, None] - x[None, :]) + np.abs(y[:, None] - y[None, :])
    same = ind[:, None] == ind[None, :]
    w = np.exp(-d / radius) * rel[ind][:, ind] * (1 + bonus * same) * source[None, :]
    np.fill_diagonal(w, 0.0)
    reach = w.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = np.log((w * np.exp(sharpness * r)[None, :]).sum(axis=1) / reach) / sharpness
    return np.where(reach > 1e-9, level, r), reach


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 40),
    members=st.booleans(),
    sharpness=st.sampled_from(SHARPNESSES),
)
def test_field_equals_pairwise_definition(seed, n, members, sharpness):
    rng = np.random.default_rng(seed)
    k = 7
    x, y = rng.integers(0, 9, n), rng.integers(0, 7, n)
    # firms in a few of the industries only, as in a region that lacks most of the catalogue
    ind = rng.choice(rng.choice(k, size=3, replace=False), size=n)
    r = rng.normal(0, 0.4, n)
    rel = rng.uniform(0, 1, (k, k))
    rel = (rel + rel.T) / 2
    np.fill_diagonal(rel, 1.0)
    source = rng.random(n) < 0.5 if members else np.ones(n, dtype=bool)
    ((level, reach),) = knowledge_levels(
        x, y, ind, r, rel, 2.5, 0.5, [source], shape=(9, 7), sharpness=sharpness
    )
    want_level, want_reach = pairwise(x, y, ind, r, rel, 2.5, 0.5, source, sharpness)
    assert reach == pytest.approx(want_reach, abs=1e-9)
    assert level == pytest.approx(want_level, abs=1e-9)


def test_nearby_leader_teaches_more_than_distant_one():
    rel = np.ones((1, 1))
    r = np.array([0.5, 0.0, 0.0])  # a leader and two laggards
    x, y = np.array([0, 1, 9]), np.array([0, 0, 0])
    everyone = np.ones(3, dtype=bool)
    ((level, reach),) = knowledge_levels(
        x, y, np.zeros(3, int), r, rel, 2.0, 0.0, [everyone], shape=(10, 1)
    )
    assert reach[1] > reach[2]
    gap_near, gap_far = level[1] - r[1], level[2] - r[2]
    assert gap_near > 0 and gap_far > 0
    # the laggards see the same best firm, but the far one also sees the near laggard
    assert gap_near > gap_far
