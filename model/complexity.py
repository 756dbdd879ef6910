"""Economic complexity of locations and industries (ECI and PCI, DESIGN §2.9).

The eigenvector formulation of the reference implementations (:func:`eci`, cross-checked
against the Growth Lab's ``ecomplexity`` package in the tests), the method of reflections
it converges from (:func:`eci_reflections`), and the eigenvalues that tell whether the
ranking is identified (:func:`complexity_eigenvalues`). Pure numpy, as ``model.metrics``.
"""

from __future__ import annotations

import numpy as np

from model.metrics import _nonneg

_STD_TOL = 1e-9
"""Standard deviation below which a standardised complexity vector is treated as constant."""


def _zscore(x: np.ndarray) -> np.ndarray | None:
    """Population z-scores of ``x``, or ``None`` if ``x`` is (numerically) constant."""
    if x.size == 0:
        return None
    centred = x - x.mean()
    std = centred.std()
    if std <= _STD_TOL * max(1.0, float(np.abs(x).max())):
        return None
    return centred / std


def eci_reflections(matrix: np.ndarray, iterations: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Economic complexity by the method of reflections (Hidalgo & Hausmann, 2009).

    Starting from diversity ``k_c0 = sum_p M_cp`` and ubiquity ``k_p0 = sum_c M_cp``, the
    reflections are ``k_cn = (1/k_c0) sum_p M_cp k_p(n-1)`` and
    ``k_pn = (1/k_p0) sum_c M_cp k_c(n-1)``. ``iterations`` is rounded up to an even number
    ``N``; location complexity is the z-score of ``k_cN`` (the chain started from
    diversity), and industry complexity is the z-score of the next reflection
    ``(1/k_p0) sum_c M_cp k_cN``, i.e. the mean complexity of the locations hosting the
    industry. This pairing mirrors the eigenvector relation between ECI and PCI and gives
    both vectors the same orientation.

    Sign convention: more diverse locations score higher; the location vector is flipped
    if needed so that ``corr(location_complexity, diversity) >= 0``. Consequently widely
    hosted (ubiquitous) industries tend to score low.

    Because affine rescaling commutes with the (row-stochastic) reflections, each step is
    re-standardised; this is mathematically identical to the plain iteration but avoids
    the collapse of all values onto a constant in floating point.

    Args:
        matrix: Binary (0/1) locations × industries presence matrix, e.g. from
            :func:`binarize_rca`. Raw employment or RCA values are rejected.
        iterations: Number of reflections (>= 0), rounded up to even.

    Returns:
        ``(location_complexity, industry_complexity)`` as population z-scores over the
        locations with nonzero diversity and the industries with nonzero ubiquity. Locations
        and industries with zero diversity/ubiquity get 0. If the reflected vector is
        constant (std 0; e.g. all active locations are equally diverse) all scores are 0.

    Raises:
        ValueError: If ``matrix`` is not 2-D 0/1 or ``iterations`` is negative.
    """
    m = _nonneg(matrix, "matrix", ndim=2)
    if not np.all((m == 0) | (m == 1)):
        raise ValueError("matrix must be 0/1; use binarize_rca() on raw values")
    if iterations < 0:
        raise ValueError("iterations must be >= 0")
    n_steps = (iterations + 1) // 2
    loc_out, ind_out = np.zeros(m.shape[0]), np.zeros(m.shape[1])
    diversity, ubiquity = m.sum(axis=1), m.sum(axis=0)
    rows, cols = diversity > 0, ubiquity > 0
    ma, div, ubi = m[np.ix_(rows, cols)], diversity[rows], ubiquity[cols]

    k_c = _zscore(div)
    for _ in range(n_steps):
        if k_c is None:
            break
        k_c = _zscore((ma @ ((ma.T @ k_c) / ubi)) / div)
    if k_c is None:
        return loc_out, ind_out
    if np.dot(k_c, div - div.mean()) < 0:
        k_c = -k_c
    loc_out[rows] = k_c
    k_p = _zscore((ma.T @ k_c) / ubi)
    if k_p is not None:
        ind_out[cols] = k_p
    return loc_out, ind_out


_EIGEN_TOL = 1e-10
"""Eigenvalue below which the second eigenvalue counts as 0 (no complexity ranking exists)."""


def _binary(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` as a checked 0/1 float array (see :func:`eci`)."""
    m = _nonneg(matrix, "matrix", ndim=2)
    if not np.all((m == 0) | (m == 1)):
        raise ValueError("matrix must be 0/1; use binarize_rca() on raw values")
    return m


def _symmetric_location_matrix(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``S = D^-1/2 M U^-1 M^T D^-1/2`` over the active part of ``m``, with its masks.

    ``S`` is symmetric, positive semi-definite and similar to ``M~ = D^-1 M U^-1 M^T``
    (same eigenvalues; eigenvectors of ``M~`` are ``D^-1/2`` times those of ``S``).
    """
    diversity, ubiquity = m.sum(axis=1), m.sum(axis=0)
    rows, cols = diversity > 0, ubiquity > 0
    ma, div = m[np.ix_(rows, cols)], diversity[rows]
    a = (ma / ubiquity[cols]) @ ma.T
    root = np.sqrt(div)
    s = a / np.outer(root, root)
    return (s + s.T) / 2.0, rows, cols


def complexity_eigenvalues(matrix: np.ndarray) -> np.ndarray:
    """Eigenvalues of ``M~ = D^-1 M U^-1 M^T`` (locations with nonzero diversity), descending.

    The largest is 1 (``M~`` is row-stochastic); :func:`eci` uses the eigenvector of the
    second. When the second and third are (nearly) equal the ECI is not well identified:
    callers can check the gap here.

    Args:
        matrix: Binary (0/1) locations × industries presence matrix.

    Returns:
        The eigenvalues, in ``[0, 1]``, largest first; empty if no location is active.
    """
    s, _, _ = _symmetric_location_matrix(_binary(matrix))
    if s.size == 0:
        return np.zeros(0)
    return np.clip(np.linalg.eigvalsh(s)[::-1], 0.0, 1.0)


def eci(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Economic complexity (ECI) and product complexity (PCI), eigenvector formulation.

    As in the reference implementations (Hausmann, Hidalgo et al., *The Atlas of Economic
    Complexity*; the Growth Lab's ``ecomplexity`` package): with diversity ``D = diag(k_c0)``
    and ubiquity ``U = diag(k_p0)``, ECI is the eigenvector of the second-largest eigenvalue
    ``lambda_2`` of ``M~ = D^-1 M U^-1 M^T`` and PCI the matching eigenvector of
    ``U^-1 M^T D^-1 M``, scaled so that ``ECI_raw = D^-1 M PCI_raw`` (a location's ECI is the
    mean PCI of its industries). The sign makes ECI correlate positively with diversity.
    Both are then standardised with ECI's mean and population standard deviation, as
    ``ecomplexity`` does, so ECI is a z-score and the mean-of-PCI relation still holds.
    The limit of the method of reflections (:func:`eci_reflections`) is this vector when
    ``lambda_2`` is separated from ``lambda_3``.

    The eigenproblem is solved on the symmetric matrix similar to ``M~`` with the leading
    (constant) direction projected out, so the result is real and deterministic.

    Degenerate cases (never NaN):

    * Locations with zero diversity and industries with zero ubiquity are left out of the
      computation and get 0 (``ecomplexity`` gives NaN there).
    * Fewer than two active locations, or ``lambda_2 <= 1e-10`` (no second structure, e.g.
      every active location holds every active industry): all scores are 0.
    * ECI constant across active locations (std 0): all scores are 0.
    * ``lambda_2 == lambda_3`` (within 1e-10; e.g. a bipartite network in three or more
      components): the eigenvector is not unique, so no ranking is identified: all 0.
      Near-ties are computed but sensitive; check :func:`complexity_eigenvalues`.
    * Diversity uncorrelated with the eigenvector (e.g. all locations equally diverse,
      where ``ecomplexity`` gives NaN): the sign is chosen so PCI correlates negatively
      with ubiquity; if that is 0 too, the orientation is not identified: all 0.
    * A bipartite network in two components has ``lambda_2 = 1``; ECI then separates the
      components.

    Args:
        matrix: Binary (0/1) locations × industries presence matrix, e.g. from
            :func:`binarize_rca`. Raw employment or RCA values are rejected.

    Returns:
        ``(location_complexity, industry_complexity)`` (ECI, PCI).

    Raises:
        ValueError: If ``matrix`` is not 2-D and 0/1.
    """
    m = _binary(matrix)
    loc_out, ind_out = np.zeros(m.shape[0]), np.zeros(m.shape[1])
    s, rows, cols = _symmetric_location_matrix(m)
    if s.shape[0] < 2:
        return loc_out, ind_out
    ma = m[np.ix_(rows, cols)]
    div, ubi = ma.sum(axis=1), ma.sum(axis=0)
    lead = np.sqrt(div) / np.linalg.norm(np.sqrt(div))
    values, vectors = np.linalg.eigh(s - np.outer(lead, lead))
    lam = float(values[-1])
    if lam <= _EIGEN_TOL or (len(values) > 1 and lam - float(values[-2]) <= _EIGEN_TOL):
        return loc_out, ind_out
    k_c = vectors[:, -1] / np.sqrt(div)
    k_p = (ma.T @ k_c) / ubi / lam  # so that k_c == (ma @ k_p) / div
    z = _zscore(k_c)
    if z is None:
        return loc_out, ind_out
    spread = div - div.mean()
    corr = float(np.dot(z, spread)) / max(float(np.linalg.norm(z) * np.linalg.norm(spread)), 1e-300)
    sign = np.sign(corr) if abs(corr) > _STD_TOL else 0.0
    if sign == 0:
        sign = -np.sign(np.dot(k_p - k_p.mean(), ubi - ubi.mean()))
    if sign == 0:
        return loc_out, ind_out
    mean, std = k_c.mean(), k_c.std()
    loc_out[rows] = sign * (k_c - mean) / std
    ind_out[cols] = sign * (k_p - mean) / std
    return loc_out, ind_out
