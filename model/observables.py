"""What is observed every step (DESIGN §2.9), collected with Mesa's DataCollector.

``indicators(model)`` computes all model-level indicators at once; the DataCollector has
one column per indicator. Employment by industry, regional competencies and the district
metrics go to tidy tables (one row per step x industry / capability / district).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import DataCollector

from model import metrics

if TYPE_CHECKING:
    from model.region_model import RegionModel

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
}


def _indicator(name: str):
    def get(model: RegionModel) -> float:
        return model.indicators[name]

    get.__name__ = name
    return get


def make_datacollector() -> DataCollector:
    """A DataCollector with one column per indicator and the tidy tables."""
    return DataCollector(
        model_reporters={name: _indicator(name) for name in INDICATORS},
        tables={name: list(cols) for name, cols in TABLES.items()},
    )


def competencies(model: RegionModel) -> np.ndarray:
    """C, workers holding each capability (the regional competencies).

    Employed workers carry their firm's proficiency, unemployed ones their last industry's
    requirements times their remaining skill, new entrants what they were taught.
    """
    f, sp, pool = model.firms, model.space, model.labour
    employed = (f.employment[:, None] * f.proficiency * sp.requires[f.industry]).sum(axis=0)
    unemployed = ((pool.unemployed[:, :-1] * pool.skill[:, :-1]).sum(axis=0)) @ sp.requires
    entrants = pool.unemployed[:, -1].sum() * model.institutions.taught_profile()
    return employed + unemployed + entrants


def indicators(model: RegionModel) -> dict[str, float]:
    """Every model-level indicator of this step."""
    f, sp, pool = model.firms, model.space, model.labour
    emp_k = model.employment_by_industry()
    prev = getattr(model, "_prev_emp_k", emp_k)
    model._prev_emp_k = emp_k
    # all industries new to the region, whether entered by a start-up or a spin-off
    discoveries = model.ledger.discoveries
    previous_discoveries = getattr(model, "_prev_discoveries", discoveries)
    model._prev_discoveries = discoveries
    firms_emp = float(f.employment.sum())
    employed = firms_emp + model.entrepreneurship.active
    va = float(f.value_added.sum())
    related, unrelated = metrics.related_unrelated_variety(emp_k, sp.sector)
    stats = getattr(model.entrepreneurship, "step_stats", {})
    counts = getattr(model, "counters_this_step", {})
    return {
        "employment": employed,
        "unemployment_rate": pool.unemployment_rate,
        "labour_force": float(pool.labour_force.sum()),
        "unemployed": pool.total_unemployed,
        "gross_regional_product": va,
        "productivity": va / max(firms_emp, 1.0),
        "wage": pool.wage,
        "firms": float(len(f)),
        "births": float(counts.get("births", 0)),
        "deaths": float(counts.get("deaths", 0)),
        "entrepreneurs": float(model.entrepreneurship.active),
        "experiments_started": float(stats.get("started", 0)),
        "experiments_succeeded": float(stats.get("succeeded", 0)),
        "experiments_failed": float(stats.get("failed", 0)),
        "discoveries": float(discoveries - previous_discoveries),
        "active_industries": float((emp_k > 0).sum()),
        "diversity": metrics.entropy(emp_k),
        "related_variety": related,
        "unrelated_variety": unrelated,
        "concentration": metrics.hhi(emp_k),
        "complexity": metrics.employment_weighted_complexity(emp_k, sp.complexity),
        "structural_change": metrics.structural_change(prev, emp_k),
        "competencies": float(competencies(model).sum()),
        "service_gap": float(model.institutions.service_gap),
        "focus_mismatch": float(model.institutions.focus_mismatch),
        "policy_spending": float(sum(model.policy_spending.values())),
        "local_sourcing": float(model.market.local_sourcing),
        "hires": float(model.hires),
        "innovations": float(model.innovations),
    }


def district_matrix(model: RegionModel) -> np.ndarray:
    """D x K employment."""
    f = model.firms
    return f.by_district_industry(f.employment, model.n_districts, model.space.size)


def collect(model: RegionModel) -> None:
    """Compute the indicators and collect them, with the tidy tables, for this step."""
    model.indicators = indicators(model)
    dc, f, sp = model.datacollector, model.firms, model.space
    dc.collect(model)
    # events fire between quarters: what they do counts toward the next quarter's flows
    model.counters_this_step = dict.fromkeys(model.counters, 0)
    step = model.steps
    emp = model.employment_by_industry()
    n = np.bincount(f.industry, minlength=sp.size)
    va = f.by_industry(f.value_added, sp.size)
    for k, key in enumerate(sp.keys):
        dc.add_table_row(
            "employment_by_industry",
            {
                "step": step,
                "industry": key,
                "employment": float(emp[k]),
                "firms": int(n[k]),
                "value_added": float(va[k]),
            },
        )
    for c, cap in enumerate(competencies(model)):
        dc.add_table_row(
            "competencies", {"step": step, "capability": sp.capabilities[c], "workers": float(cap)}
        )
    dm = district_matrix(model)
    eci, _ = metrics.eci_reflections(metrics.binarize_rca(dm))
    for d, name in enumerate(model.district_names):
        dc.add_table_row(
            "districts",
            {
                "step": step,
                "district": name,
                "employment": float(dm[d].sum()),
                "diversity": metrics.entropy(dm[d]),
                "complexity": float(eci[d]),
            },
        )
