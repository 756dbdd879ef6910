"""Industry space, the district table and the region at step 0 (DESIGN §2.1, §2.8, §2.11)."""

from __future__ import annotations

import numpy as np
import pytest

from model import RegionModel
from model.industries import IndustrySpace
from scenarios import load_scenario, with_params
from scenarios.schema import Catalogue, FirmParams, Industry, InputLink
from tests.helpers import small_scenario

SEEDS = range(5)


# --------------------------------------------------------------------------- industry space


def hand_space() -> IndustrySpace:
    def ind(key: str, requires: list[str], **kw) -> Industry:
        return Industry(key=key, name=key, sector="s", requires=requires, national_share=0.1, **kw)

    return IndustrySpace.from_catalogue(
        Catalogue(
            capabilities=["a", "b", "c", "d"],
            industries=[
                ind("x", ["a", "b"]),
                ind("y", ["a", "b", "c"]),
                ind("z", ["d"]),
                ind("local", ["c", "d"], local_services=True),
            ],
            inputs=[
                InputLink(buyer="y", supplier="x", coefficient=0.2),
                InputLink(buyer="y", supplier="z", coefficient=0.1),
            ],
        )
    )


def test_relatedness_is_the_cosine_similarity_of_requirements():
    sp = hand_space()
    s2, s3 = np.sqrt(2.0), np.sqrt(3.0)
    expected = np.array(
        [
            [1.0, 2 / (s2 * s3), 0.0, 0.0],
            [2 / (s2 * s3), 1.0, 0.0, 1 / (s3 * s2)],
            [0.0, 0.0, 1.0, 1 / s2],
            [0.0, 1 / (s3 * s2), 1 / s2, 1.0],
        ]
    )
    assert sp.relatedness == pytest.approx(expected)
    assert np.array_equal(sp.relatedness, sp.relatedness.T)


def test_complexity_is_the_number_of_required_capabilities():
    sp = hand_space()
    assert sp.complexity.tolist() == [2, 3, 1, 2]
    assert sp.requires.sum() == 8
    assert sp.local_services == 3


def test_value_chain_table_and_input_shares():
    sp = hand_space()
    assert sp.io[1, 0] == 0.2 and sp.io[1, 2] == 0.1  # y buys from x and z
    assert sp.io.sum() == pytest.approx(0.3)
    assert sp.io.sum(axis=1) == pytest.approx([0.0, 0.3, 0.0, 0.0])


def test_builtin_catalogue_relatedness_ties_emerging_industries_to_the_heartland():
    """The heartland story: batteries and EV power electronics are related to its base."""
    sp = IndustrySpace.from_catalogue(load_scenario("baseline").catalogue)
    ev, ice = sp.index("power_electronics_ev"), sp.index("automotive_ice_components")
    assert sp.relatedness[ev, ice] > sp.relatedness[ev, sp.index("tourism")]
    assert np.all(np.diag(sp.relatedness) == pytest.approx(1.0))
    assert np.all((sp.relatedness >= 0) & (sp.relatedness <= 1 + 1e-12))


# --------------------------------------------------------------------------- district table


def test_district_table_has_one_row_per_district_per_step_with_finite_complexity():
    model = RegionModel(small_scenario(), seed=0)
    steps = 6
    model.run_for(steps)
    table = model.datacollector.get_table_dataframe("districts")
    assert len(table) == model.n_districts * (steps + 1)
    assert set(table.columns) >= {"step", "district", "employment", "diversity", "complexity"}
    counts = table.groupby("step")["district"].apply(sorted)
    assert counts.index.tolist() == list(range(steps + 1))
    assert all(names == sorted(model.district_names) for names in counts)
    assert np.all(np.isfinite(table["complexity"]))
    assert np.all(np.isfinite(table["diversity"])) and np.all(table["diversity"] >= 0)
    series = model.datacollector.get_model_vars_dataframe()
    by_step = table.groupby("step")["employment"].sum().to_numpy()
    firm_jobs = series["employment"].to_numpy() - series["entrepreneurs"].to_numpy()
    assert by_step == pytest.approx(firm_jobs)


def test_district_table_distinguishes_districts_in_the_heartland():
    model = RegionModel(load_scenario("baseline"), seed=0)
    model.run_for(40)  # (discoveries that connect the towns are rarer than they were)
    table = model.datacollector.get_table_dataframe("districts")
    assert len(table) == 4 * 41
    assert np.all(np.isfinite(table["complexity"]))
    # the towns differ in what they make (at quarter 0 their specialisations share no
    # industry, so the eigenvector index is undefined and reported as 0: metrics.eci)
    spread = table.groupby("step")["complexity"].std()
    assert (spread > 0.5).sum() >= 12


# --------------------------------------------------------------------------- step 0


def initial_firm_sizes(model: RegionModel, key: str) -> np.ndarray:
    f = model.firms
    return f.employment[f.industry == model.space.index(key)]


def test_initial_firm_sizes_are_right_skewed():
    pooled = []
    for seed in SEEDS:
        model = RegionModel(small_scenario(), seed=seed)
        for key in ("engine_components", "metal_fabrication", "local_services"):
            sizes = initial_firm_sizes(model, key)
            assert len(sizes) >= 20
            assert sizes.mean() > np.median(sizes)
            pooled.append(np.log(sizes / sizes.mean()))
    logs = np.concatenate(pooled)
    assert np.std(logs) > 0.6  # lognormal spread (size_sigma = 1.1), not all alike
    equal = RegionModel(small_scenario(firms=FirmParams(size_sigma=0.0)), seed=0)
    sizes = initial_firm_sizes(equal, "engine_components")
    assert sizes == pytest.approx(np.full(len(sizes), sizes.mean()))


@pytest.mark.parametrize("name", ["small", "baseline", "mining_phaseout", "agrifood_baseline"])
def test_initial_employment_per_industry_matches_the_region_profile(name):
    scenario = small_scenario() if name == "small" else load_scenario(name)
    model = RegionModel(scenario, seed=1)
    profile = np.zeros(model.space.size)
    firms = np.zeros(model.space.size, dtype=int)
    for ind in scenario.region.industries:
        profile[model.space.index(ind.key)] += ind.employment
        firms[model.space.index(ind.key)] += ind.firms or 0
    assert model.employment_by_industry() == pytest.approx(profile, rel=1e-9)
    counts = np.bincount(model.firms.industry, minlength=model.space.size)
    given = firms > 0
    assert np.array_equal(counts[given], firms[given])


@pytest.mark.parametrize("rate", [0.08, 0.1, 0.2])
def test_initial_unemployment_matches_the_profiles_rate(rate):
    # the small region's labour force (4,200) is below employment / (1 - rate) for these
    # rates, so the rate decides the pool and the labour force grows to hold it
    model = RegionModel(small_scenario(region={"unemployment_rate": rate}), seed=0)
    assert model.labour.unemployment_rate == pytest.approx(rate, abs=1e-6)
    assert model.datacollector.get_model_vars_dataframe()["unemployment_rate"].iloc[0] == (
        pytest.approx(rate, abs=1e-6)
    )


def test_initial_unemployment_is_at_least_the_rate_and_keeps_the_labour_force():
    """Labour force and rate are both given; the larger unemployment of the two wins."""
    model = RegionModel(small_scenario(), seed=0)  # 3,900 jobs, labour force 4,200
    assert model.labour.labour_force.sum() == pytest.approx(4200.0)
    assert model.labour.unemployment_rate == pytest.approx(300 / 4200, abs=1e-9)
    assert model.labour.unemployment_rate > model.params.region.unemployment_rate
    heartland = RegionModel(load_scenario("baseline"), seed=0)
    assert heartland.labour.unemployment_rate == pytest.approx(0.06, abs=0.002)


@pytest.mark.parametrize(
    "name", ["small", "small_wide_margin", "baseline", "mining_phaseout", "agrifood_baseline"]
)
def test_initial_firms_all_break_even_at_step_0(name):
    if name.startswith("small"):
        margin = 1.5 if name == "small_wide_margin" else FirmParams().breakeven_margin
        scenario = small_scenario(firms=FirmParams(breakeven_margin=margin))
    else:
        scenario = load_scenario(name)
    for seed in SEEDS if name.startswith("small") else [0]:
        model = RegionModel(scenario, seed=seed)
        f, p = model.firms, model.params.firms
        costs = model.wages() * f.employment + p.fixed_cost
        assert f.value_added == pytest.approx(f.employment * f.productivity)
        # each firm with its own R&D intensity makes at least the margin over its costs
        margin = f.value_added * (1.0 - f.rd) / costs
        assert margin.min() >= p.breakeven_margin - 1e-9, f"seed {seed}: {margin.min():.4f}"
        assert np.all(f.equity > 0) and np.all(f.negative_quarters == 0)


def test_the_calibrated_market_buys_what_the_initial_firms_make():
    model = RegionModel(small_scenario(), seed=2)
    f, market, sp = model.firms, model.market, model.space
    market.demand = market.base_demand.copy()  # lifecycle level 1, no noise, step 0
    market.intermediate = market.local_sourcing * (sp.io.T @ market.gross_output)
    sales = market.sales(f)
    capacity = f.employment * f.productivity / (1.0 - market.input_share[f.industry])
    assert sales == pytest.approx(capacity, rel=1e-9)
    shares = f.by_industry(f.share, sp.size) + market.outside_share
    assert shares == pytest.approx(np.ones(sp.size))


def labour_share(model: RegionModel) -> float:
    """Initial wage bill over value added of the region's firms."""
    f = model.firms
    return float((model.wages() * f.employment).sum() / (f.employment * f.productivity).sum())


def test_a_low_productivity_region_pays_lower_wages_for_the_same_labour_share():
    """Wages follow the region's productivity against the nation's (passthrough 1).

    Agrifood's industries are less productive than heartland's (mean 0.79 against 1.10
    value added per worker); with one wage for both its labour share was 0.76 against 0.55
    and its young firms were far below break-even. With full pass-through both are close.
    """
    shares = {}
    for passthrough in (0.0, 1.0):
        for name in ("baseline", "agrifood_baseline"):
            scenario = with_params(
                load_scenario(name), {"labour.regional_wage_passthrough": passthrough}
            )
            shares[passthrough, name] = labour_share(RegionModel(scenario, seed=1))
    gap = {t: shares[t, "agrifood_baseline"] - shares[t, "baseline"] for t in (0.0, 1.0)}
    assert gap[0.0] > 0.12  # one wage for all: agrifood's firms pay far more of what they make
    assert abs(gap[1.0]) < 0.05
    assert shares[1.0, "agrifood_baseline"] < shares[0.0, "agrifood_baseline"] - 0.1
