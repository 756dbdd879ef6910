"""Build a region profile from a CSV of employment by industry (:func:`region_from_csv`)."""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path
from typing import Any, get_args

from scenarios.errors import WHOLE_FILE, Problem, ScenarioError
from scenarios.loader import (
    PathLike,
    _decode,
    _fail,
    _read_bytes,
    _region_from_data,
    load_catalogue,
)
from scenarios.schema import Catalogue, InstitutionType, Region
from scenarios.validation import unknown_name

_CSV_COLUMNS = ("industry", "employment", "firms", "district")
_CSV_REQUIRED = ("industry", "employment")
_INSTITUTION_TYPES: tuple[str, ...] = get_args(InstitutionType)


def _count(text: str) -> int:
    """A non-negative count from a CSV cell; raises ValueError with the reason."""
    cleaned = text.strip().replace("_", "").replace(" ", "")
    try:
        number = float(cleaned)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{text.strip()!r} is not a finite number")
    if number < 0:
        raise ValueError(f"{text.strip()} is negative")
    return round(number)


def _district_positions(n: int, width: int, height: int) -> list[tuple[int, int]]:
    cx, cy = width // 2, height // 2
    if n == 1:
        return [(cx, cy)]
    r = 0.28 * min(width, height)
    return [
        (
            round(cx + r * math.cos(math.pi / 2 + 2 * math.pi * k / n)),
            round(cy - r * math.sin(math.pi / 2 + 2 * math.pi * k / n)),
        )
        for k in range(n)
    ]


def _read_csv_rows(path: Path, display: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text = _decode(_read_bytes(path, display), display, "CSV")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count) if first else ","
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise _fail(display, WHOLE_FILE, f"not valid CSV: {exc}") from None
    rows = [(n, row) for n, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise _fail(
            display,
            WHOLE_FILE,
            "the file is empty; allowed: a header line industry,employment[,firms][,district] "
            "and one row per industry",
        )
    header = [h.strip().lower() for h in rows[0][1]]
    return header, rows[1:]


def region_from_csv(
    path: PathLike,
    name: str | None = None,
    *,
    catalogue: Catalogue | None = None,
    **defaults: Any,
) -> Region:
    """Build a region from a CSV of employment by catalogue industry.

    Columns: ``industry,employment[,firms][,district]`` (header required, any order,
    comma, semicolon or tab separated). Everything else has defaults: the districts named
    in the CSV (or three districts) placed around the centre of a 40x40 grid; labour force
    = employment / (1 - unemployment rate), split evenly (plus each district's own
    employment when the CSV names districts); one institution of each type in the first
    district, focused on the capabilities (the association and agency: the industries) of
    the three largest industries.

    Args:
        path: the CSV file.
        name: region name (default: the file name).
        catalogue: catalogue the industries must come from (default: built-in).
        **defaults: any other :class:`~scenarios.schema.Region` field, e.g.
            ``unemployment_rate=0.08``, ``culture={"trust": 0.6}``, ``districts=[...]``.

    Returns:
        The validated region.

    Raises:
        ScenarioError: naming the file, row and column and what is allowed.
    """
    display = os.fspath(path)
    p = Path(path)
    catalogue = catalogue or load_catalogue()
    keys = [i.key for i in catalogue.industries]
    header, rows = _read_csv_rows(p, display)

    problems: list[Problem] = []
    allowed_cols = f"allowed columns: {', '.join(_CSV_COLUMNS)}"
    for col in header:
        if col not in _CSV_COLUMNS:
            problems.append(Problem(display, "header", f"unknown column {col!r}; {allowed_cols}"))
        elif header.count(col) > 1:
            problems.append(Problem(display, "header", f"column {col!r} appears twice"))
    for col in _CSV_REQUIRED:
        if col not in header:
            problems.append(Problem(display, "header", f"missing column {col!r}; {allowed_cols}"))
    if problems:
        raise ScenarioError(dict.fromkeys(problems))

    entries: list[dict[str, Any]] = []
    seen: dict[tuple[str, str | None], int] = {}
    for line, row in rows:
        if len(row) > len(header):
            problems.append(
                Problem(
                    display,
                    f"row {line}",
                    f"{len(row)} values but {len(header)} columns; allowed: one value per column",
                )
            )
            continue
        cells = dict(zip(header, [c.strip() for c in row], strict=False))
        where = f"row {line}, column"
        entry: dict[str, Any] = {}
        key = cells.get("industry", "")
        if key not in keys:
            msg = unknown_name("industry", key, keys) if key else "empty; allowed: an industry"
            problems.append(Problem(display, f"{where} industry", msg))
        entry["key"] = key
        for col in ("employment", "firms"):
            cell = cells.get(col, "")
            if col == "firms" and not cell:
                continue
            try:
                entry[col] = _count(cell)
            except ValueError as exc:
                reason = str(exc) if cell else "empty"
                kind = "workers" if col == "employment" else "firms"
                problems.append(
                    Problem(
                        display,
                        f"{where} {col}",
                        f"{reason}; allowed: a whole number of {kind}, 0 or more",
                    )
                )
        district = cells.get("district") or None
        entry["district"] = district
        if (key, district) in seen:
            problems.append(
                Problem(
                    display,
                    f"{where} industry",
                    f"{key!r} is listed twice (also in row {seen[key, district]}); "
                    "allowed: one row per industry (and district)",
                )
            )
        seen[key, district] = line
        entries.append(entry)
    if not rows:
        problems.append(Problem(display, WHOLE_FILE, "no data rows; allowed: one row per industry"))
    if problems:
        raise ScenarioError(problems)

    region = _csv_region_data(entries, catalogue, defaults)
    region["name"] = name or p.stem
    region.setdefault("description", f"Region built from {p.name}")
    return _region_from_data({**region, **defaults}, display, catalogue=catalogue)


def _csv_region_data(
    entries: list[dict[str, Any]], catalogue: Catalogue, defaults: dict[str, Any]
) -> dict[str, Any]:
    """Districts, labour force and institutions for a CSV region."""
    u = defaults.get("unemployment_rate", 0.06)
    if not isinstance(u, (int, float)) or not 0.0 <= u < 1.0:
        u = 0.06
    width = defaults.get("width", 40) if isinstance(defaults.get("width"), int) else 40
    height = defaults.get("height", 40) if isinstance(defaults.get("height"), int) else 40
    named = list(dict.fromkeys(e["district"] for e in entries if e["district"]))
    names = named or ["District 1", "District 2", "District 3"]
    positions = _district_positions(len(names), width, height)
    own = {n: sum(e["employment"] for e in entries if e["district"] == n) for n in names}
    spread = sum(e["employment"] for e in entries if e["district"] is None) / len(names)
    districts = [
        {
            "name": n,
            "x": min(max(x, 0), width - 1),
            "y": min(max(y, 0), height - 1),
            "labour_force": max(1, math.ceil((own[n] + spread) / (1.0 - u))),
        }
        for n, (x, y) in zip(names, positions, strict=True)
    ]

    by_industry: dict[str, int] = {}
    for e in entries:
        by_industry[e["key"]] = by_industry.get(e["key"], 0) + e["employment"]
    industries = {i.key: i for i in catalogue.industries}
    ranked = sorted(by_industry, key=lambda k: -by_industry[k])
    top = [k for k in ranked if not industries[k].local_services][:3] or ranked[:1]
    capabilities = list(dict.fromkeys(c for k in top for c in industries[k].requires))[:6]
    institutions = [
        {
            "type": t,
            "district": names[0],
            "focus": top if t in ("business_association", "development_agency") else capabilities,
        }
        for t in _INSTITUTION_TYPES
    ]
    return {
        "districts": districts,
        "industries": [{k: v for k, v in e.items() if v is not None} for e in entries],
        "institutions": institutions,
    }
