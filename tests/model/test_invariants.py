"""Property tests: over random valid scenarios, the invariants hold after every step."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import RegionModel
from model.invariants import violations
from scenarios.schema import (
    Allocation,
    BudgetCut,
    DemandBoom,
    EmergingIndustry,
    EntrepreneurParams,
    FirmParams,
    IndustryDecline,
    LabourParams,
    MarketParams,
    NationalParams,
    PlantClosure,
    PolicyParams,
    TechnologyShift,
)
from tests.helpers import small_scenario

INDUSTRIES = ["engine_components", "metal_fabrication", "plastics", "software", "batteries"]
STEPS = 16


def frac(lo: float = 0.0, hi: float = 1.0):
    return st.floats(lo, hi, allow_nan=False)


market = st.builds(
    MarketParams,
    selection=frac(0, 3),
    demand_noise=frac(0, 0.3),
    fit_weight=frac(0, 3),
    local_services_share=frac(0.05, 0.9),
    regional_market_share=frac(0.05, 0.9),
)
firms = st.builds(
    FirmParams,
    productivity_sigma=frac(0, 1.2),
    fixed_cost=frac(0, 20),
    employment_adjustment=frac(0, 1),
    innovation_rate=frac(0, 2),
    imitation_rate=frac(0, 1),
    spinoff_probability=frac(0, 0.3),
    exit_patience=st.integers(1, 6),
)
labour = st.builds(
    LabourParams,
    skill_decay=frac(0, 0.3),
    labour_force_growth=frac(-0.02, 0.02),
    turnover=frac(0, 0.2),
    commuting=frac(0, 1),
)
entrepreneurs = st.builds(
    EntrepreneurParams,
    base_rate=frac(0, 0.01),
    experiment_quarters=st.integers(1, 6),
    pioneer_risk=frac(0, 1),
)
shares = st.lists(frac(0, 0.2), min_size=6, max_size=6)
policy = st.builds(
    lambda targeting, budget, s, priority: PolicyParams(
        targeting=targeting,
        budget=budget,
        priority_industries=priority,
        allocation=Allocation(
            targeted_support=s[0],
            experimentation=s[1],
            institution_strengthening=s[2],
            cluster_promotion=s[3],
            value_chain_promotion=s[4],
            foresight=s[5],
        ),
        review_interval=4,
    ),
    st.sampled_from(["none", "top_down", "bottom_up", "adaptive"]),
    frac(0, 200),
    shares,
    st.lists(st.sampled_from(INDUSTRIES), max_size=2, unique=True),
)
event = st.one_of(
    st.builds(
        IndustryDecline,
        type=st.just("industry_decline"),
        step=st.integers(1, STEPS),
        industry=st.sampled_from(INDUSTRIES),
        fraction=frac(),
        duration=st.integers(1, 10),
    ),
    st.builds(
        DemandBoom,
        type=st.just("demand_boom"),
        step=st.integers(1, STEPS),
        industry=st.sampled_from(INDUSTRIES),
        fraction=frac(0.01, 3),
    ),
    st.builds(
        PlantClosure,
        type=st.just("plant_closure"),
        step=st.integers(1, STEPS),
        industry=st.sampled_from(INDUSTRIES),
    ),
    st.builds(
        TechnologyShift,
        type=st.just("technology_shift"),
        step=st.integers(1, STEPS),
        capabilities=st.just(["precision_machining"]),
        severity=frac(),
    ),
    st.builds(
        EmergingIndustry,
        type=st.just("emerging_industry"),
        step=st.integers(1, STEPS),
        industry=st.just("batteries"),
    ),
    st.builds(BudgetCut, type=st.just("budget_cut"), step=st.integers(1, STEPS), fraction=frac()),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    market=market,
    firms=firms,
    labour=labour,
    entrepreneurs=entrepreneurs,
    policy=policy,
    national=st.builds(NationalParams, co_funding=frac(0, 3), enabling_environment=frac()),
    events=st.lists(event, max_size=4),
    seed=st.integers(0, 2**31 - 1),
)
def test_invariants_hold_every_step(
    market, firms, labour, entrepreneurs, policy, national, events, seed
):
    scenario = small_scenario(
        market=market,
        firms=firms,
        labour=labour,
        entrepreneurs=entrepreneurs,
        policy=policy,
        national=national,
        events=events,
        steps=STEPS,
    )
    model = RegionModel(scenario, seed=seed)
    assert violations(model) == []
    for _ in range(STEPS):
        model.step()
        problems = violations(model)
        assert problems == [], f"quarter {model.quarter}: {problems}"
