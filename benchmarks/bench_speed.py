"""Speed of a Mesoscape run, side by side with Mesa's own example models in the same process.

Run: ``uv run python benchmarks/bench_speed.py [--repeats 3]``. Prints a table of wall time
per run and per agent-step (median of the repeats). Nothing here is asserted: speed is
measured and reported, never tested.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable

from mesa.examples import BoltzmannWealth, Schelling
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario
from mesa.examples.basic.schelling.model import SchellingScenario

from model import RegionModel
from scenarios import load_scenario

STEPS = 120


def time_run(build: Callable[[], object], steps: int) -> tuple[float, float]:
    """Wall time of ``steps`` steps of a freshly built model, and its mean agent count."""
    model = build()
    agents = 0
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
        agents += len(model.agents)
    return time.perf_counter() - start, agents / steps


def cases() -> dict[str, Callable[[], object]]:
    """The models measured: ours on each built-in region, and Mesa's references."""
    found: dict[str, Callable[[], object]] = {}
    for name in ("baseline", "agrifood_baseline", "mining_phaseout", "decline_bottom_up"):
        scenario = load_scenario(name)
        found[f"mesoscape {name}"] = lambda s=scenario: RegionModel(s, seed=1)
    found["mesa BoltzmannWealth (n=2500)"] = lambda: BoltzmannWealth(
        BoltzmannScenario(n=2500, width=50, height=50, rng=1)
    )
    found["mesa Schelling (50x50)"] = lambda: Schelling(
        SchellingScenario(width=50, height=50, rng=1)
    )
    return found


def main(argv: list[str] | None = None) -> None:
    """Measure every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=STEPS)
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.machine()}, {args.steps} steps")
    print(f"{'model':<36} {'s / run':>9} {'agents':>8} {'µs / agent-step':>16}")
    for label, build in cases().items():
        runs = [time_run(build, args.steps) for _ in range(args.repeats)]
        wall = statistics.median(r[0] for r in runs)
        agents = runs[0][1]
        per = wall / (agents * args.steps) * 1e6
        print(f"{label:<36} {wall:>9.2f} {agents:>8.0f} {per:>16.1f}")


if __name__ == "__main__":
    main()
