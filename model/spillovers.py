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


def knowledge_levels(
    x: np.ndarray,
    y: np.ndarray,
    industry: np.ndarray,
    rel_productivity: np.ndarray,
    relatedness: np.ndarray,
    radius: float,
    cluster_bonus: float,
    sources: list[np.ndarray],
    shape: tuple[int, int] | None = None,
    sharpness: float = 4.0,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The knowledge level each firm sees around it, and how much it sees, per source mask.

    Each mask (e.g. all firms, association members) selects the firms that are sources.
    The fields are summed per (cell, industry, mask), spread over the grid by the distance
    kernel along each axis, then weighted in industry space (relatedness plus the cluster
    bonus on the diagonal) and read at each firm's own cell and industry: the cost is
    O(cells x K²) for the field plus O(firms), whatever the number of firms.

    Args:
        x: firm cells, first coordinate.
        y: firm cells, second coordinate.
        industry: firm industries (indices into ``relatedness``).
        rel_productivity: log productivity relative to the industry frontier.
        relatedness: K x K industry relatedness.
        radius: distance (cells) over which spillovers decay by a factor e.
        cluster_bonus: extra weight of firms in the same industry.
        sources: boolean masks of the firms that are sources, one per field wanted.
        shape: grid (width, height); by default just large enough for the firms.
        sharpness: β of the soft maximum.

    Returns:
        One ``(level, reach)`` per mask, in order: ``level`` as L_i above (own contribution
        excluded; equal to the firm's own r where it sees nobody) and ``reach`` = Σ_j w_ij.
    """
    n, k, m = len(x), relatedness.shape[0], len(sources)
    width, height = shape if shape is not None else (int(x.max()) + 1, int(y.max()) + 1)
    # shift by the maximum so exp() cannot overflow; undone in the log below
    shift = float(rel_productivity.max()) if n else 0.0
    heat = np.exp(sharpness * (rel_productivity - shift))
    channels = np.stack([c for s in sources for c in (heat * s, s.astype(float))], axis=1)
    cell = (x * height + y) * k + industry
    sums = np.stack(
        [np.bincount(cell, weights=c, minlength=width * height * k) for c in channels.T], axis=-1
    )  # (width * height * k, 2m)
    kx, ky = axis_kernel(width, radius), axis_kernel(height, radius)
    field = (kx @ sums.reshape(width, -1)).reshape(width, height, k * 2 * m)  # along x
    field = ky @ field  # along y (the kernel is symmetric)
    # industry space: what a firm of industry i sees = sum_j weight(i, j) field_j
    weights = relatedness + cluster_bonus * np.eye(k)
    field = field.reshape(width, height, k, 2 * m).transpose(0, 1, 3, 2)
    seen_by = field @ weights.T  # (width, height, 2m, k)
    at_firm = seen_by[x, y, :, industry]  # (n, 2m)
    self_w = 1.0 + cluster_bonus  # relatedness with itself is 1
    out = []
    for j in range(m):
        num = at_firm[:, 2 * j] - self_w * channels[:, 2 * j]
        reach = np.maximum(at_firm[:, 2 * j + 1] - self_w * channels[:, 2 * j + 1], 0.0)
        seen = (reach > 1e-9) & (num > 0)
        level = np.where(
            seen,
            np.log(np.maximum(num, 1e-300) / np.maximum(reach, 1e-12)) / sharpness + shift,
            rel_productivity,
        )
        out.append((level, reach))
    return out
