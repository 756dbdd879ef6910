"""What entrepreneurs see of the region this quarter (DESIGN §2.4, search).

Computed once for all entrepreneurs by ``outlook``: the candidate industries (visible —
present in the region or made visible by institutions and foresight — and in existence in
the quarter an experiment started now is resolved, ``t + experiment_quarters - 1``, when
its firm would be founded), expected demand growth, the region's profit margin per
industry, the perceived pioneer risk, the experiment cost, complexity, and each
district's labour-pool fit.

Perceived pioneer risk of industry ``k``: 0 where the industry is established in the
region (at least ``established_firms`` of its firms); otherwise ``pioneer_risk``, times
``1 - discovery_spillover`` if the region has ever had a firm in ``k`` (a discovery, or an
industry present at the start), times ``1 - entry_risk_cut_k`` (business associations,
``model.services``). So the first followers of a discovery still bear the part of the risk
the discovery did not reveal, and without the information spillover they bear all of it
until the industry is established.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.firm_table import FirmTable
    from model.industries import IndustrySpace
    from model.labour import LabourPool
    from scenarios.schema import EntrepreneurParams


@dataclass
class Outlook:
    """What entrepreneurs see this quarter (K = industries, C = capabilities, D = districts)."""

    candidates: np.ndarray  # K bool: visible and existing when an experiment is resolved
    growth: np.ndarray  # K, expected relative demand growth, clipped to [-1, 1]
    margin: np.ndarray  # K, mean profit / value added of the region's firms (0: none)
    risk: np.ndarray  # K, perceived pioneer risk
    risk_cut: np.ndarray  # K, institutions' entry-risk cut (0..1)
    complexity: np.ndarray  # K, complexity / highest complexity
    cost: np.ndarray  # K, expected experiment cost per quarter
    frontier: np.ndarray  # K, frontier productivity now
    pool_fit: np.ndarray  # D x K, relatedness of each district's workers to each industry
    entrant_fit: np.ndarray  # K, fit of new entrants' taught skills
    taught: np.ndarray  # C, new entrants' capability profile
    coverage: np.ndarray  # K, expected share of the experiment cost paid by a grant


@dataclass(frozen=True)
class Sight:
    """What the institutions, the ledger and the market show this quarter."""

    present: np.ndarray  # K bool, industries with a firm in the region
    firms: np.ndarray  # K, number of the region's firms in each industry
    visible: np.ndarray  # K bool, industries visible to entrepreneurs
    known: np.ndarray  # K bool, industries the region has ever had a firm in
    risk_cut: np.ndarray  # K, business associations' entry-risk cut
    frontier: np.ndarray  # K, world frontier productivity
    entrant_fit: np.ndarray  # K
    taught: np.ndarray  # C
    coverage: np.ndarray  # K, expected grant coverage


def margins(firms: FirmTable, n_industries: int) -> np.ndarray:
    """K, mean profit / value added of the region's producing firms (0 where none)."""
    f = firms
    ratio = np.where(f.value_added > 0, f.profit / np.maximum(f.value_added, 1e-12), 0.0)
    counted = (f.value_added > 0).astype(float)
    n_k = f.by_industry(counted, n_industries)
    total = f.by_industry(np.clip(ratio, -1.0, 1.0) * counted, n_industries)
    return np.where(n_k > 0, total / np.maximum(n_k, 1), 0.0)


def pool_fit(
    firms: FirmTable, pool: LabourPool, space: IndustrySpace, entrant_fit: np.ndarray
) -> np.ndarray:
    """D x K, relatedness-weighted share of each district's workers related to each industry.

    Employed and unemployed workers count with the relatedness of their (last) industry to
    the target; new entrants with the fit of what they were taught.
    """
    k = space.size
    n_d = pool.unemployed.shape[0]
    workers = firms.by_district_industry(firms.employment, n_d, k) + pool.unemployed[:, :k]
    entrants = pool.unemployed[:, k:].sum(axis=1)
    related = workers @ space.relatedness + entrants[:, None] * entrant_fit[None, :]
    total = workers.sum(axis=1) + entrants
    return related / np.maximum(total, 1e-12)[:, None]


def outlook(
    quarter: int,
    params: EntrepreneurParams,
    space: IndustrySpace,
    firms: FirmTable,
    pool: LabourPool,
    sight: Sight,
) -> Outlook:
    """What entrepreneurs see this quarter (see the module docstring)."""
    p, sp = params, space
    # an experiment started now is resolved, and its firm founded, in t + Q - 1
    exists_later = sp.lifecycle_demand(quarter + p.experiment_quarters - 1) > 0
    cut = np.clip(sight.risk_cut, 0.0, 1.0)
    risk = p.pioneer_risk * np.where(sight.known, 1.0 - p.discovery_spillover, 1.0)
    complexity = sp.complexity / max(float(sp.complexity.max()), 1.0)
    return Outlook(
        candidates=sight.visible & exists_later,
        growth=np.clip(sp.demand_growth(quarter, p.growth_horizon), -1.0, 1.0),
        margin=margins(firms, sp.size),
        risk=np.where(sight.firms >= p.established_firms, 0.0, risk * (1.0 - cut)),
        risk_cut=cut,
        complexity=complexity,
        cost=p.experiment_cost * (1.0 + p.complexity_cost * complexity),
        frontier=sight.frontier,
        pool_fit=pool_fit(firms, pool, sp, sight.entrant_fit),
        entrant_fit=sight.entrant_fit,
        taught=sight.taught,
        coverage=sight.coverage,
    )
