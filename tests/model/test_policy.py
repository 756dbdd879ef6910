"""The policy maker: reviews, targeting strategies, instruments and budget accounting."""

import numpy as np
import pytest

from model import RegionModel, targeting
from model.metrics import rca_against
from model.policy import INSTRUMENTS
from model.quarter import QuarterFlows
from scenarios import with_params
from scenarios.schema import Allocation, NationalParams, PolicyParams
from tests.helpers import service_scenario

SEEDS = range(3)
METAL = ["engines", "metal_fab"]


def policy_model(seed: int = 0, national: NationalParams | None = None, **policy) -> RegionModel:
    extra = {"national": national} if national is not None else {}
    return RegionModel(service_scenario(policy=PolicyParams(**policy), **extra), seed=seed)


def run(model: RegionModel, steps: int) -> list[dict[str, float]]:
    out = []
    for _ in range(steps):
        model.step()
        out.append(dict(model.indicators))
    return out


def step(model: RegionModel) -> QuarterFlows:
    """Simulate one quarter; return its flows (``model.flows`` is then the next quarter's)."""
    flows = model.flows
    model.step()
    return flows


def spend(model: RegionModel) -> None:
    """The policy maker spends again, into the flows of the quarter now being simulated."""
    model.policy.spend(model.firms, model.flows.spending, model.home_district)


def density(model: RegionModel) -> np.ndarray:
    sp = model.space
    presence = rca_against(model.employment_by_industry(), sp.national_share) >= 1
    return targeting.opportunity(presence, sp.relatedness)


# ------------------------------------------------------------------ review and targeting


def test_reviews_happen_at_step_one_and_every_interval(monkeypatch):
    m = policy_model(targeting="bottom_up", review_interval=5, budget=1.0)
    calls = []
    original = m.policy._ranking

    def spy(variant, eligible, quarter, firms):
        assert quarter == m.quarter and firms is m.firms
        calls.append(quarter)
        return original(variant, eligible, quarter, firms)

    monkeypatch.setattr(m.policy, "_ranking", spy)
    run(m, 12)
    assert calls == [1, 6, 11]
    assert len(m.policy.targets) == m.params.policy.targets


def test_no_targeting_targets_nothing():
    m = policy_model(budget=10.0, allocation=Allocation(targeted_support=1.0))
    run(m, 2)
    assert m.policy.targets == [] and not m.firms.subsidy.any()


def test_top_down_targets_the_priority_list_that_exists():
    m = policy_model(targeting="top_down", priority_industries=["batteries", "software"])
    m.step()  # batteries are born at quarter 12
    assert m.policy.targets == [m.space.index("software")]


def test_bottom_up_targets_denser_industries_than_top_down():
    """Priority industries far from the metal cluster have low relatedness density."""
    far = ["software", "food"]
    top = policy_model(targeting="top_down", priority_industries=far)
    top.step()
    d_top = density(top)[top.policy.targets].mean()
    for variant in ("low_hanging_fruit", "balanced_portfolio"):
        m = policy_model(targeting="bottom_up", variant=variant)
        m.step()
        assert density(m)[m.policy.targets].mean() > d_top, variant


def test_bottom_up_never_targets_local_services_or_unborn_industries():
    for variant in ("low_hanging_fruit", "balanced_portfolio", "long_jumps"):
        m = policy_model(targeting="bottom_up", variant=variant, targets=8)
        m.step()
        assert m.space.local_services not in m.policy.targets
        assert m.space.index("batteries") not in m.policy.targets


def test_adaptive_drops_industries_without_progress():
    m = policy_model(
        targeting="adaptive",
        review_interval=4,
        adaptive_breadth=5,
        budget=20.0,
        allocation=Allocation(experimentation=0.5, targeted_support=0.5),
    )
    m.step()
    assert len(m.policy.targets) == 5 and m.policy.supported == []
    drops = 0
    for _ in range(5):
        run(m, 3)
        before, progressed = list(m.policy.targets), m.policy.progressed(m.firms)
        m.step()  # a review
        kept = [k for k in before if progressed[k]]
        assert m.policy.targets[: len(kept)] == kept
        assert m.policy.dropped == [k for k in before if not progressed[k]]
        assert not set(m.policy.dropped) & set(m.policy.targets)
        assert m.policy.supported == kept  # only what works gets targeted support
        drops += len(m.policy.dropped)
    assert drops > 0


# ------------------------------------------------------------------ instruments


def test_targeted_support_raises_employment_in_targeted_industries():
    for seed in SEEDS:
        jobs = []
        for budget in (0.0, 60.0):
            m = policy_model(
                seed,
                targeting="top_down",
                priority_industries=METAL,
                budget=budget,
                allocation=Allocation(targeted_support=1.0),
            )
            run(m, 24)
            jobs.append(sum(m.employment_by_industry()[m.space.index(k)] for k in METAL))
        assert jobs[1] > jobs[0], (seed, jobs)


def test_subsidies_go_only_to_targeted_firms_within_the_cap():
    m = policy_model(
        targeting="top_down",
        priority_industries=["engines"],
        budget=1e5,
        allocation=Allocation(targeted_support=1.0),
    )
    run(m, 3)
    f = m.firms
    engines = f.industry == m.space.index("engines")
    assert not f.subsidy[~engines].any()
    assert np.allclose(f.subsidy[engines], m.params.policy.subsidy_rate_cap)


def test_screening_sends_more_money_to_productive_firms():
    def high_share(agency_quality: float) -> float:
        m = policy_model(
            targeting="top_down",
            priority_industries=METAL,
            budget=20.0,
            allocation=Allocation(targeted_support=1.0),
        )
        for inst in m.institutions.of_kind("development_agency"):
            inst.quality, inst.radius = agency_quality, 40.0
        m.step()
        f = m.firms
        rows = np.flatnonzero(f.subsidy > 0)
        rel = f.productivity[rows] / m.space.productivity[f.industry[rows]]
        pay = f.subsidy[rows] * f.value_added[rows]
        return pay[rel > np.median(rel)].sum() / pay.sum()

    assert high_share(1.0) > high_share(0.0) + 0.05


def test_value_chain_promotion_raises_local_sourcing_over_time():
    m = policy_model(budget=20.0, allocation=Allocation(value_chain_promotion=1.0))
    start, ceiling = m.market.local_sourcing, m.params.policy.sourcing_ceiling
    sourcing = [o["local_sourcing"] for o in run(m, 12)]
    assert all(b >= a for a, b in zip(sourcing, sourcing[1:], strict=False))
    assert start < sourcing[0] < sourcing[-1] < ceiling
    steps = np.diff([start, *sourcing])
    assert steps[-1] < steps[0]  # diminishing returns as the gap to the ceiling closes
    assert steps.max() <= m.params.policy.sourcing_rate * (ceiling - start)
    idle = policy_model(budget=20.0, allocation=Allocation(foresight=1.0))
    run(idle, 3)
    assert idle.market.local_sourcing == start


def test_value_chain_promotion_has_diminishing_returns_to_money():
    gains = {}
    for budget in (0.05, 0.25):  # small against the region's input purchases
        m = policy_model(budget=budget, allocation=Allocation(value_chain_promotion=1.0))
        start = m.market.local_sourcing
        run(m, 8)
        gains[budget] = m.market.local_sourcing - start
    assert 0 < gains[0.05] < gains[0.25] < 5 * gains[0.05]


def test_value_chain_promotion_stops_at_the_ceiling():
    m = policy_model(budget=20.0, allocation=Allocation(value_chain_promotion=1.0))
    m.market.local_sourcing = m.params.policy.sourcing_ceiling
    m.relations.anchor = m.params.policy.sourcing_ceiling  # relations that sustain it
    flows = step(m)
    assert m.market.local_sourcing == m.params.policy.sourcing_ceiling
    assert flows.spending["value_chain_promotion"] == 0.0


def test_institution_strengthening_raises_capacity_quality_and_lowers_the_service_gap():
    gaps = []
    for seed in SEEDS:
        runs = []
        for budget in (0.0, 40.0):
            policy = PolicyParams(
                budget=budget, allocation=Allocation(institution_strengthening=1.0)
            )
            # many firms asking for help, so the gap measures capacity, not a handful of
            # requests (firms above the default threshold rarely ask in this small region)
            scenario = with_params(
                service_scenario(policy=policy), {"institutions.request_threshold": 0.9}
            )
            m = RegionModel(scenario, seed=seed)
            out = run(m, 16)
            quality = np.mean([i.quality for i in m.institutions.institutions])
            capacity = sum(i.capacity for i in m.institutions.institutions)
            runs.append((np.mean([o["service_gap"] for o in out[6:]]), quality, capacity))
        (gap0, q0, c0), (gap1, q1, c1) = runs
        assert q1 > q0 and c1 > c0
        gaps.append(gap0 - gap1)
    assert all(g > 0 for g in gaps), gaps


def test_cluster_promotion_funds_the_association_of_the_targets():
    """The money goes to the targets' association and buys members who learn from each
    other (``_member_spillovers_of_cluster_promotion``, which fails without the spillover)."""
    m = policy_model(
        targeting="top_down",
        priority_industries=METAL,
        budget=20.0,
        allocation=Allocation(cluster_promotion=1.0),
    )
    flows = step(m)
    assoc = m.institutions.of_kind("business_association")[0]
    assert assoc.capacity > assoc.base_capacity
    assert flows.spending["cluster_promotion"] == pytest.approx(20.0)
    _member_spillovers_of_cluster_promotion()


def _metal_catch_up(seed: int, budget: float, **institutions) -> float:
    """Mean log productivity, relative to the frontier, of the metal firms after 12 quarters.

    A small association (capacity 4) covers the metal cluster; cluster promotion funds it.
    """
    from scenarios.schema import InstitutionParams, InstitutionSpec

    assoc = InstitutionSpec(
        type="business_association", district="North", focus=METAL, capacity=4, radius=30.0
    )
    policy = PolicyParams(
        targeting="top_down",
        priority_industries=METAL,
        budget=budget,
        allocation=Allocation(cluster_promotion=1.0),
    )
    scenario = service_scenario([assoc], policy=policy).model_copy(
        update={"institutions": InstitutionParams(**institutions)}
    )
    m = RegionModel(scenario, seed=seed)
    run(m, 12)
    f = m.firms
    metal = np.isin(f.industry, [m.space.index(k) for k in METAL])
    return float(np.log(f.productivity[metal] / m.space.productivity[f.industry[metal]]).mean())


def _member_spillovers_of_cluster_promotion() -> None:
    """Funded membership (capacity) lets more target firms learn from each other: the metal
    firms catch up more than without promotion, over 8 seeds. Without the association
    spillover the promotion does not raise their productivity."""
    gains, without = [], []
    for seed in range(8):
        gains.append(_metal_catch_up(seed, 40.0) - _metal_catch_up(seed, 0.0))
        off = {"association_spillover": 0.0}
        without.append(_metal_catch_up(seed, 40.0, **off) - _metal_catch_up(seed, 0.0, **off))
    assert min(gains) > 0.0 and np.mean(gains) > 2.0 * max(abs(np.mean(without)), 1e-4), (
        gains,
        without,
    )


def test_foresight_makes_emerging_industries_visible_earlier():
    batteries = service_scenario().catalogue.industries[4].key
    seen = []
    for share in (0.0, 1.0):
        m = policy_model(budget=10.0, allocation=Allocation(foresight=share))
        run(m, 4)
        visible = m.institutions.visible_industries(m.quarter, m.present())
        seen.append(bool(visible[m.space.index(batteries)]))
    assert seen == [False, True]


# ------------------------------------------------------------------ grants


def test_grants_only_for_eligible_industries_and_only_from_this_quarters_pool():
    m = policy_model(
        targeting="top_down",
        priority_industries=["software"],
        budget=10.0,
        allocation=Allocation(experimentation=0.5),
    )
    m.step()
    sw, food = m.space.index("software"), m.space.index("food")
    spend(m)  # a fresh pool of 5, in quarter 2
    assert m.policy.take_grant(food, 3.0) == 0.0
    assert m.policy.take_grant(sw, 3.0) == 3.0
    assert m.policy.take_grant(sw, 3.0) == pytest.approx(2.0)
    assert m.policy.take_grant(sw, 3.0) == 0.0
    assert m.flows.spending["experimentation"] == pytest.approx(5.0)


def test_without_targeting_any_industry_may_get_a_grant_if_there_is_a_fund():
    with_fund = policy_model(budget=10.0, allocation=Allocation(experimentation=0.2))
    without = policy_model(budget=10.0, allocation=Allocation(targeted_support=0.2))
    for m in (with_fund, without):
        m.step()
        spend(m)
    assert with_fund.policy.grant_eligible().all()
    assert with_fund.policy.take_grant(m.space.index("food"), 1.0) == 1.0
    assert without.policy.take_grant(m.space.index("food"), 1.0) == 0.0


def _agency(quality: float, **spec):
    from scenarios.schema import InstitutionSpec

    return [InstitutionSpec(type="development_agency", district="North", focus=["software"],
                            radius=40.0, quality=quality, **spec)]  # fmt: skip


def test_development_agencies_screen_grant_applications_by_fit():
    """A skilled agency refuses a poorly fitting applicant and approves a fitting one."""
    scenario = service_scenario(
        _agency(1.0), policy=PolicyParams(budget=100.0, allocation=Allocation(experimentation=1))
    )
    m = RegionModel(scenario, seed=0)
    m.step()
    spend(m)
    sw = m.space.index("software")
    bar = m.params.institutions.grant_screening_bar
    assert m.policy.take_grant(sw, 3.0, fit=0.05, district=0) == 0.0
    assert m.policy.take_grant(sw, 3.0, fit=bar, district=0) == 3.0
    assert m.policy.refused == 1
    assert m.institutions.institutions[0].spent == pytest.approx(
        2 * m.params.institutions.service_cost
    )
    # without a budget left for screening, applications pass unscreened
    m.institutions.institutions[0].purse = 0.0
    assert m.policy.take_grant(sw, 3.0, fit=0.05, district=0) == 3.0


def test_screened_grants_go_to_better_fitting_experiments():
    """With an experimentation fund, a skilled agency's grants go to better-fitting applicants
    than an unskilled agency's (which approves everyone), over 8 seeds."""
    diffs = []
    for seed in range(8):
        means = []
        for quality in (0.0, 1.0):
            policy = PolicyParams(budget=30.0, allocation=Allocation(experimentation=1.0))
            m = RegionModel(service_scenario(_agency(quality), policy=policy), seed=seed)
            fits: list[float] = []
            take = m.policy.take_grant

            def recording(k, amount, fit=None, district=0, take=take, fits=fits):
                granted = take(k, amount, fit, district)
                if granted > 0:
                    fits.append(fit)
                return granted

            m.policy.take_grant = recording
            for _ in range(16):
                m.step()
            means.append(np.mean(fits) if fits else np.nan)
        diffs.append(means[1] - means[0])
    assert np.nanmin(diffs) > 0.0 and np.nanmean(diffs) > 0.05, diffs


# ------------------------------------------------------------------ culture


def _culture(model: RegionModel, trust: float, coordination: float) -> RegionModel:
    scenario = with_params(
        model.params,
        {"region.culture.trust": trust, "region.culture.coordination": coordination},
    )
    return RegionModel(scenario, seed=model.seed)


def test_coordination_decides_how_much_quality_strengthening_buys():
    base = policy_model()
    gains = []
    for coordination in (0.0, 1.0):
        m = _culture(base, 0.5, coordination)
        before = np.array([i.quality for i in m.institutions.institutions])
        m.institutions.strengthen(50.0)
        after = np.array([i.quality for i in m.institutions.institutions])
        gains.append(float((after - before).sum()))
    floor = base.params.institutions.coordination_floor
    assert gains[1] == pytest.approx(gains[0] * (floor + 1.0) / floor, rel=1e-9)


def test_coordination_decides_the_skill_of_agencies_screening():
    base = policy_model()
    skills = []
    for coordination in (0.0, 0.5):
        m = _culture(base, 0.5, coordination)
        f = m.firms
        skills.append(m.institutions.screening_quality(f, np.arange(len(f)), 12))
    floor = base.params.institutions.coordination_floor
    assert skills[1] > 0 and skills[0] == pytest.approx(skills[1] * floor, rel=1e-9)


def test_trust_scales_the_entry_risk_cut_of_associations():
    base = policy_model()
    cuts = [_culture(base, t, 0.5).institutions.entry_risk_cut() for t in (0.25, 0.5)]
    engines = base.space.index("engines")
    assert cuts[1][engines] > 0 and cuts[0][engines] == pytest.approx(0.5 * cuts[1][engines])


def test_low_coordination_slows_the_institutions_and_widens_the_mismatch():
    """Over 8 seeds: with coordination 0 the focus follows requests more slowly (higher
    focus mismatch) than with coordination 1."""
    diffs = []
    for seed in range(8):
        mismatch = []
        for coordination in (0.0, 1.0):
            scenario = with_params(
                service_scenario(),
                {
                    "region.culture.coordination": coordination,
                    "institutions.request_threshold": 0.9,
                },
            )
            out = run(RegionModel(scenario, seed=seed), 14)
            mismatch.append(np.mean([o["focus_mismatch"] for o in out[4:]]))
        diffs.append(mismatch[0] - mismatch[1])
    assert min(diffs) > 0.0 and np.mean(diffs) > 0.01, diffs


def test_low_trust_weakens_value_chain_promotion():
    rises = []
    for trust in (0.25, 0.5):
        m = _culture(
            policy_model(budget=30.0, allocation=Allocation(value_chain_promotion=1.0)), trust, 0.5
        )
        start = m.relations.anchor
        run(m, 8)
        # what promotion built (low trust also erodes the relations it builds on)
        rises.append(m.relations.anchor - start)
    assert rises[0] > 0 and rises[1] > 1.5 * rises[0], rises


# ------------------------------------------------------------------ accounting


def test_spending_never_exceeds_the_budget_plus_co_funding():
    shares = dict.fromkeys(INSTRUMENTS, 1 / len(INSTRUMENTS))
    m = policy_model(
        national=NationalParams(co_funding=1.0),
        targeting="bottom_up",
        variant="low_hanging_fruit",
        budget=30.0,
        allocation=Allocation(**shares),
    )
    for quarter in range(1, 31):
        if quarter == 10:
            m.policy.cut_budget(0.5)
        if quarter == 20:
            m.policy.set_national(False, 0.0)
        spending = step(m).spending
        assert set(spending) == set(INSTRUMENTS)
        assert all(v >= 0 for v in spending.values())
        total = sum(spending.values())
        assert total <= m.policy.money + 1e-9, (quarter, total, m.policy.money)
        assert m.indicators["policy_spending"] == pytest.approx(total)
    assert m.policy.money == pytest.approx(15.0)


def test_subsidy_claims_are_scaled_down_to_the_envelope():
    m = policy_model(budget=10.0)
    m.policy.subsidy_money = 4.0
    paid = m.policy.pay_subsidies(np.array([2.0, 6.0]))
    np.testing.assert_allclose(paid, [1.0, 3.0])
    assert m.policy.spending["targeted_support"] == pytest.approx(4.0)
    np.testing.assert_allclose(m.policy.pay_subsidies(np.array([1.0, 1.0])), [1.0, 1.0])


def test_national_co_funding_adds_to_the_money():
    m = policy_model(national=NationalParams(co_funding=2.0), budget=10.0)
    assert m.policy.money == pytest.approx(30.0)
    m.policy.set_national(False, 2.0)
    assert m.policy.money == pytest.approx(10.0)
