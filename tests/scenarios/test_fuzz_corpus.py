"""The mutation corpus: thousands of broken variants of the built-in files, each judged.

The only outcomes allowed are a valid object that respects every bound and limit, or the
project's own error naming the file and the field (the mutated one, where the schema says the
mutation is invalid). No traceback, no hang, no silent acceptance of an out-of-range value.
``HYPOTHESIS_PROFILE=fuzz`` makes the truncation and byte-flip part of the corpus 20 times
larger.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from scenarios import (
    ScenarioError,
    check_files,
    load_catalogue,
    load_region,
    load_scenario,
    region_from_csv,
)
from scenarios.errors import MAX_LINE, MAX_PROBLEMS
from tests.scenarios.fuzz_corpus import Case, corpus
from tests.scenarios.fuzz_oracle import judge

#: an input taking longer than this counts as a hang (typical: a few milliseconds)
HANG_SECONDS = 10.0
#: the corpus must stay at least this large (acceptance: >= 10,000 generated inputs)
MINIMUM = {"scenario": 5_000, "region": 3_000, "catalogue": 800, "csv": 1_500}

LOADERS = {
    "scenario": load_scenario,
    "region": load_region,
    "catalogue": load_catalogue,
    "csv": region_from_csv,
}


@pytest.fixture
def fast_dir(tmp_path: Path):
    """A folder for thousands of small files: in memory (/dev/shm) where there is one."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="mesoscape-fuzz-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def outcome(case: Case, path: Path) -> object:
    """The loaded object or the ScenarioError; any other exception escapes (a failure)."""
    path.write_bytes(case.content)
    try:
        return LOADERS[case.kind](path)
    except ScenarioError as exc:
        return exc


def run_corpus(cases: list[Case], tmp_path: Path, suffix: str) -> tuple[list[str], float]:
    faults: list[str] = []
    slowest = 0.0
    baselines: dict[bytes, object] = {}
    for n, case in enumerate(cases):
        path = tmp_path / f"case{n % 50}{suffix}"
        start = time.perf_counter()
        try:
            loaded = outcome(case, path)
        except Exception as exc:  # noqa: BLE001 - the point: nothing else may escape
            faults.append(f"{case.label}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        slowest = max(slowest, time.perf_counter() - start)
        baseline = None
        if case.same_as is not None:
            if case.same_as not in baselines:
                baselines[case.same_as] = outcome(Case(case.kind, case.same_as, "original"), path)
            baseline = baselines[case.same_as]
        faults += [f"{case.label}: {f}" for f in judge(case, path, loaded, baseline)]
    return faults, slowest


@pytest.mark.parametrize(
    ("kind", "suffix"),
    [("scenario", ".toml"), ("region", ".toml"), ("catalogue", ".toml"), ("csv", ".csv")],
)
def test_mutated_builtin_files_give_valid_objects_or_clean_errors(kind, suffix, fast_dir):
    cases = corpus((kind,))
    assert len(cases) >= MINIMUM[kind]
    assert sum(c.error_at is not None for c in cases) >= len(cases) // 5  # real expectations
    faults, slowest = run_corpus(cases, fast_dir, suffix)
    assert not faults, f"{len(faults)} of {len(cases)} cases failed:\n" + "\n".join(faults[:15])
    assert slowest < HANG_SECONDS


def test_the_corpus_holds_over_ten_thousand_inputs():
    assert len(corpus(("scenario", "region", "catalogue", "csv"))) >= 10_000


def test_check_prints_at_most_21_short_lines_per_file(fast_dir):
    """`mesoscape check` on every mutated file at once: each file's lines are capped."""
    cases = [c for c in corpus(("scenario", "region", "csv")) if c.error_at is not None][::20]
    paths = []
    for n, case in enumerate(cases):
        path = fast_dir / f"c{n}{'.csv' if case.kind == 'csv' else '.toml'}"
        path.write_bytes(case.content)
        paths.append(path)
    problems = check_files(paths)
    per_file: dict[str, int] = {}
    for problem in problems:
        per_file[problem.file] = per_file.get(problem.file, 0) + 1
        line = str(problem)
        assert len(line) <= MAX_LINE and line.isprintable(), line
    assert per_file and max(per_file.values()) <= MAX_PROBLEMS + 1
    assert {str(p) for p in paths} == set(per_file)  # every one of them refused
