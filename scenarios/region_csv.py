"""Build a region profile from a CSV of employment by industry (:func:`region_from_csv`).

The CSV is read strictly: counts must be whole numbers written with the digits 0-9 (``12.7``
firms, ``0.4`` workers, ``NaN``, ``-3`` and ``١٢`` are refused, not rounded), every column
must be known, and control characters (a NUL byte, escape sequences) are refused. A UTF-8
byte-order mark and any line ending (LF, CR LF, CR) are accepted. Sizes are
checked before the region is built: the file's size before it is read, the number of rows
before they are parsed, the total of firms and workers before validation (limits in
:mod:`scenarios.limits`).
"""

from __future__ import annotations

import csv
import math
import os
import re
from pathlib import Path
from typing import Any, get_args

from scenarios.errors import WHOLE_FILE, Problem, ScenarioError, show_value
from scenarios.limits import (
    MAX_CSV_ROWS,
    MAX_FIRMS,
    MAX_LABEL,
    MAX_LABOUR_FORCE,
    default_firm_count,
    slugify,
    unsafe_character,
)
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
_HEADER_HELP = "a header line industry,employment[,firms][,district] and one row per industry"
#: a whole number: plain digits, optionally grouped in thousands by spaces or underscores
_WHOLE = re.compile(r"[0-9]+|[0-9]{1,3}(?:[ _][0-9]{3})+")
_MAX_DIGITS = 15


def _count(text: str) -> int:
    """A whole, non-negative count from a CSV cell; raises ValueError with the reason.

    Accepted: ``1200``, ``1 200``, ``1_200``, and whole numbers in decimal or exponent
    notation (``1200.0``, ``1.2E+03``, as spreadsheets write them). Refused: fractions,
    NaN and infinity, negative numbers, digits other than 0-9, anything else.
    """
    cell = text.strip(" \t")
    shown = show_value(cell)
    if not cell:
        raise ValueError("empty")
    if not cell.isascii():
        if any(ch.isdigit() for ch in cell):
            raise ValueError(f"{shown} uses digits other than 0-9")
        raise ValueError(f"{shown} is not a number")
    if _WHOLE.fullmatch(cell):
        digits = cell.replace(" ", "").replace("_", "")
        if len(digits.lstrip("0")) > _MAX_DIGITS:
            raise ValueError(f"{shown} is too large")
        return int(digits)
    if len(cell) > 30 or "_" in cell:
        raise ValueError(f"{shown} is not a number")
    try:
        number = float(cell)
    except ValueError:
        raise ValueError(f"{shown} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{shown} is not a finite number")
    if number < 0:
        raise ValueError(f"{shown} is negative")
    if not number.is_integer():
        raise ValueError(f"{shown} is not a whole number")
    if number >= 10**_MAX_DIGITS:
        raise ValueError(f"{shown} is too large")
    return int(number)


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


def _lines(text: str) -> list[str]:
    """The file's lines, whatever its line endings (LF, CR LF or CR)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _read_csv_rows(path: Path, display: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (lower case) and the data rows with their line numbers.

    Raises:
        ScenarioError: the file is too large, not UTF-8, holds control characters, has too
            many rows, is not CSV or is empty.
    """
    text = _decode(_read_bytes(path, display, "a .csv file"), display, "CSV")
    lines = _lines(text)
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip(" \t,;")]
    if len(numbered) > MAX_CSV_ROWS + 1:
        raise _fail(
            display,
            WHOLE_FILE,
            f"{len(numbered) - 1:,} data rows; allowed: at most {MAX_CSV_ROWS:,} "
            "(one per industry and district)",
        )
    problems = []
    for n, line in numbered:
        bad = None if line.isprintable() else unsafe_character(line, allow="\t")
        if bad is not None:
            what = (
                "a NUL byte"
                if bad == "\0"
                else f"the control or invisible character U+{ord(bad):04X}"
            )
            problems.append(Problem(display, f"row {n}", f"holds {what}; allowed: plain text"))
    if problems:
        raise ScenarioError(problems)
    if not numbered:
        raise _fail(display, "header", f"the file is empty; allowed: {_HEADER_HELP}")
    first = numbered[0][1]
    delimiter = max(",;\t", key=first.count)
    rows: list[tuple[int, list[str]]] = []
    try:
        for n, line in numbered:
            rows += [(n, row) for row in csv.reader([line], delimiter=delimiter, strict=True)]
    except csv.Error as exc:
        raise _fail(display, f"row {n}", f"not valid CSV: {exc}") from None
    header = [h.strip(" \t").lower() for h in rows[0][1]]
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
    header, rows = _read_csv_rows(p, display)
    _check_header(header, display)
    if not rows:
        raise _fail(display, "rows", "the file has no data rows; allowed: one row per industry")
    entries = _entries(header, rows, display, [i.key for i in catalogue.industries])
    _check_totals(entries, display, defaults)

    region = _csv_region_data(entries, catalogue, defaults)
    region["name"] = name if name is not None else slugify(p.stem, "region")
    safe = unsafe_character(p.name) is None and len(p.name) <= MAX_LABEL
    region.setdefault("description", f"Region built from {p.name if safe else 'a CSV file'}")
    try:
        return _region_from_data({**region, **defaults}, display, catalogue=catalogue)
    except ScenarioError as exc:
        raise ScenarioError(_in_rows(exc.problems, [line for line, _ in rows])) from None


_ENTRY_FIELD = re.compile(r"industries\[(\d+)\]\.(key|employment|firms|district)")


def _in_rows(problems: list[Problem], lines: list[int]) -> list[Problem]:
    """Problems of the region's industry entries, named by the CSV row and column."""
    out = []
    for p in problems:
        m = _ENTRY_FIELD.fullmatch(p.field)
        if m is not None and int(m.group(1)) < len(lines):
            column = "industry" if m.group(2) == "key" else m.group(2)
            p = Problem(p.file, f"row {lines[int(m.group(1))]}, column {column}", p.message)
        out.append(p)
    return out


def _check_header(header: list[str], display: str) -> None:
    """Every column known, none twice, the required ones present."""
    problems: list[Problem] = []
    allowed_cols = f"allowed columns: {', '.join(_CSV_COLUMNS)}"
    for n, col in enumerate(header):
        if not col:
            problems.append(
                Problem(display, "header", f"column {n + 1} has no name; {allowed_cols}")
            )
        elif col not in _CSV_COLUMNS:
            problems.append(
                Problem(display, "header", f"unknown column {show_value(col)}; {allowed_cols}")
            )
        elif header.count(col) > 1:
            problems.append(Problem(display, "header", f"column {col!r} appears twice"))
    for col in _CSV_REQUIRED:
        if col not in header:
            problems.append(Problem(display, "header", f"missing column {col!r}; {allowed_cols}"))
    if problems:
        raise ScenarioError(dict.fromkeys(problems))


def _entries(
    header: list[str], rows: list[tuple[int, list[str]]], display: str, keys: list[str]
) -> list[dict[str, Any]]:
    """One region industry entry per row; every problem of every row at once."""
    problems: list[Problem] = []
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
        cells = dict(zip(header, [c.strip(" \t") for c in row], strict=False))
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
                kind = "workers" if col == "employment" else "firms"
                problems.append(
                    Problem(
                        display,
                        f"{where} {col}",
                        f"{exc}; allowed: a whole number of {kind}, 0 or more",
                    )
                )
        district = cells.get("district") or None
        if district is not None and len(district) > MAX_LABEL:
            problems.append(
                Problem(
                    display,
                    f"{where} district",
                    f"{len(district)} characters; allowed: a name of at most {MAX_LABEL}",
                )
            )
        entry["district"] = district
        if (key, district) in seen:
            problems.append(
                Problem(
                    display,
                    f"{where} industry",
                    f"{show_value(key)} is listed twice (also in row {seen[key, district]}); "
                    "allowed: one row per industry (and district)",
                )
            )
        seen[key, district] = line
        entries.append(entry)
    if problems:
        raise ScenarioError(problems)
    return entries


def _check_totals(entries: list[dict[str, Any]], display: str, defaults: dict[str, Any]) -> None:
    """The firms and the labour force the rows ask for, in all, within the limits."""
    firms = sum(default_firm_count(e["employment"], e.get("firms")) for e in entries)
    if firms > MAX_FIRMS:
        raise _fail(
            display,
            "column firms",
            f"the rows ask for {firms:,} firms in all (rows without firms count employment "
            f"/ 40); allowed: at most {MAX_FIRMS:,}",
        )
    employed = sum(e["employment"] for e in entries)
    u = _unemployment(defaults)
    if employed / (1.0 - u) > MAX_LABOUR_FORCE:
        raise _fail(
            display,
            "column employment",
            f"{employed:,} workers in all need a labour force above {MAX_LABOUR_FORCE:,}; "
            f"allowed: at most {math.floor(MAX_LABOUR_FORCE * (1.0 - u)):,} workers "
            f"(at {u:.0%} unemployment)",
        )


def _unemployment(defaults: dict[str, Any]) -> float:
    u = defaults.get("unemployment_rate", 0.06)
    if isinstance(u, bool) or not isinstance(u, (int, float)) or not 0.0 <= u < 1.0:
        return 0.06
    return float(u)


def _csv_region_data(
    entries: list[dict[str, Any]], catalogue: Catalogue, defaults: dict[str, Any]
) -> dict[str, Any]:
    """Districts, labour force and institutions for a CSV region."""
    u = _unemployment(defaults)
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
