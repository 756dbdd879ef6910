"""Running one scenario and saving what it produced, with everything needed to reproduce it."""

from __future__ import annotations

import json
import platform
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from model import RegionModel
from scenarios import Scenario, load_scenario, scenario_to_toml, with_params

PACKAGES = ("mesoscape", "mesa", "numpy", "pandas", "pyarrow", "pydantic")


@dataclass
class RunResult:
    """What one run produced.

    Attributes:
        scenario: the scenario that was run.
        seed: the seed.
        series: one row per step (0 = initial state), one column per indicator.
        tables: tidy tables (``employment_by_industry``, ``competencies``, ``districts``).
        ledger: the discovery ledger as a DataFrame.
        log: the plain-language event log as (step, text).
        wall_time: seconds the run took (not saved: it differs between runs).
    """

    scenario: Scenario
    seed: int
    series: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    ledger: pd.DataFrame
    log: list[tuple[int, str]]
    wall_time: float
    model: RegionModel | None = field(default=None, repr=False)


def versions() -> dict[str, str]:
    """Versions of Python and of the packages that decide a run's results."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def run(
    scenario: Scenario | str,
    seed: int = 0,
    steps: int | None = None,
    progress: bool = False,
    keep_model: bool = False,
) -> RunResult:
    """Run one scenario.

    Args:
        scenario: a Scenario, a built-in name or a path to a scenario file.
        seed: decides every random draw.
        steps: quarters to simulate (default: the scenario's ``steps``).
        progress: show a progress bar on stderr.
        keep_model: keep the model object in the result (for further inspection).

    Returns:
        The run's series, tables, ledger and log.
    """
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    if steps is not None and int(steps) != scenario.steps:
        # the saved scenario must reproduce this run: it carries the steps run, and the
        # events after the end (which never fire in this run) are left out
        n = int(steps)
        events = [e for e in scenario.events if e.step <= n]
        scenario = with_params(scenario, {"steps": n, "events": events})
    n = scenario.steps
    start = time.perf_counter()
    model = RegionModel(scenario, seed=seed)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n, desc=scenario.name, unit="quarter", leave=False)
    for _ in range(n):
        model.step()
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    wall = time.perf_counter() - start
    dc = model.datacollector
    series = dc.get_model_vars_dataframe().reset_index(names="step")
    tables = {name: dc.get_table_dataframe(name) for name in dc.tables}
    return RunResult(
        scenario=scenario,
        seed=seed,
        series=series,
        tables=tables,
        ledger=model.ledger.summary(model),
        log=list(model.log),
        wall_time=wall,
        model=model if keep_model else None,
    )


def save_result(result: RunResult, out_dir: str | Path) -> list[Path]:
    """Save a run's series and tables as Parquet and CSV, with its provenance.

    Written: ``series.parquet``/``.csv``, one file pair per tidy table, ``ledger.csv``,
    ``log.txt``, ``scenario.toml`` (self-contained: reloading it reproduces the run) and
    ``provenance.json`` (seed, scenario name, package versions). Nothing written depends
    on the machine's clock, so the same scenario and seed give byte-identical files.

    Returns:
        The paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    frames = {"series": result.series, **result.tables}
    for name, frame in frames.items():
        pq = out / f"{name}.parquet"
        frame.to_parquet(pq, index=False)
        csv = out / f"{name}.csv"
        frame.to_csv(csv, index=False, float_format="%.10g")
        written += [pq, csv]
    ledger = out / "ledger.csv"
    result.ledger.to_csv(ledger, index=False)
    log = out / "log.txt"
    log.write_text("".join(f"Q{step}: {text}\n" for step, text in result.log), encoding="utf-8")
    scen = out / "scenario.toml"
    scen.write_text(scenario_to_toml(result.scenario), encoding="utf-8")
    prov = out / "provenance.json"
    prov.write_text(
        json.dumps(
            {
                "scenario": result.scenario.name,
                "seed": result.seed,
                "steps": int(result.series["step"].max()),
                "versions": versions(),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return [*written, ledger, log, scen, prov]


SUMMARY_ROWS = (
    ("employment", "Employment (workers)", "{:,.0f}"),
    ("unemployment_rate", "Unemployment rate", "{:.1%}"),
    ("gross_regional_product", "Gross regional product / quarter", "{:,.0f}"),
    ("productivity", "Value added per worker", "{:.3f}"),
    ("wage", "Wage", "{:.3f}"),
    ("firms", "Firms", "{:,.0f}"),
    ("active_industries", "Active industries", "{:.0f}"),
    ("diversity", "Diversity (entropy)", "{:.3f}"),
    ("complexity", "Employment-weighted complexity", "{:.2f}"),
    ("service_gap", "Institution service gap", "{:.1%}"),
)

TOTAL_ROWS = (
    ("births", "Firm births"),
    ("deaths", "Firm deaths"),
    ("experiments_started", "Experiments started"),
    ("experiments_succeeded", "Experiments succeeded"),
    ("discoveries", "Discoveries (industries new to the region)"),
    ("policy_spending", "Policy spending"),
)


def summary_table(result: RunResult) -> str:
    """A readable table: indicators at the start and end of the run, and run totals."""
    s = result.series
    first, last = s.iloc[0], s.iloc[-1]
    width = max(
        len(label) for _, label, _ in SUMMARY_ROWS + tuple((a, b, "") for a, b in TOTAL_ROWS)
    )
    head = f"{result.scenario.name} · seed {result.seed} · {int(last['step'])} quarters"
    lines = [head, "=" * len(head), f"{'':<{width}}  {'start':>14}  {'end':>14}"]
    for col, label, fmt in SUMMARY_ROWS:
        lines.append(f"{label:<{width}}  {fmt.format(first[col]):>14}  {fmt.format(last[col]):>14}")
    lines.append("")
    lines.append(f"{'':<{width}}  {'run total':>14}")
    for col, label in TOTAL_ROWS:
        lines.append(f"{label:<{width}}  {s[col].iloc[1:].sum():>14,.0f}")
    worst = int(s["unemployment_rate"].idxmax())
    peak = f"{s['unemployment_rate'].iloc[worst]:.1%} (Q{int(s['step'].iloc[worst])})"
    lines.append(f"{'Highest unemployment rate':<{width}}  {peak:>14}")
    return "\n".join(lines)
