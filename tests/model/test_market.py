"""Demand, competition, the local multiplier and value chains (DESIGN §2.1-2.2).

Each test raises one lever of ``model.market`` and checks that the outcome moves the
documented way: by hand-computed values for one call, and paired over common seeds for
whole runs.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import RegionModel
from model.industries import IndustrySpace
from model.market import Ramp
from scenarios import load_scenario
from scenarios.schema import (
    Catalogue,
    EntrepreneurParams,
    FirmParams,
    Industry,
    IndustryDecline,
    Lifecycle,
    MarketParams,
    Scenario,
)
from tests.helpers import small_scenario

SEEDS = range(6)
LEAD = "engine_components"
SUPPLIER = "metal_fabrication"


def model_with(seed: int = 0, market: MarketParams | None = None, **overrides) -> RegionModel:
    if market is not None:
        overrides["market"] = market
    return RegionModel(small_scenario(**overrides), seed=seed)


def set_market(model: RegionModel, **changes) -> None:
    """Change market parameters of a running model (as a live lever would)."""
    model.market.params = model.market.params.model_copy(update=changes)


def regional_share(model: RegionModel) -> np.ndarray:
    """K, the region's firms' total share of each industry's external market."""
    return model.firms.by_industry(model.firms.share, model.space.size)


def share_sums(model: RegionModel) -> np.ndarray:
    return regional_share(model) + model.market.outside_share


def employment(model: RegionModel, key: str) -> float:
    return float(model.employment_by_industry()[model.space.index(key)])


# --------------------------------------------------------------------------- replicator


def region_fitness(model: RegionModel, own: np.ndarray) -> np.ndarray:
    """K, the region's share-weighted mean competitiveness in each industry."""
    f, k = model.firms, model.space.size
    regional = f.by_industry(f.share, k)
    return np.where(regional > 0, f.by_industry(f.share * own, k) / np.maximum(regional, 1e-300), 0)


def test_firms_above_the_share_weighted_mean_gain_share_those_below_lose():
    model = model_with(market=MarketParams(firm_shock=0.0))  # pure replicator
    f, market = model.firms, model.market
    k = model.space.index(LEAD)
    rows = np.flatnonzero(f.industry == k)
    own, _ = market.fitness(f, 0)
    leader, laggard = rows[np.argmax(own[rows])], rows[np.argmin(own[rows])]
    f.productivity[leader] *= 1.5
    f.productivity[laggard] *= 0.6
    own, _ = market.fitness(f, 0)
    mean = region_fitness(model, own)
    present = f.by_industry(f.share, model.space.size) > 0
    # the outside competitor at parity with the region: only the firms' ranks matter
    market.outside_fitness = np.where(present, mean, market.outside_fitness)
    before, outside_before = f.share.copy(), market.outside_share.copy()
    phi = market.params.selection

    market.compete(f, 0, np.zeros(len(f)))

    # by hand: s' = s (1 + phi (own / mean - 1)); the region's total share is unchanged
    assert f.share == pytest.approx(before * (1.0 + phi * (own / mean[f.industry] - 1.0)))
    assert market.outside_share == pytest.approx(outside_before)
    assert f.share[leader] > before[leader]
    assert f.share[laggard] < before[laggard]
    # every firm moves in the direction of its competitiveness against the mean
    gap = own - mean[f.industry]
    clear = np.abs(gap) > 1e-9
    assert np.array_equal(np.sign(f.share - before)[clear], np.sign(gap)[clear])


def test_a_region_more_competitive_than_the_outside_world_gains_share():
    model = model_with(market=MarketParams(firm_shock=0.0))
    f, market, sp = model.firms, model.market, model.space
    up, down = sp.index(LEAD), sp.index(SUPPLIER)
    own, _ = market.fitness(f, 0)
    mean = region_fitness(model, own)
    market.outside_fitness[up] = 0.8 * mean[up]  # the region leads the world
    market.outside_fitness[down] = 1.25 * mean[down]  # the world leads the region
    before = regional_share(model)
    market.compete(f, 0, np.zeros(len(f)))
    after = regional_share(model)
    assert after[up] > before[up]
    assert after[down] < before[down]
    assert share_sums(model) == pytest.approx(1.0)


def test_outside_competitor_at_a_risen_frontier_takes_share_from_the_region():
    early, late = (model_with(market=MarketParams(firm_shock=0.0)) for _ in range(2))
    zeros = np.zeros(len(early.firms))
    early.market.compete(early.firms, 0, zeros)
    late.market.compete(late.firms, 40, zeros)  # the frontier has grown for 40 quarters
    exported = np.arange(early.space.size) != early.space.local_services
    present = exported & (regional_share(early) > 0)
    assert np.all(late.market.outside_share[present] > early.market.outside_share[present])
    traded = early.firms.industry != early.space.local_services
    assert np.all(late.firms.share[traded] < early.firms.share[traded])
    # local services are not traded: the frontier does not touch them
    ls = early.space.local_services
    assert late.market.outside_share[ls] == pytest.approx(early.market.outside_share[ls])


def test_faster_frontier_growth_lowers_the_regions_market_share():
    exported = [LEAD, SUPPLIER, "plastics", "software"]
    ratios = []  # fast / slow frontier: the region's share of each export industry
    for seed in SEEDS:
        shares = []
        for growth in (0.0, 0.02):
            model = model_with(seed, MarketParams(frontier_growth=growth))
            model.run_for(30)
            shares.append(regional_share(model)[[model.space.index(k) for k in exported]])
        assert shares[1].sum() < shares[0].sum()  # every seed: a smaller total share
        ratios.append(shares[1] / shares[0])
    ratios = np.array(ratios)
    assert ratios.mean() < 0.92
    assert np.all(ratios.mean(axis=0) < 0.95)  # every industry, on average over seeds


def test_shares_and_outside_sum_to_one_after_entry_and_exit():
    scenario = small_scenario(
        firms=FirmParams(spinoff_probability=0.05),
        entrepreneurs=EntrepreneurParams(base_rate=0.002),
    )
    model = RegionModel(scenario, seed=3)
    model.run_for(3)
    f = model.firms
    before = len(f)
    rows = np.argsort(-f.employment)[:5]  # large firms can spare workers
    u = np.random.default_rng(0).random(len(rows))
    new = f.spin_offs(rows, u, model.spinoff_prospects(), model.space, model.labour.wage,
                      model.params.market.entry_share)  # fmt: skip
    child = model.demography.found(new, model.quarter + 1, model.flows)[-1]
    assert len(f) == before + 5
    assert share_sums(model) == pytest.approx(1.0, abs=1e-9)
    model.remove_firms(np.array([int(np.argmax(f.employment)), child.row]))
    assert share_sums(model) == pytest.approx(1.0, abs=1e-9)
    births, deaths = model.totals.births, model.totals.deaths
    for _ in range(30):
        model.step()
        assert share_sums(model) == pytest.approx(1.0, abs=1e-9)
    assert model.totals.births > births + 10
    assert model.totals.deaths > deaths


# --------------------------------------------------------------------------- competitiveness


def test_fit_weight_sets_how_much_capability_fit_matters():
    gains = {}
    for weight in (0.0, 1.0, 2.0):
        model = model_with(market=MarketParams(fit_weight=weight))
        f, sp = model.firms, model.space
        a, b = np.flatnonzero(f.industry == sp.index(LEAD))[:2]
        f.productivity[b] = f.productivity[a]
        f.proficiency[a] = 0.9 * sp.requires[f.industry[a]]
        f.proficiency[b] = 0.45 * sp.requires[f.industry[b]]
        own, _ = model.market.fitness(f, 0)
        assert own[a] / own[b] == pytest.approx(2.0**weight)
        before = f.share.copy()
        model.market.compete(f, 0, np.zeros(len(f)))
        gains[weight] = (f.share[a] / before[a]) / (f.share[b] / before[b])
    assert gains[0.0] == pytest.approx(1.0)
    assert 1.0 < gains[1.0] < gains[2.0]


def test_with_a_higher_fit_weight_well_fitted_firms_grow_faster_over_a_run():
    def correlation(seed: int, weight: float) -> float:
        model = model_with(seed, MarketParams(fit_weight=weight))
        f = model.firms
        fit0 = dict(zip(f.uid.tolist(), f.fit(model.space.requires), strict=True))
        share0 = dict(zip(f.uid.tolist(), f.share, strict=True))
        model.run_for(12)
        f = model.firms
        alive = [i for i, s in enumerate(f.uid.tolist()) if s in fit0]
        growth = [np.log(f.share[i] / share0[int(f.uid[i])]) for i in alive]
        fit = [fit0[int(f.uid[i])] for i in alive]
        return float(np.corrcoef(fit, growth)[0, 1])

    for seed in SEEDS[:4]:
        assert correlation(seed, 3.0) > correlation(seed, 0.0) + 0.05


def test_a_higher_regional_wage_lowers_the_regions_shares():
    results = {}
    for weight in (0.0, 0.5, 2.0):
        for ratio in (1.0, 1.3):
            model = model_with(market=MarketParams(wage_weight=weight))
            model.labour.wage = ratio * model.params.labour.wage
            u = model.draws("firms", 3)[:, 1:]  # the demand-shock columns, as in ``step``
            model.firms.compete(model.market, model.quarter, u, model.wage_ratio())
            results[weight, ratio] = regional_share(model)
    present = results[0.0, 1.0] > 0
    assert results[0.0, 1.3] == pytest.approx(results[0.0, 1.0])  # no weight, no effect
    assert np.all(results[0.5, 1.3][present] < results[0.5, 1.0][present])
    loss_half = results[0.5, 1.0][present] - results[0.5, 1.3][present]
    loss_two = results[2.0, 1.0][present] - results[2.0, 1.3][present]
    assert np.all(loss_two > loss_half)


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_bigger_firm_shocks_spread_firm_growth_rates(seed):
    def spread(shock: float) -> float:
        model = model_with(seed, MarketParams(firm_shock=shock))
        model.run_for(4)
        start = dict(zip(model.firms.uid.tolist(), model.firms.employment, strict=True))
        model.run_for(8)
        f = model.firms
        growth = [
            np.log(e / start[s])
            for s, e in zip(f.uid.tolist(), f.employment, strict=True)
            if s in start
        ]
        return float(np.std(growth))

    calm, mid, wild = spread(0.02), spread(0.12), spread(0.3)
    assert calm < mid < wild
    assert wild > 1.5 * mid


# --------------------------------------------------------------------------- lifecycles


def lifecycle_space(*cycles: Lifecycle) -> IndustrySpace:
    industries = [
        Industry(
            key="local",
            name="Local",
            sector="s",
            requires=["a"],
            national_share=0.5,
            local_services=True,
        )
    ] + [
        Industry(
            key=f"i{n}",
            name=f"I{n}",
            sector="s",
            requires=["a", "b"],
            national_share=0.1,
            lifecycle=lc,
        )
        for n, lc in enumerate(cycles)
    ]
    return IndustrySpace.from_catalogue(Catalogue(capabilities=["a", "b"], industries=industries))


def test_mature_industry_demand_stays_at_one():
    sp = lifecycle_space(Lifecycle())
    for t in (0, 1, 50, 400):
        assert sp.lifecycle_demand(t)[1] == 1.0


def test_emerging_industry_is_born_at_five_percent_of_peak_and_grows_logistically():
    sp = lifecycle_space(Lifecycle(birth=10, growth=0.1, peak=5.0))
    demand = np.array([sp.lifecycle_demand(t)[1] for t in range(0, 200)])
    assert np.all(demand[:10] == 0.0)  # not born yet
    assert demand[10] == pytest.approx(0.25)  # 5 % of the peak
    # 5 / (1 + 19 e^{-0.1 age})
    assert demand[20] == pytest.approx(5.0 / (1.0 + 19.0 * np.exp(-1.0)))
    assert demand[40] == pytest.approx(5.0 / (1.0 + 19.0 * np.exp(-3.0)))
    assert np.all(np.diff(demand[10:]) > 0)
    assert demand[-1] == pytest.approx(5.0, rel=1e-6)  # saturates at the peak
    # fastest growth around the inflection point, where demand is half the peak
    steepest = 10 + int(np.argmax(np.diff(demand[10:])))
    assert demand[steepest] == pytest.approx(2.5, rel=0.1)


def test_growing_existing_industry_starts_at_one_and_tends_to_its_peak():
    sp = lifecycle_space(Lifecycle(growth=0.02, peak=2.0))
    assert sp.lifecycle_demand(0)[1] == pytest.approx(1.0)
    # 2 / (1 + e^{-0.02 t})
    assert sp.lifecycle_demand(50)[1] == pytest.approx(2.0 / (1.0 + np.exp(-1.0)))
    assert sp.lifecycle_demand(1000)[1] == pytest.approx(2.0)


def test_demand_declines_geometrically_after_the_onset():
    sp = lifecycle_space(
        Lifecycle(decline_onset=40, decline_rate=0.05),
        Lifecycle(birth=10, growth=0.1, peak=5.0, decline_onset=60, decline_rate=0.02),
    )
    assert sp.lifecycle_demand(40)[1] == 1.0
    assert sp.lifecycle_demand(41)[1] == pytest.approx(0.95)
    assert sp.lifecycle_demand(50)[1] == pytest.approx(0.95**10)
    grown = 5.0 / (1.0 + 19.0 * np.exp(-0.1 * 60))
    assert sp.lifecycle_demand(70)[2] == pytest.approx(grown * 0.98**10)
    assert sp.lifecycle_demand(200)[2] < sp.lifecycle_demand(100)[2]


# --------------------------------------------------------------------------- local multiplier


def test_local_services_demand_is_a_share_of_the_wage_bill():
    model = model_with()
    model.run_for(3)
    ls = model.space.local_services
    rng = np.random.default_rng(1)
    for share in (0.3, 0.6):
        set_market(model, local_services_share=share)
        model.market.update_demand(model.quarter, 1000.0, rng)
        noise = model.market.noise[ls]
        assert model.market.demand[ls] == pytest.approx(share * 1000.0 * noise)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_larger_local_services_share_of_the_wage_bill_means_more_local_jobs(seed):
    jobs = []
    for share in (None, 0.7):
        model = model_with(seed)
        model.run_for(5)
        if share is not None:
            set_market(model, local_services_share=share)  # from 0.5
        model.run_for(20)
        jobs.append(employment(model, "local_services"))
    assert jobs[1] > 1.1 * jobs[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_losing_export_demand_costs_local_services_jobs(seed):
    runs = []
    for cut in (False, True):
        model = model_with(seed)
        model.run_for(5)
        if cut:  # exogenous: world demand of the lead industry falls by 60 % over 4 quarters
            model.market.ramps.append(Ramp(model.space.index(LEAD), 6, 4, 0.4))
        jobs = []
        for _ in range(20):
            model.step()
            jobs.append((employment(model, LEAD), employment(model, "local_services")))
        runs.append(np.array(jobs))
    base, hit = runs
    assert np.all(hit[5:, 0] < 0.8 * base[5:, 0])
    # the wage bill shrinks, and with it local services: fewer local jobs over the period
    assert hit[:, 1].sum() < 0.95 * base[:, 1].sum()
    assert np.all(hit[3:, 1] < base[3:, 1])


# --------------------------------------------------------------------------- value chains


def test_local_buyers_demand_is_local_sourcing_times_their_input_purchases():
    model = model_with()
    sp, market = model.space, model.market
    gross = market.gross_output.copy()
    for sourcing in (0.1, 0.5):
        market.local_sourcing = sourcing
        market.update_demand(1, model.wage_bill, np.random.default_rng(0))
        k, lead = sp.index(SUPPLIER), sp.index(LEAD)
        assert gross[sp.index("power_electronics")] == 0  # its other buyer is absent
        assert market.intermediate[k] == pytest.approx(sourcing * sp.io[lead, k] * gross[lead])
        assert market.intermediate[lead] == 0  # nobody buys engine components locally


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_more_local_sourcing_means_more_supplier_output(seed):
    out = []
    for sourcing in (None, 0.6):
        model = model_with(seed)
        model.run_for(5)
        if sourcing is not None:  # from the profile's 0.25, as value-chain promotion does
            model.market.local_sourcing = sourcing
            model.relations.anchor = sourcing  # and the relations it builds last
        model.run_for(15)
        k = model.space.index(SUPPLIER)
        out.append((model.market.gross_output[k], employment(model, SUPPLIER)))
    (gross, jobs), (gross_more, jobs_more) = out
    assert gross_more > 1.15 * gross
    assert jobs_more > 1.1 * jobs


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_more_local_sourcing_in_the_profile_ties_suppliers_to_their_buyers(seed):
    """At set-up demand is calibrated to the profile's employment, so the profile's
    local_sourcing shows in how strongly a buyer's decline reaches its suppliers."""
    decline = IndustryDecline(
        type="industry_decline", step=5, industry=LEAD, fraction=0.6, duration=8
    )
    loss = {}
    for sourcing in (0.1, 0.5):
        gross = []
        for events in ([], [decline]):
            scenario: Scenario = small_scenario(region={"local_sourcing": sourcing}, events=events)
            model = RegionModel(scenario, seed=seed)
            model.run_for(20)
            gross.append(model.market.gross_output[model.space.index(SUPPLIER)])
        loss[sourcing] = 1.0 - gross[1] / gross[0]
    assert loss[0.5] > loss[0.1] + 0.1


@pytest.mark.parametrize("key", ["metal_fabrication", "plastics_components", "machinery"])
def test_a_new_firm_gets_work_for_the_workers_its_share_was_sized_for(key):
    model = RegionModel(load_scenario("baseline"), seed=2)
    model.run_for(3)
    sp, f = model.space, model.firms
    k = sp.index(key)
    firm = model.create_firm(
        industry=k,
        near=(20, 20),
        employment=1.0,
        productivity=float(sp.productivity[k]),
        proficiency=np.zeros(len(sp.capabilities)),
        equity=5.0,
        origin="startup",
    )
    gross = model.market.sales(f)[firm.row]
    work = gross * (1.0 - model.market.input_share[k]) / sp.productivity[k]
    # renormalising the industry's shares after entry takes a little back
    assert work == pytest.approx(model.params.entrepreneurs.new_firm_size, rel=0.02)
