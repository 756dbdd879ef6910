"""Economic complexity (model.complexity): by hand, against ``ecomplexity``, properties."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.complexity import complexity_eigenvalues, eci, eci_reflections
from model.metrics import employment_weighted_complexity


@st.composite
def binary_matrices(draw, max_side=8):
    rows, cols = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    flat = draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=rows * cols, max_size=rows * cols))
    return np.array(flat).reshape(rows, cols)


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
@given(binary_matrices())
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


@settings(max_examples=50)
@given(binary_matrices())
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
