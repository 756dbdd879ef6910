"""Running one scenario and saving it reproducibly (``experiments.run``, DESIGN §4.3)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from experiments.run import run, save_result, summary_table
from model.observables import INDICATORS, TABLES
from scenarios import load_scenario
from scenarios.schema import (
    Allocation,
    FirmParams,
    IndustryDecline,
    MarketParams,
    PolicyParams,
)
from tests.helpers import small_scenario

STEPS = 8


def eventful_scenario():
    """A small custom region (its own catalogue) with policy, events and changed params."""
    return small_scenario(
        steps=30,
        market=MarketParams(firm_shock=0.2),
        firms=FirmParams(spinoff_probability=0.02),
        policy=PolicyParams(
            targeting="bottom_up", budget=20.0, allocation=Allocation(experimentation=0.5)
        ),
        events=[
            IndustryDecline(
                type="industry_decline", step=3, industry="engine_components", fraction=0.4
            )
        ],
    )


@pytest.fixture(scope="module")
def result():
    return run(eventful_scenario(), seed=5, steps=STEPS, keep_model=True)


def test_series_has_one_row_per_step_starting_at_step_0(result):
    s = result.series
    assert len(s) == STEPS + 1
    assert s["step"].tolist() == list(range(STEPS + 1))
    assert set(INDICATORS) <= set(s.columns)
    assert s.notna().all().all()
    assert result.seed == 5 and result.scenario.name == "small"


def test_steps_default_to_the_scenarios_and_accept_names():
    named = run("baseline", seed=0, steps=2)
    assert named.scenario.name == "baseline" and len(named.series) == 3
    assert named.model is None  # not kept unless asked for
    default = run(small_scenario(steps=3), seed=0)
    assert len(default.series) == 4


def test_tables_are_tidy(result):
    model = result.model
    sp, n = model.space, STEPS + 1
    assert set(result.tables) == set(TABLES)
    sizes = {
        "employment_by_industry": ("industry", sp.keys),
        "competencies": ("capability", sp.capabilities),
        "districts": ("district", model.district_names),
    }
    for name, (column, keys) in sizes.items():
        table = result.tables[name]
        assert list(table.columns) == TABLES[name]
        assert len(table) == n * len(keys)  # one row per step x key
        assert not table.duplicated(["step", column]).any()
        assert sorted(table[column].unique()) == sorted(keys)
        assert table.groupby("step").size().tolist() == [len(keys)] * n
    emp = result.tables["employment_by_industry"]
    by_step = emp.groupby("step")["employment"].sum().to_numpy()
    firm_jobs = (result.series["employment"] - result.series["entrepreneurs"]).to_numpy()
    assert by_step == pytest.approx(firm_jobs)


def test_save_result_writes_the_documented_files(result, tmp_path):
    written = save_result(result, tmp_path / "out")
    names = {p.name for p in written}
    expected = {f"{t}.{ext}" for t in ("series", *TABLES) for ext in ("parquet", "csv")}
    expected |= {"ledger.csv", "log.txt", "scenario.toml", "provenance.json"}
    assert names == expected
    assert {p.name for p in (tmp_path / "out").iterdir()} == expected
    for path in written:
        assert path.is_file()
    series = pd.read_parquet(tmp_path / "out" / "series.parquet")
    pd.testing.assert_frame_equal(series, result.series, check_dtype=False)
    csv = pd.read_csv(tmp_path / "out" / "series.csv")
    assert csv["step"].tolist() == list(range(STEPS + 1))
    assert csv["employment"].to_numpy() == pytest.approx(result.series["employment"], rel=1e-9)
    table = pd.read_parquet(tmp_path / "out" / "employment_by_industry.parquet")
    assert len(table) == len(result.tables["employment_by_industry"])
    prov = json.loads((tmp_path / "out" / "provenance.json").read_text(encoding="utf-8"))
    assert (prov["seed"], prov["scenario"], prov["steps"]) == (5, "small", STEPS)
    log = (tmp_path / "out" / "log.txt").read_text(encoding="utf-8")
    assert log.splitlines() == [f"Q{step}: {text}" for step, text in result.log]
    assert any("Combustion-engine components" in line for line in log.splitlines())


def test_saved_scenario_reloads_and_reproduces_the_run_exactly(result, tmp_path):
    save_result(result, tmp_path)
    reloaded = load_scenario(tmp_path / "scenario.toml")
    assert reloaded == result.scenario
    again = run(reloaded, seed=result.seed, steps=STEPS)
    pd.testing.assert_frame_equal(again.series, result.series)
    for name, table in result.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], table)
    pd.testing.assert_frame_equal(again.ledger, result.ledger)
    assert again.log == result.log
    # the copy is self-contained: it does not need the folder it came from
    moved = tmp_path / "elsewhere" / "copy.toml"
    moved.parent.mkdir()
    moved.write_bytes((tmp_path / "scenario.toml").read_bytes())
    assert load_scenario(str(moved)) == result.scenario


def test_saved_builtin_scenario_reloads_to_the_same_scenario(tmp_path):
    original = run("foresight", seed=2, steps=2)
    save_result(original, tmp_path)
    reloaded = load_scenario(Path(tmp_path) / "scenario.toml")
    assert reloaded == original.scenario
    again = run(reloaded, seed=2, steps=2)
    pd.testing.assert_frame_equal(again.series, original.series)


def test_summary_table_shows_start_end_and_totals(result):
    text = summary_table(result)
    lines = text.splitlines()
    assert lines[0] == f"small · seed 5 · {STEPS} quarters"
    assert any(line.startswith("Firms") for line in lines)
    births = next(line for line in lines if line.startswith("Firm births"))
    assert births.split()[-1] == f"{result.series['births'].iloc[1:].sum():,.0f}"
