"""Firm-level panel: every living firm's state, quarter by quarter, while a model runs.

The stylized facts of firm dynamics (size distribution, growth rates, survival) are
measured on firm records, which the model's DataCollector does not keep. This module steps
a ``RegionModel`` and takes a snapshot of its firm table after set-up and after every
quarter. Exits are implied by disappearance: a firm last seen before the final quarter
exited after its last quarter (:func:`firm_spells`).

The model's firm table is read in one place only, :func:`_snapshot`.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from experiments.run import RunResult
from model import RegionModel
from scenarios import Scenario, load_scenario, with_params

PANEL_COLUMNS = ("quarter", "firm", "industry", "district", "employment", "value_added", "born")
"""Columns of :func:`firm_panel`: one row per living firm and quarter."""


def _snapshot(model: RegionModel) -> dict[str, np.ndarray]:
    """The living firms of ``model`` now: id, industry and district index, size, output, birth.

    ``firm`` identifies the same firm in every quarter of a run: its stable lineage ``uid``
    (``model.streams.lineage_id``), never reused.
    """
    f = model.firms
    return {
        "firm": np.asarray(f.uid, dtype=np.uint64).copy(),
        "industry": np.asarray(f.industry, dtype=np.int64).copy(),
        "district": np.asarray(f.district, dtype=np.int64).copy(),
        "employment": np.asarray(f.employment, dtype=float).copy(),
        "value_added": np.asarray(f.value_added, dtype=float).copy(),
        "born": np.asarray(f.born, dtype=np.int64).copy(),
    }


def _with_steps(scenario: Scenario | str, steps: int | None) -> Scenario:
    """The scenario to run for ``steps`` quarters (as ``experiments.run.run`` builds it)."""
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    if steps is not None and int(steps) != scenario.steps:
        n = int(steps)
        events = [e for e in scenario.events if e.step <= n]
        scenario = with_params(scenario, {"steps": n, "events": events})
    return scenario


def _frame(snapshots: list[tuple[int, dict[str, np.ndarray]]], model: RegionModel) -> pd.DataFrame:
    """The snapshots as one tidy frame, industries and districts as named categories."""
    quarters = [np.full(len(s["firm"]), q, dtype=np.int64) for q, s in snapshots]
    cols = {
        name: np.concatenate([s[name] for _, s in snapshots]) if snapshots else np.zeros(0)
        for name in PANEL_COLUMNS[1:]
    }
    keys, districts = list(model.space.keys), list(model.district_names)
    return pd.DataFrame(
        {
            "quarter": np.concatenate(quarters) if quarters else np.zeros(0, dtype=np.int64),
            "firm": cols["firm"].astype(np.int64),
            "industry": pd.Categorical.from_codes(cols["industry"].astype(int), keys),
            "district": pd.Categorical.from_codes(cols["district"].astype(int), districts),
            "employment": cols["employment"].astype(float),
            "value_added": cols["value_added"].astype(float),
            "born": cols["born"].astype(np.int64),
        }
    )


def run_with_panel(
    scenario: Scenario | str, seed: int = 0, steps: int | None = None
) -> tuple[RunResult, pd.DataFrame]:
    """Run one scenario, recording the firm panel on the way.

    The run is the same as ``experiments.run.run(scenario, seed, steps)`` (the snapshots
    only read the model), so its series and tables are identical.

    Args:
        scenario: a Scenario, a built-in name or a path.
        seed: decides every random draw.
        steps: quarters to simulate (default: the scenario's).

    Returns:
        The run's result (without the model) and its firm panel (:data:`PANEL_COLUMNS`).
    """
    scenario = _with_steps(scenario, steps)
    start = time.perf_counter()
    model = RegionModel(scenario, seed=seed)
    snapshots = [(0, _snapshot(model))]
    for _ in range(scenario.steps):
        model.step()
        snapshots.append((model.quarter, _snapshot(model)))
    wall = time.perf_counter() - start
    dc = model.datacollector
    result = RunResult(
        scenario=scenario,
        seed=seed,
        series=dc.get_model_vars_dataframe().reset_index(names="step"),
        tables={name: dc.get_table_dataframe(name) for name in dc.tables},
        ledger=model.ledger.to_frame(),
        log=list(model.log),
        wall_time=wall,
    )
    return result, _frame(snapshots, model)


def firm_panel(scenario: Scenario | str, seed: int = 0, steps: int | None = None) -> pd.DataFrame:
    """Every living firm in every quarter of one run (quarter 0 = the initial firms).

    Args:
        scenario: a Scenario, a built-in name or a path.
        seed: decides every random draw.
        steps: quarters to simulate (default: the scenario's).

    Returns:
        One row per firm and quarter with columns :data:`PANEL_COLUMNS`: ``firm`` (stable
        id), ``industry`` and ``district`` (names), ``employment`` (workers),
        ``value_added`` (this quarter), ``born`` (quarter of birth, 0 for initial firms).
    """
    return run_with_panel(scenario, seed, steps)[1]


def firm_spells(panel: pd.DataFrame, end: int | None = None) -> pd.DataFrame:
    """One row per firm: industry, birth, first and last quarter seen, and whether it exited.

    Args:
        panel: a :func:`firm_panel` frame.
        end: the run's final quarter (default: the last quarter in ``panel``).

    Returns:
        Columns ``firm, industry, born, first_seen, last_seen, exited``; a firm exited if
        it was last seen before ``end`` (it left during quarter ``last_seen + 1``).
    """
    end = int(panel["quarter"].max()) if end is None else int(end)
    grouped = panel.groupby("firm", sort=True, observed=True)
    spells = pd.DataFrame(
        {
            "industry": grouped["industry"].first(),
            "born": grouped["born"].first().astype(np.int64),
            "first_seen": grouped["quarter"].min().astype(np.int64),
            "last_seen": grouped["quarter"].max().astype(np.int64),
        }
    ).reset_index()
    spells["exited"] = spells["last_seen"] < end
    return spells
