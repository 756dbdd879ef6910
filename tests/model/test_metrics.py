import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.metrics import (
    RECOVERY_TOLERANCE,
    binarize_rca,
    complexity_eigenvalues,
    eci,
    eci_reflections,
    employment_weighted_complexity,
    entropy,
    hhi,
    proximity_from_requirements,
    rca,
    rca_against,
    related_unrelated_variety,
    relatedness_density,
    resilience,
    shares,
    structural_change,
)

LN2 = math.log(2)

# --------------------------------------------------------------------------- strategies

_value = st.one_of(
    st.just(0.0),
    st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_subnormal=False),
)
emp_vectors = st.lists(_value, min_size=1, max_size=20).map(np.array)


@st.composite
def emp_pairs(draw):
    n = draw(st.integers(1, 20))
    vec = st.lists(_value, min_size=n, max_size=n).map(np.array)
    return draw(vec), draw(vec)


@st.composite
def emp_with_sectors(draw):
    n = draw(st.integers(1, 20))
    emp = np.array(draw(st.lists(_value, min_size=n, max_size=n)))
    sectors = np.array(draw(st.lists(st.integers(-3, 5), min_size=n, max_size=n)))
    return emp, sectors


@st.composite
def matrices(draw, binary=False, max_side=8):
    rows, cols = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    elem = st.sampled_from([0.0, 1.0]) if binary else _value
    flat = draw(st.lists(elem, min_size=rows * cols, max_size=rows * cols))
    return np.array(flat, dtype=float).reshape(rows, cols)


# --------------------------------------------------------------------------- shares / entropy / hhi


def test_shares_basic_and_zero():
    np.testing.assert_allclose(shares(np.array([1.0, 3.0])), [0.25, 0.75])
    np.testing.assert_array_equal(shares(np.zeros(3)), np.zeros(3))
    assert shares(np.array([])).shape == (0,)


@pytest.mark.parametrize("bad", [np.array([1.0, -1.0]), np.array([1.0, np.nan]), np.ones((2, 2))])
def test_shares_rejects_invalid_input(bad):
    with pytest.raises(ValueError):
        shares(bad)


def test_entropy_by_hand():
    assert entropy(np.array([1.0, 1.0])) == pytest.approx(LN2)
    assert entropy(np.array([5.0, 0.0, 0.0])) == 0.0
    assert entropy(np.array([1.0, 1.0, 2.0])) == pytest.approx(1.5 * LN2)
    assert entropy(np.ones(4)) == pytest.approx(math.log(4))
    assert entropy(np.zeros(3)) == 0.0


def test_hhi_by_hand():
    assert hhi(np.ones(4)) == pytest.approx(0.25)
    assert hhi(np.array([0.0, 7.0])) == pytest.approx(1.0)
    assert hhi(np.array([1.0, 3.0])) == pytest.approx(0.625)
    assert hhi(np.zeros(4)) == 0.0


# --------------------------------------------------------------------------- variety


def test_related_unrelated_variety_by_hand():
    # sector 0: industries 0,1 with [1, 1]; sector 1: industries 2,3 with [2, 0]
    # P = [1/2, 1/2] -> UV = ln 2; H_0 = ln 2, H_1 = 0 -> RV = ln(2) / 2
    emp = np.array([1.0, 1.0, 2.0, 0.0])
    rv, uv = related_unrelated_variety(emp, np.array([0, 0, 1, 1]))
    assert uv == pytest.approx(LN2)
    assert rv == pytest.approx(LN2 / 2)
    assert rv + uv == pytest.approx(entropy(emp))


def test_variety_noncontiguous_ids_and_degenerate():
    emp = np.array([1.0, 1.0, 2.0, 0.0])
    assert related_unrelated_variety(emp, np.array([7, 7, -2, -2])) == pytest.approx((LN2 / 2, LN2))
    assert related_unrelated_variety(np.zeros(3), np.array([0, 1, 1])) == (0.0, 0.0)
    # one sector: all variety is related
    assert related_unrelated_variety(np.ones(2), np.zeros(2, dtype=int)) == pytest.approx(
        (LN2, 0.0)
    )
    with pytest.raises(ValueError):
        related_unrelated_variety(np.ones(3), np.array([0, 1]))


# --------------------------------------------------------------------------- structural change


def test_structural_change_by_hand():
    assert structural_change(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(1.0)
    assert structural_change(np.array([1.0, 1.0]), np.array([2.0, 2.0])) == pytest.approx(0.0)
    # shares [.5, .5] -> [.75, .25]: 0.5 * (.25 + .25)
    assert structural_change(np.array([1.0, 1.0]), np.array([3.0, 1.0])) == pytest.approx(0.25)


def test_structural_change_degenerate():
    assert structural_change(np.zeros(2), np.array([1.0, 0.0])) == 0.0
    assert structural_change(np.array([1.0, 0.0]), np.zeros(2)) == 0.0
    with pytest.raises(ValueError):
        structural_change(np.ones(2), np.ones(3))


# --------------------------------------------------------------------------- RCA


def test_rca_by_hand():
    # total 6; row sums 2, 4; column sums 2, 4
    expected = np.array(
        [[(1 / 2) / (2 / 6), (1 / 2) / (4 / 6)], [(1 / 4) / (2 / 6), (3 / 4) / (4 / 6)]]
    )
    np.testing.assert_allclose(rca(np.array([[1.0, 1.0], [1.0, 3.0]])), expected)
    np.testing.assert_allclose(expected, [[1.5, 0.75], [0.75, 1.125]])
    np.testing.assert_array_equal(
        binarize_rca(np.array([[1.0, 1.0], [1.0, 3.0]])), [[1.0, 0.0], [0.0, 1.0]]
    )


def test_rca_zero_rows_and_columns():
    m = np.array([[0.0, 0.0, 0.0], [2.0, 0.0, 2.0], [1.0, 0.0, 3.0]])
    out = rca(m)
    np.testing.assert_array_equal(out[0], 0.0)
    np.testing.assert_array_equal(out[:, 1], 0.0)
    # row 1: shares [.5, .5]; column totals [3, 5] of 8 -> [.5/(3/8), .5/(5/8)]
    np.testing.assert_allclose(out[1], [4 / 3, 0.0, 0.8])
    np.testing.assert_array_equal(rca(np.zeros((2, 3))), np.zeros((2, 3)))


def test_rca_against_by_hand():
    local = np.array([1.0, 3.0, 0.0, 2.0])
    ref = np.array([0.5, 0.25, 0.25, 0.0])
    # local shares [1/6, 1/2, 0, 1/3]
    np.testing.assert_allclose(rca_against(local, ref), [1 / 3, 2.0, 0.0, 0.0])
    np.testing.assert_array_equal(rca_against(np.zeros(4), ref), np.zeros(4))
    with pytest.raises(ValueError):
        rca_against(np.ones(3), ref)


# --------------------------------------------------------------------------- proximity / density


def test_proximity_by_hand():
    req = np.array([[1, 1, 0], [1, 0, 0], [0, 0, 1]], dtype=float)
    cos = proximity_from_requirements(req)
    np.testing.assert_allclose(
        cos, [[1, 1 / math.sqrt(2), 0], [1 / math.sqrt(2), 1, 0], [0, 0, 1]], atol=1e-12
    )
    jac = proximity_from_requirements(req, method="jaccard")
    np.testing.assert_allclose(jac, [[1, 0.5, 0], [0.5, 1, 0], [0, 0, 1]])
    # rows [1,1,1,0] and [0,1,1,1]: dot 2, norms sqrt3 -> 2/3; jaccard 2/4
    req2 = np.array([[1, 1, 1, 0], [0, 1, 1, 1]], dtype=float)
    assert proximity_from_requirements(req2)[0, 1] == pytest.approx(2 / 3)
    assert proximity_from_requirements(req2, "jaccard")[0, 1] == pytest.approx(0.5)


@pytest.mark.parametrize("method", ["cosine", "jaccard"])
def test_proximity_zero_row(method):
    req = np.array([[0, 0, 0], [1, 0, 1], [0, 0, 0]], dtype=float)
    np.testing.assert_array_equal(proximity_from_requirements(req, method), np.eye(3))


def test_proximity_unknown_method():
    with pytest.raises(ValueError, match="cosine.*jaccard"):
        proximity_from_requirements(np.eye(2), method="euclid")


def test_relatedness_density_by_hand():
    phi = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.4], [0.2, 0.4, 1.0]])
    presence = np.array([1.0, 0.0, 1.0])
    # k=0: (.5*0 + .2*1)/.7; k=1: (.5 + .4)/.9; k=2: (.2*1 + .4*0)/.6 (own diagonal excluded)
    expected = np.array([0.2 / 0.7, 1.0, 0.2 / 0.6])
    np.testing.assert_allclose(relatedness_density(presence, phi), expected)
    both = np.vstack([presence, np.ones(3), np.zeros(3)])
    np.testing.assert_allclose(
        relatedness_density(both, phi), np.vstack([expected, np.ones(3), np.zeros(3)])
    )


def test_relatedness_density_isolated_industry_and_shape_check():
    phi = np.eye(3)
    phi[0, 1] = phi[1, 0] = 0.5
    # industry 2 has no neighbours -> density 0 even though it is present
    np.testing.assert_allclose(relatedness_density(np.array([0.0, 1.0, 1.0]), phi), [1, 0, 0])
    with pytest.raises(ValueError):
        relatedness_density(np.ones(2), phi)


# --------------------------------------------------------------------------- complexity

NESTED = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0]], dtype=float)


def test_eci_nested_ordering():
    loc, ind = eci_reflections(NESTED)
    assert np.argmax(loc) == 0 and np.argmin(loc) == 2
    assert np.all(np.diff(loc) < 0)  # complexity falls with diversity
    assert np.argmin(ind) == 0  # industry 0 is the most ubiquitous
    assert np.all(np.diff(ind) > 0)
    for v in (loc, ind):
        assert v.mean() == pytest.approx(0.0, abs=1e-12)
        assert v.std() == pytest.approx(1.0)


def _eigen_eci(m):
    """Reference ECI/PCI: second eigenvector of D^-1 M U^-1 M^T, signed by diversity."""
    div, ubi = m.sum(axis=1), m.sum(axis=0)
    mt = (m / div[:, None]) @ (m / ubi).T
    vals, vecs = np.linalg.eig(mt)
    order = np.argsort(-vals.real)
    k = vecs[:, order[1]].real
    k = (k - k.mean()) / k.std()
    if np.dot(k, div - div.mean()) < 0:
        k = -k
    q = (m.T @ k) / ubi
    return k, (q - q.mean()) / q.std()


def test_eci_matches_eigenvector_method():
    m = np.array(
        [
            [1, 1, 1, 1, 1, 0],
            [1, 1, 1, 0, 0, 1],
            [1, 1, 0, 0, 0, 0],
            [1, 0, 1, 0, 0, 0],
            [1, 0, 0, 0, 0, 0],
        ],
        dtype=float,
    )
    loc, ind = eci_reflections(m, iterations=200)
    ref_loc, ref_ind = _eigen_eci(m)
    np.testing.assert_allclose(loc, ref_loc, atol=1e-6)
    np.testing.assert_allclose(ind, ref_ind, atol=1e-6)


def test_eci_odd_iterations_round_up_and_zero_rows():
    np.testing.assert_allclose(eci_reflections(NESTED, 3)[0], eci_reflections(NESTED, 4)[0])
    padded = np.zeros((4, 4))
    padded[:3, :3] = NESTED
    loc, ind = eci_reflections(padded)
    assert loc[3] == 0.0 and ind[3] == 0.0
    np.testing.assert_allclose(loc[:3], eci_reflections(NESTED)[0])
    np.testing.assert_allclose(ind[:3], eci_reflections(NESTED)[1])


def test_eci_degenerate_cases():
    for m in (np.zeros((3, 2)), np.ones((3, 3)), np.eye(3)):
        loc, ind = eci_reflections(m)
        np.testing.assert_array_equal(loc, np.zeros(m.shape[0]))
        np.testing.assert_array_equal(ind, np.zeros(m.shape[1]))


def test_eci_input_validation():
    with pytest.raises(ValueError, match="binarize_rca"):
        eci_reflections(np.array([[2.0, 1.0], [0.0, 1.0]]))
    with pytest.raises(ValueError):
        eci_reflections(NESTED, iterations=-1)


# --------------------------------------------------------------------------- eigenvector ECI


def _ecomplexity(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ECI and PCI of a 0/1 matrix from the Growth Lab's ``ecomplexity`` package."""
    import warnings

    import pandas as pd
    from ecomplexity import ecomplexity

    locs = [f"L{i:03d}" for i in range(m.shape[0])]
    prods = [f"P{j:03d}" for j in range(m.shape[1])]
    frame = pd.DataFrame(
        [(0, loc, prod, m[i, j]) for i, loc in enumerate(locs) for j, prod in enumerate(prods)],
        columns=["year", "loc", "prod", "val"],
    )
    cols = {"time": "year", "loc": "loc", "prod": "prod", "val": "val"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity(
            frame, cols, presence_test="manual", verbose=False, check_logsupermodularity=False
        )
    loc = out.groupby("loc")["eci"].first().reindex(locs).to_numpy()
    prod = out.groupby("prod")["pci"].first().reindex(prods).to_numpy()
    return loc, prod


def _structured(rng: np.random.Generator, n_loc: int, n_prod: int) -> np.ndarray:
    """Random presence with known structure: P(M_cp = 1) = capability_c x simplicity_p."""
    capability, simplicity = rng.uniform(0.2, 1.0, n_loc), rng.uniform(0.2, 1.0, n_prod)
    return (rng.random((n_loc, n_prod)) < np.outer(capability, simplicity)).astype(float)


def _assert_matches_ecomplexity(m: np.ndarray) -> None:
    ref_loc, ref_prod = _ecomplexity(m)
    loc, prod = eci(m)
    ok_loc, ok_prod = ~np.isnan(ref_loc), ~np.isnan(ref_prod)
    assert ok_loc.sum() >= 2
    np.testing.assert_allclose(loc[ok_loc], ref_loc[ok_loc], atol=1e-8)
    np.testing.assert_allclose(prod[ok_prod], ref_prod[ok_prod], atol=1e-8)
    # where ecomplexity has nothing to compute (zero diversity / ubiquity), 0 instead of NaN
    assert np.all(loc[~ok_loc] == 0.0) and np.all(prod[~ok_prod] == 0.0)


@pytest.mark.parametrize("seed", range(6))
def test_eci_matches_ecomplexity_on_random_structured_matrices(seed):
    rng = np.random.default_rng(seed)
    m = _structured(rng, int(rng.integers(4, 25)), int(rng.integers(5, 40)))
    _assert_matches_ecomplexity(m)


def test_eci_matches_ecomplexity_on_a_nested_matrix_and_with_empty_rows():
    nested = np.tril(np.ones((8, 12)), k=3)  # location i holds the i + 4 most common
    _assert_matches_ecomplexity(nested)
    loc, _ = eci(nested)
    assert np.all(np.diff(loc) > 0)  # more diverse locations are more complex
    padded = np.zeros((10, 14))
    padded[1:9, 2:14] = nested
    _assert_matches_ecomplexity(padded)
    np.testing.assert_allclose(eci(padded)[0][1:9], loc)


@pytest.mark.parametrize("seed", range(3))
def test_eci_recovers_a_planted_nested_ranking(seed):
    # location c holds industry p iff capability_c >= complexity_p, with 5% of cells flipped
    rng = np.random.default_rng(seed)
    capability, complexity = np.linspace(0.1, 1.0, 30), rng.uniform(0.0, 0.9, 60)
    m = (capability[:, None] >= complexity[None, :]).astype(float)
    flip = rng.random(m.shape) < 0.05
    m[flip] = 1.0 - m[flip]
    _assert_matches_ecomplexity(m)
    loc, prod = eci(m)
    assert np.corrcoef(np.argsort(np.argsort(loc)), np.arange(30))[0, 1] > 0.9
    assert np.corrcoef(prod, complexity)[0, 1] > 0.85


def test_eci_is_the_mean_pci_of_a_locations_industries_and_a_z_score():
    m = _structured(np.random.default_rng(3), 12, 20)
    loc, prod = eci(m)
    active = m.sum(axis=1) > 0
    np.testing.assert_allclose(loc[active], (m @ prod)[active] / m.sum(axis=1)[active])
    assert loc[active].mean() == pytest.approx(0.0, abs=1e-12)
    assert loc[active].std() == pytest.approx(1.0)
    assert np.corrcoef(loc, m.sum(axis=1))[0, 1] > 0


def test_reflections_converge_to_the_eigenvector_where_the_gap_is_clear():
    m = _structured(np.random.default_rng(5), 15, 25)
    lam = complexity_eigenvalues(m)
    assert lam[0] == pytest.approx(1.0) and lam[1] - lam[2] > 0.02
    np.testing.assert_allclose(eci_reflections(m, iterations=400)[0], eci(m)[0], atol=1e-6)


def test_eci_degenerate_cases_are_zero_not_nan():
    cases = {
        "empty": np.zeros((3, 2)),
        "everyone holds everything": np.ones((3, 3)),
        "three identical components": np.eye(3),
        "two identical components": np.eye(2),
        "one location": np.array([[1.0, 0.0, 1.0]]),
    }
    for name, m in cases.items():
        loc, ind = eci(m)
        assert np.all(loc == 0.0) and np.all(ind == 0.0), name
    # two components of different diversity: lambda_2 = 1 and ECI separates them
    two = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0]], dtype=float)
    assert complexity_eigenvalues(two)[1] == pytest.approx(1.0)
    loc, _ = eci(two)
    assert loc[0] == pytest.approx(loc[1]) and loc[1] > loc[2]
    with pytest.raises(ValueError, match="binarize_rca"):
        eci(np.array([[2.0, 1.0], [0.0, 1.0]]))


@settings(max_examples=60)
@given(matrices(binary=True))
def test_prop_eigenvector_eci_finite_oriented_and_zero_where_inactive(m):
    loc, ind = eci(m)
    assert np.all(np.isfinite(loc)) and np.all(np.isfinite(ind))
    div = m.sum(axis=1)
    active = div > 0
    if active.sum() > 1:
        assert np.dot(loc[active], div[active] - div[active].mean()) >= -1e-9
    assert np.all(loc[~active] == 0.0)
    assert np.all(ind[m.sum(axis=0) == 0] == 0.0)
    assert np.all(np.isfinite(complexity_eigenvalues(m)))


def test_employment_weighted_complexity():
    assert employment_weighted_complexity(
        np.array([1.0, 3.0]), np.array([2.0, -1.0])
    ) == pytest.approx(0.25 * 2 - 0.75)
    assert employment_weighted_complexity(np.zeros(2), np.array([2.0, -1.0])) == 0.0
    with pytest.raises(ValueError):
        employment_weighted_complexity(np.ones(2), np.ones(3))


# --------------------------------------------------------------------------- resilience


def test_resilience_v_shape_by_hand():
    baseline = np.full(8, 100.0)
    series = np.array([100, 100, 90, 80, 90, 99.5, 100, 100], dtype=float)
    out = resilience(series, baseline, shock_step=2)
    assert out["depth"] == pytest.approx(0.2)
    assert out["trough_step"] == 3
    assert out["recovery_steps"] == 3  # back within 1% at t=5


def test_resilience_growing_baseline():
    baseline = np.array([100, 110, 120, 130, 140], dtype=float)
    series = np.array([100, 99, 102, 129, 140], dtype=float)
    out = resilience(series, baseline, shock_step=1)
    assert out["depth"] == pytest.approx(18 / 120)  # t=1 gap is only 11/110
    assert out["trough_step"] == 2
    assert out["recovery_steps"] == 2  # 129 >= 0.99 * 130 at t=3


def test_resilience_no_dip_and_no_recovery():
    base = np.full(5, 10.0)
    assert resilience(base * 1.1, base, 1) == {"depth": 0.0, "trough_step": 1, "recovery_steps": 0}
    shallow = base.copy()
    shallow[2] = 10.0 * (1 - RECOVERY_TOLERANCE / 2)
    out = resilience(shallow, base, 1)
    assert out["trough_step"] == 2 and out["recovery_steps"] == 0
    never = np.array([10, 10, 5, 6, 7], dtype=float)
    assert resilience(never, base, 2) == {"depth": 0.5, "trough_step": 2, "recovery_steps": None}
    # zero baseline steps do not produce NaN or infinite depth
    out = resilience(np.zeros(3), np.array([0.0, 0.0, 4.0]), 0)
    assert out == {"depth": 1.0, "trough_step": 2, "recovery_steps": None}


def test_resilience_validation():
    with pytest.raises(ValueError):
        resilience(np.ones(3), np.ones(4), 0)
    with pytest.raises(ValueError):
        resilience(np.ones(3), np.ones(3), 3)


# --------------------------------------------------------------------------- properties


@given(emp_vectors)
def test_prop_shares_sum(x):
    total = shares(x).sum()
    assert total == pytest.approx(1.0) or total == 0.0
    assert (total == 0.0) == (x.sum() == 0.0)


@given(emp_vectors)
def test_prop_entropy_bounds(x):
    h = entropy(x)
    assert -1e-12 <= h <= math.log(len(x)) + 1e-9


@given(emp_vectors)
def test_prop_hhi_bounds(x):
    h = hhi(x)
    if x.sum() > 0:
        assert 1 / len(x) - 1e-12 <= h <= 1 + 1e-12
    else:
        assert h == 0.0


@given(emp_with_sectors())
def test_prop_variety_decomposition(args):
    emp, sectors = args
    rv, uv = related_unrelated_variety(emp, sectors)
    assert rv >= -1e-12 and uv >= -1e-12
    assert rv + uv == pytest.approx(entropy(emp), abs=1e-9)


@given(emp_pairs())
def test_prop_structural_change_bounds(pair):
    a, b = pair
    c = structural_change(a, b)
    assert 0.0 <= c <= 1.0
    assert structural_change(a, a) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=50)
@given(matrices(), st.sampled_from(["cosine", "jaccard"]))
def test_prop_matrix_metrics_never_nan(m, method):
    assert np.all(np.isfinite(rca(m)))
    assert np.all(np.isfinite(rca_against(m[0], shares(m.sum(axis=0)))))
    prox = proximity_from_requirements(m.T, method)
    assert np.all(np.isfinite(prox))
    assert np.all((prox >= 0) & (prox <= 1))
    np.testing.assert_allclose(prox, prox.T, atol=1e-12)
    np.testing.assert_array_equal(np.diag(prox), 1.0)
    dens = relatedness_density(binarize_rca(m), prox)
    assert dens.shape == m.shape
    assert np.all((dens >= 0) & (dens <= 1 + 1e-12))


@settings(max_examples=50)
@given(matrices(binary=True))
def test_prop_eci_finite_and_oriented(m):
    loc, ind = eci_reflections(m)
    assert np.all(np.isfinite(loc)) and np.all(np.isfinite(ind))
    div = m.sum(axis=1)
    active = div > 0
    if active.any():
        assert np.dot(loc[active], div[active] - div[active].mean()) >= -1e-9
    assert np.all(loc[~active] == 0.0)
    assert np.all(ind[m.sum(axis=0) == 0] == 0.0)
    c = employment_weighted_complexity(m.sum(axis=0), ind)
    assert math.isfinite(c)


@given(emp_vectors)
def test_prop_scalar_metrics_never_nan(x):
    rv, uv = related_unrelated_variety(x, np.arange(len(x)) % 3)
    values = [entropy(x), hhi(x), rv, uv, structural_change(x, x[::-1])]
    assert all(math.isfinite(v) for v in values)
    out = resilience(x, x[::-1], 0)
    assert math.isfinite(out["depth"]) and 0.0 <= out["depth"] <= 1.0
