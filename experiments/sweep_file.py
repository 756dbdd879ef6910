"""Sweep files: what a parameter sweep varies, how, how often, and what it measures.

A sweep file is TOML, validated like the scenario files: every problem is one line
``FILE: FIELD: MESSAGE`` saying what is allowed, raised as a
:class:`~scenarios.errors.ScenarioError` (exit code 2 on the CLI)::

    name = "budget_and_trust"
    base = "decline_bottom_up"      # a built-in scenario or a path (relative to this file)
    design = "latin_hypercube"      # grid, latin_hypercube, sobol (Saltelli) or morris
    samples = 16                    # latin_hypercube and sobol: base samples
    replications = 2                # seeds first_seed, first_seed + 1, ...
    steps = 20                      # optional: quarters per run (default: the scenario's)
    outcomes = ["jobs_end", "unemployment_peak"]   # optional (default: all)
    seed = 1                        # seed of the design's sampler

    [parameters]
    policy.budget = { range = [0, 60] }
    region.culture.trust = { range = [0.2, 0.8] }
    policy.targeting = { levels = ["none", "bottom_up"] }

A parameter is any dotted path :func:`scenarios.with_params` accepts (quote paths with
list indices: ``"region.industries[0].employment" = { range = [1000, 9000] }``), with a
``range = [low, high]`` (numbers) or a list of ``levels``. Every end of a range and every
level is checked against the scenario's schema up front. ``grid`` takes ``levels`` points
across each range (default 3); ``morris`` takes ``trajectories`` and ``levels`` (default 4);
a parameter given by levels is sampled as a discrete choice in the other designs.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from scenarios import Scenario, ScenarioError, load_scenario, with_params
from scenarios.errors import (
    WHOLE_FILE,
    Problem,
    format_path,
    problems_from_validation_error,
    resolve_path,
    show_value,
    unwrap_type,
)
from scenarios.loader import _parse_toml, _read_bytes
from scenarios.params import _parse_param_path
from scenarios.validation import Issue, Strict, _raise_issues

DESIGNS = ("grid", "latin_hypercube", "sobol", "morris")
#: columns every stored run has; no parameter or outcome may take these names
RESERVED = ("run_id", "status", "error", "scenario", "seed", "replication", "versions")
MAX_RUNS = 1_000_000
MAX_SEED = 2**32 - 1
Level = bool | int | float | str


class ParameterSpec(Strict):
    """How one parameter varies: a numeric range or a list of levels (exactly one)."""

    range: list[float] | None = Field(None, min_length=2, max_length=2)
    levels: list[Level] | None = Field(None, min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _one_of(self) -> ParameterSpec:
        if (self.range is None) == (self.levels is None):
            raise ValueError(
                "give either range = [low, high] or levels = [...]; allowed: exactly one of them"
            )
        return self


class SweepSpec(Strict):
    """A sweep as written in a sweep file (see the module docstring)."""

    name: str = Field("sweep", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)
    description: str = ""
    base: str = Field(min_length=1, description="built-in scenario name or path")
    parameters: dict[str, ParameterSpec] = Field(min_length=1, max_length=100)
    design: Literal["grid", "latin_hypercube", "sobol", "morris"]
    samples: int | None = Field(None, ge=2, le=1_000_000, description="latin_hypercube, sobol")
    levels: int | None = Field(None, ge=2, le=1000, description="grid, morris")
    trajectories: int | None = Field(None, ge=2, le=100_000, description="morris")
    second_order: bool = Field(False, description="sobol: also sample second-order indices")
    replications: int = Field(1, ge=1, le=10_000)
    first_seed: int = Field(0, ge=0, le=MAX_SEED, description="seed of replication 0")
    steps: int | None = Field(None, ge=1, le=2000, description="quarters per run")
    outcomes: list[str] = Field([], max_length=200, description="default: every outcome")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="seed of the design's sampler")

    @model_validator(mode="after")
    def _design_settings(self) -> SweepSpec:
        issues: list[Issue] = []
        needs = {
            "grid": ("levels",),
            "latin_hypercube": ("samples",),
            "sobol": ("samples", "second_order"),
            "morris": ("trajectories", "levels"),
        }[self.design]
        required = {"latin_hypercube": "samples", "sobol": "samples", "morris": "trajectories"}
        need = required.get(self.design)
        if need is not None and getattr(self, need) is None:
            msg = f"the {self.design} design needs {need}; allowed: {need} = a whole number"
            issues.append(((need,), msg, None))
        for key in ("samples", "levels", "trajectories", "second_order"):
            default = False if key == "second_order" else None
            if key not in needs and getattr(self, key) != default:
                msg = f"not used by the {self.design} design; allowed here: " + ", ".join(needs)
                issues.append(((key,), msg, getattr(self, key)))
        for path in self.parameters:
            if path in RESERVED:
                msg = f"{path!r} is a reserved name; allowed: a parameter path"
                issues.append((("parameters", path), msg, path))
        seen: set[str] = set()
        for i, name in enumerate(self.outcomes):
            if name in seen:
                issues.append((("outcomes", i), f"{name!r} is listed twice; allowed: once", name))
            seen.add(name)
        _raise_issues("SweepSpec", issues)
        return self

    def points(self) -> int:
        """Number of design points (before replications)."""
        d = len(self.parameters)
        if self.design == "grid":
            n = 1
            for p in self.parameters.values():
                n *= len(p.levels) if p.levels is not None else (self.levels or 3)
            return n
        if self.design == "latin_hypercube":
            return int(self.samples or 0)
        if self.design == "sobol":
            return int(self.samples or 0) * ((2 * d + 2) if self.second_order else (d + 2))
        return int(self.trajectories or 0) * (d + 1)

    def runs(self) -> int:
        """Number of runs: design points times replications."""
        return self.points() * self.replications


@dataclass
class Sweep:
    """A validated sweep, ready to run.

    Attributes:
        spec: the sweep as written.
        scenario: the base scenario (None for a sweep over a plain function).
        file: the sweep file as the user named it (``<sweep>`` if built in Python).
        int_params: parameters whose schema type is a whole number (sampled values rounded).
    """

    spec: SweepSpec
    scenario: Scenario | None
    file: str = "<sweep>"
    int_params: set[str] = field(default_factory=set)


# --------------------------------------------------------------------------- reading


def _flatten_parameters(value: object, prefix: str = "") -> object:
    """Unquoted dotted TOML keys (nested tables) -> dotted parameter paths.

    ``{policy: {budget: {range: ...}}}`` -> ``{"policy.budget": {range: ...}}``; a table
    with any value that is not a table is a parameter's settings.
    """
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(item, dict) and item and all(isinstance(v, dict) for v in item.values()):
            out.update(_flatten_parameters(item, path))  # type: ignore[arg-type]
        else:
            out[path] = item
    return out


def _param_field(path: str, suffix: str) -> str:
    return f"parameters.{path}.{suffix}" if suffix else f"parameters.{path}"


def parse_sweep(
    data: Mapping[str, Any],
    file: str = "<sweep>",
    base_dir: Path | None = None,
    check_model: bool = True,
) -> Sweep:
    """Validate sweep data (a parsed sweep file) into a :class:`Sweep`.

    Args:
        data: the TOML document as a dict.
        file: the file to name in messages.
        base_dir: directory a relative ``base`` path is resolved from.
        check_model: check the base scenario, every parameter value and the outcome names
            against the model (False for sweeps over a plain function).

    Returns:
        The validated sweep.

    Raises:
        ScenarioError: one line per problem, naming the file and field.
    """
    data = dict(data)
    if "parameters" in data:
        data["parameters"] = _flatten_parameters(data["parameters"])
    if "name" not in data and file not in ("<sweep>", ""):
        stem = Path(file).stem
        data["name"] = stem if stem[:1].isalnum() else f"sweep{stem}"
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation_error(exc, file, SweepSpec)
        raise ScenarioError(_paths_dotted(problems)) from None
    if spec.runs() > MAX_RUNS:
        raise ScenarioError.single(
            file,
            "design",
            f"the design has {spec.points():,} points x {spec.replications} replications = "
            f"{spec.runs():,} runs; allowed: at most {MAX_RUNS:,} runs",
        )
    if not check_model:
        return Sweep(spec=spec, scenario=None, file=file)
    return _check_against_model(spec, file, base_dir)


def _paths_dotted(problems: list[Problem]) -> list[Problem]:
    """``parameters."policy.budget".range`` -> ``parameters.policy.budget.range``."""
    out = []
    for p in problems:
        fld = p.field
        if fld.startswith('parameters."'):
            head, _, rest = fld[len('parameters."') :].partition('"')
            fld = f"parameters.{head}{rest}"
        out.append(Problem(p.file, fld, p.message))
    return out


def load_sweep(path: str | os.PathLike[str], check_model: bool = True) -> Sweep:
    """Read and validate a sweep file.

    Args:
        path: the sweep file (TOML).
        check_model: see :func:`parse_sweep`.

    Returns:
        The validated sweep.

    Raises:
        ScenarioError: one line per problem, naming the file and field.
    """
    display = os.fspath(path)
    p = Path(path)
    data = _parse_toml(_read_bytes(p, display), display)
    return parse_sweep(data, display, base_dir=p.parent, check_model=check_model)


# --------------------------------------------------------------------------- model checks


def _load_base(spec: SweepSpec, file: str, base_dir: Path | None) -> Scenario:
    ref = spec.base
    try:
        return load_scenario(ref)
    except ScenarioError as first:
        if base_dir is not None and not Path(ref).is_absolute():
            candidate = base_dir / ref
            if candidate.exists():
                return load_scenario(candidate)  # its own problems name its own file
        problem = first.problems[0]
        if problem.field == WHOLE_FILE and problem.file == ref:
            raise ScenarioError.single(
                file, "base", f"{show_value(ref)}: {problem.message}"
            ) from None
        raise


def _schema_type(path: str) -> Any:
    try:
        return unwrap_type(resolve_path(Scenario, _parse_param_path(path)).tp)
    except (ValueError, TypeError):
        return None


def _try_value(base: Scenario, path: str, value: object, file: str, where: str) -> Problem | None:
    try:
        with_params(base, {path: value})
    except ScenarioError as exc:
        p = exc.problems[0]
        if "unknown key" in p.message or "index out of range" in p.message:
            msg = f"unknown parameter; at {p.field}: {p.message}"
            return Problem(file, _param_field(path, ""), msg)
        if "allowed: a path" in p.message or "not a parameter path" in p.message:
            return Problem(file, _param_field(path, ""), f"unknown parameter; {p.message}")
        detail = p.message if p.field == path else f"{p.field}: {p.message}"
        return Problem(file, _param_field(path, where), detail)
    return None


def _check_against_model(spec: SweepSpec, file: str, base_dir: Path | None) -> Sweep:
    from experiments.outcomes import RUN_OUTCOMES

    base = _load_base(spec, file, base_dir)
    problems: list[Problem] = []
    ints: set[str] = set()
    for path, p in spec.parameters.items():
        tp = _schema_type(path)
        if p.range is not None:
            low, high = p.range
            if not (math.isfinite(low) and math.isfinite(high)):
                problems.append(
                    Problem(file, _param_field(path, "range"), "allowed: finite numbers")
                )
                continue
            if not low < high:
                problems.append(
                    Problem(
                        file,
                        _param_field(path, "range"),
                        f"[{low:g}, {high:g}] is inverted or empty; "
                        "allowed: [low, high] with low < high",
                    )
                )
                continue
            if tp is not None and tp not in (int, float):
                problems.append(
                    Problem(
                        file,
                        _param_field(path, "range"),
                        "a range needs a numeric parameter; allowed: levels = [...] for "
                        "this parameter",
                    )
                )
                continue
            if tp is int:
                ints.add(path)
            values = [(low, "range[0]"), (high, "range[1]")]
        else:
            values = [(v, f"levels[{i}]") for i, v in enumerate(p.levels or [])]
            if tp is int and all(isinstance(v, int) for v, _ in values):
                ints.add(path)
        for value, where in values:
            if tp is int and isinstance(value, float) and value.is_integer():
                value = int(value)
            problem = _try_value(base, path, value, file, where)
            if problem is not None:
                problems.append(problem)
                break
    known = list(RUN_OUTCOMES)
    for i, name in enumerate(spec.outcomes):
        if name not in known:
            problems.append(
                Problem(
                    file,
                    format_path(["outcomes", i]),
                    f"unknown outcome {show_value(name)}; allowed: {', '.join(known)}",
                )
            )
    if problems:
        raise ScenarioError(problems)
    return Sweep(spec=spec, scenario=base, file=file, int_params=ints)
