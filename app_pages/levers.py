"""The policy levers of the app, grouped as a policy team thinks of them.

Each lever is a scenario parameter (a dotted path); its bounds, type and meaning come from
the scenario schema (``scenarios.schema``, the one home of defaults and bounds) and its
starting value from the chosen scenario. Values coming from the browser are applied with
``scenarios.with_params``, which validates them exactly as ``mesoscape check`` does.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass

import annotated_types

from scenarios import ScenarioError, describe_field, with_params
from scenarios.errors import resolve_path, unwrap_type
from scenarios.schema import Scenario


@dataclass(frozen=True)
class Lever:
    """One lever: a scenario parameter with its label, unit, type and bounds."""

    path: str
    label: str
    unit: str
    kind: str  # "float", "int" or "choice"
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    slider_hi: float | None = None  # a practical top for the slider (the schema's may be huge)

    @property
    def allowed(self) -> str:
        """What the schema allows, in words (``describe_field``)."""
        return describe_field(self.path)


#: (group title, [(path, label, unit, practical slider top or None)])
GROUPS: list[tuple[str, list[tuple[str, str, str, float | None]]]] = [
    (
        "Budget and instruments",
        [
            ("policy.budget", "Regional budget", "money units / quarter", 200.0),
            ("policy.allocation.targeted_support", "Targeted support", "share of budget", None),
            ("policy.allocation.experimentation", "Experimentation fund", "share of budget", None),
            (
                "policy.allocation.institution_strengthening",
                "Institution strengthening",
                "share of budget",
                None,
            ),
            ("policy.allocation.cluster_promotion", "Cluster promotion", "share of budget", None),
            (
                "policy.allocation.value_chain_promotion",
                "Value-chain promotion",
                "share of budget",
                None,
            ),
            ("policy.allocation.foresight", "Foresight", "share of budget", None),
            ("policy.grant_share", "Grant share of an experiment", "share of its cost", None),
        ],
    ),
    (
        "Targeting strategy",
        [
            ("policy.targeting", "Strategy", "", None),
            ("policy.variant", "Bottom-up variant", "", None),
            ("policy.targets", "Industries targeted at a time", "industries", 10),
            ("policy.review_interval", "Review every", "quarters", 40),
        ],
    ),
    (
        "Institutions",
        [
            ("institutions.training_gain", "Training effect", "proficiency per service", None),
            ("institutions.extension_gain", "Extension effect", "log-productivity / service", None),
            ("institutions.foresight_lead", "Foresight lead", "quarters", None),
        ],
    ),
    (
        "Top-down support",
        [
            ("national.co_funding", "National co-funding", "per unit of regional money", None),
            (
                "national.enabling_environment",
                "Enabling environment",
                "cut in fixed costs (share)",
                None,
            ),
        ],
    ),
    (
        "Culture",
        [
            (
                "region.culture.entrepreneurial_culture",
                "Entrepreneurial culture",
                "multiplier on start-ups",
                None,
            ),
            ("region.culture.trust", "Trust", "0 to 1", None),
            ("region.culture.coordination", "Capacity to coordinate", "0 to 1", None),
        ],
    ),
]


LABELS = {"policy.allocation": "Budget shares of the instruments"}


def _bounds(field: object) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in getattr(field, "metadata", []):
        if isinstance(m, annotated_types.Ge):
            lo = float(m.ge)
        elif isinstance(m, annotated_types.Gt):
            lo = float(m.gt)
        elif isinstance(m, annotated_types.Le):
            hi = float(m.le)
        elif isinstance(m, annotated_types.Lt):
            hi = float(m.lt)
    return lo, hi


def make_lever(path: str, label: str, unit: str, slider_hi: float | None = None) -> Lever:
    """A lever whose type, bounds and help text are read from the scenario schema."""
    res = resolve_path(Scenario, path.split("."))
    tp = unwrap_type(res.tp)
    help_ = (getattr(res.field, "description", None) or "").strip()
    if typing.get_origin(tp) is typing.Literal:
        return Lever(path, label, unit, "choice", choices=tuple(typing.get_args(tp)), help=help_)
    lo, hi = _bounds(res.field)
    kind = "int" if tp is int else "float"
    return Lever(path, label, unit, kind, lo, hi, help=help_, slider_hi=slider_hi)


LEVERS: dict[str, Lever] = {
    path: make_lever(path, label, unit, top)
    for _group, items in GROUPS
    for path, label, unit, top in items
}


def current_values(scenario: Scenario) -> dict[str, object]:
    """Every lever's value in ``scenario``."""
    out: dict[str, object] = {}
    for path in LEVERS:
        node: object = scenario
        for part in path.split("."):
            node = getattr(node, part)
        out[path] = node
    return out


def check_value(path: str, value: object) -> str | None:
    """A one-line message if ``value`` is not allowed for the lever, else None."""
    lever = LEVERS.get(path)
    if lever is None:
        return f"{path}: not a lever of this app"
    if lever.kind == "choice":
        if value not in lever.choices:
            return (
                f"{lever.label}: {value!r:.80} is not allowed; allowed: {', '.join(lever.choices)}"
            )
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{lever.label}: {str(value)[:80]!r} is not a number; allowed: {lever.allowed}"
    if not math.isfinite(value):
        return f"{lever.label}: {value} is not a number; allowed: {lever.allowed}"
    if lever.kind == "int" and float(value) != int(value):
        return f"{lever.label}: {value} is not a whole number; allowed: {lever.allowed}"
    if (lever.lo is not None and value < lever.lo) or (lever.hi is not None and value > lever.hi):
        return f"{lever.label}: {value:g} is out of range; allowed: {lever.allowed}"
    return None


def apply(scenario: Scenario, values: Mapping[str, object]) -> tuple[Scenario | None, list[str]]:
    """The scenario with the levers that differ from it changed, or the problems.

    Returns:
        ``(scenario, [])`` when every value is allowed, else ``(None, messages)``: one line
        each, as ``mesoscape check`` would word them (no server path).
    """
    now = current_values(scenario)
    changes = {p: v for p, v in values.items() if p not in now or v != now[p]}
    problems = [m for p, v in changes.items() if (m := check_value(p, v))]
    if problems:
        return None, problems
    try:
        return with_params(scenario, changes), []
    except ScenarioError as exc:
        lines = []
        for p in exc.problems:
            label = LEVERS[p.field].label if p.field in LEVERS else LABELS.get(p.field, p.field)
            lines.append(f"{label}: {p.message}")
        return None, lines or [str(exc)]


def changed(scenario: Scenario, values: Mapping[str, object]) -> dict[str, object]:
    """The levers in ``values`` that differ from ``scenario`` (what a link must carry)."""
    now = current_values(scenario)
    return {p: v for p, v in values.items() if p in now and v != now[p]}
