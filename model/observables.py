"""What is observed every quarter (DESIGN §2.9).

``Observer.observe`` computes all model-level indicators of a quarter at once from the
components it is given, and records them with the tidy tables (one row per quarter x
industry / capability / district / instrument) in its ``Recorder`` (the model's
``datacollector``). The observer keeps what indicators compare across quarters (last
quarter's employment by industry, the discoveries counted so far), so nothing of it lives
on the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model import complexity, kernels, metrics
from model.quarter import INSTRUMENTS, QuarterFlows
from model.recorder import Recorder

if TYPE_CHECKING:
    from model.firms import Firms
    from model.industries import IndustrySpace
    from model.labour import LabourPool

INDICATORS = (
    "employment",
    "unemployment_rate",
    "labour_force",
    "unemployed",
    "gross_regional_product",
    "productivity",
    "wage",
    "firms",
    "births",
    "deaths",
    "entrepreneurs",
    "experiments_started",
    "experiments_succeeded",
    "experiments_failed",
    "target_experiments_succeeded",
    "target_experiments_failed",
    "discoveries",
    "active_industries",
    "diversity",
    "related_variety",
    "unrelated_variety",
    "concentration",
    "complexity",
    "structural_change",
    "competencies",
    "service_gap",
    "focus_mismatch",
    "policy_spending",
    "local_sourcing",
    "hires",
    "innovations",
)

TABLES = {
    "employment_by_industry": ["step", "industry", "employment", "firms", "value_added"],
    "competencies": ["step", "capability", "workers"],
    "districts": ["step", "district", "employment", "diversity", "complexity"],
    "district_industries": ["step", "district", "industry", "employment", "rca", "density"],
    "policy_spending": ["step", "instrument", "amount"],
}


@dataclass(frozen=True)
class Region:
    """What the observer reads of the region each quarter besides the firms and the pool."""

    entrepreneurs: int  # active entrepreneurs (counted as employed)
    discoveries: int  # industries discovered since the start
    taught: np.ndarray  # C, what new labour-force entrants are taught
    service_gap: float
    focus_mismatch: float
    local_sourcing: float


def competencies(
    firms: Firms, space: IndustrySpace, pool: LabourPool, taught: np.ndarray
) -> np.ndarray:
    """C, workers holding each capability (the regional competencies).

    Employed workers carry their firm's proficiency, unemployed ones their last industry's
    requirements times their remaining skill, new entrants what they were taught.
    """
    f = firms
    employed = kernels.held_capabilities(f.proficiency, f.employment, space.requires, f.industry)
    unemployed = ((pool.unemployed[:, :-1] * pool.skill[:, :-1]).sum(axis=0)) @ space.requires
    entrants = pool.unemployed[:, -1].sum() * taught
    return employed + unemployed + entrants


class Observer:
    """Computes and records the indicators and tables of every quarter.

    Args:
        space: the industry space.
        district_names: names of the districts, in order.
    """

    def __init__(self, space: IndustrySpace, district_names: list[str]) -> None:
        self.space = space
        self.district_names = list(district_names)
        self.recorder = Recorder(INDICATORS, TABLES)
        self.previous_employment: np.ndarray | None = None
        self.previous_discoveries = 0

    def observe(
        self,
        quarter: int,
        firms: Firms,
        pool: LabourPool,
        region: Region,
        flows: QuarterFlows,
    ) -> dict[str, float]:
        """Compute this quarter's indicators, record them and the tables; return them."""
        held = competencies(firms, self.space, pool, region.taught)
        values = self.indicators(firms, pool, region, flows, held)
        self.recorder.collect(values)
        self.record_tables(quarter, firms, held, flows)
        return values

    def indicators(
        self,
        firms: Firms,
        pool: LabourPool,
        region: Region,
        flows: QuarterFlows,
        held: np.ndarray,
    ) -> dict[str, float]:
        """Every model-level indicator of this quarter (see ``INDICATORS``)."""
        sp = self.space
        emp_k = firms.by_industry(firms.employment, sp.size)
        prev = emp_k if self.previous_employment is None else self.previous_employment
        self.previous_employment = emp_k
        new_discoveries = region.discoveries - self.previous_discoveries
        self.previous_discoveries = region.discoveries
        related, unrelated = metrics.related_unrelated_variety(emp_k, sp.sector)
        return {
            "employment": float(firms.employment.sum()) + region.entrepreneurs,
            "unemployment_rate": pool.unemployment_rate,
            "labour_force": float(pool.labour_force.sum()),
            "unemployed": pool.total_unemployed,
            "gross_regional_product": flows.output,
            "productivity": flows.productivity,
            "wage": pool.wage,
            "firms": float(len(firms)),
            "births": float(flows.births),
            "deaths": float(flows.deaths),
            "entrepreneurs": float(region.entrepreneurs),
            "experiments_started": float(flows.experiments_started),
            "experiments_succeeded": float(flows.experiments_succeeded),
            "experiments_failed": float(flows.experiments_failed),
            "target_experiments_succeeded": float(flows.target_experiments_succeeded),
            "target_experiments_failed": float(flows.target_experiments_failed),
            "discoveries": float(new_discoveries),
            "active_industries": float((emp_k > 0).sum()),
            "diversity": metrics.entropy(emp_k),
            "related_variety": related,
            "unrelated_variety": unrelated,
            "concentration": metrics.hhi(emp_k),
            "complexity": metrics.employment_weighted_complexity(emp_k, sp.complexity),
            "structural_change": metrics.structural_change(prev, emp_k),
            "competencies": float(held.sum()),
            "service_gap": float(region.service_gap),
            "focus_mismatch": float(region.focus_mismatch),
            "policy_spending": flows.policy_spending,
            "local_sourcing": float(region.local_sourcing),
            "hires": float(flows.hires),
            "innovations": float(flows.innovations),
        }

    def record_tables(
        self, quarter: int, firms: Firms, held: np.ndarray, flows: QuarterFlows
    ) -> None:
        """Add this quarter's rows to the tidy tables."""
        f, sp, add = firms, self.space, self.recorder.add_rows
        add(
            "employment_by_industry",
            step=quarter,
            industry=sp.keys,
            employment=f.by_industry(f.employment, sp.size),
            firms=np.bincount(f.industry, minlength=sp.size),
            value_added=f.by_industry(f.value_added, sp.size),
        )
        add("competencies", step=quarter, capability=sp.capabilities, workers=held)
        dm = f.by_district_industry(f.employment, len(self.district_names), sp.size)
        presence = metrics.binarize_rca(dm)
        eci, _ = complexity.eci(presence)
        add(
            "districts",
            step=quarter,
            district=self.district_names,
            employment=dm.sum(axis=1),
            diversity=[metrics.entropy(row) for row in dm],
            complexity=eci,
        )
        n_d, n_k = dm.shape
        add(
            "district_industries",
            step=quarter,
            district=np.repeat(self.district_names, n_k),
            industry=sp.keys * n_d,
            employment=dm.ravel(),
            rca=metrics.rca(dm).ravel(),
            density=metrics.relatedness_density(presence, sp.relatedness).ravel(),
        )
        add(
            "policy_spending",
            step=quarter,
            instrument=list(INSTRUMENTS),
            amount=[float(flows.spending[name]) for name in INSTRUMENTS],
        )
