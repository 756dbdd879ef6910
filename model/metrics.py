"""Structural metrics of regional economies, as pure numpy functions.

Every function takes plain numpy arrays (employment vectors, locations × industries
matrices, requirement matrices) and returns floats or float arrays. Nothing here knows
about Mesa or the model classes, so the functions can be used on model output and on
observed data alike.

Conventions shared by all functions:

* Inputs must be finite; employment-like inputs must also be nonnegative. Violations raise
  ``ValueError`` instead of silently producing NaN.
* No function returns NaN. Degenerate cases (zero totals, empty groups, zero
  denominators) are given explicit values, documented per function; as a rule a quantity
  that is undefined because there is nothing to measure is reported as 0.
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np

RECOVERY_TOLERANCE = 0.01
"""Relative band around the baseline within which a series counts as recovered."""

_TINY = np.finfo(float).tiny  # the smallest normal double


def _nonneg(x: np.ndarray, name: str, ndim: int | tuple[int, ...] = 1) -> np.ndarray:
    """Return ``x`` as a float array after checking dimension, finiteness and sign.

    Raises:
        ValueError: If ``x`` has the wrong number of dimensions, is not finite or has
            negative entries.
    """
    arr = np.asarray(x, dtype=float)
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if arr.ndim not in allowed:
        raise ValueError(f"{name} must have ndim in {allowed}, got shape {arr.shape}")
    # one pass each for the minimum and the maximum (NaN fails both comparisons); the
    # messages are decided only when something is wrong
    if arr.size and not (arr.min() >= 0.0 and arr.max() < np.inf):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite")
        raise ValueError(f"{name} must be nonnegative")
    return arr


def _safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Elementwise ``num / den`` with 0 wherever ``den`` is 0 or subnormal.

    Subnormal denominators (below ``np.finfo(float).tiny``) count as 0: dividing by them
    overflows to infinity, and no employment figure is that small.
    """
    num, den = np.broadcast_arrays(np.asarray(num, dtype=float), np.asarray(den, dtype=float))
    out = np.zeros(num.shape, dtype=float)
    np.divide(num, den, out=out, where=np.abs(den) >= _TINY)
    return out


def shares(x: np.ndarray) -> np.ndarray:
    """Normalise a nonnegative vector to shares.

    Args:
        x: Nonnegative 1-D array (e.g. employment by industry).

    Returns:
        ``x / x.sum()``; an all-zero (or empty) ``x`` gives all zeros.
    """
    return _shares(_nonneg(x, "x"))


def _shares(arr: np.ndarray) -> np.ndarray:
    total = arr.sum()
    return arr / total if total > 0 else np.zeros_like(arr)


def entropy(employment: np.ndarray) -> float:
    """Shannon entropy (natural log) of employment shares.

    Args:
        employment: Nonnegative employment by industry.

    Returns:
        ``-sum(s * ln s)`` with ``0 * ln 0 = 0``, in ``[0, ln n]``; 0 for all-zero input.
    """
    return _entropy(_nonneg(employment, "x"))


def _entropy(arr: np.ndarray) -> float:
    """``entropy`` of an already checked float array."""
    s = _shares(arr)
    s = s[s > 0]
    return float(-np.sum(s * np.log(s)))


def related_unrelated_variety(employment: np.ndarray, sector_of: np.ndarray) -> tuple[float, float]:
    """Related and unrelated variety (Frenken, van Oort & Verburg, 2007).

    Industries are grouped into sectors. Unrelated variety is the entropy of sector shares
    ``P_g``; related variety is ``sum_g P_g * H_g`` where ``H_g`` is the entropy of industry
    shares within sector ``g``. By the grouping property of entropy,
    ``UV + RV == entropy(employment)``.

    Args:
        employment: Nonnegative employment by industry, shape ``(n,)``.
        sector_of: Integer sector id per industry, shape ``(n,)``; ids need not be
            contiguous.

    Returns:
        ``(related_variety, unrelated_variety)``. Sectors with zero employment contribute 0;
        all-zero employment gives ``(0.0, 0.0)``.

    Raises:
        ValueError: If the two arrays differ in shape.
    """
    emp = _nonneg(employment, "employment")
    groups = np.asarray(sector_of)
    if groups.shape != emp.shape:
        raise ValueError("sector_of must have the same shape as employment")
    _, idx = np.unique(groups, return_inverse=True)
    sector_emp = np.bincount(idx, weights=emp, minlength=int(idx.max(initial=-1)) + 1)
    unrelated = entropy(sector_emp)
    p = shares(sector_emp)
    related = sum(p[g] * _entropy(emp[idx == g]) for g in range(len(p)) if p[g] > 0)
    return float(related), unrelated


def hhi(employment: np.ndarray) -> float:
    """Herfindahl–Hirschman index of employment shares.

    Args:
        employment: Nonnegative employment by industry.

    Returns:
        ``sum(s**2)`` in ``[1/n, 1]`` for nonzero input; 0 for all-zero input.
    """
    s = shares(employment)
    return float(np.sum(s * s))


def structural_change(prev_emp: np.ndarray, emp: np.ndarray) -> float:
    """Norm of absolute values of share changes (Lilien-style structural change index).

    Args:
        prev_emp: Nonnegative employment by industry at ``t - 1``.
        emp: Nonnegative employment by industry at ``t``, same shape.

    Returns:
        ``0.5 * sum(|s_t - s_{t-1}|)`` in ``[0, 1]``: 0 for unchanged structure, 1 for
        complete reallocation. If either vector sums to 0 the share structure is undefined
        and 0 is returned.

    Raises:
        ValueError: If the shapes differ.
    """
    a, b = _nonneg(prev_emp, "prev_emp"), _nonneg(emp, "emp")
    if a.shape != b.shape:
        raise ValueError("prev_emp and emp must have the same shape")
    if a.sum() == 0 or b.sum() == 0:
        return 0.0
    return float(min(1.0, 0.5 * np.abs(shares(b) - shares(a)).sum()))


def rca(matrix: np.ndarray) -> np.ndarray:
    """Balassa revealed comparative advantage of a locations × industries matrix.

    Args:
        matrix: Nonnegative matrix ``M`` of shape ``(locations, industries)``.

    Returns:
        ``(M_li / M_l.) / (M_.i / M_..)``, same shape as ``M``. Entries in rows or columns
        summing to 0 (hence an all-zero matrix) are 0.
    """
    m = _nonneg(matrix, "matrix", ndim=2)
    row_share = _safe_divide(m, m.sum(axis=1, keepdims=True))
    col_share = _safe_divide(m.sum(axis=0, keepdims=True), m.sum())
    return _safe_divide(row_share, col_share)


def binarize_rca(matrix: np.ndarray) -> np.ndarray:
    """Presence matrix ``RCA >= 1`` as floats, the usual input to :func:`eci_reflections`.

    Args:
        matrix: Nonnegative locations × industries matrix (e.g. employment).

    Returns:
        Float array of 0s and 1s, same shape as ``matrix``.
    """
    return (rca(matrix) >= 1).astype(float)


def rca_against(local: np.ndarray, reference_shares: np.ndarray) -> np.ndarray:
    """RCA (location quotient) of one region's employment against reference shares.

    Args:
        local: Nonnegative employment by industry in the region.
        reference_shares: Nonnegative reference industry shares (e.g. national), same
            shape. Used as given, not renormalised.

    Returns:
        ``(local_i / local.sum()) / reference_shares_i``; 0 where the reference share is 0,
        and all zeros if ``local`` is all zero.

    Raises:
        ValueError: If the shapes differ.
    """
    loc, ref = _nonneg(local, "local"), _nonneg(reference_shares, "reference_shares")
    if loc.shape != ref.shape:
        raise ValueError("local and reference_shares must have the same shape")
    return _safe_divide(shares(loc), ref)


def proximity_from_requirements(req: np.ndarray, method: str = "cosine") -> np.ndarray:
    """Relatedness between industries from shared capability requirements.

    Args:
        req: Nonnegative requirement matrix of shape ``(K industries, C capabilities)``,
            normally 0/1.
        method: ``"cosine"`` (cosine similarity of rows) or ``"jaccard"`` (intersection
            over union; for non-binary rows the weighted form ``sum(min) / sum(max)``,
            which equals the usual Jaccard index on 0/1 rows).

    Returns:
        Symmetric ``(K, K)`` matrix in ``[0, 1]`` with diagonal 1. An all-zero row has
        proximity 0 to every other industry (but still 1 to itself).

    Raises:
        ValueError: If ``method`` is unknown.
    """
    r = _nonneg(req, "req", ndim=2)
    if method == "cosine":
        norms = np.sqrt(np.sum(r * r, axis=1))
        prox = _safe_divide(r @ r.T, np.outer(norms, norms))
    elif method == "jaccard":
        inter = np.minimum(r[:, None, :], r[None, :, :]).sum(axis=2)
        union = np.maximum(r[:, None, :], r[None, :, :]).sum(axis=2)
        prox = _safe_divide(inter, union)
    else:
        raise ValueError(f"unknown method {method!r}; expected 'cosine' or 'jaccard'")
    prox = np.clip(prox, 0.0, 1.0)
    np.fill_diagonal(prox, 1.0)
    return prox


def relatedness_density(presence: np.ndarray, proximity: np.ndarray) -> np.ndarray:
    """Relatedness density of each industry to a location's present industries.

    Hidalgo et al. (2007): ``density_k = sum_{j != k} phi_kj M_j / sum_{j != k} phi_kj``.
    The diagonal of ``phi`` is excluded, so an industry's own presence does not count.

    Args:
        presence: Presence ``M`` in ``[0, 1]``, either a vector of shape ``(K,)`` or a
            locations × industries matrix of shape ``(L, K)``.
        proximity: Nonnegative ``(K, K)`` proximity matrix ``phi``.

    Returns:
        Densities with the same shape as ``presence``, in ``[0, 1]`` for presence in
        ``[0, 1]``. Where ``sum_{j != k} phi_kj`` is 0 the density is 0.

    Raises:
        ValueError: If the shapes are inconsistent.
    """
    m = _nonneg(presence, "presence", ndim=(1, 2))
    phi = _nonneg(proximity, "proximity", ndim=2).copy()
    k = m.shape[-1]
    if phi.shape != (k, k):
        raise ValueError(f"proximity must have shape {(k, k)}, got {phi.shape}")
    np.fill_diagonal(phi, 0.0)
    return _safe_divide(m @ phi.T, phi.sum(axis=1))


def employment_weighted_complexity(employment: np.ndarray, complexity: np.ndarray) -> float:
    """Employment-share-weighted average complexity of a region's industries.

    Args:
        employment: Nonnegative employment by industry.
        complexity: Finite complexity score per industry (may be negative), same shape.

    Returns:
        ``sum(s_k * complexity_k)``; 0 for all-zero employment.

    Raises:
        ValueError: If the shapes differ or ``complexity`` is not finite.
    """
    s = shares(employment)
    c = np.asarray(complexity, dtype=float)
    if c.shape != s.shape:
        raise ValueError("complexity must have the same shape as employment")
    if not np.all(np.isfinite(c)):
        raise ValueError("complexity must be finite")
    return float(np.dot(s, c))


class ResilienceResult(TypedDict):
    """Result of :func:`resilience`."""

    depth: float
    trough_step: int
    recovery_steps: int | None


def resilience(series: np.ndarray, baseline: np.ndarray, shock_step: int) -> ResilienceResult:
    """Depth of and recovery from a shock, relative to a no-shock baseline run.

    Args:
        series: Nonnegative outcome (e.g. regional employment) per step in the shocked run.
        baseline: Nonnegative outcome per step in the baseline run, same length.
        shock_step: Index of the step at which the shock hits.

    Returns:
        A dict with

        * ``depth``: ``max_{t >= shock_step} (baseline_t - series_t) / baseline_t``, floored
          at 0 (0 if the series never falls below the baseline). Steps with
          ``baseline_t == 0`` contribute 0.
        * ``trough_step``: absolute index of the (first) deepest point; ``shock_step`` if
          ``depth`` is 0.
        * ``recovery_steps``: ``t* - shock_step`` for the first ``t* > trough_step`` with
          ``series_t >= (1 - RECOVERY_TOLERANCE) * baseline_t``; 0 if the series never left
          that band after the shock (including ``depth == 0``); ``None`` if it left the band
          and never came back.

    Raises:
        ValueError: If the lengths differ or ``shock_step`` is out of range.
    """
    s, b = _nonneg(series, "series"), _nonneg(baseline, "baseline")
    if s.shape != b.shape:
        raise ValueError("series and baseline must have the same length")
    if not 0 <= shock_step < s.size:
        raise ValueError(f"shock_step must be in [0, {s.size}), got {shock_step}")
    gap = _safe_divide(np.maximum(b[shock_step:] - s[shock_step:], 0.0), b[shock_step:])
    depth = float(gap.max())
    trough = shock_step + int(np.argmax(gap)) if depth > 0 else shock_step
    within = s >= (1.0 - RECOVERY_TOLERANCE) * b
    if within[shock_step:].all():
        return {"depth": depth, "trough_step": trough, "recovery_steps": 0}
    later = np.flatnonzero(within[trough + 1 :])
    recovery = int(later[0]) + trough + 1 - shock_step if later.size else None
    return {"depth": depth, "trough_step": trough, "recovery_steps": recovery}
