"""Load the catalogue, regions and scenarios; build regions from CSV; write scenarios as TOML.

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
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from scenarios.errors import (
    WHOLE_FILE,
    Problem,
    ScenarioError,
    describe,
    format_path,
    problems_from_validation_error,
    resolve_path,
    show_value,
    unwrap_type,
)
from scenarios.schema import (
    CONSISTENCY_ERROR,
    Catalogue,
    Region,
    Scenario,
    region_catalogue_issues,
    unknown_name,
)

__all__ = [
    "CATALOGUE_FILE",
    "MAX_FILE_BYTES",
    "PARAMETERS",
    "REGIONS_DIR",
    "SCENARIOS_DIR",
    "check_files",
    "describe_field",
    "list_builtins",
    "load_catalogue",
    "load_region",
    "load_scenario",
    "parse_scenario",
    "region_from_csv",
    "scenario_to_toml",
    "with_params",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_FILE = DATA_DIR / "catalogue.toml"
REGIONS_DIR = DATA_DIR / "regions"
SCENARIOS_DIR = DATA_DIR / "scenarios"

#: larger input files are refused (protects the app and the CLI from absurd input)
MAX_FILE_BYTES = 5_000_000
#: the FILE shown for problems in :func:`with_params` updates
PARAMETERS = "<parameters>"

_OVERRIDE_KEYS = ("unemployment_rate", "local_sourcing", "culture")
_SCENARIO_EXTRA_KEYS = ("region_overrides",)
_MISSING: Any = object()
PathLike = str | os.PathLike[str]


# --------------------------------------------------------------------------- reading


def _fail(file: str, field: str, message: str) -> ScenarioError:
    return ScenarioError.single(file, field, message)


def _read_bytes(path: Path, display: str) -> bytes:
    """Read a regular file of bounded size, or raise a ScenarioError naming it."""
    try:
        if not path.exists():
            raise _fail(display, WHOLE_FILE, "file not found")
        if not path.is_file():
            kind = "a directory" if path.is_dir() else "not a regular file"
            raise _fail(display, WHOLE_FILE, f"is {kind}; allowed: a .toml file")
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _fail(display, WHOLE_FILE, f"cannot read the file: {exc.strerror or exc}") from None
    except ValueError as exc:  # e.g. a NUL character in the path
        raise _fail(display, WHOLE_FILE, f"not a usable file name: {exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _fail(
            display,
            WHOLE_FILE,
            f"the file is too large; allowed: at most {MAX_FILE_BYTES // 1_000_000} MB",
        )
    return data


def _decode(data: bytes | str, display: str, what: str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(
            display,
            WHOLE_FILE,
            f"not valid {what}: the file is not UTF-8 text (bad byte at position {exc.start})",
        ) from None


def _parse_toml(data: bytes | str, display: str) -> dict[str, Any]:
    """Parse TOML text, or raise a ScenarioError naming the file, line and column."""
    text = _decode(data, display, "TOML")
    try:
        return tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, and huge integer literals
        msg = str(exc).replace("(at line", "(line").replace("(at end of document)", "(at the end)")
        raise _fail(display, WHOLE_FILE, f"not valid TOML: {msg}") from None
    except RecursionError:
        raise _fail(display, WHOLE_FILE, "not valid TOML: nested too deeply") from None


def _read_toml(path: Path, display: str) -> dict[str, Any]:
    return _parse_toml(_read_bytes(path, display), display)


def _builtin_names(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.toml"))


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
        return _catalogue_from_data(_builtin_catalogue_data(), CATALOGUE_FILE.name)
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
        raise ScenarioError(problems_from_validation_error(exc, display, Region, prefix)) from None
    if catalogue is not None:
        issues = region_catalogue_issues(region, catalogue)
        if issues:
            raise ScenarioError(
                Problem(display, format_path([*prefix, *loc]), msg) for loc, msg, _ in issues
            )
    return region


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
    return _region_from_data(data, display, default_name=path.stem, catalogue=catalogue)


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
        return _region_from_data(_read_toml(path, ref_display), ref_display, default_name=path.stem)
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
    return _scenario_from_data(data, display, base_dir=path.parent, default_name=path.stem)


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
    if isinstance(text, bytes) and len(text) > MAX_FILE_BYTES:
        raise _fail(file, WHOLE_FILE, f"too large; allowed: at most {MAX_FILE_BYTES} bytes")
    data = _parse_toml(text, file)
    base = Path(base_dir) if base_dir is not None else None
    return _scenario_from_data(data, file, base_dir=base)


# --------------------------------------------------------------------------- parameters

_PATH_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")


def _parse_param_path(path: str) -> list[str | int]:
    keys: list[str | int] = []
    for part in path.split("."):
        m = _PATH_PART.fullmatch(part)
        if m is None:
            raise ValueError(path)
        keys.append(m.group(1))
        keys.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return keys


def _plain(value: object) -> object:
    """Numpy scalars and arrays -> Python values (SALib and sweeps pass them)."""
    if type(value).__module__.startswith("numpy"):
        if hasattr(value, "tolist"):
            return value.tolist()
        if hasattr(value, "item"):
            return value.item()
    return value


def _set_param(
    data: dict[str, Any],
    models: dict[int, type[BaseModel]],
    keys: list[str | int],
    value: object,
    path: str,
) -> Problem | None:
    """Set one dotted-path update in `data`, opening models into dicts on the way.

    `models` maps id() of every opened dict to the model class it stands for.
    """
    container: Any = data
    done: list[str | int] = []
    for n, key in enumerate(keys):
        if isinstance(container, dict) and isinstance(key, str):
            if key not in container:
                allowed = ", ".join(map(str, container))
                return Problem(
                    PARAMETERS, format_path([*done, key]), f"unknown key; allowed keys: {allowed}"
                )
        elif isinstance(container, list) and isinstance(key, int):
            if key >= len(container):
                rng = f"0 to {len(container) - 1}" if container else "none (the list is empty)"
                return Problem(
                    PARAMETERS, format_path([*done, key]), f"index out of range; allowed: {rng}"
                )
        else:
            if isinstance(container, (list, dict)):
                what = "a list" if isinstance(container, list) else "a table"
            else:
                what = f"a single value ({show_value(container)})"
            return Problem(
                PARAMETERS,
                path,
                f"{format_path(done)} is {what}; allowed: a path such as policy.budget "
                "or region.industries[0].employment",
            )
        done.append(key)
        if n == len(keys) - 1:
            model = models.get(id(container))
            if model is not None and isinstance(key, str):
                tp = unwrap_type(model.model_fields[key].annotation)
                if tp is int and isinstance(value, float) and value.is_integer():
                    value = int(value)
            container[key] = value
            return None
        node = container[key]
        child: Any
        if isinstance(node, BaseModel):
            child = {k: getattr(node, k) for k in type(node).model_fields}
            models[id(child)] = type(node)
        elif isinstance(node, dict):
            child = dict(node)
            if id(node) in models:
                models[id(child)] = models[id(node)]
        elif isinstance(node, list):
            child = list(node)
        else:
            child = node
        container[key] = child
        container = child
    return None


def with_params(scenario: Scenario, updates: Mapping[str, object]) -> Scenario:
    """A new, validated scenario with some parameters changed.

    Used by the app's sliders, sweeps and sensitivity analysis. Numpy scalars are
    accepted, and a whole-number float (e.g. ``12.0``) is accepted for an integer field.

    Args:
        scenario: the scenario to start from (not changed).
        updates: dotted paths to new values, e.g. ``{"policy.budget": 40.0,
            "policy.allocation.experimentation": 0.5, "region.culture.trust": 0.7,
            "region.industries[0].employment": 9000}``.

    Returns:
        The new scenario.

    Raises:
        ScenarioError: unknown paths or invalid values, with ``<parameters>`` as the file.
    """
    if not updates:
        return scenario
    data: dict[str, Any] = {k: getattr(scenario, k) for k in Scenario.model_fields}
    models: dict[int, type[BaseModel]] = {id(data): Scenario}
    problems: list[Problem] = []
    for path, value in updates.items():
        try:
            keys = _parse_param_path(path)
        except (ValueError, AttributeError, TypeError):
            problems.append(
                Problem(
                    PARAMETERS,
                    str(path),
                    "not a parameter path; allowed: dotted keys such as policy.budget or "
                    "region.industries[0].employment",
                )
            )
            continue
        problem = _set_param(data, models, keys, _plain(value), path)
        if problem is not None:
            problems.append(problem)
    if problems:
        raise ScenarioError(problems)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation_error(exc, PARAMETERS, Scenario)) from None


# --------------------------------------------------------------------------- listing, checking


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


def check_files(paths: Iterable[PathLike]) -> list[Problem]:
    """Validate scenario, region or catalogue files.

    The kind is decided by content: a file with ``districts`` is a region (checked against
    the built-in catalogue), one with ``capabilities`` a catalogue, anything else a
    scenario; a ``.csv`` file is checked as a region CSV (see :func:`region_from_csv`).

    Args:
        paths: the files.

    Returns:
        Every problem found, in file order; an empty list if all files are valid.
    """
    problems: list[Problem] = []
    for ref in paths:
        display = os.fspath(ref)
        path = Path(ref)
        try:
            if path.suffix.lower() == ".csv":
                region_from_csv(path)
                continue
            data = _read_toml(path, display)
            if "districts" in data:
                _region_from_data(data, display, default_name=path.stem, catalogue=load_catalogue())
            elif "capabilities" in data:
                _catalogue_from_data(data, display)
            else:
                _scenario_from_data(data, display, base_dir=path.parent, default_name=path.stem)
        except ScenarioError as exc:
            problems += exc.problems
    return problems


# --------------------------------------------------------------------------- CSV import

_CSV_COLUMNS = ("industry", "employment", "firms", "district")
_CSV_REQUIRED = ("industry", "employment")
_INSTITUTION_TYPES = (
    "training_institute",
    "technology_centre",
    "business_association",
    "development_agency",
    "university",
)


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


# --------------------------------------------------------------------------- writing


def scenario_to_toml(scenario: Scenario, *, inline_catalogue: bool = True) -> str:
    """Write a self-contained scenario TOML document (the app's "download scenario").

    The region is written inline as a ``[region]`` table, and so is the catalogue unless
    `inline_catalogue` is False and the scenario uses the built-in catalogue.
    :func:`load_scenario` reads the result back to an equal scenario.

    Args:
        scenario: the scenario.
        inline_catalogue: write the catalogue even when it is the built-in one.

    Returns:
        The TOML text.
    """
    data = scenario.model_dump(mode="python", exclude_none=True)
    if not inline_catalogue and scenario.catalogue == load_catalogue():
        del data["catalogue"]
    first = {k: data.pop(k) for k in ("name", "description", "steps")}
    header = (
        "# Mesoscape scenario, self-contained (region"
        + (" and catalogue" if "catalogue" in data else "")
        + " inline).\n# Load it with scenarios.load_scenario(path) or `mesoscape run PATH`.\n\n"
    )
    return header + tomli_w.dumps({**first, **data})


def describe_field(path: str) -> str:
    """What a scenario parameter accepts, in words (for tooltips and CLI help).

    Args:
        path: dotted path such as ``policy.budget``.

    Returns:
        E.g. ``a number from 0 to 1000000``.
    """
    res = resolve_path(Scenario, _parse_param_path(path))
    return describe(res.tp, res.field)
