"""The region at step 0: initial firms, the unemployed pool and a calibrated market."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.demography import Foundings
from model.market import Market

if TYPE_CHECKING:
    from model.demography import Demography
    from model.firm_table import FirmTable
    from model.industries import IndustrySpace
    from model.labour import LabourPool
    from model.quarter import QuarterFlows
    from scenarios.schema import Scenario


def initial_firms(
    scenario: Scenario,
    space: IndustrySpace,
    demography: Demography,
    firms: FirmTable,
    labour: LabourPool,
    flows: QuarterFlows,
    district_names: list[str],
    district_xy: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Create the region's firms and fill the unemployed pool.

    Firm sizes are lognormal (``size_sigma``) scaled to each industry's employment (at
    least ``min_size`` workers; ``workers_per_firm`` on average where the region gives no
    firm count). Wages follow productivity across industries, and across regions with
    elasticity ``labour.regional_wage_passthrough`` to the region's mean productivity
    against the catalogue's national mean (``labour.wage`` is the wage at the national
    mean: a low-productivity region pays less). Productivity is lognormal around the
    industry frontier (``productivity_sigma``), at least ``breakeven_margin`` times what
    breaks even;
    proficiency in the required capabilities is drawn between
    ``initial_proficiency_low`` and ``initial_proficiency_high``. Firms cluster around
    their industry's district (or a district drawn by labour force), ``cluster_spread``
    cells around its centre. The unemployed are spread like employment, a share
    ``labour.initial_entrant_share`` of them new entrants, the others with skill
    ``labour.initial_skill``.

    Args:
        scenario: the scenario (its region, firm and labour parameters).
        space: the industry space (its ``wage_level`` is set here).
        demography: founds the firms.
        firms: the firm table they are founded into.
        labour: the labour pool, whose unemployed are set here.
        flows: this quarter's flows (step 0).
        district_names: the districts' names, in order.
        district_xy: the districts' centres, (D, 2).
        rng: the set-up stream.
    """
    region, p, sp = scenario.region, scenario.firms, space
    lf = np.array([d.labour_force for d in region.districts], dtype=float)
    emp = np.zeros(sp.size)
    for ind in region.industries:
        emp[sp.index(ind.key)] += ind.employment
    mean_productivity = float((emp * sp.productivity).sum() / max(emp.sum(), 1.0))
    national = float((sp.national_share * sp.productivity).sum() / sp.national_share.sum())
    regional = (mean_productivity / national) ** scenario.labour.regional_wage_passthrough
    sp.wage_level = sp.productivity / mean_productivity * regional
    wage = scenario.labour.wage
    batches = []
    for ind in region.industries:
        if ind.employment <= 0:
            continue
        k = sp.index(ind.key)
        n = (
            ind.firms
            if ind.firms is not None
            else max(1, round(ind.employment / p.workers_per_firm))
        )
        n = max(1, min(n, int(ind.employment)))
        sizes = np.exp(p.size_sigma * rng.standard_normal(n))
        sizes = np.maximum(sizes / sizes.sum() * ind.employment, p.min_size)
        sizes *= ind.employment / sizes.sum()
        if ind.district is not None:
            homes = np.full(n, district_names.index(ind.district))
        else:
            homes = rng.choice(len(lf), size=n, p=lf / lf.sum())
        prod = sp.productivity[k] * np.exp(
            p.productivity_sigma * rng.standard_normal(n) - p.productivity_sigma**2 / 2
        )
        # firms that could not pay their wages and fixed costs would not be here at step 0
        breakeven = (wage * sp.wage_level[k] + p.fixed_cost / sizes) / (1.0 - p.rd_intensity)
        prod = np.maximum(prod, p.breakeven_margin * breakeven)
        low, high = p.initial_proficiency_low, p.initial_proficiency_high
        prof = rng.uniform(low, high, size=(n, len(sp.capabilities))) * sp.requires[k]
        near = district_xy[homes] + p.cluster_spread * rng.standard_normal((n, 2))
        batches.append((np.full(n, k), np.round(near), sizes, prod, prof, breakeven))
    industry, near, sizes, prod, prof, breakeven = (
        np.concatenate([b[j] for b in batches]) for j in range(6)
    )
    founded = Foundings(
        origin="initial",
        industry=industry,
        near=near,
        employment=sizes,
        productivity=prod,
        proficiency=prof,
        equity=p.initial_equity * wage * sp.wage_level[industry] * sizes,
        parent=np.zeros(len(industry), dtype=np.uint64),
        slot=np.arange(len(industry)),
    )
    demography.found(founded, 0, flows)
    # each firm's own R&D intensity is drawn when it is founded; it must break even with it
    f = firms
    own = breakeven * (1.0 - p.rd_intensity) / (1.0 - f.rd)
    f.productivity = np.maximum(prod, p.breakeven_margin * own)
    # the unemployed: what the labour force leaves over, by the district's industry mix
    employed = f.by_district_industry(f.employment, len(district_names), sp.size)
    u_rate = region.unemployment_rate
    per_district = employed.sum(axis=1)
    total_u = max(lf.sum() - per_district.sum(), u_rate / (1 - u_rate) * per_district.sum())
    # workers live where they work: the unemployed are spread like employment
    unemployed = total_u * per_district / max(per_district.sum(), 1e-12)
    mix = np.where(
        per_district[:, None] > 0, employed / np.maximum(per_district, 1e-12)[:, None], 0
    )
    pool, lp = labour, scenario.labour
    pool.unemployed[:, :-1] = unemployed[:, None] * mix * (1.0 - lp.initial_entrant_share)
    pool.unemployed[:, -1] = unemployed * lp.initial_entrant_share
    pool.skill[:, :-1] = lp.initial_skill
    pool.labour_force = per_district + pool.unemployed.sum(axis=1)


def initial_market(scenario: Scenario, space: IndustrySpace, firms: FirmTable) -> Market:
    """Calibrate demand so that every initial firm can sell what it produces at step 0.

    The region's firms hold ``regional_market_share`` of each export industry's external
    demand (the rest is the outside competitor's); local suppliers also sell to local
    buyers. Local services sell to ``local_services_share`` of the wage bill. Industries
    absent from the region get external demand in proportion to their national share.

    An industry the region already has exists, whatever the catalogue says of its birth:
    its birth moves to step 0 at the latest. Base demand is set so that the lifecycle
    level at step 0 (below 1 for an industry already in decline) gives today's demand.

    Args:
        scenario: the scenario (its market, region and labour parameters).
        space: the industry space (births of present industries move to step 0).
        firms: the initial firms (their market shares and value added are set here).
    """
    f, sp, mp = firms, space, scenario.market
    k = sp.size
    input_share = sp.io.sum(axis=1)
    gross_firm = f.employment * f.productivity / (1.0 - input_share[f.industry])
    gross = f.by_industry(gross_firm, k)
    present = gross > 0
    sp.birth[present] = np.minimum(sp.birth[present], 0.0)
    level0 = sp.lifecycle_demand(0)
    sourcing = scenario.region.local_sourcing
    intermediate = sourcing * (sp.io.T @ gross)
    external = np.maximum(gross - intermediate, 0.2 * gross)
    share_total = np.full(k, mp.regional_market_share)
    ls = sp.local_services
    wage_bill = scenario.labour.wage * float((sp.wage_level[f.industry] * f.employment).sum())
    ls_demand = mp.local_services_share * wage_bill
    share_total[ls] = np.clip(external[ls] / max(ls_demand, 1e-9), 0.05, 0.95)
    base = np.where(present, external / share_total / np.maximum(level0, 1e-12), 0.0)
    exportable = present.copy()
    exportable[ls] = False
    scale = base[exportable].sum() / max(sp.national_share[exportable].sum(), 1e-9)
    base = np.where(present, base, sp.national_share * scale)
    base[ls] = ls_demand
    f.share = np.where(
        gross[f.industry] > 0,
        share_total[f.industry] * gross_firm / np.maximum(gross[f.industry], 1e-12),
        0,
    )
    f.value_added = f.employment * f.productivity
    outside_share = np.where(present, 1.0 - share_total, 1.0)
    market = Market(
        space=sp,
        params=mp,
        base_demand=base,
        outside_share=outside_share,
        outside_fitness=np.ones(k),
        local_sourcing=sourcing,
        gross_output=gross,
    )
    own, _ = market.fitness(f, 0)
    parity = f.by_industry(f.share * own, k) / np.maximum(f.by_industry(f.share, k), 1e-12)
    typical = float(np.median(parity[present])) if present.any() else 1.0
    market.outside_fitness = np.where(present, parity, typical)
    return market
