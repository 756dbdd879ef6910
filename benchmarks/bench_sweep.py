"""Sweep throughput at 1 and 2 local workers, and the driver's peak memory against run count.

Run: ``uv run python benchmarks/bench_sweep.py [--runs 24] [--memory-runs 200 2000]``.

* Throughput: a Latin-hypercube sweep of a short scenario (``--steps`` quarters of a
  scaled-down agrifood region), runs per minute with 1 and 2 local worker processes:
  over the whole sweep (worker start-up included: a user waits for it too) and in the
  steady state (from the first stored run to the last).
* Memory: the driver's peak of traced Python allocations (``tracemalloc``) over a whole
  sweep of 200 and of 2,000 one-quarter runs on 2 workers. The driver submits in bounded
  batches and writes each result as it arrives, so the peak must not grow ~10x with 10x
  the runs.

Prints a table and writes the figures as JSON (``--json``). Nothing is asserted here.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
import tracemalloc
from pathlib import Path

from benchmarks._common import write_json
from experiments import load_results, sweep
from scenarios import Scenario, load_scenario, scenario_to_toml, with_params


def short_scenario() -> Scenario:
    """The agrifood region at 1/20 of its size: a run of one quarter takes a fraction of a
    second, mostly setting the model up."""
    s = load_scenario("agrifood_baseline")
    r = s.region
    up: dict[str, object] = {}
    for i, ind in enumerate(r.industries):
        up[f"region.industries[{i}].employment"] = ind.employment // 20
        if ind.firms is not None:
            up[f"region.industries[{i}].firms"] = None
    for i, d in enumerate(r.districts):
        up[f"region.districts[{i}].labour_force"] = max(1, d.labour_force // 20)
    return with_params(s, up).model_copy(update={"name": "agrifood_small"})


def sweep_spec(base: Path, runs: int, steps: int, seed: int) -> dict:
    return {
        "name": f"bench{runs}",
        "base": str(base),
        "design": "latin_hypercube",
        "samples": runs,
        "steps": steps,
        "seed": seed,
        "outcomes": ["jobs_end"],
        "parameters": {
            "market.selection": {"range": [0.5, 2.0]},
            "region.culture.trust": {"range": [0.2, 0.8]},
        },
    }


def throughput(base: Path, tmp: Path, workers: int, runs: int, steps: int) -> dict:
    out = tmp / f"throughput-{workers}"
    start = time.perf_counter()
    summary = sweep(sweep_spec(base, runs, steps, 1), out, workers=workers, progress=False,
                    report=False)  # fmt: skip
    wall = time.perf_counter() - start
    assert summary.failed == 0 and len(load_results(out)) == runs
    # steady state: from the first stored run to the last (worker start-up left out)
    times = sorted(p.stat().st_mtime for p in (out / "runs").glob("*.parquet"))
    steady = (len(times) - 1) / (times[-1] - times[0]) * 60 if times[-1] > times[0] else 0.0
    return {"workers": workers, "runs": runs, "steps": steps, "seconds": round(wall, 2),
            "runs_per_minute": round(runs / wall * 60, 1),
            "steady_runs_per_minute": round(steady, 1)}  # fmt: skip


def driver_peak(base: Path, tmp: Path, runs: int, workers: int) -> dict:
    out = tmp / f"memory-{runs}"
    tracemalloc.start()
    start = time.perf_counter()
    summary = sweep(sweep_spec(base, runs, 1, 2), out, workers=workers, progress=False,
                    report=False)  # fmt: skip
    wall = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert summary.failed == 0
    return {"runs": runs, "workers": workers, "seconds": round(wall, 1),
            "peak_traced_mib": round(peak / 2**20, 2)}  # fmt: skip


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=24, help="runs per throughput sweep")
    parser.add_argument("--steps", type=int, default=8, help="quarters per throughput run")
    parser.add_argument("--memory-runs", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--json", default="results/bench_sweep.json")
    args = parser.parse_args(argv)
    found: dict = {"python": platform.python_version(), "machine": platform.machine()}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        base = tmp / "agrifood_small.toml"
        base.write_text(scenario_to_toml(short_scenario()), encoding="utf-8")
        sweep(sweep_spec(base, 2, 1, 0), tmp / "warm", workers=1, progress=False, report=False)
        found["throughput"] = [throughput(base, tmp, w, args.runs, args.steps) for w in (1, 2)]
        found["memory"] = [driver_peak(base, tmp, n, 2) for n in args.memory_runs]
    print(f"Sweep throughput ({args.runs} runs of {args.steps} quarters, agrifood at 1/20)")
    print(f"{'workers':>8} {'seconds':>9} {'runs/min':>9} {'steady runs/min':>16}")
    for t in found["throughput"]:
        print(f"{t['workers']:>8} {t['seconds']:>9.1f} {t['runs_per_minute']:>9.1f}"
              f" {t['steady_runs_per_minute']:>16.1f}")  # fmt: skip
    print("(runs/min includes starting the workers; steady: first to last stored run)")
    print("\nDriver peak memory (tracemalloc), 1-quarter runs on 2 workers")
    print(f"{'runs':>8} {'seconds':>9} {'peak MiB':>9}")
    for m in found["memory"]:
        print(f"{m['runs']:>8} {m['seconds']:>9.1f} {m['peak_traced_mib']:>9.2f}")
    if len(found["memory"]) >= 2:
        ratio = found["memory"][-1]["peak_traced_mib"] / found["memory"][0]["peak_traced_mib"]
        found["memory_ratio"] = round(ratio, 2)
        print(f"ratio {found['memory'][-1]['runs']} / {found['memory'][0]['runs']} runs: "
              f"{ratio:.2f}x")  # fmt: skip
    write_json(found, args.json)
    return found


if __name__ == "__main__":
    main()
