"""Re-run a saved run or comparison from its own files and check the output is identical.

``replay(folder)`` reads the folder's manifest (refusing a folder without one), reloads the
scenario file(s) saved there, runs them again with the saved seed(s) and steps, writes the
data files the save wrote into a temporary folder and compares them with the saved ones,
file by file. A difference is reported by file, column and quarter (and scenario and seed in
a comparison), e.g. ``series.csv: employment differs at quarter 5: saved 5501.2, re-run
5499.8``. Saved files that no longer match the manifest (edited or damaged after the save)
are reported too. Figures and the HTML report are drawn from the data files and are not
compared byte for byte.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from experiments.store import StoreError, manifest_problems, read_manifest

#: columns that say where a row is, in the order a message names them
KEYS = ("alternative", "scenario", "seed", "indicator", "outcome", "step", "industry",
        "capability", "district", "instrument")  # fmt: skip
#: files of a run that the re-run must reproduce (its inputs are scenario.toml, provenance)
RUN_INPUTS = ("scenario.toml", "provenance.json")


@dataclass
class ReplayReport:
    """What ``replay`` found.

    Attributes:
        folder: the folder replayed.
        kind: ``"run"`` or ``"comparison"``.
        checked: the files compared with the re-run.
        differences: one line per file that differs (empty: identical).
        manifest_problems: files that do not match the manifest any more.
        warnings: e.g. versions that differ from those of the save.
    """

    folder: Path
    kind: str
    checked: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    manifest_problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if every file verifies and the re-run reproduced every data file."""
        return not self.differences and not self.manifest_problems

    def __str__(self) -> str:
        lines = [f"{self.folder}: {p}" for p in self.manifest_problems]
        lines += [f"{self.folder}: {d}" for d in self.differences]
        lines += [f"{self.folder}: warning: {w}" for w in self.warnings]
        if self.ok:
            lines.insert(0, f"{self.folder}: identical: the {self.kind} was re-run and "
                         f"reproduced {len(self.checked)} files exactly")  # fmt: skip
        return "\n".join(lines)


def replay(folder: str | Path, workers: int | None = 1) -> ReplayReport:
    """Re-run a saved run or comparison and compare its data files with the saved ones.

    Args:
        folder: a folder written by ``mesoscape run`` / ``save_result`` or
            ``mesoscape compare`` / ``Comparison.save``.
        workers: worker processes for a comparison's runs (the result does not depend on it).

    Returns:
        The report; ``report.ok`` says whether everything is identical.

    Raises:
        StoreError: the folder does not exist or has no readable manifest.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    kind = manifest.get("kind")
    report = ReplayReport(folder=folder, kind=str(kind))
    report.manifest_problems = manifest_problems(folder, manifest)
    with tempfile.TemporaryDirectory(prefix="mesoscape-replay-") as tmp:
        again = Path(tmp)
        if kind == "run":
            names = _rerun_run(folder, again, manifest)
        elif kind == "comparison":
            names = _rerun_comparison(folder, again, workers)
        else:
            raise StoreError(f"{folder}: manifest kind {kind!r}; allowed: run, comparison")
        from experiments.run import versions

        now = versions()
        for package, saved in manifest.get("versions", {}).items():
            if now.get(package) != saved:
                report.warnings.append(f"{package} {now.get(package)} now, {saved} when saved")
        for name in names:
            report.checked.append(name)
            problem = compare_file(folder / name, again / name, name)
            if problem:
                report.differences.append(problem)
    return report


def _rerun_run(folder: Path, out: Path, manifest: dict) -> list[str]:
    from experiments.run import run, write_run_files
    from scenarios import load_scenario

    scenario = load_scenario(_need(folder, "scenario.toml"))
    result = run(scenario, seed=int(manifest["seeds"][0]))
    names = write_run_files(result, out)
    return [n for n in names if n not in RUN_INPUTS]


def _rerun_comparison(folder: Path, out: Path, workers: int | None) -> list[str]:
    from experiments.compare import compare
    from experiments.report import DATA_FILES, write_comparison_data
    from scenarios import load_scenario

    try:
        provenance = json.loads(_need(folder, "provenance.json").read_text(encoding="utf-8"))
        files, seeds = provenance["scenario_files"], provenance["seeds"]
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{folder}/provenance.json: unreadable ({exc})") from None
    if seeds != list(range(1, len(seeds) + 1)):
        raise StoreError(f"{folder}/provenance.json: seeds: {seeds}; allowed: 1..N")
    scenarios = [load_scenario(_need(folder, f)) for f in files]
    comparison = compare(scenarios, replications=len(seeds), workers=workers)
    write_comparison_data(comparison, out, lambda what: None)
    return list(DATA_FILES)


def _need(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.is_file():
        raise StoreError(f"{path}: missing; a saved result needs it to be replayed")
    return path


# --------------------------------------------------------------------------- comparing files


def compare_file(saved: Path, again: Path, name: str) -> str | None:
    """None if the two files are identical, else one line saying where they differ."""
    if not saved.is_file():
        return f"{name}: missing from the saved folder"
    if saved.read_bytes() == again.read_bytes():
        return None
    try:
        if name.endswith(".parquet"):
            return _frame_difference(pd.read_parquet(saved), pd.read_parquet(again), name)
        if name.endswith(".csv"):
            return _frame_difference(pd.read_csv(saved), pd.read_csv(again), name)
    except Exception as exc:  # noqa: BLE001 - an unreadable saved file is the difference
        return f"{name}: the saved file cannot be read ({type(exc).__name__}: {exc})"[:300]
    return _text_difference(saved, again, name)


def _frame_difference(saved: pd.DataFrame, again: pd.DataFrame, name: str) -> str:
    if list(saved.columns) != list(again.columns):
        extra = [c for c in saved.columns if c not in again.columns]
        missing = [c for c in again.columns if c not in saved.columns]
        return f"{name}: columns differ (saved only: {extra}; re-run only: {missing})"
    if len(saved) != len(again):
        return f"{name}: {len(saved)} rows saved, {len(again)} in the re-run"
    for col in saved.columns:
        a, b = saved[col], again[col]
        same = (a == b) | (a.isna() & b.isna())
        if not same.all():
            i = int((~same).to_numpy().nonzero()[0][0])
            where = _where(again, i, exclude=col)
            return (
                f"{name}: column {col} differs{where}: saved {_short(a.iloc[i])}, "
                f"re-run {_short(b.iloc[i])}"
            )
    return f"{name}: the bytes differ (same values: formatting or metadata)"


def _where(frame: pd.DataFrame, i: int, exclude: str) -> str:
    """Where row ``i`` is: its key columns (scenario, seed, quarter, industry...)."""
    parts = []
    for key in KEYS:
        if key in frame.columns and key != exclude:
            value = frame[key].iloc[i]
            value = value.item() if hasattr(value, "item") else value
            parts.append(f"quarter {value}" if key == "step" else f"{key} {value}")
    return f" at {', '.join(parts)}" if parts else ""


def _short(value: object) -> str:
    text = repr(value.item() if hasattr(value, "item") else value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text_difference(saved: Path, again: Path, name: str) -> str:
    a = saved.read_text(encoding="utf-8", errors="replace").splitlines()
    b = again.read_text(encoding="utf-8", errors="replace").splitlines()
    for i, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        if x != y:
            return f"{name}: line {i} differs: saved {x[:60]!r}, re-run {y[:60]!r}"
    return f"{name}: {len(a)} lines saved, {len(b)} in the re-run"
