"""Sweeps: result store, resume, failures, determinism across backends (issue 6, acc. 3-4)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import weakref
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from experiments import backends, parts
from experiments.cli import main
from experiments.evaluate import evaluate
from experiments.parts import CorruptPartError, load_results
from experiments.sweep import sweep
from scenarios import ScenarioError, scenario_to_toml
from tests.helpers import small_scenario

ROOT = Path(__file__).resolve().parents[2]


def write_sweep(tmp_path: Path, body: str, name: str = "demo") -> Path:
    """A sweep file over the small test region (its scenario written next to it)."""
    scenario = tmp_path / "small.toml"
    if not scenario.exists():
        scenario.write_text(scenario_to_toml(small_scenario(steps=20)), encoding="utf-8")
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\nbase = "small.toml"\n' + textwrap.dedent(body))
    return path


LHS = """\
    design = "latin_hypercube"
    samples = 3
    replications = 2
    steps = 8
    seed = 5
    outcomes = ["jobs_end", "unemployment_peak"]
    [parameters]
    market.selection = { range = [0.5, 2.0] }
    firms.exit_patience = { range = [1, 6] }
"""


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """One small sweep, run serially: (sweep file, directory, summary, results)."""
    tmp = tmp_path_factory.mktemp("sweep")
    path = write_sweep(tmp, LHS)
    out = tmp / "out"
    summary = sweep(path, out, workers=1, progress=False)
    return path, out, summary, load_results(out)


def frame_of(directory: Path) -> pd.DataFrame:
    return load_results(directory).sort_values("run_id").reset_index(drop=True)


def test_a_sweep_stores_one_tidy_row_per_run(stored):
    path, out, summary, frame = stored
    assert summary.runs == 6 and summary.ran == 6 and summary.failed == 0
    assert summary.exit_code == 0 and "6 runs, 6 ok, 0 failed" in str(summary)
    assert len(frame) == 6 and frame["run_id"].is_unique
    assert (frame["status"] == "ok").all() and frame["error"].isna().all()
    assert sorted(frame["seed"]) == [0, 0, 0, 1, 1, 1]
    assert (frame["scenario"] == "small").all()
    assert frame.attrs["parameters"] == ["market.selection", "firms.exit_patience"]
    assert {"jobs_end", "unemployment_peak", "grp_end"} <= set(frame.attrs["outcomes"])
    assert frame["versions"].str.contains('"mesa"').all()
    assert len(list((out / "runs").glob("*.parquet"))) == 6
    # a stored row is what the model gives for its parameters and seed
    first = frame.iloc[0]
    params = {p: first[p] for p in frame.attrs["parameters"]}
    params["firms.exit_patience"] = int(params["firms.exit_patience"])
    direct = evaluate(params, seed=int(first["seed"]), scenario=str(path.parent / "small.toml"))
    assert direct != evaluate(params, seed=int(first["seed"]), scenario=small_scenario(steps=8))
    again = evaluate(params, seed=int(first["seed"]), scenario=small_scenario(steps=20), steps=8)
    assert first["jobs_end"] == again["jobs_end"]
    assert first["unemployment_peak"] == again["unemployment_peak"]
    # the report is there
    report = (out / "report.md").read_text()
    assert "Spearman" in report and "market.selection" in report
    assert (out / "report.html").read_text().count("data:image/png;base64,") == 2


def test_a_rerun_skips_what_is_done(stored, tmp_path):
    path, out, _, frame = stored
    again = sweep(path, out, workers=1, progress=False, report=False)
    assert again.ran == 0 and again.skipped == 6 and again.runs == 6
    pd.testing.assert_frame_equal(load_results(out), frame)


def test_a_truncated_part_is_detected_and_redone(stored, tmp_path):
    path, _, _, frame = stored
    out = tmp_path / "copy"
    sweep(path, out, workers=1, progress=False, report=False)
    victim = sorted((out / "runs").glob("*.parquet"))[2]
    victim.write_bytes(victim.read_bytes()[:-7])
    with pytest.raises(CorruptPartError):
        load_results(out)
    again = sweep(path, out, workers=1, progress=False, report=False)
    assert again.redone == 1 and again.ran == 1 and again.skipped == 5
    pd.testing.assert_frame_equal(load_results(out), frame)


def test_runs_that_raise_are_recorded_and_the_sweep_goes_on(tmp_path, capsys):
    # every level is valid alone; together 0.7 + 0.6 of the budget is more than all of it
    path = write_sweep(
        tmp_path,
        """\
        design = "grid"
        steps = 6
        outcomes = ["jobs_end"]
        [parameters]
        policy.allocation.experimentation = { levels = [0.0, 0.7] }
        policy.allocation.targeted_support = { levels = [0.0, 0.6] }
        """,
    )
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 1
    printed = capsys.readouterr().out
    assert "4 runs, 3 ok, 1 failed" in printed and "sum to 1.300" in printed
    frame = load_results(out)
    failed = frame[frame["status"] == "failed"]
    assert len(failed) == 1 and len(frame) == 4
    assert failed["policy.allocation.experimentation"].item() == 0.7
    assert failed["policy.allocation.targeted_support"].item() == 0.6
    assert "allocation shares sum to 1.300" in failed["error"].item()
    assert failed["jobs_end"].isna().all() and frame["jobs_end"].notna().sum() == 3
    assert "Failed runs (1" in (out / "report.md").read_text()
    assert "jobs_end: not computed" not in (out / "report.md").read_text()  # grid: spearman


def flaky(params: dict, seed: int) -> dict:
    if params["x"] > 0.5:
        raise RuntimeError(f"x = {params['x']} is too large")
    return {"y": params["x"] * 2 + seed}


def test_a_plain_function_that_raises_is_recorded_and_retried_on_rerun(tmp_path):
    spec = {
        "name": "flaky",
        "base": "-",
        "design": "grid",
        "levels": 5,
        "replications": 2,
        "parameters": {"x": {"range": [0.0, 1.0]}},
    }
    summary = sweep(spec, tmp_path, workers=1, progress=False, target=flaky)
    assert summary.runs == 10 and summary.failed == 4 and summary.exit_code == 1
    assert all("is too large" in error for _, error in summary.failures)
    frame = load_results(tmp_path)
    assert sorted(frame.loc[frame["status"] == "ok", "y"]) == [0, 0.5, 1, 1, 1.5, 2]
    again = sweep(spec, tmp_path, workers=1, progress=False, target=flaky, report=False)
    assert again.skipped == 6 and again.ran == 4 and again.failed == 4


def constant(params: dict, seed: int) -> dict:
    return {"y": params["x"] + seed}


def test_tasks_are_submitted_in_bounded_batches(tmp_path, monkeypatch):
    live: weakref.WeakSet[Future] = weakref.WeakSet()
    most = [0]

    class Counting(Executor):
        def submit(self, fn, /, *args, **kwargs):
            future = backends.SerialExecutor().submit(fn, *args, **kwargs)
            live.add(future)
            most[0] = max(most[0], len(live))
            return future

    @contextmanager
    def counting(workers=None, scheduler=None):
        yield Counting()

    monkeypatch.setattr(backends, "executor", counting)
    spec = {"base": "-", "design": "grid", "levels": 60, "parameters": {"x": {"range": [0, 1]}}}
    summary = sweep(spec, tmp_path, progress=False, target=constant, max_pending=4, report=False)
    assert summary.ran == 60 and len(load_results(tmp_path)) == 60
    assert most[0] <= 2 * 4 + 1  # in flight + the batch just collected; never all 60


def test_another_sweep_into_the_same_directory_is_refused(stored, tmp_path, capsys):
    path, out, _, _ = stored
    other = write_sweep(tmp_path, LHS.replace("seed = 5", "seed = 6"), name="other")
    assert main(["sweep", str(other), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{out}: --out: holds the results of a different sweep")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("mine")
    with pytest.raises(ScenarioError, match="is not empty and holds no sweep"):
        sweep(path, tmp_path / "full", workers=1, progress=False)


@pytest.mark.slow
def test_the_same_results_with_1_and_2_workers_and_on_a_local_dask_cluster(stored, tmp_path):
    path, out, _, _ = stored
    reference = frame_of(out)
    for name, kwargs in {
        "two": {"workers": 2},
        "dask": {"workers": 2, "scheduler": "local"},
    }.items():
        summary = sweep(path, tmp_path / name, progress=False, report=False, **kwargs)
        assert summary.ran == 6 and summary.failed == 0, name
        pd.testing.assert_frame_equal(frame_of(tmp_path / name), reference, check_exact=True)
    for part in (out / "runs").glob("*.parquet"):
        assert (tmp_path / "dask" / "runs" / part.name).read_bytes() == part.read_bytes()


@pytest.mark.slow
def test_a_sweep_killed_midway_resumes_to_the_rows_of_an_uninterrupted_one(tmp_path):
    path = write_sweep(tmp_path, LHS.replace("samples = 3", "samples = 8"))  # 16 runs
    reference = tmp_path / "reference"
    sweep(path, reference, workers=1, progress=False, report=False)
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "experiments.cli", "sweep", str(path), "--out", str(out)]
    proc = subprocess.Popen(
        [*command, "--workers", "2"], cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    try:
        while len(parts.part_files(out)) < 4:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, like a crash
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    stored_before = len(parts.part_files(out))
    assert 4 <= stored_before < 16
    rerun = subprocess.run([*command, "--workers", "1"], cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert "16 runs, 16 ok, 0 failed" in rerun.stdout
    assert f"{16 - stored_before} run, {stored_before} already done" in rerun.stdout
    pd.testing.assert_frame_equal(frame_of(out), frame_of(reference), check_exact=True)
    assert not list((out / "runs").glob(f"{parts.TMP_PREFIX}*"))


def test_an_unreachable_scheduler_is_one_clear_line_and_exit_2(stored, tmp_path, capsys):
    import dask

    path = stored[0]
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code = main(
            ["sweep", str(path), "--out", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"]
        )
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tcp://127.0.0.1:9: --scheduler: cannot connect")
    assert "allowed: the address of a running Dask scheduler" in err and "\n" not in err
