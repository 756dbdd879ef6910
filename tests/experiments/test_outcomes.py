"""Scalar outcomes of one run (``experiments.outcomes``)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from experiments.outcomes import (
    OUTCOMES,
    PAIRED_OUTCOMES,
    RUN_OUTCOMES,
    new_industry_jobs,
    run_outcomes,
    series_outcomes,
)
from experiments.run import run
from tests.helpers import small_scenario


@pytest.fixture(scope="module")
def result():
    return run(small_scenario(steps=12), seed=3)


def test_every_run_outcome_is_a_finite_float_in_registry_order(result):
    values = run_outcomes(result)
    assert list(values) == list(RUN_OUTCOMES)
    assert all(isinstance(v, float) and math.isfinite(v) for v in values.values())


def test_outcomes_agree_with_the_series(result):
    s = result.series
    values = run_outcomes(result)
    assert values["jobs_end"] == s["employment"].iloc[-1]
    assert values["unemployment_peak"] == s["unemployment_rate"].max()
    assert values["unemployment_peak"] >= values["unemployment_end"]
    assert values["firm_births"] == s["births"].iloc[1:].sum()
    assert values["grp_cumulative"] == pytest.approx(s["gross_regional_product"].iloc[1:].sum())


def test_series_outcomes_by_hand():
    series = pd.DataFrame(
        {
            "step": [0, 1, 2],
            "employment": [100.0, 90.0, 95.0],
            "unemployment_rate": [0.05, 0.12, 0.08],
            "gross_regional_product": [10.0, 9.0, 11.0],
            "productivity": [1.0, 1.1, 1.2],
            "diversity": [1.0, 1.0, 1.5],
            "related_variety": [0.1, 0.2, 0.3],
            "complexity": [3.0, 3.0, 4.0],
            "discoveries": [5.0, 1.0, 0.0],  # step 0 is the initial state, not a flow
            "births": [9.0, 2.0, 3.0],
            "deaths": [9.0, 1.0, 0.0],
            "policy_spending": [9.0, 4.0, 4.0],
        }
    )
    got = series_outcomes(series)
    assert got["jobs_end"] == 95.0
    assert got["unemployment_peak"] == 0.12 and got["unemployment_end"] == 0.08
    assert got["grp_cumulative"] == 20.0 and got["grp_end"] == 11.0
    assert got["discoveries"] == 1.0 and got["firm_births"] == 5.0 and got["firm_deaths"] == 1.0
    assert got["policy_spending"] == 8.0


def test_new_industry_jobs_counts_only_industries_absent_at_the_start():
    table = pd.DataFrame(
        {
            "step": [0, 0, 0, 5, 5, 5],
            "industry": ["old", "new", "never", "old", "new", "never"],
            "employment": [50.0, 0.0, 0.0, 40.0, 7.0, 0.0],
            "firms": [3, 0, 0, 2, 1, 0],
            "value_added": [0.0] * 6,
        }
    )
    assert new_industry_jobs({"employment_by_industry": table}) == 7.0
    assert new_industry_jobs({}) == 0.0


def test_registry_directions_say_what_is_better():
    assert set(OUTCOMES) == set(RUN_OUTCOMES) | set(PAIRED_OUTCOMES)
    assert OUTCOMES["jobs_end"].better(5.0) is True
    assert OUTCOMES["unemployment_peak"].better(0.01) is False
    assert OUTCOMES["policy_spending"].better(1.0) is None
    for o in OUTCOMES.values():
        assert o.label and o.unit and o.direction in ("higher", "lower", "neutral")
        o.fmt.format(1234.5)
