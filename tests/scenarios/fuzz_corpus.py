"""A mutation corpus built at test time from the built-in files, and the oracle judging it.

Every built-in scenario, region and the catalogue (and a scenario with its region inline, and
a region CSV written from each built-in region) is parsed and mutated at every node: keys
deleted, list entries duplicated or multiplied, values replaced by values of other types, by
extreme numbers (NaN, infinities, huge, negative), by hostile text (escape sequences, NUL,
right-to-left overrides, path traversal, very long text), unknown keys added; the TOML text
is truncated at many points. Where the schema says a mutation is invalid (a number outside
its field's bounds, a wrong type, an unknown key, too long a list), the case records the
field that the error must name, so that a silent acceptance is caught.

The oracle that judges each case is in :mod:`tests.scenarios.fuzz_oracle`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import tomllib
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

import annotated_types
import tomli_w
from hypothesis import settings
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from scenarios import load_region, load_scenario, scenario_to_toml
from scenarios.errors import (
    format_path,
    unwrap_type,
)
from scenarios.loader import CATALOGUE_FILE, REGIONS_DIR, SCENARIOS_DIR
from scenarios.schema import Catalogue, Region, Scenario

#: the fuzz profile (HYPOTHESIS_PROFILE=fuzz) multiplies the random part of the corpus
SCALE = max(1, (settings.default.max_examples or 100) // 100)

Kind = Literal["scenario", "region", "catalogue", "csv"]
ROOTS: dict[str, type[BaseModel]] = {"scenario": Scenario, "region": Region, "catalogue": Catalogue}


@dataclass(frozen=True)
class Case:
    """One generated input file.

    Attributes:
        kind: how it is loaded.
        content: the file's bytes.
        label: what was mutated, for failure reports.
        error_at: a field the error must name (the mutation is invalid there), or None.
        same_as: for a CSV written differently but meaning the same: the original's bytes.
    """

    kind: Kind
    content: bytes
    label: str
    error_at: str | None = None
    same_as: bytes | None = None


# --------------------------------------------------------------------------- sources


def sources() -> list[tuple[Kind, str, dict[str, Any]]]:
    """(kind, file name, parsed document) of every built-in file, plus an inline scenario."""
    out: list[tuple[Kind, str, dict[str, Any]]] = []
    for path in sorted(SCENARIOS_DIR.glob("*.toml")):
        out.append(("scenario", path.name, tomllib.loads(path.read_text("utf-8"))))
    inline = scenario_to_toml(load_scenario("decline_bottom_up"), inline_catalogue=False)
    out.append(("scenario", "inline_region.toml", tomllib.loads(inline)))
    for path in sorted(REGIONS_DIR.glob("*.toml")):
        out.append(("region", path.name, tomllib.loads(path.read_text("utf-8"))))
    out.append(("catalogue", CATALOGUE_FILE.name, tomllib.loads(CATALOGUE_FILE.read_text("utf-8"))))
    return out


def region_csv(name: str) -> tuple[str, list[list[str]]]:
    """A region CSV written from a built-in region: header and rows as cells."""
    region = load_region(name)
    rows = [["industry", "employment", "firms", "district"]]
    for ind in region.industries:
        firms = "" if ind.firms is None else str(ind.firms)
        rows.append([ind.key, str(ind.employment), firms, ind.district or ""])
    return f"{name}.csv", rows


# --------------------------------------------------------------------------- the schema


def _member(tp: Any, node: Any) -> Any:
    """The model a value at a union of tagged models (events) validates as, by its type key."""
    bare = unwrap_type(tp)
    if typing.get_origin(bare) not in (Union, types.UnionType):
        return bare
    members = typing.get_args(bare)
    tag = node.get("type") if isinstance(node, dict) else None
    return next(
        (m for m in members if tag in typing.get_args(m.model_fields["type"].annotation)), None
    )


def _field_at(root: type[BaseModel], doc: Any, path: tuple[str | int, ...]) -> Any:
    """(type, FieldInfo or None) at a data path, or None if the schema has no such place."""
    tp: Any = root
    field: FieldInfo | None = None
    node = doc
    for part in path:
        bare = _member(tp, node)
        if isinstance(bare, type) and issubclass(bare, BaseModel) and isinstance(part, str):
            if part not in bare.model_fields:
                return None
            field = bare.model_fields[part]
            tp = field.annotation
        elif typing.get_origin(bare) is list and isinstance(part, int):
            tp, field = typing.get_args(bare)[0], None
        else:
            return None
        node = node[part] if isinstance(node, (dict, list)) else None
    return tp, field, node


def _schema_root(kind: Kind, path: tuple[str | int, ...]) -> tuple[type[BaseModel], tuple] | None:
    """The model and the path within it for a location of a file of `kind`."""
    if kind != "scenario":
        return ROOTS[kind], path
    if path and path[0] == "region_overrides":
        return Region, path[1:]
    if path and path[0] in ("region", "catalogue"):
        if len(path) == 1:
            return None  # a reference or a table: several types allowed
        return (Region if path[0] == "region" else Catalogue), path[1:]
    return Scenario, path


_BOUND_TYPES = (
    ("ge", annotated_types.Ge),
    ("gt", annotated_types.Gt),
    ("le", annotated_types.Le),
    ("lt", annotated_types.Lt),
)
_BOUNDS: dict[int, tuple[FieldInfo, list[tuple[str, float]]]] = {}


def _bounds(field: FieldInfo | None) -> list[tuple[str, float]]:
    """The numeric bounds a field declares, as (``ge``/``gt``/``le``/``lt``, number)."""
    if field is None:
        return []
    if id(field) not in _BOUNDS:
        out = [
            (a, getattr(m, a)) for m in field.metadata for a, t in _BOUND_TYPES if isinstance(m, t)
        ]
        _BOUNDS[id(field)] = (field, out)  # the field is kept, so its id stays unique
    return _BOUNDS[id(field)][1]


def _in_bounds(value: float, bounds: list[tuple[str, float]]) -> bool:
    ops = {
        "ge": lambda a, b: a >= b,
        "gt": lambda a, b: a > b,
        "le": lambda a, b: a <= b,
        "lt": lambda a, b: a < b,
    }
    return math.isfinite(value) and all(ops[op](value, b) for op, b in bounds)


def _max_length(field: FieldInfo | None) -> int | None:
    for m in field.metadata if field is not None else []:
        if isinstance(m, annotated_types.MaxLen):
            return m.max_length
    return None


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _str_refused(tp: Any, field: FieldInfo | None, value: str) -> bool:
    """Does a text field's own rule (safe text, slug, pattern, length) refuse `value`?"""
    metas: list[Any] = list(field.metadata) if field is not None else []
    if typing.get_origin(tp) is Annotated:
        metas += typing.get_args(tp)[1:]
    metas += [m for info in metas if isinstance(info, FieldInfo) for m in info.metadata]
    for m in metas:
        func = getattr(m, "func", None)
        if callable(func):
            try:
                func(value)
            except ValueError:  # PydanticCustomError is one
                return True
        pattern = getattr(m, "pattern", None)
        if isinstance(pattern, str) and re.search(pattern, value) is None:
            return True
        if isinstance(m, annotated_types.MaxLen) and len(value) > m.max_length:
            return True
    return False


def invalid_here(kind: Kind, doc: dict[str, Any], path: tuple[str | int, ...], value: Any) -> bool:
    """True if the schema refuses `value` at `path` by the field's own rules.

    Only rules the field states itself count (type, bounds, text rules, list length, unknown
    key); cross-checks between fields are left to the general oracle.
    """
    where = _schema_root(kind, path)
    if where is None or path[-1] == "type":
        return False
    root, sub = where
    base = _sub_doc(doc, path[: len(path) - len(sub)])
    at = _field_at(root, base, sub)
    if at is None:  # an unknown key is refused in any table of the schema
        parent = _field_at(root, base, sub[:-1])
        return parent is not None and isinstance(sub[-1], str) and _is_model(_member(*parent[::2]))
    tp, field, _ = at
    bare = unwrap_type(tp)
    if typing.get_origin(bare) is Literal:
        return value not in typing.get_args(bare)
    if bare in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return True
        if bare is int and isinstance(value, float):
            return True
        return bool(_bounds(field)) and not _in_bounds(float(value), _bounds(field))
    if bare is bool:
        return not isinstance(value, bool)
    if bare is str:
        return not isinstance(value, str) or _str_refused(tp, field, value)
    if typing.get_origin(bare) is list:
        limit = _max_length(field)
        return not isinstance(value, list) or (limit is not None and len(value) > limit)
    if _is_model(bare):
        return not isinstance(value, dict)
    return False


def _sub_doc(doc: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


# --------------------------------------------------------------------------- mutations

HOSTILE_TEXT = [
    "",
    "x" * 5_000,
    "\x1b[31mred\x1b[0m",
    "a\u202eb",
    "../../etc/passwd",
    "/abs/path",
    "nul\x00byte",
    "é中文🙂",
    "line\nbreak",
]
EXTREME_NUMBERS: list[Any] = [
    -1,
    0,
    2**63 - 1,
    -(2**63),
    1e308,
    -1e308,
    math.nan,
    math.inf,
    -math.inf,
    0.5,
    1e-300,
]
OTHER_TYPES: list[Any] = [
    "text",
    7,
    0.25,
    True,
    [1, "a"],
    {"k": 1},
    dt.datetime(2020, 1, 1, 12, 0),
    dt.date(2020, 1, 1),
]
UNKNOWN_KEY = "zzz_unknown"
#: entries of each list whose insides are mutated
LIST_ITEMS = 4


def _nodes(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    if path:
        yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(node, list):  # the first few entries of a list (all, when fuzzing)
        for i, v in enumerate(node[: LIST_ITEMS * SCALE]):
            yield from _nodes(v, (*path, i))


_DELETE: Any = object()


def _dump_with(doc: dict[str, Any], path: tuple, value: Any) -> bytes | None:
    """The document's TOML with the node at `path` set to `value` (or deleted), unchanged after."""
    container = _sub_doc(doc, path[:-1])
    key = path[-1]
    had = key in container if isinstance(container, dict) else True
    old = container[key] if had else None
    try:
        if value is _DELETE:
            del container[key]
        else:
            container[key] = value
        return _dump(doc)
    finally:
        if value is _DELETE and isinstance(container, list):
            container.insert(key, old)
        elif had:
            container[key] = old
        else:
            del container[key]


def _replacements(value: Any) -> list[Any]:
    """Values to put in place of `value`: other types, extremes, hostile text."""
    if isinstance(value, bool):
        return [v for v in OTHER_TYPES if not isinstance(v, bool)][:4] + [0, 1]
    if isinstance(value, (int, float)):
        scaled = [value * 1000 + 1, -value - 1]
        if isinstance(value, int):
            scaled.append(value + 0.5)
        return EXTREME_NUMBERS + scaled + ["12", True, [value]]
    if isinstance(value, str):
        return HOSTILE_TEXT + [7, 1.5, False, [value], {"k": value}]
    if isinstance(value, list):
        return ["text", 3, {"k": 1}, []]
    if isinstance(value, dict):
        return ["text", 3, [value]]
    return ["text"]


def _dump(doc: dict[str, Any]) -> bytes | None:
    try:
        return tomli_w.dumps(doc).encode("utf-8")
    except (TypeError, ValueError):  # e.g. NaN keys or unserialisable mixes
        return None


def toml_cases(kind: Kind, name: str, doc: dict[str, Any]) -> Iterator[Case]:
    """Every mutation of one parsed TOML document, and truncations of its text."""
    text = tomli_w.dumps(doc).encode("utf-8")
    yield Case(kind, text, f"{name}: unchanged")
    for path, value in list(_nodes(doc)):
        where = format_path(path)
        label = f"{name}: {where}"
        content = _dump_with(doc, path, _DELETE)
        if content is not None:
            yield Case(kind, content, f"{label} deleted")
        for new in _replacements(value):
            content = _dump_with(doc, path, new)
            if content is None:
                continue
            bad = invalid_here(kind, doc, path, new)
            yield Case(kind, content, f"{label} = {new!r:.40}", where if bad else None)
        if isinstance(value, list) and value:
            for times in (2, 300):
                new = value + [value[0]] * (times - 1) if times == 2 else value * times
                content = _dump_with(doc, path, new)
                if content is not None:
                    bad = invalid_here(kind, doc, path, new)
                    yield Case(kind, content, f"{label} x{times}", where if bad else None)
        if isinstance(value, dict):
            content = _dump_with(doc, (*path, UNKNOWN_KEY), 1)
            if content is not None:
                bad = invalid_here(kind, doc, (*path, UNKNOWN_KEY), 1)
                unknown = format_path((*path, UNKNOWN_KEY))
                yield Case(kind, content, f"{label} + unknown key", unknown if bad else None)
    content = _dump({**doc, UNKNOWN_KEY: 1})
    if content is not None:
        yield Case(kind, content, f"{name}: + unknown top-level key", UNKNOWN_KEY)
    n = len(text)
    for k in range(1, 25 * SCALE):
        cut = n * k // (25 * SCALE)
        yield Case(kind, text[:cut], f"{name}: truncated at byte {cut}")
    for k in range(8 * SCALE):
        at = (k * 7919) % max(n, 1)
        flipped = text[:at] + bytes([text[at] ^ 0x80]) + text[at + 1 :]
        yield Case(kind, flipped, f"{name}: byte {at} flipped")


def _csv_text(rows: list[list[str]], sep: str = ",", end: str = "\n") -> bytes:
    return (end.join(sep.join(r) for r in rows) + end).encode("utf-8")


BAD_COUNTS = [
    "12.7",
    "0.4",
    "-3",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e400",
    "\u0661\u0662\u0663\u0664",
    "\uff11\uff12",
    "0x10",
    "five",
    "5e-1",
    "99999999999999999999",
    "1_0",
]


def csv_cases(name: str, rows: list[list[str]]) -> Iterator[Case]:
    """Mutations of a region CSV: cells, rows, columns, encodings, line ends, truncation."""
    good = _csv_text(rows)
    yield Case("csv", good, f"{name}: unchanged")
    header = rows[0]
    for r in range(1, len(rows)):
        line = r + 1
        for c, column in enumerate(header):

            def with_cell(value: str, r: int = r, c: int = c) -> bytes:
                new = [list(row) for row in rows]
                new[r][c] = value
                return _csv_text(new)

            where = f"row {line}, column {column}"
            if column in ("employment", "firms"):
                for bad in BAD_COUNTS:
                    yield Case("csv", with_cell(bad), f"{name}: {where} = {bad!r}", where)
                if column == "employment":
                    yield Case("csv", with_cell(""), f"{name}: {where} empty", where)
                for fine in (f"{rows[r][c]}.0",) if rows[r][c] else ():
                    yield Case("csv", with_cell(fine), f"{name}: {where} = {fine!r}", None, good)
            if column == "industry":
                for bad in ("warp_drives", "", "Machinery", "x" * 3000):
                    yield Case("csv", with_cell(bad), f"{name}: {where} = {bad[:20]!r}", where)
            if column == "district":
                yield Case("csv", with_cell("x" * 200), f"{name}: {where} too long", where)
            for hostile in ("a\x00b", "\x1b[2J", "a\u202eb", "\ufeff"):
                yield Case(
                    "csv", with_cell(hostile), f"{name}: {where} = {hostile!r}", f"row {line}"
                )
        dup = [list(row) for row in rows] + [list(rows[r])]
        yield Case(
            "csv", _csv_text(dup), f"{name}: row {line} twice", f"row {len(dup)}, column industry"
        )
        short = [list(row) for row in rows]
        short[r] = short[r][:1]
        yield Case(
            "csv",
            _csv_text(short),
            f"{name}: row {line} cut short",
            f"row {line}, column employment",
        )
        long = [list(row) for row in rows]
        long[r] = [*long[r], "extra"]
        yield Case("csv", _csv_text(long), f"{name}: row {line} extra value", f"row {line}")
    # the same region written differently
    body = [list(row) for row in rows]
    for label, content in [
        ("BOM", b"\xef\xbb\xbf" + good),
        ("CR LF", _csv_text(rows, end="\r\n")),
        ("CR", _csv_text(rows, end="\r")),
        ("semicolons", _csv_text(rows, sep=";")),
        ("tabs", _csv_text(rows, sep="\t")),
        ("blank lines", good.replace(b"\n", b"\n\n")),
        ("upper-case header", _csv_text([[h.upper() for h in header], *body[1:]])),
        ("no final newline", good.rstrip(b"\n")),
    ]:
        yield Case("csv", content, f"{name}: {label}", None, good)
    # columns and structure
    yield Case(
        "csv",
        _csv_text([[*header, "jobs"], *[[*r, "1"] for r in body[1:]]]),
        f"{name}: unknown column",
        "header",
    )
    no_emp = [
        [cell for cell, h in zip(row, header, strict=True) if h != "employment"] for row in rows
    ]
    yield Case("csv", _csv_text(no_emp), f"{name}: no employment column", "header")
    yield Case(
        "csv",
        _csv_text([header, *body[1:]]).replace(b"industry", b"industry,industry", 1),
        f"{name}: column twice",
        "header",
    )
    yield Case("csv", b"", f"{name}: empty", "header")
    yield Case("csv", b"\xef\xbb\xbf", f"{name}: only a BOM", "header")
    yield Case("csv", _csv_text([header]), f"{name}: header only", "rows")
    yield Case("csv", _csv_text([header] + body[1:2] * 1_500), f"{name}: 1,500 rows", "(file)")
    yield Case("csv", good.replace(b",", b",\x00", 1), f"{name}: NUL byte", "row 1")
    yield Case("csv", good.decode().encode("utf-16"), f"{name}: UTF-16", "(file)")
    for k in range(1, 20 * SCALE):
        cut = len(good) * k // (20 * SCALE)
        yield Case("csv", good[:cut], f"{name}: truncated at byte {cut}")


def corpus(kinds: tuple[Kind, ...]) -> list[Case]:
    """Every case for files of these kinds."""
    return [case for kind in kinds for case in _corpus_of(kind)]


@functools.cache
def _corpus_of(kind: Kind) -> tuple[Case, ...]:
    cases: list[Case] = []
    if kind == "csv":
        for region in sorted(p.stem for p in REGIONS_DIR.glob("*.toml")):
            cases += csv_cases(*region_csv(region))
    for source_kind, name, doc in sources():
        if source_kind == kind:
            cases += toml_cases(kind, name, doc)
    return tuple(cases)
