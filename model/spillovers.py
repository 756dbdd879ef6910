"""Knowledge spillovers through space, aggregated over occupied grid cells.

A firm imitates the better firms around it: in the same or related industries, nearer
ones more, more within its own industry (clusters) and among business-association
members. Instead of comparing every pair of firms (n² work), firms are summed per
(occupied cell, industry); a distance kernel between occupied cells spreads these sums,
and each firm reads the field at its own cell. The "better firms" are weighted by a
soft maximum: the local knowledge level a firm sees is

    L_i = (1/β) · log( Σ_j w_ij · exp(β r_j) / Σ_j w_ij ),

with r the log productivity relative to the industry frontier, w_ij = exp(-distance /
spillover_radius) · relatedness(k_i, k_j) · (1 + cluster_bonus if same industry) and
β = ``SHARPNESS``: as β grows L_i tends to the best neighbour, as β falls to the mean.
"""

from __future__ import annotations

import numpy as np

SHARPNESS = 4.0


def knowledge_level(
    x: np.ndarray,
    y: np.ndarray,
    industry: np.ndarray,
    rel_productivity: np.ndarray,
    relatedness: np.ndarray,
    radius: float,
    cluster_bonus: float,
    among: np.ndarray | None = None,
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

    Returns:
        (level, reach): ``level`` as L_i above (own contribution excluded; equal to the
        firm's own r where it sees nobody) and ``reach`` = Σ_j w_ij.
    """
    n, k = len(x), relatedness.shape[0]
    source = np.ones(n, dtype=bool) if among is None else among
    cells, cell_of = np.unique(np.stack([x, y], axis=1), axis=0, return_inverse=True)
    cell_of = cell_of.ravel()
    # shift by the maximum so exp() cannot overflow; undone in the log below
    shift = float(rel_productivity.max()) if n else 0.0
    heat = np.exp(SHARPNESS * (rel_productivity - shift)) * source
    m = len(cells)
    idx = cell_of * k + industry
    sum_heat = np.bincount(idx, weights=heat, minlength=m * k).reshape(m, k)
    count = np.bincount(idx, weights=source.astype(float), minlength=m * k).reshape(m, k)
    d = np.hypot(*(cells[:, None, :] - cells[None, :, :]).transpose(2, 0, 1))
    kernel = np.exp(-d / radius)
    field_heat = kernel @ sum_heat
    field_count = kernel @ count
    weights = relatedness[industry] * (
        1.0 + cluster_bonus * (np.arange(k)[None, :] == industry[:, None])
    )
    self_w = 1.0 + cluster_bonus  # relatedness with itself is 1
    num = (weights * field_heat[cell_of]).sum(axis=1) - self_w * heat
    reach = (weights * field_count[cell_of]).sum(axis=1) - self_w * source
    reach = np.maximum(reach, 0.0)
    seen = (reach > 1e-9) & (num > 0)
    level = np.where(
        seen,
        np.log(np.maximum(num, 1e-300) / np.maximum(reach, 1e-12)) / SHARPNESS + shift,
        rel_productivity,
    )
    return level, reach
