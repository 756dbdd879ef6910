"""Paired comparisons of scenarios over replications (issue 6, DESIGN §2.10 and §4.2).

Replication k of every scenario uses seed k (seeds 1..N), so every scenario meets the
same futures: the same demand noise, innovations, entrepreneurs... wherever their
mechanisms coincide (common random numbers). Each alternative is then measured against the
first scenario (the baseline) as a *paired* difference, seed by seed, which removes most of
the noise two independent sets of runs would carry.

For each alternative and outcome: the mean paired difference with a 95% interval, and the
count of futures in which the alternative did better ("better in 17 of 20 futures").
The interval is Student's t over the paired differences; where those differences are
skewed (|sample skewness| > 1, with at least 8 seeds) it is a percentile bootstrap of
their mean (4,000 resamples from a fixed seed, so the same runs give the same interval).

Outcomes against the baseline, per seed (``experiments.outcomes.PAIRED_OUTCOMES``):

* cost per job created: extra policy spending over the run / extra jobs at the end (ratio
  of the means over seeds; bootstrap interval; empty when no job is created on average);
* after a shock (the first industry decline, plant closure or technology shift of any
  compared scenario): the deepest shortfall of jobs below the baseline, the quarters until
  jobs are back within 1% of the baseline (censored at the end of the run if never), and
  the lasting gap (mean shortfall over the last four quarters), from
  ``model.metrics.resilience``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import backends
from experiments.backends import Cancelled
from experiments.intervals import paired_interval, ratio_interval, welch_interval
from experiments.outcomes import OUTCOMES, PAIRED_OUTCOMES, RUN_OUTCOMES, Outcome, run_outcomes
from experiments.run import BadArgument, check_steps, run, show, versions, with_steps
from experiments.store import safe_name
from model.metrics import resilience
from scenarios import Scenario, load_scenario

__all__ = ["Cancelled", "Comparison", "compare", "paired_interval", "welch_interval"]

MAX_REPLICATIONS = 1000
MAX_SCENARIOS = 12
SHOCK_TYPES = ("industry_decline", "plant_closure", "technology_shift")
#: the indicators whose bands and paired differences are plotted and saved
HEADLINE = (
    "employment",
    "unemployment_rate",
    "gross_regional_product",
    "productivity",
    "diversity",
    "complexity",
)
DIFFERENCE_COLUMNS = [
    "alternative",
    "outcome",
    "label",
    "unit",
    "baseline_mean",
    "alternative_mean",
    "mean_difference",
    "ci_low",
    "ci_high",
    "method",
    "better",
    "n",
    "statement",
]


# --------------------------------------------------------------------------- the runs


def _one_run(scenario: Scenario, seed: int, steps: int | None) -> dict[str, Any]:
    """One replication (a worker task): the scalar outcomes and the indicator series."""
    result = run(scenario, seed=seed, steps=steps)
    return {"outcomes": run_outcomes(result), "series": result.series}


def _check_replications(replications: object) -> int:
    ok = isinstance(replications, (int, np.integer)) and not isinstance(replications, bool)
    if not ok or not 1 <= int(replications) <= MAX_REPLICATIONS:
        raise BadArgument(
            f"replications: {show(replications)} is not allowed; allowed: a whole number "
            f"from 1 to {MAX_REPLICATIONS}"
        )
    return int(replications)


def _unique_names(scenarios: list[Scenario]) -> list[str]:
    """The scenarios' names, a duplicate made unique with ``-2``, ``-3``..."""
    names: list[str] = []
    for s in scenarios:
        name, k = s.name, 2
        while name in names:
            name, k = f"{s.name}-{k}", k + 1
        names.append(name)
    return names


def shock_step(scenarios: Sequence[Scenario]) -> int | None:
    """The first quarter a shock (decline, closure, technology shift) hits any scenario."""
    steps = [
        e.step
        for s in scenarios
        for e in s.events
        if e.type in SHOCK_TYPES and 0 <= e.step < s.steps
    ]
    return min(steps) if steps else None


def compare(
    scenarios: Sequence[Scenario | str | Path],
    replications: int = 10,
    workers: int | None = None,
    scheduler: str | None = None,
    steps: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> Comparison:
    """Run every scenario with seeds 1..replications and compare each with the first.

    Args:
        scenarios: Scenario objects or built-in names / paths; the first is the baseline.
        replications: seeds per scenario (seed k for replication k, k = 1..N).
        workers: local worker processes (default: the cores, at most one per run);
            1 runs in this process.
        scheduler: a Dask scheduler address, or ``"local"`` for a local Dask cluster.
        steps: quarters per run (default: each scenario's own).
        progress: called as ``progress(done, total)`` after each finished run.
        cancel: when set, no more runs are started and ``Cancelled`` is raised.

    Returns:
        The comparison (outcomes, differences, series, plots, report).

    Raises:
        BadArgument: bad replications, steps or number of scenarios.
        ScenarioError: a scenario name or file that does not load.
        Cancelled: ``cancel`` was set.
        RuntimeError: a run failed (naming the scenario and the seed).
    """
    n = _check_replications(replications)
    steps = None if steps is None else check_steps(steps)
    if not 2 <= len(scenarios) <= MAX_SCENARIOS:
        raise BadArgument(
            f"scenarios: {len(scenarios)} given; allowed: 2 to {MAX_SCENARIOS} "
            "(a baseline first, then the alternatives)"
        )
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    loaded = [with_steps(s, steps) for s in loaded]
    if len({s.steps for s in loaded}) > 1:
        found = ", ".join(f"{s.name} {s.steps}" for s in loaded)
        raise BadArgument(
            f"steps: the scenarios run for different numbers of quarters ({found}); "
            "allowed: the same for all: give steps (--steps)"
        )
    seeds = list(range(1, n + 1))
    tasks = [(s, seed, None) for s in loaded for seed in seeds]
    total = len(tasks)
    if workers is None and scheduler is None:
        workers = min(backends.default_workers(), total)
    done = 0
    results: dict[int, dict[str, Any]] = {}
    if progress is not None:
        progress(0, total)

    def tick(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(done, total)

    window = 2 * max(1, workers or 2)
    with backends.executor(workers, scheduler) as ex:
        for i, value, error in backends.run_all(
            ex, _one_run, tasks, progress=tick, window=window, cancel=cancel
        ):
            if error is not None:
                s, seed, _ = tasks[i]
                raise RuntimeError(f"{s.name} seed {seed}: the run failed: {error!r}") from error
            results[i] = value
    return build_comparison(loaded, seeds, [results[i] for i in range(total)])


def build_comparison(
    scenarios: list[Scenario], seeds: list[int], runs: list[dict[str, Any]]
) -> Comparison:
    """Assemble a Comparison from finished runs (scenario-major order, seeds inner)."""
    names = _unique_names(scenarios)
    rows, frames = [], []
    for k, value in enumerate(runs):
        name, seed = names[k // len(seeds)], seeds[k % len(seeds)]
        rows += [(name, seed, o, v) for o, v in value["outcomes"].items()]
        frame = value["series"].copy()
        frame.insert(0, "seed", seed)
        frame.insert(0, "scenario", name)
        frames.append(frame)
    outcomes = pd.DataFrame(rows, columns=["scenario", "seed", "outcome", "value"])
    series = pd.concat(frames, ignore_index=True)
    comparison = Comparison(
        names=names,
        scenarios=scenarios,
        seeds=seeds,
        outcomes=outcomes,
        differences=pd.DataFrame(columns=DIFFERENCE_COLUMNS),
        series=series,
        shock_step=shock_step(scenarios),
        versions=versions(),
    )
    paired = comparison._paired_outcomes()
    if len(paired):
        outcomes = pd.concat([outcomes, paired], ignore_index=True)
    comparison.outcomes = outcomes.astype({"seed": "int64", "value": "float64"})
    comparison.differences = comparison._differences()
    return comparison


# --------------------------------------------------------------------------- the result


def _row(
    alt: str,
    o: Outcome,
    means: tuple[float, float],
    interval: tuple[float, float, float],
    method: str,
    k: int,
    n: int,
    word: str,
    ties: int = 0,
) -> list[Any]:
    """One row of ``differences`` (columns of ``DIFFERENCE_COLUMNS``)."""
    statement = f"{word} in {k} of {n} futures" + (f" (the same in {ties})" if ties else "")
    return [alt, o.name, o.label, o.unit, *means, *interval, method, k, n, statement]


@dataclass
class Comparison:
    """A paired comparison: what ``compare`` returns.

    Attributes:
        names: scenario names (first = baseline; duplicates made unique).
        scenarios: the Scenario objects run (with the steps run).
        seeds: the seeds, 1..N; replication k of every scenario used seed k.
        outcomes: tidy (scenario, seed, outcome, value): every run's scalar outcomes, and
            for each alternative the outcomes measured against the baseline.
        differences: one row per alternative and outcome (see ``DIFFERENCE_COLUMNS``).
        series: (scenario, seed, step, every indicator).
        shock_step: the first shock quarter, or None.
        versions: Python and package versions.
    """

    names: list[str]
    scenarios: list[Scenario]
    seeds: list[int]
    outcomes: pd.DataFrame
    differences: pd.DataFrame
    series: pd.DataFrame
    shock_step: int | None = None
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def baseline(self) -> str:
        """The baseline's name."""
        return self.names[0]

    @property
    def alternatives(self) -> list[str]:
        """The alternatives' names."""
        return self.names[1:]

    @property
    def steps(self) -> int:
        """Quarters per run."""
        return int(self.series["step"].max())

    def values(self, scenario: str, outcome: str) -> np.ndarray:
        """One outcome of one scenario, by seed (in ``seeds`` order)."""
        o = self.outcomes
        sel = o[(o["scenario"] == scenario) & (o["outcome"] == outcome)]
        return sel.set_index("seed")["value"].reindex(self.seeds).to_numpy(dtype=float)

    def indicator(self, scenario: str, indicator: str) -> np.ndarray:
        """One indicator of one scenario: an array of seeds x steps."""
        s = self.series[self.series["scenario"] == scenario]
        table = s.pivot(index="seed", columns="step", values=indicator)
        return table.reindex(self.seeds).to_numpy(dtype=float)

    # ----------------------------------------------------------------- paired outcomes

    def _paired_outcomes(self) -> pd.DataFrame:
        rows = []
        if self.shock_step is None:
            return pd.DataFrame(rows, columns=["scenario", "seed", "outcome", "value"])
        base = self.indicator(self.baseline, "employment")
        tail = slice(-4, None)
        for alt in self.alternatives:
            jobs = self.indicator(alt, "employment")
            for j, seed in enumerate(self.seeds):
                r = resilience(jobs[j], base[j], self.shock_step)
                recover = r["recovery_steps"]
                if recover is None:  # never back: censored at the end of the run
                    recover = self.steps - self.shock_step
                gap = np.mean((base[j][tail] - jobs[j][tail]) / np.maximum(base[j][tail], 1e-12))
                rows += [
                    (alt, seed, "shock_depth", float(r["depth"])),
                    (alt, seed, "quarters_to_recover", float(recover)),
                    (alt, seed, "lasting_gap", float(gap)),
                ]
        return pd.DataFrame(rows, columns=["scenario", "seed", "outcome", "value"])

    # ----------------------------------------------------------------- differences

    def _differences(self) -> pd.DataFrame:
        rows = []
        n = len(self.seeds)
        for alt in self.alternatives:
            for name, o in RUN_OUTCOMES.items():
                base, other = self.values(self.baseline, name), self.values(alt, name)
                d = other - base
                mean, low, high, method = paired_interval(d)
                if o.direction == "neutral":
                    k, word = int((d > 0).sum()), "higher"
                else:
                    k, word = int(sum(bool(o.better(x)) for x in d)), "better"
                ties = int((d == 0).sum())
                rows.append(
                    _row(
                        alt,
                        o,
                        (float(base.mean()), float(other.mean())),
                        (mean, low, high),
                        method,
                        k,
                        n,
                        word,
                        ties,
                    )
                )
            rows += self._paired_rows(alt)
        return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)

    def _paired_rows(self, alt: str) -> list[list[Any]]:
        n = len(self.seeds)
        rows = []
        spend = self.values(alt, "policy_spending") - self.values(self.baseline, "policy_spending")
        jobs = self.values(alt, "jobs_end") - self.values(self.baseline, "jobs_end")
        o = PAIRED_OUTCOMES["cost_per_job"]
        if np.any(spend != 0):
            value, low, high = ratio_interval(spend, jobs)
            k = int((jobs > 0).sum())
            word = "more jobs than the baseline"
            rows.append(_row(alt, o, (0.0, value), (value, low, high), "bootstrap", k, n, word))
        if self.shock_step is None:
            return rows
        words = {
            "shock_depth": ("never below the baseline", lambda v: v <= 0.0),
            "quarters_to_recover": ("back within 1% of the baseline", lambda v: v < self._censor),
            "lasting_gap": ("above the baseline at the end", lambda v: v < 0.0),
        }
        for name, (word, good) in words.items():
            o = PAIRED_OUTCOMES[name]
            v = self.values(alt, name)
            mean, low, high, method = paired_interval(v)
            k = int(sum(bool(good(x)) for x in v))
            rows.append(_row(alt, o, (0.0, mean), (mean, low, high), method, k, n, word))
        return rows

    @property
    def _censor(self) -> int:
        return self.steps - (self.shock_step or 0)

    def independent(self) -> pd.DataFrame:
        """Paired intervals beside the intervals "as if independent" (Welch), run outcomes.

        Columns: alternative, outcome, paired_low, paired_high, independent_low,
        independent_high, width_ratio (paired width / independent width).
        """
        rows = []
        for alt in self.alternatives:
            for name in RUN_OUTCOMES:
                base, other = self.values(self.baseline, name), self.values(alt, name)
                _, plo, phi, _ = paired_interval(other - base)
                _, ilo, ihi = welch_interval(base, other)
                width = ihi - ilo
                ratio = (phi - plo) / width if width > 0 else float("nan")
                rows.append([alt, name, plo, phi, ilo, ihi, ratio])
        cols = ["alternative", "outcome", "paired_low", "paired_high"]
        cols += ["independent_low", "independent_high", "width_ratio"]
        return pd.DataFrame(rows, columns=cols)

    # ----------------------------------------------------------------- bands

    def bands(self, indicator: str, lo: float = 0.1, hi: float = 0.9) -> pd.DataFrame:
        """Each scenario's median and band (``lo``..``hi`` quantiles over seeds) per step.

        Returns:
            DataFrame(scenario, step, median, lo, hi).
        """
        self._known(indicator)
        grouped = self.series.groupby(["scenario", "step"], sort=False)[indicator]
        out = grouped.quantile([0.5, lo, hi]).unstack()
        out.columns = ["median", "lo", "hi"]
        out = out.reset_index()
        rank = out["scenario"].map({name: i for i, name in enumerate(self.names)})
        out = out.assign(_rank=rank).sort_values(["_rank", "step"], kind="stable")
        return out.drop(columns="_rank").reset_index(drop=True)

    def paired_bands(self, indicator: str, lo: float = 0.1, hi: float = 0.9) -> pd.DataFrame:
        """Alternative minus baseline, seed by seed: median and band per step.

        Returns:
            DataFrame(alternative, step, median, lo, hi): the policy's impulse response.
        """
        self._known(indicator)
        base = self.indicator(self.baseline, indicator)
        steps = np.arange(base.shape[1])
        frames = []
        for alt in self.alternatives:
            d = self.indicator(alt, indicator) - base
            q = np.quantile(d, [0.5, lo, hi], axis=0)
            frames.append(
                pd.DataFrame(
                    {"alternative": alt, "step": steps, "median": q[0], "lo": q[1], "hi": q[2]}
                )
            )
        return pd.concat(frames, ignore_index=True)

    def _known(self, indicator: str) -> None:
        skip = {"scenario", "seed", "step"}
        if indicator not in self.series.columns or indicator in skip:
            allowed = ", ".join(c for c in self.series.columns if c not in skip)
            raise BadArgument(f"indicator: {show(indicator)} is not known; allowed: {allowed}")

    # ----------------------------------------------------------------- outputs

    def figures(self) -> dict[str, Any]:
        """The plots, by file stem: each headline indicator's bands and paired difference."""
        from experiments.plots import comparison_figures

        return comparison_figures(self)

    def table(self) -> str:
        """The text table the CLI prints: differences with intervals, "better in k of n"."""
        from experiments.report import text_table

        return text_table(self)

    def report_html(self) -> str:
        """A self-contained HTML report (images embedded as base64 PNG, no external asset)."""
        from experiments.report import report_html

        return report_html(self)

    def save(self, out_dir: str | Path, force: bool = False) -> Path:
        """Write tables, PNGs, report.html, scenario files and provenance, atomically.

        Raises:
            StoreError: the folder holds another result (without ``force``), another writer
                is saving into it, or it is not a result folder.
        """
        from experiments.report import save_comparison

        return save_comparison(self, out_dir, force=force)


def outcome_label(name: str) -> str:
    """The label of an outcome (its name if unknown)."""
    return OUTCOMES[name].label if name in OUTCOMES else name


def default_out(names: Sequence[str]) -> Path:
    """The default folder of a comparison: ``results/compare-<names>`` (from slug names).

    Raises:
        StoreError: a name that cannot be part of a path (then ``--out`` is needed).
    """
    joined = "-".join(safe_name(n) for n in names)
    if len(joined) > 100:
        digest = hashlib.sha256(joined.encode()).hexdigest()[:10]
        joined = f"{joined[:88]}-{digest}"
    return Path("results") / f"compare-{joined}"
