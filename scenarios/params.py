"""Changing and writing scenarios: parameter updates by dotted path, and TOML output.

:func:`with_params` makes a changed copy of a scenario (the app's sliders, sweeps and
sensitivity analysis), :func:`describe_field` says in words what a parameter accepts, and
:func:`scenario_to_toml` writes a scenario as a self-contained TOML document that
:func:`~scenarios.loader.load_scenario` reads back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from scenarios.errors import (
    Problem,
    ScenarioError,
    describe,
    format_path,
    problems_from_validation_error,
    resolve_path,
    show_value,
    unwrap_type,
)
from scenarios.loader import load_catalogue
from scenarios.schema import Scenario

#: the FILE shown for problems in :func:`with_params` updates
PARAMETERS = "<parameters>"

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
