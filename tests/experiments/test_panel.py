"""The firm panel records every living firm of every quarter, consistently with the model."""

import numpy as np
import pandas as pd
import pytest

from experiments.panel import PANEL_COLUMNS, firm_panel, firm_spells, run_with_panel
from experiments.run import run

STEPS = 8


@pytest.fixture(scope="module")
def recorded():
    return run_with_panel("decline_no_policy", seed=3, steps=STEPS)


def test_panel_has_every_firm_of_every_quarter(recorded):
    result, panel = recorded
    assert tuple(panel.columns) == PANEL_COLUMNS
    assert sorted(panel["quarter"].unique()) == list(range(STEPS + 1))
    per_quarter = panel.groupby("quarter").size()
    np.testing.assert_array_equal(per_quarter.to_numpy(), result.series["firms"].to_numpy())
    assert not panel.duplicated(["quarter", "firm"]).any()
    assert (panel["born"] <= panel["quarter"]).all()
    table = result.tables["employment_by_industry"]
    for col in ("employment", "value_added"):
        model = table.pivot_table(index="step", columns="industry", values=col, aggfunc="sum")
        ours = panel.pivot_table(
            index="quarter", columns="industry", values=col, aggfunc="sum", observed=False
        )
        ours = ours.reindex(index=model.index, columns=model.columns).fillna(0.0)
        np.testing.assert_allclose(ours.to_numpy(), model.to_numpy(), rtol=1e-9, atol=1e-9)


def test_births_and_exits_implied_by_the_panel_match_the_models_counts(recorded):
    result, panel = recorded
    spells = firm_spells(panel)
    s = result.series.set_index("step")
    for q in range(1, STEPS + 1):
        born = int(((spells["first_seen"] == q) & (spells["born"] == q)).sum())
        gone = int((spells["last_seen"] == q - 1).sum())
        assert born == s.loc[q, "births"], q
        assert gone == s.loc[q, "deaths"], q
    assert not spells.loc[spells["last_seen"] == STEPS, "exited"].any()
    assert spells.loc[spells["last_seen"] < STEPS, "exited"].all()


def test_the_run_is_the_same_as_experiments_run_and_repeats_exactly(recorded):
    result, panel = recorded
    plain = run("decline_no_policy", seed=3, steps=STEPS)
    pd.testing.assert_frame_equal(result.series, plain.series)
    pd.testing.assert_frame_equal(
        result.tables["district_industries"], plain.tables["district_industries"]
    )
    assert result.scenario == plain.scenario
    pd.testing.assert_frame_equal(firm_panel("decline_no_policy", seed=3, steps=STEPS), panel)


def test_a_firm_keeps_its_industry_and_birth_quarter(recorded):
    _, panel = recorded
    per_firm = panel.groupby("firm", observed=True).agg(
        industries=("industry", "nunique"), births=("born", "nunique")
    )
    assert (per_firm["industries"] == 1).all() and (per_firm["births"] == 1).all()
