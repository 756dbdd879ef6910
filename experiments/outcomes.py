"""The scalar outcomes of one run, and a registry of what each one means (issue 6).

``run_outcomes(result)`` reduces a run to a flat ``dict[str, float]`` (end-of-run values,
peaks and run totals) that comparisons, sweeps and ``evaluate`` share. ``OUTCOMES`` says,
for each outcome, its label, unit and direction (whether a higher value is better), so a
table can print "better in 17 of 20 futures" without guessing.

Outcomes measured *against a baseline* (cost per job created, depth of a shock against the
first scenario, quarters to recover, the lasting gap) need two paired runs and are computed
in :mod:`experiments.compare`; their registry entries are here too (``PAIRED_OUTCOMES``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd

if TYPE_CHECKING:
    from experiments.run import RunResult

Direction = Literal["higher", "lower", "neutral"]


@dataclass(frozen=True)
class Outcome:
    """What one scalar outcome means.

    Attributes:
        name: the key in ``run_outcomes``' dict.
        label: a short, plain-language label for tables and plots.
        unit: the unit ("workers", "share of labour force", "quarters", ...).
        direction: ``"higher"`` if more is better, ``"lower"`` if less is better,
            ``"neutral"`` if neither (e.g. policy spending is a cost, not a result).
        fmt: a format spec for the value in tables (``"{:,.0f}"``).
    """

    name: str
    label: str
    unit: str
    direction: Direction
    fmt: str = "{:,.2f}"

    def better(self, difference: float) -> bool | None:
        """Whether a difference (alternative - baseline) is an improvement; None if neutral."""
        if self.direction == "neutral":
            return None
        return difference > 0 if self.direction == "higher" else difference < 0


_RUN = (
    Outcome("jobs_end", "Jobs at the end", "workers", "higher", "{:,.0f}"),
    Outcome(
        "unemployment_end",
        "Unemployment rate at the end",
        "share of labour force",
        "lower",
        "{:.2%}",
    ),
    Outcome(
        "unemployment_peak", "Highest unemployment rate", "share of labour force", "lower", "{:.2%}"
    ),
    Outcome(
        "grp_end", "Gross regional product, last quarter", "output/quarter", "higher", "{:,.0f}"
    ),
    Outcome("grp_cumulative", "Gross regional product, whole run", "output", "higher", "{:,.0f}"),
    Outcome(
        "productivity_end", "Value added per worker at the end", "output/worker", "higher", "{:.3f}"
    ),
    Outcome("diversity_end", "Diversity (entropy) at the end", "nats", "higher", "{:.3f}"),
    Outcome("related_variety_end", "Related variety at the end", "nats", "higher", "{:.3f}"),
    Outcome(
        "complexity_end",
        "Employment-weighted complexity at the end",
        "capabilities",
        "higher",
        "{:.3f}",
    ),
    Outcome(
        "discoveries",
        "Discoveries (industries new to the region)",
        "industries",
        "higher",
        "{:,.1f}",
    ),
    Outcome(
        "new_industry_jobs_end",
        "Jobs in industries new to the region at the end",
        "workers",
        "higher",
        "{:,.0f}",
    ),
    Outcome("firm_births", "Firm births, whole run", "firms", "higher", "{:,.0f}"),
    Outcome("firm_deaths", "Firm deaths, whole run", "firms", "lower", "{:,.0f}"),
    Outcome("policy_spending", "Policy spending, whole run", "budget units", "neutral", "{:,.0f}"),
)

_PAIRED = (
    Outcome(
        "cost_per_job",
        "Policy cost per job created (vs baseline)",
        "budget units/job",
        "lower",
        "{:,.2f}",
    ),
    Outcome(
        "shock_depth",
        "Deepest job loss after the shock (vs baseline)",
        "share of jobs",
        "lower",
        "{:.2%}",
    ),
    Outcome(
        "quarters_to_recover", "Quarters to recover to the baseline", "quarters", "lower", "{:,.1f}"
    ),
    Outcome(
        "lasting_gap",
        "Lasting job gap at the end (vs baseline)",
        "share of jobs",
        "lower",
        "{:.2%}",
    ),
)

#: outcomes of one run, in table order
RUN_OUTCOMES: dict[str, Outcome] = {o.name: o for o in _RUN}
#: outcomes of an alternative measured against the baseline run of the same seed
PAIRED_OUTCOMES: dict[str, Outcome] = {o.name: o for o in _PAIRED}
#: every outcome: label, unit, direction (for tables)
OUTCOMES: dict[str, Outcome] = {**RUN_OUTCOMES, **PAIRED_OUTCOMES}


def new_industry_jobs(tables: dict[str, pd.DataFrame]) -> float:
    """Jobs at the end in industries that had no firm at step 0 (new to the region)."""
    table = tables.get("employment_by_industry")
    if table is None or table.empty:
        return 0.0
    first, last = table["step"].min(), table["step"].max()
    start = table[table["step"] == first].set_index("industry")["firms"]
    end = table[table["step"] == last].set_index("industry")["employment"]
    new = start.index[start == 0]
    return float(end.reindex(new).fillna(0.0).sum())


def series_outcomes(series: pd.DataFrame) -> dict[str, float]:
    """The outcomes that follow from the indicator series alone (one row per step).

    Flows (births, deaths, discoveries, spending, output) are summed over steps 1..end:
    step 0 is the initial state, not a quarter of activity.
    """
    last = series.iloc[-1]
    flows = series.iloc[1:]
    return {
        "jobs_end": float(last["employment"]),
        "unemployment_end": float(last["unemployment_rate"]),
        "unemployment_peak": float(series["unemployment_rate"].max()),
        "grp_end": float(last["gross_regional_product"]),
        "grp_cumulative": float(flows["gross_regional_product"].sum()),
        "productivity_end": float(last["productivity"]),
        "diversity_end": float(last["diversity"]),
        "related_variety_end": float(last["related_variety"]),
        "complexity_end": float(last["complexity"]),
        "discoveries": float(flows["discoveries"].sum()),
        "firm_births": float(flows["births"].sum()),
        "firm_deaths": float(flows["deaths"].sum()),
        "policy_spending": float(flows["policy_spending"].sum()),
    }


def run_outcomes(result: RunResult) -> dict[str, float]:
    """The scalar outcomes of one run (keys and order of ``RUN_OUTCOMES``).

    Args:
        result: a finished run (``experiments.run``).

    Returns:
        ``{outcome name: value}``, every value a finite float.
    """
    found = series_outcomes(result.series)
    found["new_industry_jobs_end"] = new_industry_jobs(result.tables)
    values = {name: found[name] for name in RUN_OUTCOMES}
    bad = [k for k, v in values.items() if not math.isfinite(v)]
    if bad:
        raise ValueError(f"outcomes not finite in {result.scenario.name} seed {result.seed}: {bad}")
    return values
