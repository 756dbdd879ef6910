"""Read, locate and validate the catalogue, region and scenario files.

Every failure — a missing or unreadable file, broken TOML, an unknown key, a wrong type, a
value out of range, an unknown industry — becomes a :class:`~scenarios.errors.ScenarioError`
whose lines read ``FILE: FIELD: MESSAGE``; nothing else escapes for bad input.

A scenario file names its region (a built-in name, a path relative to the scenario file,
or an inline ``[region]`` table), optionally a catalogue (path or inline table; the
built-in one by default), and may vary the region's meta level without copying it::

    name = "my_scenario"
    description = "One line"
    region = "heartland"
    steps = 120

    [region_overrides]            # optional
    unemployment_rate = 0.08
    [region_overrides.culture]
    trust = 0.4

    [policy]
    targeting = "bottom_up"
    budget = 30.0
    [policy.allocation]
    experimentation = 0.5

    [[events]]
    type = "industry_decline"
    step = 20
    industry = "automotive_ice_components"

Regions built from CSV are in :mod:`scenarios.region_csv`, changing and writing scenarios in
:mod:`scenarios.params`, and checking files of every kind in :mod:`scenarios.check`.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scenarios.errors import (
    WHOLE_FILE,
    Problem,
    ScenarioError,
    format_path,
    problems_from_validation_error,
    show_value,
)
from scenarios.files import CATALOGUE_FILE as CATALOGUE_FILE
from scenarios.files import DATA_DIR as DATA_DIR
from scenarios.files import REGIONS_DIR as REGIONS_DIR
from scenarios.files import SCENARIOS_DIR as SCENARIOS_DIR
from scenarios.files import PathLike as PathLike
from scenarios.files import (
    _builtin_names,
    _fail,
    _parse_toml,
    _read_toml,
    _too_large,
)
from scenarios.files import _decode as _decode
from scenarios.files import _read_bytes as _read_bytes
from scenarios.limits import MAX_FILE_BYTES as MAX_FILE_BYTES
from scenarios.limits import MAX_GRID, MIN_GRID, slugify
from scenarios.schema import Catalogue, Region, Scenario, region_catalogue_issues
from scenarios.validation import CONSISTENCY_ERROR

__all__ = [
    "CATALOGUE_FILE",
    "MAX_FILE_BYTES",
    "REGIONS_DIR",
    "SCENARIOS_DIR",
    "list_builtins",
    "load_catalogue",
    "load_region",
    "load_scenario",
    "parse_scenario",
]

_OVERRIDE_KEYS = ("unemployment_rate", "local_sourcing", "culture")
_SCENARIO_EXTRA_KEYS = ("region_overrides",)
_MISSING: Any = object()


def _locate(ref: PathLike, kind: str, directory: Path) -> tuple[Path, str]:
    """A built-in name or a path given by the user -> (path, name to show in messages)."""
    if not isinstance(ref, (str, os.PathLike)):
        raise TypeError(f"expected a {kind} name or a path, got {type(ref).__name__}")
    names = _builtin_names(directory)
    if isinstance(ref, str) and ref in names:
        return directory / f"{ref}.toml", f"{ref}.toml"
    display = os.fspath(ref)
    path = Path(ref)
    try:
        exists = path.exists()
    except (OSError, ValueError):
        exists = False
    if not exists:
        raise _fail(
            display,
            WHOLE_FILE,
            f"no such file and no built-in {kind} of that name; allowed: a built-in {kind} "
            f"({', '.join(names)}) or the path of a .toml file",
        )
    return path, display


# --------------------------------------------------------------------------- catalogue


@functools.cache
def _builtin_catalogue_data() -> dict[str, Any]:
    return _read_toml(CATALOGUE_FILE, CATALOGUE_FILE.name)


@functools.cache
def _builtin_catalogue() -> Catalogue:
    """The built-in catalogue, validated once (the object is frozen, so it can be shared)."""
    return _catalogue_from_data(_builtin_catalogue_data(), CATALOGUE_FILE.name)


def _catalogue_from_data(
    data: object, display: str, prefix: tuple[str | int, ...] = ()
) -> Catalogue:
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(
            problems_from_validation_error(exc, display, Catalogue, prefix)
        ) from None


def load_catalogue(path: PathLike | None = None) -> Catalogue:
    """Load an industry catalogue.

    Args:
        path: a catalogue TOML file; the built-in ``scenarios/data/catalogue.toml`` (read
            once and cached) if None.

    Returns:
        The validated catalogue.

    Raises:
        ScenarioError: the file is missing, unreadable, not TOML or not a valid catalogue.
    """
    if path is None:
        return _builtin_catalogue()
    display = os.fspath(path)
    return _catalogue_from_data(_read_toml(Path(path), display), display)


# --------------------------------------------------------------------------- regions


def _region_from_data(
    data: object,
    display: str,
    *,
    default_name: str | None = None,
    catalogue: Catalogue | None = None,
    prefix: tuple[str | int, ...] = (),
) -> Region:
    """Validate region data; check its names against `catalogue` if given."""
    if isinstance(data, dict) and default_name is not None:
        data = {"name": default_name, **data}
    try:
        region = Region.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation_error(exc, display, Region, prefix)
        raise ScenarioError(_merge_grid(problems, data, prefix)) from None
    if catalogue is not None:
        issues = region_catalogue_issues(region, catalogue)
        if issues:
            raise ScenarioError(
                Problem(display, format_path([*prefix, *loc]), msg) for loc, msg, _ in issues
            )
    return region


def _merge_grid(
    problems: list[Problem], data: object, prefix: tuple[str | int, ...]
) -> list[Problem]:
    """One line, not two, for a grid whose width and height are both out of range."""
    if not isinstance(data, dict):
        return problems
    w, h = data.get("width"), data.get("height")
    fields = {format_path([*prefix, "width"]), format_path([*prefix, "height"])}
    hits = [p for p in problems if p.field in fields and "out of range" in p.message]
    if len(hits) != 2 or not all(isinstance(v, int) for v in (w, h)):
        return problems
    merged = Problem(
        hits[0].file,
        ", ".join(sorted(fields, reverse=True)),
        f"a grid of {show_value(w)} x {show_value(h)} cells is out of range; allowed: width "
        f"and height {MIN_GRID} to {MAX_GRID} cells each",
    )
    at = problems.index(hits[0])
    return [*problems[:at], merged, *(p for p in problems[at:] if p not in hits)]


def load_region(name_or_path: PathLike, *, catalogue: Catalogue | None = None) -> Region:
    """Load a region profile.

    Args:
        name_or_path: a built-in region name (see :func:`list_builtins`) or a path to a
            region TOML file. A file without ``name`` takes its file name.
        catalogue: catalogue its industries and institution focus are checked against
            (the built-in catalogue if None).

    Returns:
        The validated region.

    Raises:
        ScenarioError: with one line per problem, naming the file and field.
    """
    path, display = _locate(name_or_path, "region", REGIONS_DIR)
    data = _read_toml(path, display)
    if catalogue is None:
        catalogue = load_catalogue()
    return _region_from_data(
        data, display, default_name=slugify(path.stem, "region"), catalogue=catalogue
    )


def _ref_display(display: str, ref: str) -> str:
    if Path(ref).is_absolute():
        return ref
    return os.path.join(os.path.dirname(display), ref)


def _resolve_reference(
    ref: str, key: str, display: str, base_dir: Path | None, names: list[str], directory: Path
) -> tuple[Path, str]:
    """A `region = "..."` or `catalogue = "..."` reference inside a scenario file."""
    if ref in names:
        return directory / f"{ref}.toml", f"{ref}.toml"
    builtin = f"a built-in {key} name ({', '.join(names)}), " if names else ""
    allowed = f"allowed: {builtin}the path of a {key} .toml file relative to this file"
    if base_dir is None:
        raise _fail(
            display,
            key,
            f"{show_value(ref)}: file references are not allowed here; "
            f"allowed: {builtin}or an inline [{key}] table",
        )
    try:
        path = base_dir / ref
        found = path.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
        raise _fail(display, key, f"unknown {key} {show_value(ref)} (no such file); {allowed}")
    return path, _ref_display(display, ref)


def _scenario_region(ref: object, display: str, base_dir: Path | None) -> Region:
    names = _builtin_names(REGIONS_DIR)
    allowed = (
        f"allowed: a built-in region name ({', '.join(names)}), "
        "the path of a region .toml file, or a [region] table"
    )
    if ref is _MISSING:
        raise _fail(display, "region", f"required key is missing; {allowed}")
    if isinstance(ref, dict):
        return _region_from_data(ref, display, prefix=("region",))
    if isinstance(ref, str):
        path, ref_display = _resolve_reference(ref, "region", display, base_dir, names, REGIONS_DIR)
        return _region_from_data(
            _read_toml(path, ref_display), ref_display, default_name=slugify(path.stem, "region")
        )
    raise _fail(display, "region", f"{show_value(ref)} has the wrong type; {allowed}")


def _scenario_catalogue(ref: object, display: str, base_dir: Path | None) -> Catalogue:
    if ref is _MISSING:
        return load_catalogue()
    if isinstance(ref, dict):
        return _catalogue_from_data(ref, display, ("catalogue",))
    if isinstance(ref, str):
        path, ref_display = _resolve_reference(ref, "catalogue", display, base_dir, [], DATA_DIR)
        return _catalogue_from_data(_read_toml(path, ref_display), ref_display)
    raise _fail(
        display,
        "catalogue",
        f"{show_value(ref)} has the wrong type; "
        "allowed: the path of a catalogue .toml file or a [catalogue] table",
    )


def _apply_overrides(region: Region, overrides: object, display: str) -> Region:
    """Apply a scenario's ``[region_overrides]`` table to its region."""
    key = "region_overrides"
    if not isinstance(overrides, dict):
        raise _fail(display, key, f"{show_value(overrides)} has the wrong type; allowed: a table")
    problems = [
        Problem(
            display,
            format_path([key, k]),
            f"unknown key; allowed keys: {', '.join(_OVERRIDE_KEYS)}",
        )
        for k in overrides
        if k not in _OVERRIDE_KEYS
    ]
    culture = overrides.get("culture", {})
    if not isinstance(culture, dict):
        problems.append(
            Problem(
                display,
                f"{key}.culture",
                f"{show_value(culture)} has the wrong type; allowed: a table",
            )
        )
    if problems:
        raise ScenarioError(problems)
    data = {name: getattr(region, name) for name in Region.model_fields}
    for k in ("unemployment_rate", "local_sourcing"):
        if k in overrides:
            data[k] = overrides[k]
    if culture:
        data["culture"] = {**region.culture.model_dump(), **culture}
    try:
        return Region.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(
            problems_from_validation_error(exc, display, Region, prefix=(key,))
        ) from None


# --------------------------------------------------------------------------- scenarios


@functools.cache
def _standin_region() -> Region:
    return _region_from_data(
        _read_toml(REGIONS_DIR / "heartland.toml", "heartland.toml"), "heartland.toml"
    )


def _scenario_from_data(
    data: dict[str, Any],
    display: str,
    *,
    base_dir: Path | None,
    default_name: str | None = None,
) -> Scenario:
    """Build a scenario from parsed TOML, collecting every problem before raising."""
    if "districts" in data and "region" not in data:
        raise _fail(
            display,
            WHOLE_FILE,
            "this is a region profile (it has districts), not a scenario; allowed: a scenario "
            "file, which names its region, e.g. region = 'my_region.toml'",
        )
    data = dict(data)
    if default_name is not None:
        data.setdefault("name", default_name)
    region_ref = data.pop("region", _MISSING)
    catalogue_ref = data.pop("catalogue", _MISSING)
    overrides = data.pop("region_overrides", _MISSING)

    problems: list[Problem] = []
    catalogue: Catalogue | None = None
    region: Region | None = None
    try:
        catalogue = _scenario_catalogue(catalogue_ref, display, base_dir)
    except ScenarioError as exc:
        problems += exc.problems
    try:
        region = _scenario_region(region_ref, display, base_dir)
    except ScenarioError as exc:
        problems += exc.problems
    if overrides is not _MISSING:
        try:
            overridden = _apply_overrides(region or _standin_region(), overrides, display)
            region = overridden if region is not None else None
        except ScenarioError as exc:
            problems += exc.problems

    # With a region or catalogue missing, validate the rest against stand-ins so that every
    # problem shows at once, but drop the cross-checks that would compare against them.
    stand_in = region is None or catalogue is None
    data["region"] = region if region is not None else _standin_region()
    data["catalogue"] = catalogue if catalogue is not None else load_catalogue()
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems += [
            p
            for p, err in zip(
                problems_from_validation_error(
                    exc, display, Scenario, root_extra_keys=_SCENARIO_EXTRA_KEYS
                ),
                exc.errors(include_url=False),
                strict=True,
            )
            if not (stand_in and err["type"] == CONSISTENCY_ERROR)
        ]
    if problems:
        raise ScenarioError(problems)
    return scenario


def load_scenario(name_or_path: PathLike) -> Scenario:
    """Load a scenario: a built-in name or the path of a scenario TOML file.

    Args:
        name_or_path: e.g. ``"decline_bottom_up"`` or ``"my/scenario.toml"``. A file
            without ``name`` takes its file name.

    Returns:
        The validated scenario, its region and catalogue resolved.

    Raises:
        ScenarioError: with one line per problem, naming the file and field, e.g.
            ``x.toml: policy.budget: -3 is out of range; allowed: 0 to 1000000``.
    """
    path, display = _locate(name_or_path, "scenario", SCENARIOS_DIR)
    data = _read_toml(path, display)
    return _scenario_from_data(
        data, display, base_dir=path.parent, default_name=slugify(path.stem, "scenario")
    )


def parse_scenario(
    text: str | bytes, file: str = "<scenario>", *, base_dir: PathLike | None = None
) -> Scenario:
    """Build a scenario from TOML text, e.g. an upload in the app or a shared link.

    Args:
        text: the TOML document.
        file: the name to show in messages.
        base_dir: directory that relative ``region``/``catalogue`` paths are resolved in;
            if None (the default), only built-in region names and inline tables are
            accepted, so uploaded text cannot make the server read its files.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: with one line per problem.
    """
    if not isinstance(text, (str, bytes)):
        raise TypeError(f"expected TOML text (str or bytes), got {type(text).__name__}")
    if len(text) > MAX_FILE_BYTES:  # characters of a str: at least as many bytes
        raise _too_large(file, len(text) if isinstance(text, bytes) else None)
    data = _parse_toml(text, file)
    base = Path(base_dir) if base_dir is not None else None
    return _scenario_from_data(data, file, base_dir=base)


# --------------------------------------------------------------------------- listing


def _description(path: Path) -> str:
    try:
        value = _read_toml(path, path.name).get("description", "")
    except ScenarioError:
        return "(invalid file)"
    return value.strip().splitlines()[0] if isinstance(value, str) and value.strip() else ""


def list_builtins() -> dict[str, list[tuple[str, str]]]:
    """The built-in regions and scenarios with their one-line descriptions.

    Returns:
        ``{"regions": [(name, description), ...], "scenarios": [...]}``, sorted by name.
    """
    return {
        "regions": [(p.stem, _description(p)) for p in sorted(REGIONS_DIR.glob("*.toml"))],
        "scenarios": [(p.stem, _description(p)) for p in sorted(SCENARIOS_DIR.glob("*.toml"))],
    }
