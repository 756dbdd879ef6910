"""Parameter sweeps: design points x replications into a resumable Parquet result store.

``sweep(file_or_object, out)`` runs every design point of a sweep file
(:mod:`experiments.sweep_file`, designs in :mod:`experiments.designs`) for every
replication through an executor of :mod:`experiments.backends` (local processes, or a Dask
cluster), writing one part per finished run (:mod:`experiments.parts`). Tasks are
submitted in bounded batches and each result is written and dropped as soon as it
arrives, so the driver's memory does not grow with the number of runs.

Replication ``k`` runs with seed ``first_seed + k`` at every design point (common random
numbers), and the seed decides everything, so the stored results are the same whatever
the backend and the number of workers. A run that raises is stored as failed, with its
error and parameters; the sweep goes on. Rerunning into the same directory skips the runs
already done (failed runs are tried again) and redoes corrupt parts.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from experiments import backends, parts
from experiments.designs import design_points
from experiments.sweep_file import RESERVED, Sweep, SweepSpec, load_sweep, parse_sweep
from scenarios import Scenario, ScenarioError, scenario_to_toml, with_params

#: a plain-function target: (parameters, seed) -> outcomes
Target = Callable[[dict[str, Any], int], Mapping[str, float]]
META_FILE = "sweep.json"
DESIGN_FILE = "design.parquet"
SCENARIO_FILE = "scenario.toml"


@dataclass
class SweepSummary:
    """What a call of :func:`sweep` did.

    Attributes:
        directory: the sweep directory.
        runs: distinct runs in the sweep (design points x replications, duplicates once).
        skipped: runs already done before this call (not run again).
        ran: runs executed by this call.
        failed: runs stored as failed at the end.
        redone: corrupt parts found and redone.
        wall_time: seconds this call took.
        failures: (run id, error) of the first failed runs.
        report: the report files written.
    """

    directory: Path
    runs: int
    skipped: int = 0
    ran: int = 0
    failed: int = 0
    redone: int = 0
    wall_time: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)
    report: list[Path] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 if every run succeeded, 1 if any failed."""
        return 1 if self.failed else 0

    def __str__(self) -> str:
        ok = self.runs - self.failed
        rate = self.ran / self.wall_time * 60 if self.wall_time > 0 else 0.0
        lines = [
            f"Sweep {self.directory}: {self.runs} runs, {ok} ok, {self.failed} failed",
            f"  this call: {self.ran} run, {self.skipped} already done (skipped), "
            f"{self.redone} corrupt part(s) redone; {self.wall_time:.1f} s "
            f"({rate:.0f} runs/min)",
        ]
        for rid, error in self.failures[:5]:
            lines.append(f"  failed {rid}: {error}")
        if self.failed > 5:
            lines.append(f"  ... and {self.failed - 5} more failed runs (see the report)")
        return "\n".join(lines)


# --------------------------------------------------------------------------- one run


@functools.cache
def _pin_once() -> None:
    """Pin this process's BLAS to one thread, once (``backends.pinned`` per call costs ms)."""
    backends.pin_blas()


@functools.cache
def _versions_json() -> str:
    from experiments.run import versions

    return json.dumps(versions(), sort_keys=True)


def run_point(
    scenario: Scenario | None,
    params: dict[str, Any],
    seed: int,
    steps: int | None,
    target: Target | None = None,
) -> tuple[dict[str, float], str]:
    """Run one design point with one seed (the task a worker executes).

    Args:
        scenario: the base scenario (ignored with a target).
        params: parameter path -> value.
        seed: the run's seed.
        steps: quarters (None: the scenario's).
        target: a plain function ``(params, seed) -> outcomes`` instead of the model.

    Returns:
        The outcomes and the worker's package versions (JSON text).
    """
    _pin_once()
    if target is not None:
        values = dict(target(dict(params), seed))
    else:
        from experiments.outcomes import run_outcomes
        from experiments.run import run

        assert scenario is not None
        result = run(with_params(scenario, params), seed=seed, steps=steps)
        values = run_outcomes(result)
    return {str(k): float(v) for k, v in values.items()}, _versions_json()


# --------------------------------------------------------------------------- preparing


def _resolve(source: Any, target: Target | None) -> Sweep:
    check = target is None
    if isinstance(source, Sweep):
        return source
    if isinstance(source, SweepSpec):
        return parse_sweep(source.model_dump(exclude_unset=True), check_model=check)
    if isinstance(source, Mapping):
        return parse_sweep(source, check_model=check)
    return load_sweep(source, check_model=check)


def _digest(sweep: Sweep, target: Target | None) -> str:
    if target is not None:
        return f"target:{target.__module__}.{target.__qualname__}"
    assert sweep.scenario is not None
    return hashlib.sha256(scenario_to_toml(sweep.scenario).encode()).hexdigest()[:16]


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".tmp-{path.name}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _prepare(
    directory: Path, sweep: Sweep, digest: str, x: Any, points: list[dict[str, Any]]
) -> None:
    """Create or check the sweep directory; write the sweep, its design and scenario.

    ``design.parquet`` has one row per (point, replication): the run id, the parameter
    values, and the point as SALib sampled it (``salib[j]`` columns, for the analysis).
    """
    spec = sweep.spec
    meta = {
        "sweep": spec.model_dump(mode="json"),
        "scenario_digest": digest,
        "parameters": list(spec.parameters),
        "file": sweep.file,
    }
    key = {k: meta[k] for k in ("sweep", "scenario_digest")}
    meta_path = directory / META_FILE
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if meta_path.is_file():
            try:
                old = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = None
            if old is None or {k: old.get(k) for k in key} != key:
                raise ScenarioError.single(
                    str(directory),
                    "--out",
                    "holds the results of a different sweep (or scenario); allowed: the same "
                    "sweep file to resume it, or a new or empty directory",
                )
            return
        if any(directory.iterdir()):
            raise ScenarioError.single(
                str(directory),
                "--out",
                "is not empty and holds no sweep; allowed: a new or empty directory",
            )
        _write_atomic(meta_path, (json.dumps(meta, indent=2) + "\n").encode())
        if sweep.scenario is not None:
            _write_atomic(directory / SCENARIO_FILE, scenario_to_toml(sweep.scenario).encode())
        rows = []
        for i, params in enumerate(points):
            for r in range(spec.replications):
                seed = spec.first_seed + r
                rid = parts.run_id(digest, params, seed, spec.steps)
                salib = {f"salib[{j}]": float(v) for j, v in enumerate(x[i])}
                rows.append(
                    {"point": i, "replication": r, "seed": seed, "run_id": rid, **params, **salib}
                )
        buf = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pylist(rows), buf)
        _write_atomic(directory / DESIGN_FILE, buf.getvalue().to_pybytes())
    except OSError as exc:
        raise ScenarioError.single(
            str(directory), "--out", f"cannot write the results there ({exc.strerror or exc})"
        ) from None


def _tasks(
    spec: SweepSpec, digest: str, points: list[dict[str, Any]]
) -> Iterator[tuple[str, int, dict[str, Any], int]]:
    """(run id, replication, params, seed) of every distinct run, lazily."""
    seen: set[str] = set()
    for params in points:
        for r in range(spec.replications):
            seed = spec.first_seed + r
            rid = parts.run_id(digest, params, seed, spec.steps)
            if rid not in seen:
                seen.add(rid)
                yield rid, r, params, seed


def _row(
    rid: str,
    sweep: Sweep,
    params: dict[str, Any],
    seed: int,
    replication: int,
    result: tuple[dict[str, float], str] | None,
    error: BaseException | None,
) -> dict[str, Any]:
    scenario = sweep.scenario.name if sweep.scenario is not None else "(target)"
    row: dict[str, Any] = {
        "run_id": rid,
        "status": "ok" if error is None else "failed",
        "error": None if error is None else f"{type(error).__name__}: {error}"[:2000],
        "scenario": scenario,
        "seed": seed,
        "replication": replication,
        **params,
    }
    if result is not None:
        outcomes, versions = result
        clash = [k for k in outcomes if k in row or k in RESERVED]
        if clash:
            row["status"] = "failed"
            row["error"] = f"outcome names clash with columns: {clash}"
        else:
            row.update(outcomes)
        row["versions"] = versions
    else:
        row["versions"] = _versions_json()
    return row


# --------------------------------------------------------------------------- the sweep


@contextmanager
def _connected(workers: int | None, scheduler: str | None) -> Iterator[Executor]:
    """The backend's executor; an unreachable scheduler is bad input, not a crash."""
    stack = ExitStack()
    try:
        ex = stack.enter_context(backends.executor(workers, scheduler))
    except OSError as exc:
        raise ScenarioError.single(
            str(scheduler),
            "--scheduler",
            f"cannot connect ({exc}); allowed: the address of a running Dask scheduler "
            "(tcp://host:8786) or 'local'",
        ) from None
    with stack:
        yield ex


def sweep(
    file_or_object: str | os.PathLike[str] | Sweep | SweepSpec | Mapping[str, Any],
    out: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    target: Target | None = None,
    report: bool = True,
    max_pending: int | None = None,
) -> SweepSummary:
    """Run a sweep into a resumable result store (see the module docstring).

    Args:
        file_or_object: a sweep file, or a sweep as an object or a dict.
        out: the sweep directory (default ``results/sweep-<name>``).
        workers: local worker processes (default: the cores; 1 runs in this process), or
            the local Dask cluster's workers with ``scheduler="local"``.
        scheduler: None for local processes, ``"local"`` for a local Dask cluster, or a
            Dask scheduler's address.
        progress: show a progress bar (runs done, rate, time left) on stderr.
        target: a plain picklable function ``(params, seed) -> outcomes`` to sweep instead
            of the model (tests, toy functions); the parameters are then free names.
        report: write the report (Markdown, HTML, sensitivity plots) when done.
        max_pending: most tasks submitted at once (default: 4 per worker, at least 8).

    Returns:
        The summary; ``summary.exit_code`` is 1 if any run failed.

    Raises:
        ScenarioError: a bad sweep file or output directory (one line per problem).
    """
    start = time.perf_counter()
    sw = _resolve(file_or_object, target)
    spec = sw.spec
    directory = Path(out) if out is not None else Path("results") / f"sweep-{spec.name}"
    digest = _digest(sw, target)
    x, points = design_points(sw)
    _prepare(directory, sw, digest, x, points)
    parts.remove_temporaries(directory)
    done, corrupt = parts.scan(directory)
    for path in corrupt:
        path.unlink(missing_ok=True)
    total = sum(1 for _ in _tasks(spec, digest, points))
    summary = SweepSummary(directory=directory, runs=total, redone=len(corrupt))
    todo = (t for t in _tasks(spec, digest, points) if done.get(t[0]) != "ok")
    summary.skipped = sum(1 for status in done.values() if status == "ok")
    n_workers = backends.default_workers() if workers is None else max(1, int(workers))
    limit = max_pending or max(8, 4 * n_workers)
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        initial=summary.skipped,
        desc=f"sweep {spec.name}",
        unit="run",
        disable=not progress,
        dynamic_ncols=True,
    )
    try:
        with _connected(workers, scheduler) as ex:
            pending: dict[Future, tuple[str, int, dict[str, Any], int]] = {}
            exhausted = False
            while pending or not exhausted:
                while not exhausted and len(pending) < limit:
                    task = next(todo, None)
                    if task is None:
                        exhausted = True
                        break
                    rid, _, params, seed = task
                    scen = None if target is not None else sw.scenario
                    fut = ex.submit(run_point, scen, params, seed, spec.steps, target)
                    pending[fut] = task
                if not pending:
                    break
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in finished:
                    rid, rep, params, seed = pending.pop(fut)
                    error = fut.exception()
                    result = None if error is not None else fut.result()
                    row = _row(rid, sw, params, seed, rep, result, error)
                    parts.write_part(directory, row)
                    if row["status"] != "ok":
                        summary.failed += 1  # every failed run of earlier calls was retried
                        if len(summary.failures) < 20:
                            summary.failures.append((rid, str(row["error"])))
                    summary.ran += 1
                    bar.update(1)
    except BaseException:
        for fut in list(locals().get("pending", {})):
            fut.cancel()
        raise
    finally:
        bar.close()
    if report:
        from experiments.sensitivity import write_report

        summary.report = write_report(directory)
    summary.wall_time = time.perf_counter() - start
    return summary
