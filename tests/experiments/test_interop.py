"""The docs' SALib and EMA Workbench examples run for real (short runs, few experiments)."""

from __future__ import annotations

import runpy
import warnings
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def load(name: str) -> dict:
    return runpy.run_path(str(EXAMPLES / name), run_name="example")


def test_the_ema_workbench_example_runs_with_its_sequential_evaluator(capsys):
    pytest.importorskip("ema_workbench")  # the optional extra; always there in the dev group
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ipyparallel is not installed: EMA says so
        example = load("ema_workbench_example.py")
        experiments, outcomes = example["main"](n_scenarios=3, steps=4)
        again, outcomes_again = example["main"](n_scenarios=3, steps=4)
    assert len(experiments) == 3 and set(outcomes) == {
        "jobs_end",
        "unemployment_peak",
        "discoveries",
    }
    assert experiments["trust"].between(0.2, 0.8).all()
    assert np.isfinite(outcomes["jobs_end"]).all() and (outcomes["jobs_end"] > 0).all()
    assert len(set(np.round(outcomes["jobs_end"], 6))) == 3  # the uncertainties matter
    np.testing.assert_array_equal(outcomes_again["jobs_end"], outcomes["jobs_end"])
    assert "unemployment_peak" in capsys.readouterr().out


def test_the_salib_example_runs(capsys):
    table = load("salib_example.py")["main"](trajectories=2, steps=3)
    assert list(table.index) == ["region.culture.trust", "market.selection", "firms.exit_patience"]
    assert np.isfinite(table["mu_star"]).all() and (table["mu_star"] >= 0).all()
    assert "Morris screening of jobs_end (8 runs" in capsys.readouterr().out
