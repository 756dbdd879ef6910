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
from model.policy import INSTRUMENTS

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
    "district_industries": ["step", "district", "industry", "employment", "rca", "density"],
    "policy_spending": ["step", "instrument", "amount"],
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


def indicators(model: RegionModel, held: np.ndarray | None = None) -> dict[str, float]:
    """Every model-level indicator of this step.

    Args:
        model: the model.
        held: C, the regional competencies if already computed (``competencies(model)``).
    """
    f, sp, pool = model.firms, model.space, model.labour
    held = competencies(model) if held is None else held
    emp_k = model.employment_by_industry()
    prev = getattr(model, "_prev_emp_k", emp_k)
    model._prev_emp_k = emp_k
    # all industries new to the region, whether entered by a start-up or a spin-off
    discoveries = model.ledger.discoveries
    previous_discoveries = getattr(model, "_prev_discoveries", discoveries)
    model._prev_discoveries = discoveries
    firms_emp = float(f.employment.sum())
    employed = firms_emp + model.entrepreneurship.active
    related, unrelated = metrics.related_unrelated_variety(emp_k, sp.sector)
    stats = model.entrepreneurship.step_stats
    counts = model.counters_this_step
    return {
        "employment": employed,
        "unemployment_rate": pool.unemployment_rate,
        "labour_force": float(pool.labour_force.sum()),
        "unemployed": pool.total_unemployed,
        "gross_regional_product": model.output,
        "productivity": model.productivity(),
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
        "competencies": float(held.sum()),
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


def _add_rows(model: RegionModel, table: str, **columns) -> None:
    """Append one row per element of the given columns (scalars repeat)."""
    n = max(len(v) for v in columns.values() if isinstance(v, (list, np.ndarray)))
    full = {k: (v if isinstance(v, (list, np.ndarray)) else [v] * n) for k, v in columns.items()}
    for i in range(n):
        row = {k: (v[i].item() if isinstance(v[i], np.generic) else v[i]) for k, v in full.items()}
        model.datacollector.add_table_row(table, row)


def collect(model: RegionModel) -> None:
    """Compute the indicators and collect them, with the tidy tables, for this step."""
    held = competencies(model)
    model.indicators = indicators(model, held)
    f, sp = model.firms, model.space
    model.datacollector.collect(model)
    # events fire between quarters: what they do counts toward the next quarter's flows
    model.counters_this_step = dict.fromkeys(model.counters, 0)
    step = model.steps
    _add_rows(
        model,
        "employment_by_industry",
        step=step,
        industry=sp.keys,
        employment=model.employment_by_industry(),
        firms=np.bincount(f.industry, minlength=sp.size),
        value_added=f.by_industry(f.value_added, sp.size),
    )
    _add_rows(model, "competencies", step=step, capability=sp.capabilities, workers=held)
    dm = district_matrix(model)
    presence = metrics.binarize_rca(dm)
    eci, _ = metrics.eci_reflections(presence)
    _add_rows(
        model,
        "districts",
        step=step,
        district=model.district_names,
        employment=dm.sum(axis=1),
        diversity=[metrics.entropy(row) for row in dm],
        complexity=eci,
    )
    n_d, n_k = dm.shape
    _add_rows(
        model,
        "district_industries",
        step=step,
        district=np.repeat(model.district_names, n_k),
        industry=sp.keys * n_d,
        employment=dm.ravel(),
        rca=metrics.rca(dm).ravel(),
        density=metrics.relatedness_density(presence, sp.relatedness).ravel(),
    )
    spent = model.policy_spending
    _add_rows(
        model,
        "policy_spending",
        step=step,
        instrument=list(INSTRUMENTS),
        amount=[float(spent.get(name, 0.0)) for name in INSTRUMENTS],
    )
