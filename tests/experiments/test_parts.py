"""The result store: atomic, checksummed parts; corrupt parts are never silently read."""

from __future__ import annotations

import math

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from experiments import parts
from experiments.parts import CorruptPartError, load_results, read_part, run_id, write_part


def row(rid: str, jobs: float = 1234.5, status: str = "ok") -> dict:
    return {
        "run_id": rid,
        "status": status,
        "error": None if status == "ok" else "ValueError: boom",
        "scenario": "baseline",
        "seed": 3,
        "replication": 3,
        "policy.budget": 12.5,
        "policy.targeting": "bottom_up",
        "jobs_end": jobs,
        "versions": "{}",
    }


def test_a_part_reads_back_exactly_and_leaves_no_temporary(tmp_path):
    r = row("a" * 20, jobs=math.pi)
    path = write_part(tmp_path, r)
    assert path == parts.part_path(tmp_path, r["run_id"])
    assert read_part(path) == r
    assert [p.name for p in (tmp_path / "runs").iterdir()] == [path.name]


def test_run_ids_are_stable_and_change_with_every_input():
    base = run_id("scen", {"a": 1.0, "b": "x"}, 0, 8)
    assert base == run_id("scen", {"b": "x", "a": 1.0}, 0, 8)  # key order does not matter
    others = {
        run_id("scen2", {"a": 1.0, "b": "x"}, 0, 8),
        run_id("scen", {"a": 1.0000001, "b": "x"}, 0, 8),
        run_id("scen", {"a": 1.0, "b": "y"}, 0, 8),
        run_id("scen", {"a": 1.0, "b": "x"}, 1, 8),
        run_id("scen", {"a": 1.0, "b": "x"}, 0, 9),
        run_id("scen", {"a": 1.0, "b": "x"}, 0, None),
    }
    assert base not in others and len(others) == 6
    assert len(base) == 20 and int(base, 16) >= 0


def test_a_truncated_part_is_detected(tmp_path):
    path = write_part(tmp_path, row("b" * 20))
    data = path.read_bytes()
    for cut in (len(data) - 1, len(data) // 2, 4, 0):
        path.write_bytes(data[:cut])
        with pytest.raises(CorruptPartError):
            read_part(path)


def test_a_part_with_changed_values_fails_its_checksum(tmp_path):
    path = write_part(tmp_path, row("c" * 20, jobs=100.0))
    table = pq.read_table(path)
    meta = table.schema.metadata
    changed = table.set_column(
        table.schema.get_field_index("jobs_end"), "jobs_end", pa.array([101.0])
    ).replace_schema_metadata(meta)
    pq.write_table(changed, path)  # a valid Parquet file, the old checksum
    with pytest.raises(CorruptPartError):
        read_part(path)
    pq.write_table(changed.replace_schema_metadata({}), path)  # no checksum at all
    with pytest.raises(CorruptPartError):
        read_part(path)


def test_a_part_under_another_runs_name_is_corrupt(tmp_path):
    path = write_part(tmp_path, row("d" * 20))
    moved = path.with_name("e" * 20 + ".parquet")
    path.rename(moved)
    with pytest.raises(CorruptPartError):
        read_part(moved)


def test_load_results_refuses_corrupt_parts_unless_told_to_skip_them(tmp_path):
    good = [write_part(tmp_path, row(c * 20, jobs=float(i))) for i, c in enumerate("fgh")]
    write_part(tmp_path, row("i" * 20, status="failed") | {"jobs_end": None})
    frame = load_results(tmp_path)
    assert len(frame) == 4 and sorted(frame["status"]) == ["failed", "ok", "ok", "ok"]
    assert frame.attrs["corrupt"] == []
    good[1].write_bytes(good[1].read_bytes()[:-10])
    with pytest.raises(CorruptPartError, match="1 corrupt or truncated part"):
        load_results(tmp_path)
    frame = load_results(tmp_path, corrupt="skip")
    assert len(frame) == 3 and frame.attrs["corrupt"] == [str(good[1])]
    done, corrupt = parts.scan(tmp_path)
    assert corrupt == [good[1]] and set(done.values()) == {"ok", "failed"}


def test_temporaries_of_a_killed_writer_are_ignored_and_removed(tmp_path):
    write_part(tmp_path, row("j" * 20))
    junk = tmp_path / "runs" / f"{parts.TMP_PREFIX}{'k' * 20}-dead.parquet"
    junk.write_bytes(b"PAR1 half a file")
    assert parts.part_files(tmp_path) == [parts.part_path(tmp_path, "j" * 20)]
    assert len(load_results(tmp_path)) == 1
    assert parts.remove_temporaries(tmp_path) == 1 and not junk.exists()


def test_load_results_needs_a_store(tmp_path):
    with pytest.raises(FileNotFoundError, match="no sweep results"):
        load_results(tmp_path)
