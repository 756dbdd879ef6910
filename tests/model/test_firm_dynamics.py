"""Produce and pay, adjust employment, innovate, imitate, learn (DESIGN §2.2, steps 2-4).

Hand-computed checks of one call of each ``model.firms.Firms`` behaviour, and paired
runs over common seeds showing that each lever moves its outcome the documented way.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import RegionModel
from model.firms import Firms
from model.labour import LabourPool
from scenarios.schema import (
    Culture,
    FirmParams,
    InstitutionParams,
    LabourParams,
    NationalParams,
)
from tests.helpers import (
    GrantPolicy,
    adjust_employment,
    imitate,
    innovate,
    learn,
    produce,
    small_scenario,
)

SEEDS = range(6)
LEAD = "engine_components"


def model_with(seed: int = 0, **firm_params) -> RegionModel:
    return RegionModel(small_scenario(firms=FirmParams(**firm_params)), seed=seed)


def ready_to_produce(model: RegionModel) -> None:
    """Demand and shares of quarter 1, as ``step`` sets them before ``produce``."""
    model.market.update_demand(1, model.wage_bill, np.random.default_rng(11))


def rel_log_productivity(model: RegionModel) -> np.ndarray:
    f = model.firms
    return np.log(f.productivity / model.space.productivity[f.industry])


# --------------------------------------------------------------------------- produce and pay


def test_profit_is_value_added_less_wages_fixed_costs_and_rd_plus_subsidy():
    scenario = small_scenario(national=NationalParams(enabling_environment=0.25))
    model = RegionModel(scenario, seed=1)
    model.policy = GrantPolicy(0.0)  # pays subsidy claims in full
    f, p = model.firms, model.params.firms
    ready_to_produce(model)
    f.subsidy[::3] = 0.1
    f.equity[::2] = -5.0  # some firms in the red
    gross = model.market.sales(f)
    orders = gross * (1.0 - model.market.input_share[f.industry])
    va = np.minimum(orders, p.overtime * f.employment * f.productivity)
    wages = model.wages() * f.employment
    fixed = p.fixed_cost * (1.0 - 0.25)
    profit = va * (1.0 - f.rd) - wages - fixed + f.subsidy * va
    equity = np.minimum(
        f.equity + profit, np.maximum(p.retained_quarters * (wages + fixed), f.equity)
    )
    negative = np.where(equity < 0, f.negative_quarters + 1, 0)

    made = produce(model)

    assert made.output == pytest.approx(va.sum())
    assert made.workers == pytest.approx(f.employment.sum())
    assert f.value_added == pytest.approx(va)
    assert f.orders == pytest.approx(orders)
    assert f.profit == pytest.approx(profit)
    assert f.equity == pytest.approx(equity)
    assert np.array_equal(f.negative_quarters, negative)
    assert np.all(f.age == 1)
    assert (f.equity < 0).any() and (f.profit > 0).any()


def test_enabling_environment_lowers_fixed_costs_and_raises_every_firms_profit():
    profits = []
    for cut in (0.0, 0.6):
        model = RegionModel(small_scenario(national=NationalParams(enabling_environment=cut)), 2)
        ready_to_produce(model)
        produce(model)
        profits.append(model.firms.profit.copy())
    fixed = model.params.firms.fixed_cost
    assert profits[1] - profits[0] == pytest.approx(np.full(len(profits[0]), 0.6 * fixed))


def test_enabling_environment_keeps_more_firms_alive_when_fixed_costs_bite():
    deaths = {}
    for cut in (0.0, 0.8):
        deaths[cut] = 0
        for seed in SEEDS[:4]:
            scenario = small_scenario(
                firms=FirmParams(fixed_cost=6.0),
                national=NationalParams(enabling_environment=cut),
            )
            model = RegionModel(scenario, seed=seed)
            model.run_for(20)
            deaths[cut] += model.totals.deaths
    assert deaths[0.8] < 0.7 * deaths[0.0]


# --------------------------------------------------------------------------- employment


@pytest.mark.parametrize("rate", [0.3, 0.6])
def test_employment_closes_its_gap_to_orders_over_productivity_at_the_adjustment_rate(rate):
    model = model_with(3, employment_adjustment=rate)
    f = model.firms
    ready_to_produce(model)
    produce(model)
    f.orders *= np.where(np.arange(len(f)) % 2 == 0, 1.5, 0.5)  # half grow, half shrink
    model.labour.unemployed *= 100.0  # plenty of workers: every vacancy is filled
    target = f.orders / f.productivity
    before = f.employment.copy()

    hired = adjust_employment(model)

    assert f.employment == pytest.approx(before + rate * (target - before), rel=1e-9)
    assert hired.hires == pytest.approx(np.maximum(rate * (target - before), 0).sum())
    assert hired.separations == pytest.approx(np.maximum(rate * (before - target), 0).sum())


def test_hires_from_related_industries_bring_better_skills():
    """LabourPool.hire on a crafted pool: one vacancy cell, different pools behind it."""
    relatedness = np.array([[1.0, 0.9, 0.05], [0.9, 1.0, 0.05], [0.05, 0.05, 1.0]])
    entrant_fit = np.array([0.3, 0.3, 0.3])
    demand = np.zeros((1, 3))
    demand[0, 0] = 10.0
    quality = {}
    for source in (1, 2):  # a related and an unrelated industry of last job
        pool = LabourPool(LabourParams(), np.array([100.0]), 3)
        pool.unemployed[0, source] = 50.0
        pool.skill[0, source] = 0.8
        hires, q = pool.hire(demand, relatedness, entrant_fit)
        assert hires[0, 0] == pytest.approx(10.0)
        quality[source] = q[0, 0]
    assert quality[1] == pytest.approx(0.9 * 0.8)
    # unrelated: general skills only
    assert quality[2] == pytest.approx(LabourParams().general_skill * 0.8)
    assert quality[1] > 3 * quality[2]


def test_firms_hiring_from_related_industries_gain_more_proficiency():
    gains = {}
    for source in ("metal_fabrication", "food_processing"):  # related to / far from engines
        model = model_with(4)
        ready_to_produce(model)
        produce(model)
        f, pool, sp = model.firms, model.labour, model.space
        k = sp.index(LEAD)
        f.orders = np.where(f.industry == k, 2.0 * f.orders, f.orders)  # engines hire
        f.proficiency[:] = 0.3 * sp.requires[f.industry]  # weak incumbents
        workers = pool.unemployed.sum()
        pool.unemployed[:] = 0.0
        pool.unemployed[:, sp.index(source)] = workers / model.n_districts
        pool.skill[:] = 0.9
        adjust_employment(model)
        gains[source] = f.fit(sp.requires)[f.industry == k] - 0.3
    sp = model.space
    assert sp.relatedness[sp.index(LEAD), sp.index("metal_fabrication")] > 0.7
    assert sp.relatedness[sp.index(LEAD), sp.index("food_processing")] < 0.3
    related, unrelated = gains["metal_fabrication"], gains["food_processing"]
    assert np.all(related > 0)
    assert np.all(related > unrelated)
    assert related.mean() > unrelated.mean() + 0.03


# --------------------------------------------------------------------------- innovation


def record_innovations(monkeypatch) -> list[tuple[np.ndarray, np.ndarray]]:
    """Record (employment, log-productivity gain) of every firm at every innovate call."""
    calls: list[tuple[np.ndarray, np.ndarray]] = []
    original = Firms.innovate

    def recording(firms: Firms, u: np.ndarray, youth: np.ndarray) -> int:
        before = firms.productivity.copy()
        employment = firms.employment.copy()
        n = original(firms, u, youth)
        calls.append((employment, np.log(firms.productivity / before)))
        return n

    monkeypatch.setattr(Firms, "innovate", recording)
    return calls


def test_innovation_chance_rises_with_size_as_documented():
    model = model_with(5)
    f, p = model.firms, model.params.firms
    model.run_for(2)
    before = f.productivity.copy()
    innovations = innovate(model)
    u = model.streams.uniform("innovation", model.quarter, f.uid, k=2)
    chance = 1.0 - np.exp(-p.innovation_rate * np.sqrt(f.rd * f.employment))
    assert np.array_equal(f.productivity > before, u[:, 0] < chance)
    assert innovations == int((f.productivity > before).sum())


def test_larger_firms_innovate_more_often(monkeypatch):
    calls = record_innovations(monkeypatch)
    for seed in SEEDS[:4]:
        model_with(seed).run_for(30)
    employment = np.concatenate([e for e, _ in calls])
    innovated = np.concatenate([g for _, g in calls]) > 0
    small, medium, large = employment < 20, (employment >= 20) & (employment < 80), employment >= 80
    assert min(small.sum(), medium.sum(), large.sum()) > 1000  # firm-quarters per class
    rates = [innovated[size].mean() for size in (small, medium, large)]
    assert rates[0] < rates[1] < rates[2]
    assert rates[2] > 2 * rates[0]


def test_a_higher_innovation_rate_raises_productivity_growth():
    for seed in SEEDS[:4]:
        growth = []
        for rate in (0.0, 0.025, 0.1):
            model = model_with(seed, innovation_rate=rate)
            start = dict(zip(model.firms.uid.tolist(), rel_log_productivity(model), strict=True))
            model.run_for(30)
            now = rel_log_productivity(model)
            growth.append(
                np.mean([now[i] - start[s] for i, s in enumerate(model.firms.uid) if s in start])
            )
        assert growth[0] < growth[1] < growth[2]
        assert growth[2] - growth[0] > 0.05


def test_innovation_gains_are_fat_tailed(monkeypatch):
    calls = record_innovations(monkeypatch)
    for seed in SEEDS[:3]:
        model_with(seed, innovation_rate=2.0).run_for(10)  # nearly every firm innovates
    gains = np.concatenate([g for _, g in calls])
    gains = gains[gains > 0]
    assert len(gains) > 1500
    size = FirmParams().innovation_size
    assert gains.mean() == pytest.approx(size, rel=0.25)
    z = (gains - gains.mean()) / gains.std()
    assert (z**4).mean() > 10  # a normal distribution has kurtosis 3
    assert gains.max() > 10 * gains.mean()
    assert np.median(gains) < 0.8 * gains.mean()  # right-skewed: most gains are small


# --------------------------------------------------------------------------- imitation


def lone_firms(spec, culture: Culture | None = None, **params) -> RegionModel:
    """A model reduced to hand-placed firms.

    Args:
        spec: (industry key, x, y, log productivity relative to the frontier, member).
        culture: the region's culture (trust).
        **params: FirmParams fields, or ``association_spillover``.
    """
    inst = {}
    if "association_spillover" in params:
        inst["institutions"] = InstitutionParams(
            association_spillover=params.pop("association_spillover")
        )
    region = {"culture": culture} if culture is not None else None
    model = RegionModel(small_scenario(region=region, firms=FirmParams(**params), **inst), 0)
    f, sp = model.firms, model.space
    model.remove_firms(np.arange(len(spec), len(f)))
    for row, (key, x, y, r, member) in enumerate(spec):
        f.industry[row] = sp.index(key)
        f.x[row], f.y[row] = x, y
        f.productivity[row] = sp.productivity[f.industry[row]] * np.exp(r)
        f.member[row] = member
    return model


def imitation_gain(model: RegionModel) -> np.ndarray:
    before = model.firms.productivity.copy()
    imitate(model)
    return np.log(model.firms.productivity / before)


def test_a_laggard_closes_part_of_its_gap_to_a_leader_as_documented():
    spec = [(LEAD, 5, 5, 0.4, False), (LEAD, 7, 5, 0.0, False)]
    model = lone_firms(spec, culture=Culture(trust=0.8), imitation_rate=0.05, cluster_bonus=0.5)
    gain = imitation_gain(model)
    w = np.exp(-2.0 / 6.0) * 1.5  # distance 2, radius 6, same industry
    assert gain[1] == pytest.approx(0.05 * 2 * 0.8 * 0.4 * w / (1 + w), rel=1e-9)
    assert gain[0] == 0.0  # the leader has nobody to learn from


def test_imitation_rate_and_trust_raise_the_laggards_gain():
    spec = [(LEAD, 5, 5, 0.4, False), (LEAD, 6, 5, 0.0, False)]
    gains = {
        (rate, trust): imitation_gain(
            lone_firms(spec, culture=Culture(trust=trust), imitation_rate=rate)
        )[1]
        for rate in (0.0, 0.02, 0.08)
        for trust in (0.2, 0.9)
    }
    assert gains[0.0, 0.9] == 0.0
    assert gains[0.02, 0.2] < gains[0.02, 0.9] < gains[0.08, 0.9]
    assert gains[0.08, 0.2] == pytest.approx(4 * gains[0.02, 0.2])
    assert gains[0.02, 0.9] == pytest.approx(4.5 * gains[0.02, 0.2])


def test_spillovers_decay_with_distance():
    gains = []
    for distance in (1, 4, 10, 20):
        spec = [(LEAD, 2, 5, 0.4, False), (LEAD, 2 + distance, 5, 0.0, False)]
        gains.append(imitation_gain(lone_firms(spec, imitation_rate=0.05))[1])
    assert np.all(np.diff(gains) < 0)
    assert gains[-1] < 0.1 * gains[0]


def test_cluster_bonus_strengthens_spillovers_within_an_industry_only():
    same = [(LEAD, 5, 5, 0.4, False), (LEAD, 8, 5, 0.0, False)]
    other = [("metal_fabrication", 5, 5, 0.4, False), (LEAD, 8, 5, 0.0, False)]
    gain = {
        (name, bonus): imitation_gain(lone_firms(spec, imitation_rate=0.05, cluster_bonus=bonus))[1]
        for name, spec in (("same", same), ("other", other))
        for bonus in (0.0, 2.0)
    }
    assert gain["same", 2.0] > 1.5 * gain["same", 0.0]
    assert gain["other", 2.0] == pytest.approx(gain["other", 0.0])
    assert gain["other", 0.0] > 0  # related industries teach too, less than the own one
    assert gain["other", 0.0] < gain["same", 0.0]


def test_association_members_learn_more_from_each_other():
    def laggard_gain(member: bool, spillover: float) -> float:
        spec = [(LEAD, 5, 5, 0.4, True), (LEAD, 9, 5, 0.0, member)]
        model = lone_firms(spec, imitation_rate=0.05, association_spillover=spillover)
        return float(imitation_gain(model)[1])

    assert laggard_gain(True, 2.0) > laggard_gain(True, 0.5) > laggard_gain(True, 0.0)
    assert laggard_gain(False, 2.0) == pytest.approx(laggard_gain(True, 0.0))


def test_more_imitation_and_trust_make_productivity_converge():
    def spread(seed: int, rate: float, trust: float) -> float:
        scenario = small_scenario(
            firms=FirmParams(imitation_rate=rate), region={"culture": Culture(trust=trust)}
        )
        model = RegionModel(scenario, seed=seed)
        model.run_for(30)
        f, r = model.firms, rel_log_productivity(model)
        return float(
            sum(np.std(r[f.industry == k]) * (f.industry == k).sum() for k in np.unique(f.industry))
            / len(f)
        )

    for seed in SEEDS[:4]:
        none, low_trust, high_trust = (
            spread(seed, 0.0, 0.5),
            spread(seed, 0.05, 0.1),
            spread(seed, 0.05, 0.9),
        )
        assert high_trust < low_trust < none


# --------------------------------------------------------------------------- capabilities


def test_learning_by_doing_raises_required_proficiency_depreciation_lowers_the_rest():
    model = model_with(6, learning_by_doing=0.1, depreciation=0.05)
    f, sp = model.firms, model.space
    f.proficiency[:] = 0.5  # everyone knows a bit of everything
    req = sp.requires[f.industry] > 0
    learn(model)
    assert f.proficiency[req] == pytest.approx(0.5 + 0.1 * 0.5)
    assert f.proficiency[~req] == pytest.approx(0.5 * 0.95)


def test_faster_learning_and_depreciation_over_a_run():
    def fit_and_unused(seed: int, lbd: float, dep: float) -> tuple[float, float]:
        model = model_with(seed, learning_by_doing=lbd, depreciation=dep)
        model.firms.proficiency[:] = np.maximum(model.firms.proficiency, 0.4)
        model.run_for(12)
        f = model.firms
        req = model.space.requires[f.industry] > 0
        return float(f.fit(model.space.requires).mean()), float(f.proficiency[~req].mean())

    for seed in SEEDS[:3]:
        slow_fit, slow_unused = fit_and_unused(seed, 0.0, 0.0)
        fast_fit, fast_unused = fit_and_unused(seed, 0.1, 0.1)
        assert fast_fit > slow_fit + 0.05
        assert fast_unused < 0.5 * slow_unused


# --------------------------------------------------------------------------- equity


def test_retained_quarters_caps_equity_at_a_buffer_of_costs():
    model = model_with(7, retained_quarters=2.0)
    model.policy = GrantPolicy(0.0)
    f = model.firms
    ready_to_produce(model)
    costs = model.wages() * f.employment + model.params.firms.fixed_cost
    group = np.arange(len(f)) % 3
    # far above the buffer / just below it / nothing yet
    f.equity = np.select([group == 0, group == 1], [1e6, 1.99 * costs], 0.0)
    produce(model)
    gaining = f.profit > 0.01 * costs
    assert gaining.sum() > 20
    assert np.all(f.equity[(group == 0) & gaining] == 1e6)  # not topped up further
    capped = (group == 1) & gaining
    assert capped.sum() > 5
    assert f.equity[capped] == pytest.approx(2.0 * costs[capped])  # stops at the buffer
    fresh = (group == 2) & gaining
    kept = np.minimum(f.profit[fresh], 2.0 * costs[fresh])  # below the buffer, profit is kept
    assert f.equity[fresh] == pytest.approx(kept)
    losing = f.profit < 0
    assert f.equity[(group == 0) & losing] == pytest.approx(1e6 + f.profit[(group == 0) & losing])


def test_more_retained_quarters_more_equity():
    for seed in SEEDS[:3]:
        equity = []
        for quarters in (0.5, 8.0):
            model = model_with(seed, retained_quarters=quarters)
            model.run_for(20)
            equity.append(float(model.firms.equity.sum()))
        assert equity[1] > 2 * equity[0]
