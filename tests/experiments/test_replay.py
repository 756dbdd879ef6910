"""Re-running a saved run or comparison and checking it is identical (issue 6 acceptance 7)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from experiments.cli import main
from experiments.compare import compare
from experiments.replay import replay
from experiments.run import run, save_result
from experiments.store import MANIFEST, StoreError, build_manifest
from scenarios.schema import IndustryDecline
from tests.helpers import small_scenario


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("replay") / "run"
    decline = IndustryDecline(
        type="industry_decline", step=2, industry="engine_components", fraction=0.3
    )
    save_result(run(small_scenario(name="tiny", steps=6, events=[decline]), seed=4), out)
    return out


@pytest.fixture
def run_copy(saved_run, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(saved_run, copy)
    return copy


def _edit_csv(path, column: str, step: int, delta: float) -> tuple[float, float]:
    frame = pd.read_csv(path)
    before = float(frame.loc[frame["step"] == step, column].iloc[0])
    frame.loc[frame["step"] == step, column] = before + delta
    frame.to_csv(path, index=False, float_format="%.10g")
    return before, before + delta


def _reseal(folder) -> None:
    """Rewrite the manifest so that it matches the edited files (a forged result)."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    identity = {k: v for k, v in manifest.items() if k not in ("format", "files")}
    (folder / MANIFEST).write_text(json.dumps(build_manifest(folder, identity)), encoding="utf-8")


def test_a_saved_run_replays_identically(saved_run, capsys):
    report = replay(saved_run)
    assert report.ok and report.kind == "run"
    assert "series.parquet" in report.checked and "log.txt" in report.checked
    assert len(report.checked) == 14  # every file but the inputs (scenario, provenance)
    assert main(["replay", str(saved_run)]) == 0
    assert (
        "identical: the run was re-run and reproduced 14 files exactly" in capsys.readouterr().out
    )


def test_an_edited_series_is_reported_by_file_column_and_quarter(run_copy, capsys):
    _, edited = _edit_csv(run_copy / "series.csv", "employment", 3, 25.0)
    report = replay(run_copy)
    assert not report.ok
    assert report.manifest_problems == [
        "series.csv: changed after it was saved (sha256 differs from the manifest)"
    ]
    (line,) = report.differences
    assert line.startswith("series.csv: column employment differs at quarter 3: saved ")
    assert f"saved {edited!r}" in line
    assert main(["replay", str(run_copy)]) == 1
    err = capsys.readouterr().err
    assert "series.csv: column employment differs at quarter 3" in err and "Traceback" not in err


def test_an_edit_with_a_forged_manifest_is_still_caught_by_the_rerun(run_copy):
    frame = pd.read_parquet(run_copy / "series.parquet")
    frame.loc[frame["step"] == 5, "firms"] += 1
    frame.to_parquet(run_copy / "series.parquet", index=False)
    _reseal(run_copy)
    report = replay(run_copy)
    assert report.manifest_problems == []  # the manifest was forged to match
    saved = float(frame.loc[frame["step"] == 5, "firms"].iloc[0])
    assert report.differences == [
        f"series.parquet: column firms differs at quarter 5: saved {saved!r}, re-run {saved - 1!r}"
    ]


def test_an_edited_log_and_table_are_reported_by_line_and_key(run_copy):
    log = (run_copy / "log.txt").read_text(encoding="utf-8").splitlines()
    assert log  # the decline is in the log
    log[0] = log[0] + " (edited)"
    (run_copy / "log.txt").write_text("\n".join(log) + "\n", encoding="utf-8")
    table = pd.read_csv(run_copy / "employment_by_industry.csv")
    table.loc[(table["step"] == 2) & (table["industry"] == "engine_components"), "firms"] += 3
    table.to_csv(run_copy / "employment_by_industry.csv", index=False, float_format="%.10g")
    _reseal(run_copy)
    found = "\n".join(replay(run_copy).differences)
    assert "log.txt: line 1 differs" in found
    assert (
        "employment_by_industry.csv: column firms differs at quarter 2, industry engine_components"
    ) in found


def test_a_folder_without_a_manifest_is_refused(run_copy, tmp_path, capsys):
    (run_copy / MANIFEST).unlink()
    with pytest.raises(StoreError, match="manifest.json is missing"):
        replay(run_copy)
    assert main(["replay", str(run_copy)]) == 2
    assert main(["replay", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert "manifest.json is missing" in err and "no such result directory" in err


def test_a_saved_comparison_replays_and_an_edited_outcome_is_named(tmp_path):
    c = compare(
        [small_scenario(name="a", steps=4), small_scenario(name="b", steps=4)],
        replications=2,
        workers=1,
    )
    out = tmp_path / "cmp"
    c.save(out)
    report = replay(out)
    assert report.ok and report.kind == "comparison", str(report)
    assert "differences.csv" in report.checked and "series.parquet" in report.checked
    frame = pd.read_csv(out / "outcomes.csv")
    pick = (frame["scenario"] == "b") & (frame["seed"] == 2) & (frame["outcome"] == "jobs_end")
    frame.loc[pick, "value"] += 1.0
    frame.to_csv(out / "outcomes.csv", index=False, float_format="%.10g")
    found = replay(out).differences
    assert any(
        line.startswith(
            "outcomes.csv: column value differs at scenario b, seed 2, outcome jobs_end"
        )
        for line in found
    ), found
