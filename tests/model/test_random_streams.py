"""One seed decides everything; draws are keyed by stable identities (DESIGN §2.10)."""

from __future__ import annotations

import numpy as np
import pytest

from model import RegionModel
from model.firm_table import ORIGINS
from model.streams import Streams, lineage_id, philox4x32
from scenarios import load_scenario
from scenarios.schema import Allocation, PolicyParams
from tests.helpers import small_scenario

STEPS = 20


def philox4x32_numpy(counter, key, rounds=10):
    """Philox4x32 in plain numpy, for many counters at once: the reference of the kernel."""
    m0, m1, low, s32 = (np.uint64(v) for v in (0xD2511F53, 0xCD9E8D57, 0xFFFFFFFF, 32))
    c0, c1, c2, c3 = (np.array(c, dtype=np.uint64) for c in counter)
    k0, k1 = int(key[0]) & 0xFFFFFFFF, int(key[1]) & 0xFFFFFFFF
    for _ in range(rounds):
        p0, p1 = c0 * m0, c2 * m1
        c0, c2 = (p1 >> s32) ^ c1 ^ np.uint64(k0), (p0 >> s32) ^ c3 ^ np.uint64(k1)
        c1, c3 = p1 & low, p0 & low
        k0, k1 = (k0 + 0x9E3779B9) & 0xFFFFFFFF, (k1 + 0xBB67AE85) & 0xFFFFFFFF
    return c0, c1, c2, c3


def compiled(counter, key, rounds=10):
    """The compiled kernel over many counters, one call each."""
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    words = [philox4x32(*map(np.uint64, c), k0, k1, rounds) for c in zip(*counter, strict=True)]
    return tuple(np.array(w, dtype=np.uint64) for w in zip(*words, strict=True))


def test_same_seed_same_series():
    a = RegionModel(small_scenario(), seed=11)
    b = RegionModel(small_scenario(), seed=11)
    a.run_for(STEPS)
    b.run_for(STEPS)
    sa = a.datacollector.get_model_vars_dataframe()
    sb = b.datacollector.get_model_vars_dataframe()
    assert sa.equals(sb)


def test_different_seeds_differ():
    a = RegionModel(small_scenario(), seed=1)
    b = RegionModel(small_scenario(), seed=2)
    a.run_for(5)
    b.run_for(5)
    assert not np.allclose(a.firms.employment[:10], b.firms.employment[:10])


@pytest.mark.parametrize(
    ("counter", "key", "expected"),
    [  # Random123's known-answer vectors for Philox4x32-10 (kat_vectors)
        ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
        (
            (0xFFFFFFFF,) * 4,
            (0xFFFFFFFF, 0xFFFFFFFF),
            (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD),
        ),
        (
            (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
            (0xA4093822, 0x299F31D0),
            (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
        ),
    ],
)
def test_philox_matches_the_reference_implementation(counter, key, expected):
    words = philox4x32(*map(np.uint64, counter), *map(np.uint64, key), 10)
    assert tuple(int(w) for w in words) == expected
    assert tuple(int(w[0]) for w in philox4x32_numpy([[c] for c in counter], key)) == expected


def test_compiled_philox_gives_the_bits_of_the_numpy_reference():
    rng = np.random.default_rng(3)
    counter = tuple(rng.integers(0, 2**32, size=500, dtype=np.uint64) for _ in range(4))
    key = (0xA4093822, 0x299F31D0)
    for rounds in (1, 7, 10):
        for got, want in zip(
            compiled(counter, key, rounds), philox4x32_numpy(counter, key, rounds), strict=True
        ):
            assert got.dtype == np.uint64 and np.array_equal(got, want)


def test_keyed_uniforms_are_the_reference_words_as_doubles():
    s, ids = Streams(8), lineage_id(0, 0, np.arange(300))
    lo, hi = ids & np.uint64(0xFFFFFFFF), ids >> np.uint64(32)
    q, sid = np.full(300, 9, dtype=np.uint64), np.full(300, 4 << 16, dtype=np.uint64)
    u = s.uniform("firms", 9, ids, k=3)
    for block in (0, 1):
        w = philox4x32_numpy((lo, hi, q, sid | np.uint64(block)), s.key)
        a = ((w[0] >> np.uint64(5)) * np.uint64(1 << 26) + (w[1] >> np.uint64(6))) / 2.0**53
        b = ((w[2] >> np.uint64(5)) * np.uint64(1 << 26) + (w[3] >> np.uint64(6))) / 2.0**53
        assert np.array_equal(u[:, 2 * block], a)
        if block == 0:
            assert np.array_equal(u[:, 1], b)


def test_keyed_draws_depend_only_on_seed_stream_quarter_and_identity():
    s = Streams(5)
    ids = lineage_id(0, 0, np.arange(50))
    many = s.uniform("innovation", 3, ids, k=3)
    few = s.uniform("innovation", 3, ids[[4, 0]], k=3)
    assert np.array_equal(few, many[[4, 0]])
    assert not np.array_equal(many, s.uniform("innovation", 4, ids, k=3))
    assert not np.array_equal(many, s.uniform("firms", 3, ids, k=3))
    assert not np.array_equal(many, Streams(6).uniform("innovation", 3, ids, k=3))
    assert np.array_equal(many[:, :2], s.uniform("innovation", 3, ids, k=2))


def test_keyed_uniforms_look_uniform_and_independent():
    u = Streams(1).uniform("firms", 7, lineage_id(0, 0, np.arange(200_000)), k=2)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.003
    assert abs(u.std() - np.sqrt(1 / 12)) < 0.002
    assert abs(np.corrcoef(u.T)[0, 1]) < 0.01
    counts, _ = np.histogram(u[:, 0], bins=20, range=(0, 1))
    expected = len(u) / 20
    assert ((counts - expected) ** 2 / expected).sum() < 45  # chi2(19): p ~ 0.0007


def test_lineage_ids_are_unique_and_stable():
    parents = lineage_id(0, 0, np.arange(1000))
    children = lineage_id(parents, 12, np.ones(1000, dtype=int))
    assert len(set(parents.tolist()) | set(children.tolist())) == 2000
    assert np.array_equal(children, lineage_id(parents, 12, np.ones(1000, dtype=int)))
    assert 0 not in set(children.tolist())


def test_policy_lever_leaves_unrelated_draws_unchanged():
    """An experimentation budget changes what entrepreneurs do, not the demand shocks."""
    base = small_scenario()
    funded = small_scenario(
        policy=PolicyParams(budget=60.0, allocation=Allocation(experimentation=1.0))
    )
    a, b = RegionModel(base, seed=3), RegionModel(funded, seed=3)
    for _ in range(STEPS):
        a.step()
        b.step()
        assert np.array_equal(a.market.noise, b.market.noise)
    assert (
        a.entrepreneurship.started_by_industry.sum() != b.entrepreneurship.started_by_industry.sum()
    )


def birth_facts(model: RegionModel) -> dict[tuple, int]:
    """Each firm's row, by what is observable of its founding (not its uid or row).

    A firm is described by its origin, birth quarter, industry and cell, and recursively
    by its parent's description (start-ups and initial firms have none); descriptions
    that occur twice in one run are left out.
    """
    f = model.firms
    rows_by_uid = {int(u): i for i, u in enumerate(f.uid.tolist())}
    memo: dict[int, tuple] = {}

    def describe(row: int) -> tuple:
        if row not in memo:
            parent = rows_by_uid.get(int(f.parent[row]))
            above = describe(parent) if parent is not None and f.origin[row] == 1 else ()
            own = (int(f.origin[row]), int(f.born[row]), int(f.industry[row]))
            memo[row] = (*own, int(f.x[row]), int(f.y[row]), above)
        return memo[row]

    found: dict[tuple, list[int]] = {}
    for row in range(len(f)):
        found.setdefault(describe(row), []).append(row)
    return {key: rows[0] for key, rows in found.items() if len(rows) == 1}


@pytest.mark.slow
def test_firms_in_both_paired_runs_draw_the_same_numbers_after_divergence():
    """DESIGN §2.10: the same firm in two scenarios draws the same numbers at Q40."""
    a = RegionModel(load_scenario("decline_no_policy"), seed=4)
    b = RegionModel(load_scenario("decline_bottom_up"), seed=4)
    a.run_for(40)
    b.run_for(40)
    fa, fb = birth_facts(a), birth_facts(b)
    shared = sorted(set(fa) & set(fb), key=str)
    late = [key for key in shared if key[1] > 8]  # born after the paths diverged
    assert len(shared) > 500 and len(late) > 50
    ra, rb = [fa[key] for key in shared], [fb[key] for key in shared]
    for stream, k in (("firms", 3), ("innovation", 2), ("institutions", 1)):
        da, db = a.draws(stream, k), b.draws(stream, k)
        # a start-up's description can, rarely, belong to two different people (two
        # entrepreneurs founding the same industry in the same cell and quarter, one in
        # each run): only start-ups may differ, at most 1 in 200 shared firms
        differ = np.flatnonzero(~(da[ra] == db[rb]).all(axis=1))
        origins = {ORIGINS[int(a.firms.origin[ra[i]])] for i in differ}
        assert origins <= {"startup"} and len(differ) <= len(shared) / 200, (stream, differ)
    # the runs did diverge: the rows of the same firm differ, and row-indexed draws would too
    assert ra != rb
    n = min(len(a.firms), len(b.firms))
    assert not np.array_equal(a.draws("firms", 3)[:n], b.draws("firms", 3)[:n])


@pytest.mark.parametrize("seed", [-1, 1.5, "3", None, True, float("nan")])
def test_a_bad_seed_is_refused_with_a_clear_message(seed):
    with pytest.raises(ValueError, match="seed: .* allowed: a whole number >= 0"):
        RegionModel(small_scenario(), seed=seed)


def test_lineage_ids_are_the_reference_philox_words():
    parents = np.array([0, 1, 2**63 + 5, 2**64 - 1], dtype=np.uint64)
    quarter, slot = np.array([0, 3, 40, 119]), np.array([0, 1, 2, 7])
    low, s32 = np.uint64(0xFFFFFFFF), np.uint64(32)
    w = philox4x32_numpy(
        (parents & low, parents >> s32, quarter.astype(np.uint64), slot.astype(np.uint64)),
        (0x6D65736F, 0x73636170),
    )
    want = (w[0] << s32) | w[1]
    assert np.array_equal(lineage_id(parents, quarter, slot), np.where(want == 0, 1, want))
    assert lineage_id(5, 2, 1).shape == ()
