"""Scheduled and live events (DESIGN §2.7)."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from model import RegionModel
from model.events import EARLY, EventManager, earmark
from model.market import Ramp
from model.policy import PolicyMaker
from scenarios.schema import (
    Allocation,
    BudgetCut,
    DemandBoom,
    EmergingIndustry,
    ExperimentationFund,
    IndustryDecline,
    InstitutionSpec,
    NationalSupport,
    PlantClosure,
    PolicyParams,
    StrengthenInstitutions,
    TechnologyShift,
)
from tests.helpers import GrantPolicy, small_scenario

SEEDS = range(5)
LEAD = "engine_components"
DECLINE = IndustryDecline(type="industry_decline", step=10, industry=LEAD, fraction=0.6, duration=8)


def employment_by_industry(model: RegionModel):
    table = model.datacollector.get_table_dataframe("employment_by_industry")
    return table.pivot(index="step", columns="industry", values="employment")


def paired(seed: int, events, steps: int = 30):
    """Employment by industry and unemployment of a run without and one with ``events``."""
    out = []
    for ev in ([], events):
        model = RegionModel(small_scenario(events=ev), seed=seed)
        model.run_for(steps)
        series = model.datacollector.get_model_vars_dataframe()
        out.append((employment_by_industry(model), series["unemployment_rate"]))
    return out


# --------------------------------------------------------------------------- scheduling


def test_events_fire_just_before_their_quarter_and_are_logged():
    model = RegionModel(small_scenario(events=[DECLINE]), seed=0)
    gc.collect()  # Mesa holds events weakly: the manager must keep them alive
    model.run_for(DECLINE.step - 1)
    assert model.market.ramps == []
    assert model.events.markers == []
    model.step()  # the event fires at step - 0.5, then quarter `step` runs
    k = model.space.index(LEAD)
    assert model.market.ramps == [Ramp(k, DECLINE.step, 8, pytest.approx(0.4))]
    assert model.events.scheduled[0].fired
    assert model.events.markers == [(10, "Decline: Combustion-engine components")]
    text = "demand for Combustion-engine components starts to fall by 60% over 8 quarters"
    assert (10, text) in model.log


def test_trigger_applies_now_from_the_next_quarter():
    model = RegionModel(small_scenario(), seed=0)
    model.run_for(4)
    line = model.events.trigger(DECLINE)
    assert line.startswith("Q5: demand for Combustion-engine components")
    assert model.market.ramps[0].start == 5
    assert model.events.markers == [(5, "Decline: Combustion-engine components")]


def test_the_manager_works_from_the_collaborators_it_is_given():
    """No model: a clock, a log, an event list, a policy stand-in and the model's parts."""
    parts = RegionModel(small_scenario(), seed=0)
    log, agenda, closed = [], [], []
    policy = GrantPolicy(40.0)
    manager = EventManager(
        [DECLINE, PlantClosure(type="plant_closure", step=12, industry=LEAD)],
        parts.space, parts.market, policy, parts.firms, parts.labour,
        closed.append, lambda: 6, lambda text, q: log.append((q, text)),
        lambda fire, at: agenda.append((at, fire)),
    )  # fmt: skip
    assert [at for at, _ in agenda] == [DECLINE.step - EARLY, 12 - EARLY]
    agenda[1][1]()  # the closure fires: the largest lead firm's row is closed
    lead = np.flatnonzero(parts.firms.industry == parts.space.index(LEAD))
    assert [list(rows) for rows in closed] == [[lead[np.argmax(parts.firms.employment[lead])]]]
    assert manager.trigger(BudgetCut(type="budget_cut", step=1, fraction=0.25)).startswith("Q7:")
    assert policy.budget_cuts == [0.25]
    assert [q for q, _ in log] == [7, 7]
    assert manager.markers == [(7, "Closure: Combustion-engine components"), (7, "Budget cut")]


def test_demand_ramps_follow_decline_and_boom():
    model = RegionModel(small_scenario(), seed=0)
    k = model.space.index("plastics")
    model.events.trigger(
        DemandBoom(type="demand_boom", step=1, industry="plastics", fraction=0.5, duration=4)
    )
    factor = [model.market.event_factor(t)[k] for t in range(1, 8)]
    assert factor[0] == pytest.approx(1.125)
    assert factor[3:] == pytest.approx([1.5] * 4)
    assert np.all(np.diff(factor) >= 0)


# --------------------------------------------------------------------------- decline


def test_decline_cuts_the_industry_raises_unemployment_then_local_services_follow():
    for seed in SEEDS:
        (base, u_base), (hit, u_hit) = paired(seed, [DECLINE])
        assert (hit.loc[: DECLINE.step - 1] == base.loc[: DECLINE.step - 1]).all().all()
        lead_loss = 1 - hit.loc[20, LEAD] / base.loc[20, LEAD]
        assert lead_loss > 0.2
        assert u_hit[20] > u_base[20] + 0.05
        # the local multiplier works through the wage bill, so it lags the lead industry
        early = 1 - hit.loc[12, "local_services"] / base.loc[12, "local_services"]
        late = 1 - hit.loc[30, "local_services"] / base.loc[30, "local_services"]
        assert early < 1 - hit.loc[12, LEAD] / base.loc[12, LEAD]
        assert late > 0.05


def test_lead_industry_decline_reaches_its_local_suppliers():
    drops = []
    for seed in SEEDS:
        (base, _), (hit, _) = paired(seed, [DECLINE])
        # at the end of the decline ramp (steps 10-17); later, lower regional wages make
        # the suppliers more competitive elsewhere and they recover
        end = DECLINE.step + DECLINE.duration
        drops.append(1 - hit.loc[end, "metal_fabrication"] / base.loc[end, "metal_fabrication"])
        assert drops[-1] > 0.01
        assert hit.loc[end, "plastics"] < base.loc[end, "plastics"]
    assert np.mean(drops) > 0.03, drops  # about 0.066 (2.6-8.6% by seed)
    # without a value chain the suppliers do not feel it
    catalogue = small_scenario().catalogue.model_copy(update={"inputs": []})
    for seed in SEEDS[:2]:
        runs = []
        for ev in ([], [DECLINE]):
            model = RegionModel(small_scenario(catalogue=catalogue, events=ev), seed=seed)
            model.run_for(20)
            runs.append(employment_by_industry(model))
        drop = 1 - runs[1].loc[14, "metal_fabrication"] / runs[0].loc[14, "metal_fabrication"]
        assert drop < 0.02


# --------------------------------------------------------------------------- other events


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plant_closure_releases_workers_into_the_pool_with_their_skills(seed):
    model = RegionModel(small_scenario(), seed=seed)
    model.run_for(3)
    f, pool = model.firms, model.labour
    k = model.space.index(LEAD)
    rows = np.flatnonzero(f.industry == k)
    row = rows[np.argmax(f.employment[rows])]
    serial, d, jobs = f.uid[row], f.district[row], f.employment[row]
    fit = f.fit(model.space.requires)[row]
    old_u, old_skill = pool.unemployed[d, k], pool.skill[d, k]
    firms = len(f)
    model.events.trigger(PlantClosure(type="plant_closure", step=4, industry=LEAD))
    assert serial not in model.firms.uid
    assert len(model.firms) == firms - 1
    assert pool.unemployed[d, k] == pytest.approx(old_u + jobs)
    assert pool.skill[d, k] == pytest.approx((old_u * old_skill + jobs * fit) / (old_u + jobs))
    assert model.events.markers[-1] == (4, "Closure: Combustion-engine components")


def test_plant_closure_of_an_absent_industry_only_logs():
    model = RegionModel(small_scenario(), seed=0)
    firms = len(model.firms)
    line = model.events.trigger(PlantClosure(type="plant_closure", step=1, industry="robotics"))
    assert "no Robotics firm" in line and len(model.firms) == firms


def test_technology_shift_lowers_proficiency_and_pool_skills():
    model = RegionModel(small_scenario(), seed=0)
    model.run_for(2)
    sp, f, pool = model.space, model.firms, model.labour
    c = sp.capabilities.index("metalworking")
    prof, skill = f.proficiency.copy(), pool.skill.copy()
    model.events.trigger(
        TechnologyShift(
            type="technology_shift", step=3, capabilities=["metalworking"], severity=0.5
        )
    )
    assert f.proficiency[:, c] == pytest.approx(0.5 * prof[:, c])
    others = [j for j in range(len(sp.capabilities)) if j != c]
    assert np.array_equal(f.proficiency[:, others], prof[:, others])
    metal, engine, software = (sp.index(k) for k in ("metal_fabrication", LEAD, "software"))
    assert pool.skill[:, metal] == pytest.approx(skill[:, metal] * (1 - 0.5 * 1 / 2))
    assert pool.skill[:, engine] == pytest.approx(skill[:, engine] * (1 - 0.5 * 1 / 4))
    assert pool.skill[:, software] == pytest.approx(skill[:, software])
    assert pool.skill[:, -1] == pytest.approx(skill[:, -1])  # new entrants are taught anew


def test_emerging_industry_event_makes_it_born():
    event = EmergingIndustry(type="emerging_industry", step=6, industry="batteries")
    model = RegionModel(small_scenario(events=[event]), seed=0)
    k = model.space.index("batteries")
    assert model.space.lifecycle_demand(10)[k] == 0
    model.run_for(5)
    assert model.market.demand[k] == 0
    model.step()
    assert model.space.birth[k] == 6
    assert model.market.demand[k] > 0
    assert model.space.lifecycle_demand(30)[k] > model.space.lifecycle_demand(10)[k]
    # an industry that exists already is not reborn
    line = model.events.trigger(EmergingIndustry(type="emerging_industry", step=7, industry=LEAD))
    assert "already exists" in line and model.space.birth[model.space.index(LEAD)] == 0


def test_budget_cut_and_national_support_go_to_the_policy_maker():
    events = [
        BudgetCut(type="budget_cut", step=3, fraction=0.5),
        NationalSupport(type="national_support", step=4, on=True, co_funding=2.0),
        NationalSupport(type="national_support", step=6, on=False),
    ]
    model = RegionModel(small_scenario(events=events), seed=0)
    model.policy = model.events.policy = GrantPolicy(40.0)  # type: ignore[assignment]
    model.run_for(6)
    assert model.policy.budget_cuts == [0.5]
    assert model.policy.per_quarter == pytest.approx(20.0)
    assert model.policy.national == [(True, 2.0), (False, 1.0)]
    labels = [label for _, label in model.events.markers]
    assert labels == ["Budget cut", "National support on", "National support off"]


def test_budget_cut_halves_the_regional_budget():
    scenario = small_scenario(
        policy=PolicyParams(budget=100.0),
        events=[BudgetCut(type="budget_cut", step=3, fraction=0.5)],
    )
    model = RegionModel(scenario, seed=0)
    assert type(model.policy) is PolicyMaker
    before = model.policy.budget
    model.run_for(3)
    assert model.policy.budget == pytest.approx(before / 2)


# --------------------------------------------------------------------------- interventions

FUND = ExperimentationFund(type="experimentation_fund", step=3, amount=50.0)
STRENGTHEN = StrengthenInstitutions(type="strengthen_institutions", step=3, amount=50.0)
SCHOOL = InstitutionSpec(
    type="training_institute", district="Northtown", focus=["engine_components"], budget=10.0
)


def test_earmark_adds_money_for_one_instrument_and_keeps_the_others():
    model = RegionModel(small_scenario(), seed=0)
    policy = model.policy
    policy.budget = 100.0
    policy.params = policy.params.model_copy(
        update={"allocation": Allocation(targeted_support=0.5, experimentation=0.2)}
    )
    earmark(policy, "experimentation", 50.0)
    a = policy.params.allocation
    assert policy.budget == pytest.approx(150.0)
    assert policy.budget * a.targeted_support == pytest.approx(50.0)  # kept its money
    assert policy.budget * a.experimentation == pytest.approx(20.0 + 50.0)
    assert model.params.policy.allocation.experimentation == 0.0  # the scenario is unchanged


def test_an_experimentation_fund_pays_grants_where_there_were_none():
    """Without policy money no grant is paid; with the fund, grants flow in every seed."""
    for seed in range(8):
        granted = []
        for events in ([], [FUND]):
            model = RegionModel(small_scenario(events=events), seed=seed)
            model.run_for(20)
            granted.append(model.policy.granted.sum())
        assert granted[0] == 0.0
        assert granted[1] > 100.0, f"seed {seed}: the fund paid {granted[1]:.1f}"
    assert model.events.markers == [(3, "Experimentation fund")]


def test_strengthening_institutions_raises_their_quality():
    """The programme funds the institutions: their quality ends higher in every seed."""
    region = {"institutions": [SCHOOL]}
    for seed in range(8):
        quality = []
        for events in ([], [STRENGTHEN]):
            model = RegionModel(small_scenario(region=region, events=events), seed=seed)
            model.run_for(12)
            quality.append(model.institutions.institutions[0].quality)
        assert quality[1] > quality[0] + 0.05, f"seed {seed}: quality {quality}"
    text = (
        "institutions are strengthened: 50 money units more per quarter "
        "for their capacity and quality"
    )
    assert (3, text) in model.log
