"""The oracle judging the fuzz corpus: an independent audit of accepted objects, clean errors.

:func:`judge`: loading gives a valid object that passes :func:`audit` (every declared bound,
the documented limits of :mod:`scenarios.limits` checked on their own, safe text, totals),
or a :class:`ScenarioError` whose lines are short, printable, ``FILE: FIELD: MESSAGE`` and
name the field the case expects. Anything else is a fault.
"""

from __future__ import annotations

import math
from pathlib import Path

from pydantic import BaseModel

from scenarios.errors import MAX_LINE, MAX_PROBLEMS, WHOLE_FILE, ScenarioError
from scenarios.events import stacked_demand_issues
from scenarios.limits import (
    MAX_CAPABILITIES,
    MAX_DESCRIPTION,
    MAX_DISTRICTS,
    MAX_EVENTS,
    MAX_FIRMS,
    MAX_GRID,
    MAX_INDUSTRIES,
    MAX_INPUT_LINKS,
    MAX_INSTITUTIONS,
    MAX_LABEL,
    MAX_LABOUR_FORCE,
    MAX_REGION_INDUSTRIES,
    MAX_STEPS,
    MIN_GRID,
    SLUG,
    default_firm_count,
    unsafe_character,
)
from scenarios.schema import Catalogue, Region, Scenario
from tests.scenarios.fuzz_corpus import Case, _bounds, _in_bounds, _max_length

_AUDITED: dict[int, tuple[BaseModel, list[str]]] = {}


def audit(obj: BaseModel, path: str = "") -> list[str]:
    """Every bound or limit a validated object breaks (it should break none).

    Independent of the validators: it reads each field's declared bounds and list lengths
    and checks the values, checks text for control characters, names for the slug rule, and
    the totals (firms, labour force, stacked booms) against the limits.
    """
    if isinstance(obj, Catalogue) and id(obj) in _AUDITED:  # the shared built-in catalogue
        return _AUDITED[id(obj)][1]
    found: list[str] = []
    for name, field in type(obj).model_fields.items():
        value = getattr(obj, name)
        where = f"{path}.{name}" if path else name
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            if not math.isfinite(value) or (
                _bounds(field) and not _in_bounds(value, _bounds(field))
            ):
                found.append(f"{where} = {value!r} is outside {_bounds(field)}")
        elif isinstance(value, str):
            limit = MAX_DESCRIPTION if name == "description" else MAX_LABEL
            if (
                unsafe_character(value, "\n\t" if name == "description" else "")
                or len(value) > limit
            ):
                found.append(f"{where} = {value[:40]!r} is not safe text")
        elif isinstance(value, list):
            limit = _max_length(field)
            if limit is not None and len(value) > limit:
                found.append(f"{where} has {len(value)} items, more than {limit}")
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found += audit(item, f"{where}[{i}]")
                elif isinstance(item, str) and (unsafe_character(item) or len(item) > MAX_LABEL):
                    found.append(f"{where}[{i}] is not safe text")
        elif isinstance(value, BaseModel):
            found += audit(value, where)
    if isinstance(obj, (Scenario, Region)) and not SLUG.fullmatch(obj.name):
        found.append(f"{path or 'name'}: {obj.name[:40]!r} is not a slug")
    found += [f"{path}: {what}" for what in _over_limits(obj)]
    if isinstance(obj, Region):
        firms = sum(default_firm_count(i.employment, i.firms) for i in obj.industries)
        labour = sum(d.labour_force for d in obj.districts)
        if firms > MAX_FIRMS or labour > MAX_LABOUR_FORCE:
            found.append(f"{path}: {firms} firms, {labour} workers exceed the limits")
        if not all(d.x < obj.width and d.y < obj.height for d in obj.districts):
            found.append(f"{path}: a district lies outside the grid")
    if isinstance(obj, Scenario) and stacked_demand_issues(obj.events):
        found.append("events: stacked demand booms exceed the limit")
    if isinstance(obj, Catalogue):
        _AUDITED[id(obj)] = (obj, found)
    return found


def _over_limits(obj: BaseModel) -> list[str]:
    """The documented limits of scenarios.limits, checked on their own (not via the schema)."""
    sizes: list[tuple[str, float, float]] = []  # (what, value, limit)
    if isinstance(obj, Scenario):
        sizes += [("steps", obj.steps, MAX_STEPS), ("events", len(obj.events), MAX_EVENTS)]
        sizes += [("an event's step", max((e.step for e in obj.events), default=1), obj.steps)]
    if isinstance(obj, Region):
        sizes += [
            ("width", obj.width, MAX_GRID),
            ("height", obj.height, MAX_GRID),
            ("-width", -obj.width, -MIN_GRID),
            ("-height", -obj.height, -MIN_GRID),
            ("districts", len(obj.districts), MAX_DISTRICTS),
            ("institutions", len(obj.institutions), MAX_INSTITUTIONS),
            ("industry entries", len(obj.industries), MAX_REGION_INDUSTRIES),
        ]
    if isinstance(obj, Catalogue):
        sizes += [
            ("industries", len(obj.industries), MAX_INDUSTRIES),
            ("capabilities", len(obj.capabilities), MAX_CAPABILITIES),
            ("input links", len(obj.inputs), MAX_INPUT_LINKS),
        ]
    return [
        f"{what} = {value} is over the limit {limit}"
        for what, value, limit in sizes
        if value > limit
    ]


def error_faults(exc: ScenarioError, file: str, case: Case) -> list[str]:
    """What is wrong with the error a case got (nothing, if it is a clean error)."""
    faults = []
    lines = str(exc).splitlines()
    if not lines or len(lines) > MAX_PROBLEMS + 1:
        faults.append(f"{len(lines)} lines")
    for line in lines:
        if not line.startswith(f"{file}: ") and not line.split(": ")[0].endswith(".toml"):
            faults.append(f"line names no file: {line[:100]!r}")
        if len(line) > MAX_LINE or not line.isprintable():
            faults.append(f"line too long or not printable: {line[:100]!r}")
        if len(line.split(": ")) < 3:
            faults.append(f"line is not FILE: FIELD: MESSAGE: {line[:100]!r}")
    too_large = [p for p in exc.problems if p.field == WHOLE_FILE and "too large" in p.message]
    if case.error_at is not None and not too_large:
        fields = [p.field for p in exc.problems]
        if not any(
            f == case.error_at
            or f.startswith((f"{case.error_at}.", f"{case.error_at}[", f"{case.error_at},"))
            for f in fields
        ):
            faults.append(f"the error names {fields[:5]}, not {case.error_at}")
    return faults


def judge(
    case: Case, path: Path, loaded: object | ScenarioError, baseline: object = None
) -> list[str]:
    """Faults of one outcome: a valid object that passes the audit, or a clean error."""
    if isinstance(loaded, ScenarioError):
        faults = error_faults(loaded, str(path), case)
        if case.same_as is not None:
            faults.append(
                f"refused although it means the same as the original: {str(loaded)[:200]}"
            )
        return faults
    assert isinstance(loaded, BaseModel)
    faults = audit(loaded)
    if case.error_at is not None:
        faults.append(f"accepted although {case.error_at} is invalid")
    if case.same_as is not None and baseline is not None:
        fields = ("industries", "districts", "institutions")
        if any(getattr(loaded, f) != getattr(baseline, f) for f in fields):
            faults.append("read differently from the original")
    return faults
