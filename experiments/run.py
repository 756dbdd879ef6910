"""Running one scenario and saving what it produced, with everything needed to reproduce it."""

from __future__ import annotations

import json
import math
import numbers
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.store import MANIFEST, read_manifest, safe_name, verify, write_result
from model import RegionModel
from scenarios import Scenario, describe_field, load_scenario, scenario_to_toml, with_params

#: the most steps a scenario may have (the schema's bound)
STEPS_MAX = next(m.le for m in Scenario.model_fields["steps"].metadata if hasattr(m, "le"))
PACKAGES = ("mesoscape", "mesa", "numpy", "numba", "pandas", "pyarrow", "pydantic")


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
    """Versions of Python and of the packages that decide a run's results, and the BLAS.

    Runs agree to the last bit where all of these agree (``blas_kernel``: ``model.blas``).
    """
    from model.blas import blas_kernel

    found = {"python": platform.python_version(), "blas_kernel": blas_kernel()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


#: the largest seed accepted (numpy takes any; this keeps seeds printable and portable)
SEED_MAX = 2**63 - 1


class BadArgument(ValueError):
    """An argument of the Python API that is not allowed; the message says what is."""


def _whole(value: object) -> int | None:
    """``value`` as an int if it is a whole number (not a bool, NaN or inf), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


def check_seed(seed: object) -> int:
    """The seed as an int, or a BadArgument saying what is allowed."""
    n = _whole(seed)
    if n is None or not 0 <= n <= SEED_MAX:
        raise BadArgument(
            f"seed: {show(seed)} is not allowed; allowed: a whole number from 0 to {SEED_MAX}"
        )
    return n


def check_steps(steps: object) -> int:
    """The number of steps as an int, or a BadArgument saying what is allowed."""
    n = _whole(steps)
    allowed = describe_field("steps")
    if n is None or not 1 <= n <= STEPS_MAX:
        raise BadArgument(f"steps: {show(steps)} is not allowed; allowed: {allowed}")
    return n


def show(value: object) -> str:
    """A value as a message shows it: short, on one line."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def with_steps(scenario: Scenario, steps: int | None) -> Scenario:
    """The scenario that runs ``steps`` quarters (itself if None or unchanged).

    The saved scenario must reproduce the run: it carries the steps run, and the events
    after the end (which never fire in this run) are left out.
    """
    if steps is None or steps == scenario.steps:
        return scenario
    events = [e for e in scenario.events if e.step <= steps]
    return with_params(scenario, {"steps": steps, "events": events})


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

    Raises:
        BadArgument: a seed or number of steps that is not allowed (e.g. ``steps=1.5``).
    """
    seed = check_seed(seed)
    if steps is not None:
        steps = check_steps(steps)
    if isinstance(scenario, (str, Path)):
        scenario = load_scenario(scenario)
    scenario = with_steps(scenario, steps)
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
        ledger=model.ledger.to_frame(),
        log=list(model.log),
        wall_time=wall,
        model=model if keep_model else None,
    )


def run_identity(result: RunResult) -> dict[str, Any]:
    """What a saved run is, for its manifest: kind, scenario, seed, steps and versions."""
    return {
        "kind": "run",
        "scenarios": [result.scenario.name],
        "seeds": [int(result.seed)],
        "steps": int(result.series["step"].max()),
        "versions": versions(),
    }


def write_run_files(
    result: RunResult, folder: Path, checkpoint: Callable[[str], None] = lambda what: None
) -> list[str]:
    """Write a run's files into ``folder`` (see ``save_result``); return their names.

    Args:
        result: the run.
        folder: an existing, empty directory.
        checkpoint: called with the file name after each file (the store's pause points).
    """
    written: list[str] = []

    def done(name: str) -> None:
        written.append(name)
        checkpoint(name)

    frames = {"series": result.series, **result.tables}
    for name, frame in frames.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        done(f"{name}.parquet")
        frame.to_csv(folder / f"{name}.csv", index=False, float_format="%.10g")
        done(f"{name}.csv")
    result.ledger.to_csv(folder / "ledger.csv", index=False)
    done("ledger.csv")
    log = "".join(f"Q{step}: {text}\n" for step, text in result.log)
    (folder / "log.txt").write_text(log, encoding="utf-8")
    done("log.txt")
    (folder / "scenario.toml").write_text(scenario_to_toml(result.scenario), encoding="utf-8")
    done("scenario.toml")
    identity = run_identity(result)
    provenance = {
        "scenario": result.scenario.name,
        "seed": result.seed,
        "steps": identity["steps"],
        "versions": identity["versions"],
    }
    (folder / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n", "utf-8")
    done("provenance.json")
    return written


def default_out(scenario_name: str, seed: int) -> Path:
    """The default output folder of a run, from the scenario's (slug) name and the seed.

    Raises:
        StoreError: if the name cannot be part of a path (then ``--out`` is needed).
    """
    return Path("results") / f"{safe_name(scenario_name)}-seed{int(seed)}"


def save_result(result: RunResult, out_dir: str | Path, force: bool = False) -> list[Path]:
    """Save a run's series and tables as Parquet and CSV, with its provenance, atomically.

    Written: ``series.parquet``/``.csv``, one file pair per tidy table, ``ledger.csv``,
    ``log.txt``, ``scenario.toml`` (self-contained: reloading it reproduces the run),
    ``provenance.json`` (seed, scenario name, package versions) and, last, ``manifest.json``
    (every file's size and sha256). Nothing written depends on the machine's clock, so the
    same scenario and seed give byte-identical files. The files go to a temporary folder
    renamed into place when complete (``experiments.store``): a crash leaves no folder, the
    old result, or the new one, never a mix.

    Args:
        result: the run.
        out_dir: the result folder.
        force: replace a different result already in ``out_dir`` (whole).

    Returns:
        The paths written (the manifest last).

    Raises:
        StoreError: the folder holds another result (without ``force``), another writer is
            saving into it, or it is not a result folder.
    """
    names: list[str] = []

    def write(folder: Path, checkpoint: Callable[[str], None]) -> None:
        names[:] = write_run_files(result, folder, checkpoint)

    out = write_result(out_dir, write, run_identity(result), force=force)
    if not names:  # the same result was already there
        names = [n for n in read_manifest(out)["files"]]
    return [out / n for n in names] + [out / MANIFEST]


def load_run(folder: str | Path) -> RunResult:
    """Read a saved run back, after checking it against its manifest.

    Raises:
        StoreError: the manifest is missing or does not verify, or it is not a run.
    """
    folder = Path(folder)
    manifest = verify(folder, kind="run")
    scenario = load_scenario(folder / "scenario.toml")
    tables = {
        p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet")) if p.stem != "series"
    }
    log = []
    for line in (folder / "log.txt").read_text(encoding="utf-8").splitlines():
        head, _, text = line.partition(": ")
        log.append((int(head[1:]), text))
    return RunResult(
        scenario=scenario,
        seed=int(manifest["seeds"][0]),
        series=pd.read_parquet(folder / "series.parquet"),
        tables=tables,
        ledger=pd.read_csv(folder / "ledger.csv"),
        log=log,
        wall_time=float("nan"),
    )


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
