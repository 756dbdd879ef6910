"""Knowledge spillovers through space, computed as fields on the grid.

A firm imitates the better firms around it: in the same or related industries, nearer
ones more, more within its own industry (clusters) and among business-association
members. Instead of comparing every pair of firms (n² work), firms are summed per
(cell, industry) on the grid; a distance kernel spreads these sums over the grid, and each
firm reads the field at its own cell. The kernel decays with the city-block distance,
exp(-(|dx| + |dy|) / spillover_radius), which factorises into one kernel along each axis,
so the whole field costs two small matrix products. The "better firms" are weighted by a
soft maximum: the local knowledge level a firm sees is

    L_i = (1/β) · log( Σ_j w_ij · exp(β r_j) / Σ_j w_ij ),

with r the log productivity relative to the industry frontier, w_ij = kernel(i, j) ·
relatedness(k_i, k_j) · (1 + cluster_bonus if same industry) and β = ``sharpness``: as β
grows L_i tends to the best neighbour, as β falls to the mean (β is
``firms.spillover_sharpness``).
"""

from __future__ import annotations

import numpy as np


def axis_kernel(size: int, radius: float) -> np.ndarray:
    """exp(-|a - b| / radius) for all pairs of positions along one grid axis."""
    pos = np.arange(size)
    return np.exp(-np.abs(pos[:, None] - pos[None, :]) / radius)


def knowledge_level(
    x: np.ndarray,
    y: np.ndarray,
    industry: np.ndarray,
    rel_productivity: np.ndarray,
    relatedness: np.ndarray,
    radius: float,
    cluster_bonus: float,
    among: np.ndarray | None = None,
    shape: tuple[int, int] | None = None,
    sharpness: float = 4.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The knowledge level each firm sees around it, and how much it sees.

    Args:
        x: firm cells, first coordinate.
        y: firm cells, second coordinate.
        industry: firm industries (indices into ``relatedness``).
        rel_productivity: log productivity relative to the industry frontier.
        relatedness: K x K industry relatedness.
        radius: distance (cells) over which spillovers decay by a factor e.
        cluster_bonus: extra weight of firms in the same industry.
        among: optional boolean mask; only these firms are sources (e.g. members).
        shape: grid (width, height); by default just large enough for the firms.
        sharpness: β of the soft maximum.

    Returns:
        (level, reach): ``level`` as L_i above (own contribution excluded; equal to the
        firm's own r where it sees nobody) and ``reach`` = Σ_j w_ij.
    """
    n, k = len(x), relatedness.shape[0]
    width, height = shape if shape is not None else (int(x.max()) + 1, int(y.max()) + 1)
    source = np.ones(n, dtype=bool) if among is None else among
    # shift by the maximum so exp() cannot overflow; undone in the log below
    shift = float(rel_productivity.max()) if n else 0.0
    heat = np.exp(sharpness * (rel_productivity - shift)) * source
    idx = (x * height + y) * k + industry
    size = width * height * k
    sums = np.stack(
        [
            np.bincount(idx, weights=heat, minlength=size),
            np.bincount(idx, weights=source.astype(float), minlength=size),
        ],
        axis=-1,
    ).reshape(width, height, k * 2)
    kx, ky = axis_kernel(width, radius), axis_kernel(height, radius)
    field = np.tensordot(kx, sums, axes=(1, 0))  # along x
    field = np.einsum("cd,adm->acm", ky, field, optimize=True)  # along y
    at_firm = field[x, y].reshape(n, k, 2)
    weights = relatedness[industry] * (
        1.0 + cluster_bonus * (np.arange(k)[None, :] == industry[:, None])
    )
    self_w = 1.0 + cluster_bonus  # relatedness with itself is 1
    num = (weights * at_firm[:, :, 0]).sum(axis=1) - self_w * heat
    reach = (weights * at_firm[:, :, 1]).sum(axis=1) - self_w * source
    reach = np.maximum(reach, 0.0)
    seen = (reach > 1e-9) & (num > 0)
    level = np.where(
        seen,
        np.log(np.maximum(num, 1e-300) / np.maximum(reach, 1e-12)) / sharpness + shift,
        rel_productivity,
    )
    return level, reach
