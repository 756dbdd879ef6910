"""Sensitivity: Sobol and Morris through SALib on a sweep (issue 6, acceptance 5)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from experiments.sensitivity import ISHIGAMI_S1, ISHIGAMI_ST, analyse, ishigami
from experiments.sweep import sweep

ROOT = Path(__file__).resolve().parents[2]
PI = math.pi


def linear(params: dict, seed: int) -> dict:
    return {"y": 3.0 * params["a"] - 2.0 * params["b"] + 0.0 * params["c"]}


def test_ishigami_is_the_textbook_function():
    assert ishigami({"x1": 0.0, "x2": 0.0, "x3": 5.0}) == {"y": 0.0}
    y = ishigami({"x1": PI / 2, "x2": PI / 2, "x3": 1.0})["y"]
    assert y == pytest.approx(1 + 7 + 0.1)


def test_morris_finds_the_exact_effects_of_a_linear_function(tmp_path):
    spec = {
        "name": "linear",
        "base": "-",
        "design": "morris",
        "trajectories": 6,
        "seed": 2,
        "parameters": {k: {"range": [0.0, 1.0]} for k in "abc"},
    }
    summary = sweep(spec, tmp_path, workers=1, progress=False, target=linear)
    assert summary.runs <= 24 and summary.failed == 0
    table = analyse(tmp_path, "y")
    assert table["mu_star"].to_numpy() == pytest.approx([3.0, 2.0, 0.0], abs=1e-9)
    assert table["mu"].to_numpy() == pytest.approx([3.0, -2.0, 0.0], abs=1e-9)
    assert table["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)
    report = (tmp_path / "report.md").read_text()
    assert "Morris elementary effects" in report and "sensitivity_y.png" in report


@pytest.mark.slow
def test_sobol_indices_of_ishigami_match_the_known_values(tmp_path):
    spec = {
        "name": "ishigami",
        "base": "-",
        "design": "sobol",
        "samples": 512,
        "seed": 1,
        "parameters": {f"x{i}": {"range": [-PI, PI]} for i in (1, 2, 3)},
    }
    summary = sweep(spec, tmp_path, workers=1, progress=False, target=ishigami)
    assert summary.runs == 512 * 5 and summary.failed == 0
    table = analyse(tmp_path, "y")
    for name in ("x1", "x2", "x3"):
        assert table.loc[name, "S1"] == pytest.approx(ISHIGAMI_S1[name], abs=0.06), name
        assert table.loc[name, "ST"] == pytest.approx(ISHIGAMI_ST[name], abs=0.06), name
        assert 0 < table.loc[name, "ST_conf"] < 0.15
    # x3 acts only through its interaction with x1: no first-order, a clear total effect
    assert table.loc["x3", "ST"] - table.loc["x3", "S1"] > 0.15
    html = (tmp_path / "report.html").read_text()
    assert "Sobol indices" in html and "data:image/png;base64," in html


@pytest.mark.slow
def test_a_real_morris_screening_of_five_model_parameters(tmp_path):
    summary = sweep(
        ROOT / "docs" / "examples" / "morris_screening.toml", tmp_path, workers=2, progress=False
    )
    assert 6 < summary.runs <= 18 and summary.failed == 0  # trajectories may share points
    for outcome in ("jobs_end", "unemployment_peak"):
        table = analyse(tmp_path, outcome)
        assert list(table.index) == [
            "policy.budget",
            "region.culture.trust",
            "market.selection",
            "entrepreneurs.base_rate",
            "firms.exit_patience",
        ]
        values = table[["mu_star", "mu_star_conf", "sigma"]].to_numpy()
        assert np.isfinite(values).all() and (values >= 0).all()
        assert (table["mu_star"] > 0).sum() >= 2  # the model responds to its parameters
        assert (table["mu_star"] >= table["mu"].abs() - 1e-9).all()
        print(outcome, table.to_string(), sep="\n")  # the README's table (pytest -s)
    report = (tmp_path / "report.md").read_text()
    assert report.count("Morris elementary effects") == 4
    assert len(list(tmp_path.glob("sensitivity_*.png"))) == 4
