"""Speed and scale of Mesoscape, side by side with Mesa's own example models.

Run: ``uv run python benchmarks/bench_speed.py [--repeats 3] [--json FILE]``. One command
measures, and prints as a table and as JSON (``--json``, default
``benchmarks/results/speed.json``):

* the default scenario (``baseline``, 120 quarters): wall and CPU time of a run and CPU µs
  per agent-step (agents = Mesa agents alive, summed over steps), the median of the repeats;
* Mesa's ``BoltzmannWealth`` (10,000 agents) and ``Schelling`` (100 x 100) from the
  installed Mesa, measured the same way in the same process, and the throughput ratios;
* the start-up of a fresh process (imports, cached compiled kernels, set-up, one quarter);
* a scale series: the heartland region with firms, employment and labour force multiplied
  to about 10k, 30k and 100k firms, each in its own process (so its peak memory is its
  own): set-up time, CPU time per quarter, peak resident memory, and the fitted exponent of
  time per quarter against firms;
* sweep throughput: runs per minute of a 40-quarter scenario on 1 and 2 local workers
  (``experiments.backends``).

Nothing here is asserted: speed is measured and reported, never tested. BLAS is pinned to
one thread, as wherever the model runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import write_json  # noqa: E402

STEPS = 120
SCALES = (10_000, 30_000, 100_000)
SCALE_STEPS = 5


def time_steps(build: Callable[[], object], steps: int) -> dict[str, float]:
    """Wall and CPU time of ``steps`` steps of a freshly built model, and its agent-steps."""
    model = build()
    agents = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model.step()
        agents += len(model.agents)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "agent_steps": agents,
        "us_per_agent_step": cpu / agents * 1e6,
    }


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    """The median of each measure over repeated runs."""
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def reference_cases() -> dict[str, Callable[[], object]]:
    """Our default scenario and Mesa's reference models."""
    from mesa.examples import BoltzmannWealth, Schelling
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario
    from mesa.examples.basic.schelling.model import SchellingScenario

    from model import RegionModel
    from scenarios import load_scenario

    baseline = load_scenario("baseline")
    return {
        "mesoscape baseline": lambda: RegionModel(baseline, seed=1),
        "mesa BoltzmannWealth (10k agents)": lambda: BoltzmannWealth(
            BoltzmannScenario(n=10_000, width=100, height=100, rng=1)
        ),
        "mesa Schelling (100x100)": lambda: Schelling(
            SchellingScenario(width=100, height=100, rng=1)
        ),
    }


def scaled_scenario(firms: int):
    """Heartland with firms, employment and labour force multiplied to about ``firms``.

    Each industry is split evenly over the districts (an industry may be listed once per
    district), so that no single entry exceeds the schema's bounds.
    """
    from scenarios import load_scenario, with_params

    base = load_scenario("baseline")
    region = base.region
    start = sum(i.firms for i in region.industries)
    factor = firms / start
    n_d = len(region.districts)
    industries = []
    for ind in region.industries:
        for d in region.districts:
            industries.append(
                {
                    "key": ind.key,
                    "employment": round(ind.employment * factor / n_d),
                    "firms": max(1, int(ind.firms * factor / n_d)),
                    "district": d.name,
                }
            )
    districts = [
        {**d.model_dump(), "labour_force": round(d.labour_force * factor)} for d in region.districts
    ]
    return with_params(
        base, {"region.industries": industries, "region.districts": districts, "steps": 20}
    )


def measure_scale(firms: int) -> dict[str, float]:
    """Set-up time, CPU per quarter and peak memory of one scaled region (in this process)."""
    from model import RegionModel

    scenario = scaled_scenario(firms)
    cpu = time.process_time()
    model = RegionModel(scenario, seed=1)
    setup = time.process_time() - cpu
    n = len(model.firms)
    cpu = time.process_time()
    for _ in range(SCALE_STEPS):
        model.step()
    per_step = (time.process_time() - cpu) / SCALE_STEPS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    return {"firms": n, "setup_s": setup, "s_per_quarter": per_step, "peak_mib": peak}


def scale_series() -> list[dict[str, float]]:
    """``measure_scale`` for every size, each in a fresh process."""
    out = []
    for firms in SCALES:
        code = (
            f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); "
            "from benchmarks.bench_speed import measure_scale, pin; pin(); "
            f"print(json.dumps(measure_scale({firms})))"
        )
        out.append(json.loads(last_line_of(code)))
    return out


def last_line_of(code: str) -> str:
    """The last line ``code`` prints when run in a fresh Python process."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return done.stdout.strip().splitlines()[-1]


def measure_start_up() -> dict[str, float]:
    """CPU time of a fresh process up to the end of the default run's first quarter.

    Imports (numpy, pandas, Mesa, numba and its cached compiled kernels), set-up and one
    quarter: what a single ``mesoscape run`` pays once, and each sweep worker once.
    """
    code = (
        f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); "
        "from benchmarks.bench_speed import pin; pin(); "
        "from model import RegionModel; from scenarios import load_scenario; "
        "RegionModel(load_scenario('baseline'), seed=1).step(); print(time.process_time())"
    )
    return {"cpu_s": statistics.median(float(last_line_of(code)) for _ in range(3))}


def growth_exponent(series: list[dict[str, float]]) -> float:
    """Least-squares slope of log(time per quarter) against log(firms)."""
    x = np.log([s["firms"] for s in series])
    y = np.log([s["s_per_quarter"] for s in series])
    return float(np.polyfit(x, y, 1)[0])


def _short_run(seed: int) -> float:
    from experiments.run import run
    from scenarios import load_scenario

    return float(run(load_scenario("baseline"), seed=seed, steps=40).series["employment"].iloc[-1])


def _ready() -> bool:
    """A first task for a new worker: import what a run needs."""
    import experiments.run  # noqa: F401
    import scenarios  # noqa: F401

    return True


def sweep_throughput(runs: int = 16) -> dict[str, float]:
    """Runs per minute of a 40-quarter scenario on 1 and 2 local worker processes.

    Two figures per worker count: over the whole batch with the workers' start-up (what a
    user waits for), and steady (the workers already started and importing done).
    """
    from experiments.backends import executor, run_all

    found = {}
    tasks = [(s,) for s in range(1, runs + 1)]
    for workers in (1, 2):
        start = time.perf_counter()
        with executor(workers) as ex:
            list(run_all(ex, _ready, [()] * workers))
            ready = time.perf_counter()
            results = list(run_all(ex, _short_run, tasks))
            end = time.perf_counter()
        assert all(error is None for _, _, error in results)
        found[f"runs_per_minute_{workers}_workers"] = runs / (end - start) * 60
        found[f"steady_runs_per_minute_{workers}_workers"] = runs / (end - ready) * 60
    return found


def pin() -> None:
    """One BLAS thread, as wherever the model runs."""
    threadpool_limits(limits=1)


def main(argv: list[str] | None = None) -> dict:
    """Measure everything, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "speed.json"))
    parser.add_argument("--skip-scale", action="store_true", help="leave out the scale series")
    args = parser.parse_args(argv)
    pin()
    machine = f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores"
    print(machine)
    refs = {}
    for label, build in reference_cases().items():
        steps = STEPS if label.startswith("mesoscape") else 30
        refs[label] = median_of([time_steps(build, steps) for _ in range(args.repeats)])
    ours = refs["mesoscape baseline"]["us_per_agent_step"]
    print(f"\n{'model':<36} {'wall s':>8} {'CPU s':>8} {'µs/agent-step':>14} {'ours faster':>12}")
    for label, r in refs.items():
        ratio = r["us_per_agent_step"] / ours
        print(
            f"{label:<36} {r['wall_s']:>8.3f} {r['cpu_s']:>8.3f} "
            f"{r['us_per_agent_step']:>14.2f} {ratio:>11.1f}x"
        )
    report: dict = {"machine": machine, "reference": refs}
    report["start_up"] = measure_start_up()
    print(
        f"\na fresh process up to its first quarter: {report['start_up']['cpu_s']:.2f} s CPU "
        "(imports, compiled kernels, set-up)"
    )
    if not args.skip_scale:
        series = scale_series()
        report["scale"] = series
        report["scale_exponent"] = growth_exponent(series)
        print(f"\n{'firms':>8} {'set-up s':>9} {'s/quarter':>10} {'peak MiB':>9}")
        for s in series:
            print(
                f"{s['firms']:>8,} {s['setup_s']:>9.2f} {s['s_per_quarter']:>10.3f} "
                f"{s['peak_mib']:>9.0f}"
            )
        print(f"time per quarter grows as firms^{report['scale_exponent']:.2f}")
    report["sweep"] = sweep_throughput()
    print(
        "\nsweep of 40-quarter runs: "
        + ", ".join(f"{v:.1f} {k.replace('_', ' ')}" for k, v in report["sweep"].items())
    )
    write_json(report, args.json)
    return report


if __name__ == "__main__":
    main()
