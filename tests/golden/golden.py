"""Golden outputs: exact results of fixed runs, and reference statistics over many seeds.

Two guards for changes to the model's core (issue "A fast, clear core"):

* **Exact** (``exact/``): the series and tidy tables of ``GOLDEN_RUNS`` (2 scenarios x 2
  seeds, full horizon). A refactor or an optimisation must reproduce them bit for bit.
* **Statistical** (``reference_stats.csv``): end-of-run outcomes of ``REFERENCE_SCENARIOS``
  over seeds ``REFERENCE_SEEDS``. First computed from the model as it was before the core was
  rebuilt (the rebuilt core was shown equivalent to it); replaced on purpose when issue 7
  changed the model's behaviour (visibility, pioneer risk, liability of newness, shakeout,
  institutions' budgets, trust through supplier relations, regional wages): these
  statistics are the reference of that model. A change that is meant to change results
  (a different but equivalent random stream, a different floating-point summation order)
  replaces the exact files in its commit;
  the statistical test then shows that the new model is the same model in distribution: every
  outcome's mean paired difference over the seeds is within its interval of zero.

Regenerate the exact files with ``uv run python -m tests.golden.golden exact``; the reference
statistics (``... reference``) only when the model's behaviour is changed on purpose, saying
why in the commit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import model  # noqa: F401 - first: pins the BLAS kernels before numpy loads (model.blas)

# isort: split
import pandas as pd

from experiments.run import run
from scenarios import load_scenario

HERE = Path(__file__).resolve().parent
EXACT = HERE / "exact"
REFERENCE = HERE / "reference_stats.csv"
GOLDEN_RUNS = [("baseline", 1), ("baseline", 2), ("decline_bottom_up", 1), ("decline_bottom_up", 2)]
REFERENCE_SCENARIOS = ("baseline", "decline_bottom_up")
REFERENCE_SEEDS = tuple(range(1, 17))


def run_frames(scenario: str, seed: int) -> dict[str, pd.DataFrame]:
    """The series and every tidy table of one full run."""
    result = run(load_scenario(scenario), seed=seed)
    return {"series": result.series, **result.tables}


def exact_path(scenario: str, seed: int, frame: str) -> Path:
    """Where the golden copy of one frame of one run is kept."""
    return EXACT / f"{scenario}-seed{seed}-{frame}.parquet"


def end_outcomes(series: pd.DataFrame) -> dict[str, float]:
    """End-of-run and cumulative outcomes compared by the statistical guard."""
    last = series.iloc[-1]
    flows = series.iloc[1:]
    return {
        "employment": float(last["employment"]),
        "unemployment_rate": float(last["unemployment_rate"]),
        "gross_regional_product": float(last["gross_regional_product"]),
        "productivity": float(last["productivity"]),
        "wage": float(last["wage"]),
        "firms": float(last["firms"]),
        "active_industries": float(last["active_industries"]),
        "diversity": float(last["diversity"]),
        "complexity": float(last["complexity"]),
        "mean_unemployment_rate": float(flows["unemployment_rate"].mean()),
        "births": float(flows["births"].sum()),
        "deaths": float(flows["deaths"].sum()),
        "experiments_started": float(flows["experiments_started"].sum()),
        "discoveries": float(flows["discoveries"].sum()),
    }


def reference_table(seeds: tuple[int, ...] = REFERENCE_SEEDS) -> pd.DataFrame:
    """Outcomes of every reference scenario and seed: scenario, seed, outcome, value."""
    rows = []
    for scenario in REFERENCE_SCENARIOS:
        for seed in seeds:
            series = run(load_scenario(scenario), seed=seed).series
            for outcome, value in end_outcomes(series).items():
                rows.append((scenario, seed, outcome, value))
    return pd.DataFrame(rows, columns=["scenario", "seed", "outcome", "value"])


def write_exact() -> None:
    """Write the exact golden files of every golden run."""
    EXACT.mkdir(parents=True, exist_ok=True)
    for scenario, seed in GOLDEN_RUNS:
        for name, frame in run_frames(scenario, seed).items():
            frame.to_parquet(exact_path(scenario, seed, name), index=False)


def main(argv: list[str]) -> None:
    """``exact`` rewrites the exact files, ``reference`` the reference statistics."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        if "exact" in argv:
            write_exact()
        if "reference" in argv:
            reference_table().to_csv(REFERENCE, index=False, float_format="%.17g")


if __name__ == "__main__":
    main(sys.argv[1:])
