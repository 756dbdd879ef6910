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
    bonus on the diagonal) at each firm's own cell and industry: the cost is
    O(cells x K x (width + height)) for the field, K the industries present, plus
    O(firms x K), whatever the number of firms.

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
    # only the industries present take part: absent ones add nothing to any field
    present = np.flatnonzero(np.bincount(industry, minlength=relatedness.shape[0]))
    compact = np.zeros(relatedness.shape[0], dtype=np.int64)
    compact[present] = np.arange(len(present))
    ind = compact[industry]
    n, k, m = len(x), len(present), len(sources)
    c = 2 * m  # channels: heat and count per mask
    width, height = shape if shape is not None else (int(x.max()) + 1, int(y.max()) + 1)
    # shift by the maximum so exp() cannot overflow; undone in the log below
    shift = float(rel_productivity.max()) if n else 0.0
    heat = np.exp(sharpness * (rel_productivity - shift))
    channels = np.empty((n, c))
    for j, s in enumerate(sources):
        channels[:, 2 * j] = heat * s
        channels[:, 2 * j + 1] = s
    slot = ((x * height + y) * k + ind)[:, None] * c + np.arange(c)
    sums = np.bincount(slot.ravel(), weights=channels.ravel(), minlength=width * height * k * c)
    kx, ky = axis_kernel(width, radius), axis_kernel(height, radius)
    field = kx @ sums.reshape(width, height * k * c)  # along x
    field = ky @ field.reshape(width, height, k * c)  # along y (the kernel is symmetric)
    # industry space: what a firm of industry i sees = sum_j weight(i, j) field_j, at
    # every cell as one matrix product, then read at each firm's cell and industry
    weights = relatedness[np.ix_(present, present)] + cluster_bonus * np.eye(k)
    by_channel = field.reshape(width, height, k, c).transpose(0, 1, 3, 2)
    seen_by = (by_channel.reshape(-1, k) @ weights.T).reshape(width, height, c, k)
    at_firm = seen_by[x, y, :, ind]  # (n, c)
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
