"""Property: any valid event schedule runs, and every invariant holds after every quarter.

Schedules are composed at random from every event type, piled onto one industry and one
quarter far more often than chance would (stacked booms, declines to zero, repeated plant
closures, technology shifts wiping out capabilities, budget cuts, national support on and
off), with the policy maker spending at the same time. Validity is the schema's: a schedule
the schema refuses (e.g. booms multiplying demand past the limit) is never drawn, because
``check`` would refuse it before a run.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import RegionModel
from model.invariants import violations
from scenarios import ScenarioError, with_params
from scenarios.limits import MAX_DEMAND_MULTIPLIER
from scenarios.schema import (
    Allocation,
    BudgetCut,
    DemandBoom,
    EmergingIndustry,
    IndustryDecline,
    NationalParams,
    NationalSupport,
    PlantClosure,
    PolicyParams,
    TechnologyShift,
)
from tests.helpers import CAPABILITIES, small_catalogue, small_scenario

STEPS = 12
INDUSTRIES = [i.key for i in small_catalogue().industries]
#: where most events pile up: the region's lead industry, at quarter 4
FOCUS_INDUSTRY, FOCUS_STEP = "engine_components", 4
EXAMPLES = 60 * max(1, (settings.default.max_examples or 100) // 100)

steps = st.one_of(st.just(FOCUS_STEP), st.integers(1, STEPS))
industries = st.one_of(st.just(FOCUS_INDUSTRY), st.sampled_from(INDUSTRIES))
fractions = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0))
durations = st.one_of(st.just(1), st.integers(1, 20))


def _event(kind: str, draw) -> object:
    step = draw(steps)
    if kind == "industry_decline":
        return IndustryDecline(
            type=kind,
            step=step,
            industry=draw(industries),
            fraction=draw(fractions),
            duration=draw(durations),
        )
    if kind == "demand_boom":
        return DemandBoom(
            type=kind,
            step=step,
            industry=draw(industries),
            fraction=draw(st.one_of(st.just(10.0), st.floats(1e-6, 10.0))),
            duration=draw(durations),
        )
    if kind == "plant_closure":
        return PlantClosure(type=kind, step=step, industry=draw(industries))
    if kind == "technology_shift":
        caps = draw(st.lists(st.sampled_from(CAPABILITIES), min_size=1, max_size=8, unique=True))
        return TechnologyShift(type=kind, step=step, capabilities=caps, severity=draw(fractions))
    if kind == "emerging_industry":
        return EmergingIndustry(type=kind, step=step, industry=draw(industries))
    if kind == "budget_cut":
        return BudgetCut(type=kind, step=step, fraction=draw(fractions))
    return NationalSupport(
        type=kind, step=step, on=draw(st.booleans()), co_funding=draw(st.floats(0.0, 10.0))
    )


KINDS = [
    "industry_decline",
    "demand_boom",
    "plant_closure",
    "technology_shift",
    "emerging_industry",
    "budget_cut",
    "national_support",
]


def _within_boom_limit(events: list) -> list:
    """Drop the booms that would take an industry's demand past the documented limit."""
    factor: dict[str, float] = {}
    kept = []
    for ev in events:
        if isinstance(ev, DemandBoom):
            new = factor.get(ev.industry, 1.0) * (1.0 + ev.fraction)
            if new > MAX_DEMAND_MULTIPLIER:
                continue
            factor[ev.industry] = new
        kept.append(ev)
    return kept


@st.composite
def schedules(draw) -> list:
    """Up to 40 events of every type, most of them on one industry and quarter."""
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=40))
    return _within_boom_limit([_event(kind, draw) for kind in kinds])


@st.composite
def policies(draw) -> PolicyParams:
    shares = draw(st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6))
    total = sum(shares)
    scale = 1.0 / total if total > 1.0 else 1.0
    names = list(Allocation.model_fields)
    allocation = Allocation(**{n: min(1.0, s * scale) for n, s in zip(names, shares, strict=True)})
    return PolicyParams(
        targeting=draw(st.sampled_from(["none", "top_down", "bottom_up", "adaptive"])),
        priority_industries=draw(st.lists(st.sampled_from(INDUSTRIES), max_size=3)),
        budget=draw(st.sampled_from([0.0, 30.0, 1e6])),
        allocation=allocation,
        review_interval=draw(st.integers(1, 6)),
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(events=schedules(), policy=policies(), seed=st.integers(0, 2**31 - 1))
def test_any_valid_event_schedule_runs_with_all_invariants_holding(events, policy, seed):
    scenario = small_scenario(
        steps=STEPS,
        events=events,
        policy=policy,
        national=NationalParams(co_funding=10.0, enabling_environment=1.0),
    )
    model = RegionModel(scenario, seed=seed)
    for quarter in range(1, STEPS + 1):
        model.step()
        broken = violations(model)
        assert not broken, f"quarter {quarter}: {broken}"
    assert all(math.isfinite(v) for v in model.indicators.values())
    assert len(model.log) >= len(events)  # every event was applied (each logs a line)


def test_the_stacked_boom_of_the_report_is_refused_before_a_run():
    """Several demand_boom events of fraction 10 on one industry and quarter (issue 9)."""
    base = small_scenario(steps=STEPS)
    boom = {"type": "demand_boom", "step": 4, "industry": FOCUS_INDUSTRY, "fraction": 10.0}
    with pytest.raises(ScenarioError) as info:
        with_params(base, {"events": [boom] * 6})
    line = str(info.value)
    assert "events" in line and "multiply its demand by 1.772e+06" in line
    assert "allowed: at most 100" in line
    # one boom of fraction 10 (x11) and a second one of 8 (x99 in all) are allowed
    ok = with_params(base, {"events": [boom, {**boom, "fraction": 8.0}]})
    assert len(ok.events) == 2
