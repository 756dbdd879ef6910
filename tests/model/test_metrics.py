import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.metrics import (
    RECOVERY_TOLERANCE,
    binarize_rca,
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


@given(emp_vectors)
def test_prop_scalar_metrics_never_nan(x):
    rv, uv = related_unrelated_variety(x, np.arange(len(x)) % 3)
    values = [entropy(x), hhi(x), rv, uv, structural_change(x, x[::-1])]
    assert all(math.isfinite(v) for v in values)
    out = resilience(x, x[::-1], 0)
    assert math.isfinite(out["depth"]) and 0.0 <= out["depth"] <= 1.0


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([1.0, np.nan], "must be finite"),
        ([np.inf, 1.0], "must be finite"),
        ([-np.inf, 1.0], "must be finite"),
        ([1.0, -0.5], "must be nonnegative"),
        ([-1e-300], "must be nonnegative"),
    ],
)
def test_metrics_reject_bad_employment_with_the_reason(bad, message):
    with pytest.raises(ValueError, match=message):
        entropy(np.array(bad))


def test_metrics_accept_empty_zero_and_negative_zero_employment():
    assert entropy(np.array([])) == 0.0
    assert entropy(np.array([0.0, -0.0])) == 0.0
