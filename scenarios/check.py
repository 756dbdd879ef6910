"""Check input files of every kind at once (``mesoscape check``).

This sits above :mod:`scenarios.loader` and :mod:`scenarios.region_csv` because it uses
both (region CSVs are checked too).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from scenarios.errors import MAX_PROBLEMS, WHOLE_FILE, Problem, ScenarioError, capped
from scenarios.limits import slugify
from scenarios.loader import (
    PathLike,
    _catalogue_from_data,
    _read_toml,
    _region_from_data,
    _scenario_from_data,
    load_catalogue,
)
from scenarios.region_csv import region_from_csv


def check_file(ref: PathLike) -> list[Problem]:
    """Every problem of one scenario, region, catalogue or region CSV file.

    Args:
        ref: the file (see :func:`check_files` for how its kind is decided).

    Returns:
        Its problems, an empty list if it is valid.
    """
    display = os.fspath(ref)
    path = Path(ref)
    try:
        if path.suffix.lower() == ".csv":
            region_from_csv(path)
            return []
        data = _read_toml(path, display)
        if "districts" in data:
            name = slugify(path.stem, "region")
            _region_from_data(data, display, default_name=name, catalogue=load_catalogue())
        elif "capabilities" in data:
            _catalogue_from_data(data, display)
        else:
            name = slugify(path.stem, "scenario")
            _scenario_from_data(data, display, base_dir=path.parent, default_name=name)
    except ScenarioError as exc:
        return exc.problems
    except RecursionError:  # nested too deeply for the validator
        return [Problem(display, WHOLE_FILE, "nested too deeply; allowed: a scenario file")]
    return []


def check_files(paths: Iterable[PathLike], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """Validate scenario, region or catalogue files.

    The kind is decided by content: a file with ``districts`` is a region (checked against
    the built-in catalogue), one with ``capabilities`` a catalogue, anything else a
    scenario; a ``.csv`` file is checked as a region CSV (see
    :func:`~scenarios.region_csv.region_from_csv`).

    Args:
        paths: the files.
        limit: problems listed per file; more are counted in one last line
            (``... and N more problems``), so a file gives at most ``limit + 1`` lines.

    Returns:
        The problems found, in file order; an empty list if all files are valid.
    """
    problems: list[Problem] = []
    for ref in paths:
        problems += capped(check_file(ref), limit)
    return problems
