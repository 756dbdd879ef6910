"""The sweep result store: one Parquet part per finished run, written atomically.

A sweep directory holds ``runs/<run_id>.parquet``, one single-row part per finished run
(ok or failed). A part is written to a temporary file in the same directory, flushed
and fsynced, then renamed into place, so a killed sweep leaves either a whole part or
none. Each part carries, in its Parquet metadata, a SHA-256 checksum of its row; a part
whose footer is unreadable, whose checksum does not match or whose run id is not its
file name is *corrupt*: the sweep redoes it and :func:`load_results` refuses it.

The run id is a stable hash of the scenario (its full content), the parameters, the seed
and the number of steps, so a rerun knows what is done whatever the order of the runs.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

RUNS_DIR = "runs"
CHECKSUM_KEY = b"mesoscape.checksum"
TMP_PREFIX = ".tmp-"


class CorruptPartError(ValueError):
    """Parts of a result store that are unreadable or fail their checksum.

    Attributes:
        paths: the corrupt parts.
    """

    def __init__(self, paths: list[Path]) -> None:
        self.paths = list(paths)
        shown = ", ".join(p.name for p in self.paths[:5])
        more = f" and {len(self.paths) - 5} more" if len(self.paths) > 5 else ""
        super().__init__(
            f"{self.paths[0].parent}: {len(self.paths)} corrupt or truncated part(s) "
            f"({shown}{more}); rerun the sweep into the same directory to redo them"
        )


def _canonical(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def canonical_json(data: Mapping[str, Any]) -> str:
    """Deterministic JSON text of plain values (sorted keys, exact float repr, NaN as text)."""
    return json.dumps(
        {str(k): _canonical(v) for k, v in data.items()},
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    )


def run_id(scenario_digest: str, params: Mapping[str, Any], seed: int, steps: int | None) -> str:
    """The stable id of one run: a hash of scenario, parameters, seed and steps.

    Args:
        scenario_digest: a digest of the base scenario's content (or the target's name).
        params: parameter path -> value.
        seed: the run's seed.
        steps: quarters (None: the scenario's).

    Returns:
        20 hex digits.
    """
    text = canonical_json(
        {
            "scenario": scenario_digest,
            "params": canonical_json(params),
            "seed": seed,
            "steps": steps,
        }
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def row_checksum(row: Mapping[str, Any]) -> str:
    """SHA-256 of a row's canonical JSON."""
    return hashlib.sha256(canonical_json(row).encode()).hexdigest()


def part_path(directory: Path, rid: str) -> Path:
    """Where the part of run `rid` lives."""
    return Path(directory) / RUNS_DIR / f"{rid}.parquet"


def write_part(directory: str | Path, row: Mapping[str, Any]) -> Path:
    """Write one run's row as its part, atomically (temporary file, fsync, rename).

    Args:
        directory: the sweep directory.
        row: plain values (str, int, float, bool, None); must hold ``run_id``.

    Returns:
        The part's path.
    """
    runs = Path(directory) / RUNS_DIR
    runs.mkdir(parents=True, exist_ok=True)
    rid = str(row["run_id"])
    table = pa.Table.from_pylist([dict(row)])
    table = table.replace_schema_metadata({CHECKSUM_KEY: row_checksum(row).encode()})
    final = runs / f"{rid}.parquet"
    tmp = runs / f"{TMP_PREFIX}{rid}-{uuid.uuid4().hex[:8]}.parquet"
    try:
        with open(tmp, "wb") as fh:
            # one row: dictionaries, statistics and compression only cost time
            pq.write_table(
                table, fh, use_dictionary=False, write_statistics=False, compression="none"
            )
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()
    # the directory is not fsynced: after a power cut a part may be missing (then redone),
    # never truncated, since its data was fsynced before the rename
    return final


def read_part(path: str | Path) -> dict[str, Any]:
    """Read and verify one part.

    Args:
        path: the part file.

    Returns:
        Its row.

    Raises:
        CorruptPartError: unreadable, truncated, checksum mismatch or wrong run id.
    """
    path = Path(path)
    try:
        table = pq.read_table(path)
        meta = table.schema.metadata or {}
        rows = table.to_pylist()
    except (OSError, pa.ArrowException, ValueError):
        raise CorruptPartError([path]) from None
    if len(rows) != 1 or CHECKSUM_KEY not in meta:
        raise CorruptPartError([path])
    row = rows[0]
    if row_checksum(row) != meta[CHECKSUM_KEY].decode() or row.get("run_id") != path.stem:
        raise CorruptPartError([path])
    return row


def part_files(directory: str | Path) -> list[Path]:
    """The part files of a store, sorted (temporary files left by a kill excluded)."""
    runs = Path(directory) / RUNS_DIR
    if not runs.is_dir():
        return []
    return sorted(p for p in runs.glob("*.parquet") if not p.name.startswith(TMP_PREFIX))


def remove_temporaries(directory: str | Path) -> int:
    """Delete temporary files a killed writer left behind; returns how many."""
    runs = Path(directory) / RUNS_DIR
    n = 0
    for p in runs.glob(f"{TMP_PREFIX}*") if runs.is_dir() else []:
        p.unlink(missing_ok=True)
        n += 1
    return n


def scan(directory: str | Path) -> tuple[dict[str, str], list[Path]]:
    """What a store holds: each verified run's status, and the corrupt parts.

    Args:
        directory: the sweep directory.

    Returns:
        ``({run_id: "ok" | "failed"}, [corrupt part paths])``.
    """
    done: dict[str, str] = {}
    corrupt: list[Path] = []
    for path in part_files(directory):
        try:
            row = read_part(path)
        except CorruptPartError:
            corrupt.append(path)
            continue
        done[path.stem] = str(row.get("status"))
    return done, corrupt


def load_results(directory: str | Path, corrupt: str = "raise") -> pd.DataFrame:
    """All runs of a sweep directory as one tidy DataFrame, one row per run.

    Columns: ``run_id``, ``status`` (``ok`` or ``failed``), ``error``, ``scenario``,
    ``seed``, ``replication``, one column per parameter (its dotted path), one per outcome,
    and ``versions`` (JSON text). Rows are in design order (point, then replication).
    ``attrs`` holds the ``parameters`` and ``outcomes`` column names, and the ``corrupt``
    parts skipped.

    Args:
        directory: the sweep directory.
        corrupt: ``"raise"`` (default): refuse a store with corrupt parts;
            ``"skip"``: leave them out and list them in ``attrs["corrupt"]``.

    Returns:
        The runs.

    Raises:
        CorruptPartError: a part is unreadable or fails its checksum (``corrupt="raise"``).
        FileNotFoundError: the directory holds no result store.
    """
    directory = Path(directory)
    if not (directory / RUNS_DIR).is_dir():
        raise FileNotFoundError(f"{directory}: no sweep results here (no {RUNS_DIR}/ folder)")
    if corrupt not in ("raise", "skip"):
        raise ValueError(f"corrupt={corrupt!r}; allowed: 'raise' or 'skip'")
    rows: list[dict[str, Any]] = []
    bad: list[Path] = []
    for path in part_files(directory):
        try:
            rows.append(read_part(path))
        except CorruptPartError:
            bad.append(path)
    if bad and corrupt == "raise":
        raise CorruptPartError(bad)
    frame = pd.DataFrame(rows)
    meta_file = directory / "sweep.json"
    params: list[str] = []
    outcomes: list[str] = []
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        params = list(meta.get("parameters", []))
    design_file = directory / "design.parquet"
    if not frame.empty and design_file.is_file():
        first = pd.read_parquet(design_file, columns=["run_id"]).drop_duplicates()
        rank = pd.Series(range(len(first)), index=first["run_id"])
        frame = frame.iloc[frame["run_id"].map(rank).fillna(len(rank)).argsort(kind="stable")]
        frame = frame.reset_index(drop=True)
    if not frame.empty:
        fixed = ["run_id", "status", "error", "scenario", "seed", "replication"]
        outcomes = [c for c in frame.columns if c not in (*fixed, *params, "versions")]
        order = [c for c in (*fixed, *params, *outcomes, "versions") if c in frame.columns]
        frame = frame[order]
    frame.attrs.update(parameters=params, outcomes=outcomes, corrupt=[str(p) for p in bad])
    return frame
