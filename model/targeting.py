"""Targeting strategies of the regional policy maker, as pure functions (DESIGN §2.6).

Everything here takes plain numpy arrays over the K industries and returns arrays or
ranked lists of industry indices; nothing knows about the model.

* ``opportunity``: relatedness density of every industry to what the region has.
* ``complexity_gain``: complexity of each industry minus the region's
  employment-weighted complexity (how much entering it would raise complexity).
* ``eligible_industries``: born (lifecycle demand > 0) and not local services.
* ``rank_bottom_up``: the three bottom-up variants, best first, eligible industries only:

  - ``low_hanging_fruit``: highest density first (ties: complexity gain, then growth);
  - ``balanced_portfolio``: score ``z(density) + z(complexity gain) + w * z(growth)``,
    z-scores taken over the eligible industries (a constant column scores 0), ``w`` =
    ``policy.growth_weight``;
  - ``long_jumps``: highest complexity gain first, even at low density (ties: growth,
    then density).

* ``top_down``: the national priority list, in its order, whatever the regional fit.
* ``adaptive_portfolio``: keep the industries that progressed since the last review,
  drop the others and refill up to the breadth from a ranking, skipping those just dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice

import numpy as np

from model.metrics import employment_weighted_complexity, relatedness_density

VARIANTS = ("low_hanging_fruit", "balanced_portfolio", "long_jumps")


def opportunity(presence: np.ndarray, relatedness: np.ndarray) -> np.ndarray:
    """Relatedness density of every industry to the region's present industries.

    Args:
        presence: K, presence of each industry in the region (0/1 or 0..1, e.g. RCA >= 1).
        relatedness: K x K proximity of industries.

    Returns:
        K densities in [0, 1] (``metrics.relatedness_density``).
    """
    return relatedness_density(np.asarray(presence, dtype=float), relatedness)


def complexity_gain(complexity: np.ndarray, employment: np.ndarray) -> np.ndarray:
    """K, complexity of each industry minus the region's employment-weighted complexity."""
    c = np.asarray(complexity, dtype=float)
    return c - employment_weighted_complexity(employment, c)


def eligible_industries(lifecycle_demand: np.ndarray, local_services: int) -> np.ndarray:
    """K bool: industries that exist in the world now, except local services."""
    ok = np.asarray(lifecycle_demand) > 0
    ok[local_services] = False
    return ok


def _z(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 1e-12 else np.zeros_like(x)


def balanced_score(
    density: np.ndarray, gain: np.ndarray, growth: np.ndarray, growth_weight: float = 0.5
) -> np.ndarray:
    """``z(density) + z(gain) + growth_weight * z(growth)`` over the given industries."""
    return _z(density) + _z(gain) + growth_weight * _z(growth)


def rank_bottom_up(
    variant: str,
    density: np.ndarray,
    complexity_gain: np.ndarray,
    growth: np.ndarray,
    eligible: np.ndarray,
    growth_weight: float = 0.5,
) -> list[int]:
    """Rank eligible industries by the region's own opportunity, best first.

    Args:
        variant: ``low_hanging_fruit``, ``balanced_portfolio`` or ``long_jumps``.
        density: K relatedness densities.
        complexity_gain: K complexity gains.
        growth: K expected demand growth.
        eligible: K bool, industries that may be ranked.
        growth_weight: weight of growth in the balanced score.

    Returns:
        Indices of all eligible industries, best first (ties by index).

    Raises:
        ValueError: for an unknown variant.
    """
    idx = np.flatnonzero(eligible)
    d = np.asarray(density, dtype=float)[idx]
    g = np.asarray(complexity_gain, dtype=float)[idx]
    r = np.asarray(growth, dtype=float)[idx]
    if variant == "low_hanging_fruit":
        order = np.lexsort((idx, -r, -g, -d))
    elif variant == "balanced_portfolio":
        order = np.lexsort((idx, -balanced_score(d, g, r, growth_weight)))
    elif variant == "long_jumps":
        order = np.lexsort((idx, -d, -r, -g))
    else:
        raise ValueError(f"unknown bottom-up variant {variant!r}; allowed: {', '.join(VARIANTS)}")
    return [int(k) for k in idx[order]]


def top_down(priority_keys: Sequence[str], keys: Sequence[str]) -> list[int]:
    """Indices of the national priority industries, in the priority order.

    Args:
        priority_keys: industry keys chosen nationally.
        keys: the catalogue's industry keys, in index order.
    """
    return [list(keys).index(k) for k in priority_keys]


def adaptive_portfolio(
    current: Sequence[int],
    progressed: np.ndarray,
    ranking: Sequence[int],
    breadth: int,
) -> tuple[list[int], list[int]]:
    """Review an adaptive portfolio: scale what works, stop what does not.

    Args:
        current: industries in the portfolio since the last review (empty at the start).
        progressed: K bool, industries whose employment or firm count grew, or that saw a
            new firm, since the last review.
        ranking: eligible industries by broad opportunity, best first.
        breadth: the portfolio size to refill to.

    Returns:
        ``(portfolio, dropped)``: kept industries first, then new ones from ``ranking``
        (never one just dropped); and the industries dropped now.
    """
    eligible = set(ranking)
    kept = [k for k in current if progressed[k] and k in eligible]
    dropped = [k for k in current if k not in kept]
    fresh = (k for k in ranking if k not in kept and k not in dropped)
    refill = list(islice(fresh, max(breadth - len(kept), 0)))
    return kept + refill, dropped
