"""The invariants that must hold after every step (DESIGN §5), as one checkable function."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.region_model import RegionModel

TOLERANCE = 1e-6


def violations(model: RegionModel) -> list[str]:
    """Describe every invariant the model currently breaks (empty list: all hold).

    Checked: no NaN or infinity in firm, pool and market state and in the indicators; no
    negative employment, pool stocks, shares or demand; labour conservation (firm
    employment + active entrepreneurs + unemployed = labour force, per region); market
    shares (regional firms + outside competitor) summing to one in every industry; firm
    count = initial firms + births - deaths.
    """
    found: list[str] = []
    f, pool, market = model.firms, model.labour, model.market
    arrays = {
        "firm employment": f.employment,
        "firm productivity": f.productivity,
        "firm equity": f.equity,
        "firm shares": f.share,
        "firm proficiency": f.proficiency,
        "unemployed": pool.unemployed,
        "pool skill": pool.skill,
        "labour force": pool.labour_force,
        "external demand": market.demand,
        "outside shares": market.outside_share,
    }
    for name, arr in arrays.items():
        if not np.all(np.isfinite(arr)):
            found.append(f"{name} has NaN or infinite values")
    for name in (
        "firm employment",
        "unemployed",
        "firm shares",
        "external demand",
        "outside shares",
    ):
        if np.any(arrays[name] < -TOLERANCE):
            found.append(f"{name} has negative values (min {arrays[name].min():.3g})")
    bad = [k for k, v in getattr(model, "indicators", {}).items() if not np.isfinite(v)]
    if bad:
        found.append(f"indicators not finite: {', '.join(bad)}")
    employed = float(f.employment.sum()) + model.entrepreneurship.active
    total = employed + pool.total_unemployed
    lf = float(pool.labour_force.sum())
    if abs(total - lf) > TOLERANCE * max(lf, 1.0):
        found.append(
            f"labour not conserved: employed + unemployed = {total:.6f}, labour force {lf:.6f}"
        )
    sums = f.by_industry(f.share, model.space.size) + market.outside_share
    if np.any(np.abs(sums - 1.0) > TOLERANCE):
        k = int(np.argmax(np.abs(sums - 1.0)))
        found.append(f"market shares of {model.space.keys[k]} sum to {sums[k]:.9f}")
    expected = model.initial_firm_count + model.totals.births - model.totals.deaths
    if len(f) != expected:
        found.append(f"firm count {len(f)} != start + births - deaths = {expected}")
    if len(f.agents) != len(f) or any(a.row != i for i, a in enumerate(f.agents)):
        found.append("firm agents out of step with the firm table")
    return found
