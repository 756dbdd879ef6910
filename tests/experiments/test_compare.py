"""Paired comparisons (``experiments.compare``, issue 6)."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from experiments.compare import (
    DIFFERENCE_COLUMNS,
    HEADLINE,
    Cancelled,
    Comparison,
    _one_run,
    build_comparison,
    compare,
    default_out,
)
from experiments.outcomes import PAIRED_OUTCOMES, RUN_OUTCOMES
from experiments.plots import bands_figure, difference_figure
from experiments.run import BadArgument
from experiments.store import StoreError
from model.metrics import resilience
from scenarios.schema import Allocation, IndustryDecline, PolicyParams
from tests.helpers import small_scenario

STEPS, REPS = 20, 4
DECLINE = IndustryDecline(
    type="industry_decline", step=6, industry="engine_components", fraction=0.5, duration=4
)


def no_policy():
    return small_scenario(name="no_policy", steps=STEPS, events=[DECLINE])


def with_policy():
    policy = PolicyParams(
        targeting="bottom_up", budget=30.0, allocation=Allocation(experimentation=0.5)
    )
    return small_scenario(name="with_policy", steps=STEPS, events=[DECLINE], policy=policy)


def calm():
    return small_scenario(name="calm", steps=STEPS)


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare([no_policy(), with_policy()], replications=REPS, workers=1)


@pytest.fixture(scope="module")
def shocked() -> Comparison:
    """A calm baseline against the same region hit by a decline: the shock outcomes bite."""
    return compare([calm(), no_policy()], replications=3, workers=1)


def test_replication_k_uses_seed_k_for_every_scenario(comparison):
    assert comparison.names == ["no_policy", "with_policy"]
    assert comparison.baseline == "no_policy" and comparison.alternatives == ["with_policy"]
    assert comparison.seeds == [1, 2, 3, 4]
    s = comparison.series
    assert list(s.columns[:3]) == ["scenario", "seed", "step"]
    assert len(s) == 2 * REPS * (STEPS + 1)
    for name in comparison.names:
        assert sorted(s[s["scenario"] == name]["seed"].unique()) == [1, 2, 3, 4]
    # seed k of the baseline is exactly a plain run with seed k
    alone = _one_run(no_policy(), 3, None)["series"]
    mine = s[(s["scenario"] == "no_policy") & (s["seed"] == 3)].drop(columns=["scenario", "seed"])
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), alone)


def test_outcomes_are_tidy_with_every_run_outcome(comparison):
    o = comparison.outcomes
    assert list(o.columns) == ["scenario", "seed", "outcome", "value"]
    base = o[o["scenario"] == "no_policy"]
    assert set(base["outcome"]) == set(RUN_OUTCOMES)
    assert len(base) == REPS * len(RUN_OUTCOMES)
    alt = o[o["scenario"] == "with_policy"]
    assert set(alt["outcome"]) == set(RUN_OUTCOMES) | {
        "shock_depth",
        "quarters_to_recover",
        "lasting_gap",
    }
    assert np.isfinite(o["value"]).all()


def test_differences_have_the_documented_columns_and_agree_with_the_outcomes(comparison):
    d = comparison.differences
    assert list(d.columns) == DIFFERENCE_COLUMNS
    assert set(d["outcome"]) == set(RUN_OUTCOMES) | set(PAIRED_OUTCOMES)
    jobs = d[d["outcome"] == "jobs_end"].iloc[0]
    base = comparison.values("no_policy", "jobs_end")
    alt = comparison.values("with_policy", "jobs_end")
    assert jobs["baseline_mean"] == pytest.approx(base.mean())
    assert jobs["alternative_mean"] == pytest.approx(alt.mean())
    assert jobs["mean_difference"] == pytest.approx((alt - base).mean())
    assert jobs["ci_low"] <= jobs["mean_difference"] <= jobs["ci_high"]
    assert jobs["better"] == int((alt > base).sum()) and jobs["n"] == REPS
    assert jobs["statement"] == f"better in {jobs['better']} of {REPS} futures"
    assert jobs["method"] == "t"  # 4 seeds: too few for a bootstrap
    deaths = d[d["outcome"] == "firm_deaths"].iloc[0]  # lower is better
    fewer = comparison.values("with_policy", "firm_deaths") < comparison.values(
        "no_policy", "firm_deaths"
    )
    assert deaths["better"] == int(fewer.sum())
    spending = d[d["outcome"] == "policy_spending"].iloc[0]
    assert spending["statement"].startswith("higher in 4 of 4")  # neutral: a cost, not a result


def test_cost_per_job_is_extra_spending_over_extra_jobs(comparison):
    d = comparison.differences
    row = d[d["outcome"] == "cost_per_job"].iloc[0]
    spend = comparison.values("with_policy", "policy_spending") - comparison.values(
        "no_policy", "policy_spending"
    )
    jobs = comparison.values("with_policy", "jobs_end") - comparison.values("no_policy", "jobs_end")
    assert spend.min() > 0
    if jobs.sum() > 0:
        assert row["alternative_mean"] == pytest.approx(spend.sum() / jobs.sum())
    else:
        assert np.isnan(row["alternative_mean"])
    assert row["better"] == int((jobs > 0).sum())


def test_paired_interval_is_narrower_than_as_if_independent_on_the_same_runs(comparison):
    """Issue 6 acceptance 2: common random numbers make the paired interval narrower."""
    ind = comparison.independent()
    for outcome in ("jobs_end", "grp_cumulative", "unemployment_end", "firm_births"):
        row = ind[ind["outcome"] == outcome].iloc[0]
        paired = row["paired_high"] - row["paired_low"]
        independent = row["independent_high"] - row["independent_low"]
        assert paired < 0.7 * independent, (outcome, paired, independent)
    assert ind["width_ratio"].median() < 0.6


def test_without_shared_seeds_the_pairing_gains_nothing(comparison):
    """The mechanism: remove the common seeds (alternative on other seeds) and it is gone."""
    seeds = comparison.seeds
    base = []
    for k in seeds:  # the baseline's runs as compare made them
        o = comparison.outcomes
        mine = o[(o["scenario"] == "no_policy") & (o["seed"] == k)]
        s = comparison.series
        series = s[(s["scenario"] == "no_policy") & (s["seed"] == k)]
        base.append(
            {
                "outcomes": dict(zip(mine["outcome"], mine["value"], strict=True)),
                "series": series.drop(columns=["scenario", "seed"]).reset_index(drop=True),
            }
        )
    other = [_one_run(with_policy(), k + 100, None) for k in seeds]  # other futures
    unpaired = build_comparison([no_policy(), with_policy()], seeds, base + other)
    ind = unpaired.independent()
    ratios = ind.set_index("outcome").loc[["jobs_end", "grp_cumulative"], "width_ratio"]
    assert (ratios > 0.5).all(), ratios


def test_results_do_not_depend_on_the_number_of_workers():
    one = compare([no_policy(), with_policy()], replications=2, workers=1, steps=8)
    two = compare([no_policy(), with_policy()], replications=2, workers=2, steps=8)
    pd.testing.assert_frame_equal(two.series, one.series)
    pd.testing.assert_frame_equal(two.outcomes, one.outcomes)
    pd.testing.assert_frame_equal(two.differences, one.differences)


def test_progress_reports_every_run_and_cancel_stops_early():
    calls: list[tuple[int, int]] = []
    compare([calm(), calm()], replications=2, workers=1, steps=2,
            progress=lambda d, t: calls.append((d, t)))  # fmt: skip
    assert calls[0] == (0, 4) and calls[-1] == (4, 4)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)

    stop = threading.Event()
    done: list[int] = []

    def progress(d: int, t: int) -> None:
        done.append(d)
        if d >= 2:
            stop.set()

    with pytest.raises(Cancelled):
        compare([calm(), calm()], replications=5, workers=1, steps=2, progress=progress,
                cancel=stop)  # fmt: skip
    assert max(done) < 10  # stopped before all ten runs


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"replications": 0}, "replications: 0 is not allowed; allowed: a whole number from 1"),
        ({"replications": 2.5}, "replications: 2.5 is not allowed"),
        ({"replications": True}, "replications: True is not allowed"),
        ({"steps": 1.5}, "steps: 1.5 is not allowed; allowed: a whole number from 1 to 2000"),
    ],
)
def test_bad_arguments_are_refused_with_the_projects_message(kwargs, says):
    with pytest.raises(BadArgument) as info:
        compare([calm(), calm()], **{"replications": 2, "workers": 1, **kwargs})
    assert str(info.value).startswith(says)


def test_one_scenario_or_unequal_lengths_are_refused():
    with pytest.raises(BadArgument, match="scenarios: 1 given; allowed: 2 to"):
        compare([calm()], replications=2, workers=1)
    with pytest.raises(BadArgument, match="steps: the scenarios run for different"):
        compare([calm(), small_scenario(name="longer", steps=30)], replications=2, workers=1)


def test_duplicate_names_are_made_unique():
    c = compare([calm(), calm()], replications=2, workers=1, steps=2)
    assert c.names == ["calm", "calm-2"]
    d = c.differences
    # the same scenario and the same seeds: every difference is exactly zero
    assert (d[d["outcome"].isin(list(RUN_OUTCOMES))]["mean_difference"] == 0).all()


def test_bands_bracket_the_median_and_are_ordered_by_scenario(comparison):
    b = comparison.bands("employment")
    assert list(b.columns) == ["scenario", "step", "median", "lo", "hi"]
    assert b["scenario"].drop_duplicates().tolist() == comparison.names
    assert len(b) == 2 * (STEPS + 1)
    assert (b["lo"] <= b["median"]).all() and (b["median"] <= b["hi"]).all()
    grid = comparison.indicator("with_policy", "employment")
    last = b[(b["scenario"] == "with_policy") & (b["step"] == STEPS)].iloc[0]
    assert last["median"] == pytest.approx(np.median(grid[:, -1]))
    with pytest.raises(BadArgument, match="indicator: 'jobs' is not known; allowed: employment"):
        comparison.bands("jobs")


def test_paired_bands_are_the_seed_by_seed_difference(comparison):
    p = comparison.paired_bands("employment", 0.25, 0.75)
    assert list(p.columns) == ["alternative", "step", "median", "lo", "hi"]
    assert (p[p["step"] == 0][["median", "lo", "hi"]] == 0).all().all()  # same start
    d = comparison.indicator("with_policy", "employment") - comparison.indicator(
        "no_policy", "employment"
    )
    last = p[p["step"] == STEPS].iloc[0]
    assert last["median"] == pytest.approx(np.median(d[:, -1]))
    assert last["lo"] == pytest.approx(np.quantile(d[:, -1], 0.25))


def test_shock_outcomes_measure_the_fall_against_the_baseline(shocked):
    assert shocked.shock_step == DECLINE.step
    depth = shocked.values("no_policy", "shock_depth")
    assert (depth > 0.01).all()  # the decline costs jobs against the calm baseline
    base = shocked.indicator("calm", "employment")
    jobs = shocked.indicator("no_policy", "employment")
    for j in range(3):
        assert depth[j] == pytest.approx(resilience(jobs[j], base[j], DECLINE.step)["depth"])
    gap = shocked.values("no_policy", "lasting_gap")
    assert gap == pytest.approx(((base - jobs) / base)[:, -4:].mean(axis=1))
    row = shocked.differences.set_index("outcome").loc["shock_depth"]
    assert row["statement"] == "never below the baseline in 0 of 3 futures"


def test_no_shock_no_shock_outcomes():
    c = compare([calm(), calm()], replications=2, workers=1, steps=3)
    assert c.shock_step is None
    assert not set(c.differences["outcome"]) & {"shock_depth", "lasting_gap"}


def test_figures_name_the_scenarios_and_say_what_they_show(comparison):
    ax = bands_figure(comparison, "employment").axes[0]
    assert "Jobs" in ax.get_title() and "4 futures" in ax.get_title()
    assert ax.get_ylabel() == "workers" and "Quarter" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["no_policy (baseline)", "with_policy"]
    assert any("decline starts" in t.get_text() for t in ax.texts)  # the shock is marked
    diff = difference_figure(comparison, "unemployment_rate").axes[0]
    assert "difference to no_policy" in diff.get_title()
    assert [t.get_text() for t in diff.get_legend().get_texts()] == ["with_policy − no_policy"]
    assert "percentage points" in diff.get_ylabel()
    assert diff.yaxis.get_major_formatter()(-0.004, 0) == "-0.4 pp"


def test_table_prints_intervals_and_better_in_k_of_n(comparison):
    text = comparison.table()
    lines = text.splitlines()
    assert lines[0].startswith("with_policy vs no_policy (baseline): 4 futures (seeds 1-4)")
    jobs = next(line for line in lines if line.startswith("Jobs at the end"))
    assert "[" in jobs and "of 4 futures" in jobs
    assert sum("of 4 futures" in line for line in lines) == len(comparison.differences)
    assert "Student's t over the paired differences" in text
    assert max(len(line) for line in lines) < 170


def test_save_writes_everything_atomically_and_refuses_another_comparison(comparison, tmp_path):
    from experiments.store import verify

    out = tmp_path / "cmp"
    comparison.save(out)
    manifest = verify(out)
    assert manifest["kind"] == "comparison" and manifest["seeds"] == [1, 2, 3, 4]
    expected = {f"figures/{k}_{i}.png" for k in ("bands", "difference") for i in HEADLINE}
    expected |= {"report.html", "table.txt", "differences.csv", "outcomes.csv", "series.csv",
                 "series.parquet", "bands.csv", "paired_bands.csv", "provenance.json",
                 "scenarios/0-no_policy.toml", "scenarios/1-with_policy.toml"}  # fmt: skip
    assert set(manifest["files"]) == expected
    saved = pd.read_csv(out / "differences.csv")
    assert list(saved.columns) == DIFFERENCE_COLUMNS
    assert (out / "table.txt").read_text(encoding="utf-8") == comparison.table() + "\n"
    other = Comparison(**{**comparison.__dict__, "seeds": [1, 2, 3, 5]})
    with pytest.raises(StoreError, match="already holds a comparison of no_policy, with_policy"):
        other.save(out)
    assert verify(out)["seeds"] == [1, 2, 3, 4]  # untouched


def test_default_folder_comes_from_the_names_only():
    assert str(default_out(["a", "b_c"])) == "results/compare-a-b_c"
    assert len(str(default_out(["x" * 60, "y" * 60]))) < 120
    with pytest.raises(StoreError, match="cannot name an output folder"):
        default_out(["../../etc", "b"])
