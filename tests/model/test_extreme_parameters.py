"""A scenario that validates runs: every parameter at each end of its allowed range.

`mesoscape check` accepting a file must mean `mesoscape run` can run it: for every bounded
number in the parameter sections, a small scenario with that parameter at its lower and at
its upper bound runs a few quarters with all invariants holding.
"""

from __future__ import annotations

import annotated_types
import pytest

from model import RegionModel
from model.invariants import violations
from scenarios import with_params
from scenarios.params_doc import SECTIONS
from tests.helpers import small_scenario

STEPS = 4
PARAMETER_SECTIONS = {
    "market",
    "firms",
    "labour",
    "entrepreneurs",
    "institutions",
    "policy",
    "policy.allocation",
    "national",
}
#: parameters bounded by each other (``initial_proficiency_low <= initial_proficiency_high``):
#: at one's end of its range the other takes the same value, so both ends stay valid
LINKED = {
    "firms.initial_proficiency_low": "firms.initial_proficiency_high",
    "firms.initial_proficiency_high": "firms.initial_proficiency_low",
}


def bounds(info) -> tuple[float | None, float | None]:
    lo = hi = None
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Ge):
            lo = meta.ge
        elif isinstance(meta, annotated_types.Gt):
            lo = meta.gt + (1 if isinstance(meta.gt, int) else 1e-6)
        elif isinstance(meta, annotated_types.Le):
            hi = meta.le
        elif isinstance(meta, annotated_types.Lt):
            hi = meta.lt - (1 if isinstance(meta.lt, int) else 1e-6)
    return lo, hi


def cases():
    for section, cls in SECTIONS:
        if section not in PARAMETER_SECTIONS:
            continue
        for name, info in cls.model_fields.items():
            if info.annotation not in (int, float):
                continue
            lo, hi = bounds(info)
            for end, value in (("min", lo), ("max", hi)):
                if value is not None:
                    yield pytest.param(f"{section}.{name}", value, id=f"{section}.{name}={end}")


@pytest.mark.slow
@pytest.mark.parametrize(("path", "value"), list(cases()))
def test_every_parameter_runs_at_both_ends_of_its_range(path, value):
    base = small_scenario(steps=STEPS)
    updates = {path: value}
    if path.startswith("policy.allocation."):
        # shares must sum to at most one: this one takes it all
        updates = {"policy.budget": 50.0, path: value}
    if path.startswith("policy.") and "budget" not in path:
        updates.setdefault("policy.budget", 50.0)
    if path in LINKED:
        updates[LINKED[path]] = value
    model = RegionModel(with_params(base, updates), seed=1)
    for _ in range(STEPS):
        model.step()
        assert violations(model) == [], (path, value, model.quarter)
