"""Check input files of every kind at once (``mesoscape check``).

This sits above :mod:`scenarios.loader` and :mod:`scenarios.region_csv` because it uses
both (region CSVs are checked too).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from scenarios.errors import Problem, ScenarioError
from scenarios.loader import (
    PathLike,
    _catalogue_from_data,
    _read_toml,
    _region_from_data,
    _scenario_from_data,
    load_catalogue,
)
from scenarios.region_csv import region_from_csv


def check_files(paths: Iterable[PathLike]) -> list[Problem]:
    """Validate scenario, region or catalogue files.

    The kind is decided by content: a file with ``districts`` is a region (checked against
    the built-in catalogue), one with ``capabilities`` a catalogue, anything else a
    scenario; a ``.csv`` file is checked as a region CSV (see
    :func:`~scenarios.region_csv.region_from_csv`).

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
