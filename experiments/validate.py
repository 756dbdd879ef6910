"""``mesoscape validate``: run a region's scenarios with replications and check the stylized facts.

For a region, the no-policy scenario's replications give the firm-level facts (size tail,
growth rates, survival), relatedness and the shakeout; a shock scenario paired by seed with
its baseline gives the regional multiplier. Each run is an ``experiments.run`` result plus
its firm panel (``experiments.panel``), reduced in the worker to what the facts need. The
report (Markdown, self-contained HTML, JSON) is written by ``experiments.validation_report``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from experiments import estimators as est
from experiments import facts
from experiments.backends import executor, run_all
from experiments.panel import firm_spells, run_with_panel
from experiments.policy_story import PolicyCheck
from experiments.policy_story import policy_story_checks as run_policy_story
from scenarios import Scenario, load_scenario, with_params

DEFAULT_REPLICATIONS = 10
SHOCK_EVENTS = ("industry_decline", "plant_closure")
FACT_ORDER = ("firm_size", "growth", "survival", "relatedness", "shakeout", "regional_shock")


class ValidationInputError(ValueError):
    """A bad argument to :func:`validate`; the message names the option and what is allowed."""


@dataclass(frozen=True)
class RegionPlan:
    """What to run for a region.

    Attributes:
        scenario: the no-policy scenario whose replications give facts 1-5.
        shock: the shocked scenario for fact 6, or None.
        shock_baseline: its baseline; None: the shocked scenario without its events.
        required: the facts that must PASS for the region (issue 7, acceptance 1).
    """

    scenario: str
    shock: str | None
    shock_baseline: str | None
    required: tuple[str, ...]


REGIONS: dict[str, RegionPlan] = {
    "heartland": RegionPlan("baseline", "decline_no_policy", "baseline", FACT_ORDER),
    "agrifood": RegionPlan("agrifood_baseline", None, None, FACT_ORDER[:4]),
    "mining": RegionPlan("mining_phaseout", "mining_phaseout", None, FACT_ORDER[:4]),
}


@dataclass
class RunDigest:
    """What the facts need of one run (small enough to send back from a worker)."""

    scenario: str
    seed: int
    end: int
    sizes: Any
    growth: pd.DataFrame
    spells: pd.DataFrame
    transitions: pd.DataFrame
    industries: pd.DataFrame
    emerging: tuple[str, ...]


@dataclass
class ValidationReport:
    """The facts measured for a region, with what was run.

    Attributes:
        region: the region.
        scenarios: the scenarios run (facts, shock, shock baseline).
        seeds: the replications' seeds.
        steps: quarters per run.
        facts: the fact results, in :data:`FACT_ORDER` (fact 6 only with a shock).
        required: the keys of the facts that must pass for this region.
        policy_checks: the policy-story checks (``experiments.policy_story``).
        out: the report's folder, if written.
        wall_time: seconds taken (not written to the report).
    """

    region: str
    scenarios: dict[str, str]
    seeds: tuple[int, ...]
    steps: int
    facts: tuple[facts.FactResult, ...]
    required: tuple[str, ...]
    policy_checks: tuple[PolicyCheck, ...] = ()
    out: Path | None = None
    wall_time: float = field(default=0.0, compare=False)

    @property
    def passed(self) -> bool:
        """True if every required fact passes."""
        by_key = {f.key: f for f in self.facts}
        return all(k in by_key and by_key[k].passed for k in self.required)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "region": self.region,
            "scenarios": self.scenarios,
            "seeds": list(self.seeds),
            "steps": self.steps,
            "required": list(self.required),
            "passed": self.passed,
            "facts": [f.to_dict() | {"required": f.key in self.required} for f in self.facts],
            "policy_checks": [vars(c) for c in self.policy_checks],
        }


def emerging_industries(scenario: Scenario) -> tuple[str, ...]:
    """Industries born during the run: catalogue births after quarter 0 and birth events."""
    born = [i.key for i in scenario.catalogue.industries if i.lifecycle.birth > 0]
    born += [e.industry for e in scenario.events if e.type == "emerging_industry"]
    return tuple(dict.fromkeys(born))


def shock_of(scenario: Scenario) -> tuple[int, tuple[str, ...]] | None:
    """The onset quarter and the industries hit by a scenario's declines and closures."""
    hits = [e for e in scenario.events if e.type in SHOCK_EVENTS]
    if not hits:
        return None
    declines = [e.step for e in hits if e.type == "industry_decline"] or [e.step for e in hits]
    return min(declines), tuple(dict.fromkeys(e.industry for e in hits))


def digest_run(scenario: Scenario, seed: int, steps: int | None) -> RunDigest:
    """Run one scenario with its firm panel and keep what the facts need."""
    result, panel = run_with_panel(scenario, seed, steps)
    end = int(result.series["step"].max())
    return RunDigest(
        scenario=result.scenario.name,
        seed=seed,
        end=end,
        sizes=panel.loc[panel["quarter"] == end, "employment"].to_numpy(),
        growth=est.annual_growth(panel),
        spells=firm_spells(panel, end),
        transitions=est.rca_transitions(result.tables["district_industries"]),
        industries=result.tables["employment_by_industry"],
        emerging=emerging_industries(result.scenario),
    )


def _check_args(region: str, replications: int, steps: int | None, workers: int | None) -> None:
    if region not in REGIONS:
        allowed = ", ".join(sorted(REGIONS))
        raise ValidationInputError(f"--region: {region!r} is not a region; allowed: {allowed}")
    for name, value, least in (("replications", replications, 1), ("steps", steps, 1)):
        if value is not None and (isinstance(value, bool) or int(value) != value or value < least):
            raise ValidationInputError(
                f"--{name}: {value!r} is not allowed; allowed: a whole number >= {least}"
            )
    if workers is not None and (int(workers) != workers or workers < 1):
        raise ValidationInputError(f"--workers: {workers!r} is not allowed; allowed: 1 or more")


def compute_facts(
    runs: list[RunDigest], shocked: list[RunDigest], base: list[RunDigest], shock: Any
) -> tuple[facts.FactResult, ...]:
    """The facts from the digests of the facts runs and, if given, the paired shock runs."""
    found = [
        facts.fact_firm_size([r.sizes for r in runs]),
        facts.fact_growth([r.growth for r in runs]),
        facts.fact_survival([r.spells for r in runs], [r.end for r in runs]),
        facts.fact_relatedness([r.transitions for r in runs]),
        facts.fact_shakeout([est.industry_histories(r.industries, r.emerging) for r in runs]),
    ]
    if shock is not None and shocked:
        onset, direct = shock
        pairs = {r.seed: r for r in base}
        losses = [est.job_losses(s.industries, pairs[s.seed].industries, direct) for s in shocked]
        found.append(facts.fact_regional_shock(losses, onset))
    return tuple(found)


#: the regions whose policy-story checks are defined (their scenarios are heartland's)
POLICY_STORY_REGIONS = ("heartland",)


def policy_story_checks(
    region: str,
    replications: int = DEFAULT_REPLICATIONS,
    steps: int | None = None,
    workers: int | None = None,
) -> tuple[PolicyCheck, ...]:
    """The policy-story checks of issue 7 for a region (``experiments.policy_story``).

    Paired replications (seeds 1..replications) of the region's policy scenarios; each check
    PASS or FAIL at 95% confidence with its explanation, plus the path-dependence report.
    Only the heartland has the policy scenarios; other regions get none.

    Args:
        region: the region.
        replications: paired seeds per scenario.
        steps: quarters per run (default: the scenarios' own).
        workers: worker processes.
    """
    if region not in POLICY_STORY_REGIONS:
        return ()
    return run_policy_story(replications, steps, workers)


def validate(
    region: str = "heartland",
    replications: int = DEFAULT_REPLICATIONS,
    steps: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    progress: bool = False,
    policy_story: bool = True,
) -> ValidationReport:
    """Run a region's scenarios with replications, measure the stylized facts, write the report.

    Args:
        region: ``heartland``, ``agrifood`` or ``mining`` (:data:`REGIONS`).
        replications: seeds 1..N of every scenario (the shock fact pairs them by seed).
        steps: quarters per run (default: each scenario's).
        out: folder for ``report.md``, ``report.html``, ``report.json`` and the figures,
            written atomically; None writes nothing.
        workers: worker processes (default: the cores; 1 runs here).
        progress: show a progress bar on stderr.
        policy_story: also run the policy-story checks (paired replications of the
            region's policy scenarios, ``replications`` seeds each).

    Returns:
        The report; ``passed`` tells whether every required fact passed.

    Raises:
        ValidationInputError: a bad argument (the message names it).
    """
    _check_args(region, replications, steps, workers)
    start = time.perf_counter()
    plan = REGIONS[region]
    main = load_scenario(plan.scenario)
    shocked = load_scenario(plan.shock) if plan.shock else None
    shock = shock_of(shocked) if shocked is not None else None
    if shocked is not None and plan.shock_baseline is None:
        base = with_params(shocked, {"events": [], "name": f"{shocked.name}_no_events"})
    else:
        base = load_scenario(plan.shock_baseline) if plan.shock_baseline else None
    distinct: dict[str, Scenario] = {main.name: main}
    if shock is not None:
        distinct |= {shocked.name: shocked, base.name: base}
    seeds = tuple(range(1, int(replications) + 1))
    tasks = [(sc, seed, steps) for sc in distinct.values() for seed in seeds]
    digests: dict[tuple[str, int], RunDigest] = {}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), desc=f"validate {region}", unit="run")
    with executor(workers) as ex:
        for i, digest, error in run_all(ex, digest_run, tasks, bar.update if bar else None):
            if error is not None:
                raise error
            sc, seed, _ = tasks[i]
            digests[(sc.name, seed)] = digest
    if bar is not None:
        bar.close()
    runs = [digests[(main.name, s)] for s in seeds]
    shocked_runs = [digests[(shocked.name, s)] for s in seeds] if shock else []
    base_runs = [digests[(base.name, s)] for s in seeds] if shock else []
    report = ValidationReport(
        region=region,
        scenarios={"facts": main.name}
        | ({"shock": shocked.name, "shock_baseline": base.name} if shock else {}),
        seeds=seeds,
        steps=runs[0].end,
        facts=compute_facts(runs, shocked_runs, base_runs, shock),
        required=tuple(k for k in plan.required if shock is not None or k != "regional_shock"),
        policy_checks=policy_story_checks(region, replications, steps, workers)
        if policy_story
        else (),
    )
    if out is not None:
        from experiments.validation_report import write_report

        report.out = write_report(report, Path(out))
    report.wall_time = time.perf_counter() - start
    return report
