"""Running one scenario and saving it reproducibly (``experiments.run``, DESIGN §4.3)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from experiments.run import BadArgument, load_run, run, save_result, summary_table
from experiments.store import StoreError
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
    expected |= {"ledger.csv", "log.txt", "scenario.toml", "provenance.json", "manifest.json"}
    assert names == expected
    assert written[-1].name == "manifest.json"  # written last
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


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 1.5}, "steps: 1.5 is not allowed; allowed: a whole number from 1 to 2000"),
        ({"steps": 0}, "steps: 0 is not allowed; allowed: a whole number from 1 to 2000"),
        ({"steps": 2001}, "steps: 2001 is not allowed"),
        ({"steps": True}, "steps: True is not allowed"),
        ({"steps": "3"}, "steps: '3' is not allowed"),
        ({"seed": "x"}, "seed: 'x' is not allowed; allowed: a whole number from 0 to"),
        ({"seed": None}, "seed: None is not allowed"),
        ({"seed": float("nan")}, "seed: nan is not allowed"),
        ({"seed": float("inf")}, "seed: inf is not allowed"),
        ({"seed": True}, "seed: True is not allowed"),
        ({"seed": 2.5}, "seed: 2.5 is not allowed"),
        ({"seed": -1}, "seed: -1 is not allowed"),
        ({"seed": 2**64}, f"seed: {2**64} is not allowed"),
    ],
)
def test_bad_steps_and_seeds_are_refused_with_the_projects_message(kwargs, message):
    with pytest.raises(BadArgument) as info:
        run("baseline", **kwargs)
    assert str(info.value).startswith(message)
    assert isinstance(info.value, ValueError)


def test_whole_valued_numbers_are_accepted_as_seed_and_steps():
    import numpy as np

    a = run(small_scenario(steps=2), seed=np.int64(4), steps=2.0)
    b = run(small_scenario(steps=2), seed=4.0, steps=np.int32(2))
    assert a.seed == b.seed == 4 and isinstance(a.seed, int)
    pd.testing.assert_frame_equal(a.series, b.series)


def test_load_run_reads_back_what_was_saved_and_refuses_an_edited_folder(result, tmp_path):
    out = tmp_path / "r"
    save_result(result, out)
    back = load_run(out)
    assert back.seed == result.seed and back.scenario == result.scenario
    pd.testing.assert_frame_equal(back.series, result.series, check_dtype=False)
    assert back.log == result.log
    assert set(back.tables) == set(result.tables)
    with (out / "log.txt").open("a", encoding="utf-8") as fh:
        fh.write("Q9: something else\n")
    with pytest.raises(StoreError, match="log.txt: .*manifest"):
        load_run(out)
    (out / "manifest.json").unlink()
    with pytest.raises(StoreError, match="manifest.json is missing"):
        load_run(out)
