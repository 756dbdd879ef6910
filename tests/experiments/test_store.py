"""Atomic, exclusive result folders (``experiments.store``, issue 9 acceptance 1).

The kill tests run ``mesoscape run`` (``experiments.cli.main``) in real child processes and
SIGKILL them at every numbered checkpoint of the save (``MESOSCAPE_SAVE_PAUSE=K`` makes the
writer stop there), then check that the target either does not exist or holds one complete
run whose manifest verifies. The children are forked by a single-threaded server that has
imported the model once (``_save_runner.py``; a fresh interpreter per kill would cost seconds
each); the concurrency test starts two fresh interpreters (``python -m experiments.cli``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from experiments import store
from experiments.backends import ONE_THREAD_ENV
from experiments.cli import main
from experiments.store import (
    MANIFEST,
    Busy,
    ResultExists,
    StoreError,
    check_target,
    safe_name,
    verify,
    write_result,
)
from scenarios import scenario_to_toml
from tests.helpers import small_scenario

ROOT = Path(__file__).resolve().parents[2]
RUN_FILES = 16  # series + 5 tables (parquet and csv), ledger, log, scenario, provenance


def identity(seed: int = 1) -> dict:
    return {"kind": "run", "scenarios": ["toy"], "seeds": [seed], "steps": 3, "versions": {}}


def writer(content: str, files: int = 3):
    def write(folder: Path, checkpoint) -> None:
        for i in range(files):
            (folder / f"f{i}.txt").write_text(f"{content} {i}\n", encoding="utf-8")
            checkpoint(f"f{i}.txt")

    return write


# --------------------------------------------------------------------------- unit


def test_a_result_is_written_with_a_manifest_that_verifies(tmp_path):
    out = write_result(tmp_path / "r", writer("a"), identity())
    manifest = verify(out)
    assert set(manifest["files"]) == {"f0.txt", "f1.txt", "f2.txt"}
    entry = manifest["files"]["f1.txt"]
    assert entry["size"] == len("a 1\n") and len(entry["sha256"]) == 64
    assert manifest["seeds"] == [1] and manifest["kind"] == "run"
    # nothing is left next to it but the (empty, unlocked) lock file
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.lock", "r"]


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda d: (d / "f1.txt").unlink(), "f1.txt: listed in the manifest but missing"),
        (lambda d: (d / "f1.txt").write_text("a 1 and more\n"), "f1.txt: 13 bytes, the manifest"),
        (lambda d: (d / "f1.txt").write_text("b 1\n"), "f1.txt: changed after it was saved"),
        (lambda d: (d / "extra.csv").write_text("x"), "extra.csv: not part of the saved result"),
        (lambda d: (d / MANIFEST).unlink(), "manifest.json is missing"),
        (lambda d: (d / MANIFEST).write_text("{"), "unreadable manifest"),
    ],
)
def test_a_folder_that_does_not_match_its_manifest_is_refused(tmp_path, damage, says):
    out = write_result(tmp_path / "r", writer("a"), identity())
    damage(out)
    with pytest.raises(StoreError, match=says):
        verify(out)


def test_a_different_result_is_refused_unless_forced_then_replaced_whole(tmp_path):
    out = write_result(tmp_path / "r", writer("a", files=3), identity(1))
    with pytest.raises(ResultExists, match="already holds a run of toy, seed 1; use --force"):
        write_result(out, writer("b", files=2), identity(2))
    assert verify(out)["seeds"] == [1]
    write_result(out, writer("b", files=2), identity(2), force=True)
    assert verify(out)["seeds"] == [2]
    assert sorted(p.name for p in out.iterdir()) == ["f0.txt", "f1.txt", MANIFEST]  # not mixed
    assert (out / "f0.txt").read_text() == "b 0\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.lock", "r"]  # old one removed


def test_the_same_result_again_is_left_as_it_is(tmp_path):
    out = write_result(tmp_path / "r", writer("a"), identity())
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    write_result(out, writer("a"), identity())
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    with pytest.raises(ResultExists, match="different result of the same scenario"):
        write_result(out, writer("other code"), identity())  # same identity, other bytes


def test_a_folder_that_is_not_a_result_is_never_replaced(tmp_path):
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious")
    for force in (False, True):
        with pytest.raises(StoreError, match="is not a Mesoscape result folder"):
            write_result(mine, writer("a"), identity(), force=force)
    assert (mine / "thesis.tex").read_text() == "precious"
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="is not a Mesoscape result folder"):
        check_target(tmp_path / "file", identity())
    empty = tmp_path / "empty"
    empty.mkdir()
    assert verify(write_result(empty, writer("a"), identity()))["seeds"] == [1]


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path):
    target = tmp_path / "r"
    with (
        store._locked(target),
        pytest.raises(Busy, match="another writer is saving a result there right now"),
    ):
        write_result(target, writer("a"), identity())
    assert not target.exists()
    write_result(target, writer("a"), identity())  # released: fine now


def test_a_failing_writer_leaves_nothing(tmp_path):
    def broken(folder, checkpoint):
        (folder / "half.csv").write_text("1,2")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_result(tmp_path / "r", broken, identity())
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.lock"]


def test_leftovers_of_a_killed_writer_are_removed_by_the_next(tmp_path):
    (tmp_path / ".r.tmp-123-abcd").mkdir()
    (tmp_path / ".r.tmp-123-abcd" / "series.csv").write_text("partial")
    (tmp_path / ".r.old-9-ffff").mkdir()
    write_result(tmp_path / "r", writer("a"), identity())
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.lock", "r"]


@pytest.mark.parametrize("bad", ["../../x", "/etc", "a/b", "", "x\x00y", "\x1b[31mred", "é" * 3])
def test_names_that_are_not_slugs_cannot_name_a_folder(bad):
    with pytest.raises(StoreError, match="cannot name an output folder; allowed: 1 to 64"):
        safe_name(bad)
    assert safe_name("decline_bottom-up2") == "decline_bottom-up2"


# --------------------------------------------------------------------------- kill -9


class Runner:
    """The fork server of ``_save_runner.py``: real ``mesoscape`` child processes."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != store.PAUSE_ENV}
        env.update(ONE_THREAD_ENV)  # a single-threaded server: fork is safe
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("_save_runner.py"))],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, **request) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        assert "error" not in answer, answer
        return answer

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def runner():
    r = Runner()
    yield r
    r.close()


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("scenario") / "tiny.toml"
    path.write_text(scenario_to_toml(small_scenario(name="tiny", steps=2)), encoding="utf-8")
    return str(path)


def _state(target: Path) -> int | None:
    """None if the target does not exist; else the seed of the complete run it holds."""
    if not target.exists():
        return None
    manifest = verify(target)  # raises if incomplete or mixed
    assert len(manifest["files"]) == RUN_FILES
    prov = json.loads((target / "provenance.json").read_text(encoding="utf-8"))
    assert prov["seed"] == manifest["seeds"][0]
    return manifest["seeds"][0]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


def test_a_run_killed_at_any_of_20_points_of_its_save_leaves_nothing_or_all(
    tmp_path, runner, scenario_file
):
    """Issue 9 acceptance 1: SIGKILL at each of the save's 20 checkpoints, fresh target."""
    target = tmp_path / "r"
    argv = ["run", scenario_file, "--seed", "1", "--out", str(target)]
    points = []
    for k in range(1, 21):
        if target.exists():
            shutil.rmtree(target)
        answer = runner.ask(op="kill_at", argv=argv, pause=k)
        assert answer["killed"]
        points.append(answer["paused"])
        state = _state(target)
        assert state == (1 if k == 20 else None), k  # only the last point follows the rename
    assert "checkpoint 1 (lock held)" in points[0]
    assert "checkpoint 3 (series.parquet)" in points[2]
    assert "checkpoint 19 (manifest written)" in points[18]
    assert "checkpoint 20 (renamed into place)" in points[19]
    assert len({p.split("(")[1] for p in points}) == 20  # 20 distinct points
    # killed writers leave no lock behind: the next one cleans up after them and succeeds
    shutil.rmtree(target)
    runner.ask(op="kill_at", argv=argv, pause=10)
    assert _leftovers(tmp_path)
    assert runner.ask(op="run", argv=argv)["code"] == 0
    assert _state(target) == 1 and not _leftovers(tmp_path)


def test_a_forced_rerun_killed_over_an_older_result_leaves_old_or_new_never_a_mix(
    tmp_path, runner, scenario_file
):
    target = tmp_path / "r"

    def argv(seed: int, *extra: str) -> list[str]:
        return ["run", scenario_file, "--seed", str(seed), "--out", str(target), *extra]

    assert runner.ask(op="run", argv=argv(1))["code"] == 0
    states = []
    for k in range(1, 23):  # every checkpoint of a replacing save
        runner.ask(op="kill_at", argv=argv(2, "--force"), pause=k)
        state = _state(target)
        states.append(state)
        if state != 1:  # put the older result back for the next point
            assert runner.ask(op="run", argv=argv(1, "--force"))["code"] == 0
    assert states[:19] == [1] * 19  # until the new result is complete, the old one stays
    assert set(states[19:]) <= {None, 2} and states[-1] == 2
    # without --force the older result is refused and stays as it was
    answer = runner.ask(op="run", argv=argv(2))
    assert answer["code"] == 2
    assert answer["stderr"].strip() == (
        f"{target}: already holds a run of tiny, seed 1; use --force to replace it, "
        "or choose another --out"
    )
    assert _state(target) == 1


def test_two_concurrent_runs_into_one_target_one_wins_the_other_is_told(tmp_path, scenario_file):
    """Two fresh ``mesoscape run`` processes at once: one exit 0, one exit 2 with a message."""
    target = tmp_path / "r"
    env = {k: v for k, v in os.environ.items() if k != store.PAUSE_ENV}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "experiments.cli",
                "run",
                scenario_file,
                "--seed",
                str(seed),
                "--out",
                str(target),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for seed in (1, 2)
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert sorted(code for code, _ in results) == [0, 2], results
    winner = next(seed for seed, (code, _) in zip((1, 2), results, strict=True) if code == 0)
    told = next(err for code, err in results if code == 2)
    assert told.startswith(str(target)) and "Traceback" not in told
    assert "another writer is saving" in told or "already holds a run of tiny" in told
    assert _state(target) == winner


def test_a_writer_paused_inside_its_save_keeps_a_second_one_out(
    tmp_path, runner, scenario_file, capsys
):
    """A deterministic race: A holds the lock (paused mid-save), B is refused at once."""
    target = tmp_path / "r"
    argv = ["run", scenario_file, "--out", str(target), "--seed"]
    held = runner.ask(op="hold", argv=[*argv, "1"], pause=10)
    try:
        capsys.readouterr()
        assert main([*argv, "2"]) == 2
        err = capsys.readouterr().err
    finally:
        assert runner.ask(op="kill", pid=held["pid"])["killed"]
    assert err.strip() == (
        f"{target}: another writer is saving a result there right now; "
        "wait for it to finish or choose another --out"
    )
    assert _state(target) is None  # A died before its rename, B wrote nothing
