"""The built-in catalogue, regions and scenarios (DESIGN §2.11)."""

import math

import pytest

from scenarios import check_files, list_builtins, load_catalogue, load_region, load_scenario
from scenarios.loader import CATALOGUE_FILE, REGIONS_DIR, SCENARIOS_DIR

BUILTINS = list_builtins()
REGIONS = [name for name, _ in BUILTINS["regions"]]
SCENARIOS = [name for name, _ in BUILTINS["scenarios"]]
REQUIRED_SCENARIOS = {
    "baseline",
    "decline_no_policy",
    "decline_top_down",
    "decline_bottom_up",
    "experimentation_fund",
    "strong_institutions",
    "foresight",
    "adaptive_portfolio",
    "bottom_up_with_national_support",
    "agrifood_baseline",
    "mining_phaseout",
}


def jaccard(a, b):
    a, b = set(a.requires), set(b.requires)
    return len(a & b) / len(a | b)


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def industries(catalogue):
    return {i.key: i for i in catalogue.industries}


def test_builtin_names():
    assert set(REGIONS) == {"heartland", "agrifood", "mining"}
    assert set(SCENARIOS) >= REQUIRED_SCENARIOS


@pytest.mark.parametrize("kind", ["regions", "scenarios"])
def test_every_builtin_has_a_one_line_description(kind):
    for name, description in BUILTINS[kind]:
        assert description, name
        assert "\n" not in description
        assert len(description) < 120, name


@pytest.mark.parametrize("name", REGIONS)
def test_builtin_region_loads(name):
    region = load_region(name)
    assert region.name == name


@pytest.mark.parametrize("name", SCENARIOS)
def test_builtin_scenario_loads(name):
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.region.name in REGIONS


def test_all_builtin_files_check_clean():
    files = [CATALOGUE_FILE, *REGIONS_DIR.glob("*.toml"), *SCENARIOS_DIR.glob("*.toml")]
    assert check_files(files) == []


def test_catalogue_load_is_cached_and_equal():
    assert load_catalogue() == load_catalogue()


def test_catalogue_shape(catalogue, industries):
    assert 18 <= len(catalogue.capabilities) <= 25
    assert 22 <= len(catalogue.industries) <= 28
    assert math.isclose(sum(i.national_share for i in catalogue.industries), 1.0, abs_tol=0.01)
    local = [i for i in catalogue.industries if i.local_services]
    assert len(local) == 1 and local[0].key == "local_services"
    assert 0.3 <= local[0].national_share <= 0.4
    used = {c for i in catalogue.industries for c in i.requires}
    assert used == set(catalogue.capabilities)
    for ind in catalogue.industries:
        assert 2 <= len(ind.requires) <= 8, ind.key
        assert 0.6 <= ind.productivity <= 2.0, ind.key
    for link in catalogue.inputs:
        assert 0.05 <= link.coefficient <= 0.25


def test_more_complex_industries_are_more_productive(catalogue):
    xs = [len(i.requires) for i in catalogue.industries]
    ys = [i.productivity for i in catalogue.industries]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    assert cov > 0


def test_lifecycles(industries):
    emerging = {
        "batteries": 12,
        "power_electronics_ev": 8,
        "hydrogen": 20,
        "renewables": 4,
        "food_tech": 10,
        "biobased_materials": 16,
    }
    for key, birth in emerging.items():
        lc = industries[key].lifecycle
        assert lc.birth == birth
        assert 0.05 <= lc.growth <= 0.12 and 3 <= lc.peak <= 8
    ice = industries["automotive_ice_components"].lifecycle
    assert (ice.decline_onset, ice.decline_rate) == (16, 0.015)
    coal = industries["coal_mining"].lifecycle
    assert (coal.decline_onset, coal.decline_rate) == (4, 0.03)
    for ind in industries.values():
        if ind.key not in emerging:
            assert ind.lifecycle.birth <= 0


def test_stories_relatedness(industries):
    ice = industries["automotive_ice_components"]
    for new in ("batteries", "power_electronics_ev"):
        shared = set(ice.requires) & set(industries[new].requires)
        assert "precision_machining" in shared
        assert jaccard(ice, industries[new]) >= 0.25
    assert "electronics" in industries["power_electronics_ev"].requires
    assert "electronics" in industries["electronics_components"].requires
    for new in ("food_tech", "biobased_materials"):
        assert jaccard(industries["food_processing"], industries[new]) > 0
        assert {"biotech", "agronomy"} <= set(industries[new].requires)
    for new in ("renewables", "hydrogen"):
        shared = set(industries["coal_mining"].requires) & set(industries[new].requires)
        assert {"energy_systems", "heavy_engineering"} <= shared
    assert "electrochemistry" in industries["hydrogen"].requires
    for far in ("software_services", "data_services", "finance_services"):
        assert jaccard(industries["coal_mining"], industries[far]) == 0


def test_value_chains(catalogue):
    links = {(link.buyer, link.supplier) for link in catalogue.inputs}
    assert {
        ("automotive_ice_components", "metal_fabrication"),
        ("automotive_ice_components", "plastics_components"),
        ("automotive_ice_components", "electronics_components"),
        ("food_processing", "agriculture"),
        ("food_processing", "packaging"),
    } <= links


@pytest.mark.parametrize("name", REGIONS)
def test_region_profile_sizes(name, industries):
    region = load_region(name)
    assert 3 <= len(region.districts) <= 4
    for d in region.districts:
        assert 5 <= d.x <= region.width - 6 and 5 <= d.y <= region.height - 6
    labour = sum(d.labour_force for d in region.districts)
    employed = sum(i.employment for i in region.industries)
    assert 40_000 <= labour <= 80_000
    assert math.isclose(1 - employed / labour, region.unemployment_rate, abs_tol=0.005)
    assert 6 <= len(region.industries) <= 12
    for ind in region.industries:
        if industries[ind.key].local_services:
            assert 0.25 <= ind.employment / employed <= 0.37
            assert ind.employment / ind.firms < 20
        else:
            assert 20 <= ind.employment / ind.firms <= 60, ind.key
    assert len({i.type for i in region.institutions}) >= 4
    for inst in region.institutions:
        assert 8 <= inst.radius <= 15 and 10 <= inst.capacity <= 30
        assert 0.4 <= inst.quality <= 0.7


def test_region_stories():
    heartland, agrifood, mining = (load_region(n) for n in ("heartland", "agrifood", "mining"))
    top = max(
        (i for i in heartland.industries if i.key != "local_services"), key=lambda i: i.employment
    )
    assert top.key == "automotive_ice_components"
    assert {"agriculture", "food_processing", "tourism"} <= {i.key for i in agrifood.industries}
    assert "coal_mining" in {i.key for i in mining.industries}
    cultures = [r.culture.entrepreneurial_culture for r in (heartland, agrifood, mining)]
    assert min(cultures) == mining.culture.entrepreneurial_culture < 1.0


DECLINE = {"industry_decline", "plant_closure"}


def test_decline_scenarios_share_the_shock():
    reference = load_scenario("decline_no_policy").events
    assert [(e.type, e.step) for e in reference] == [
        ("industry_decline", 20),
        ("plant_closure", 28),
    ]
    assert reference[0].fraction == 0.6 and reference[0].duration == 16
    for name in (
        "decline_top_down",
        "decline_bottom_up",
        "bottom_up_with_national_support",
        "experimentation_fund",
        "strong_institutions",
        "foresight",
        "adaptive_portfolio",
    ):
        assert load_scenario(name).events == reference, name


def test_policy_scenarios():
    assert load_scenario("baseline").policy.targeting == "none"
    assert load_scenario("baseline").events == []
    top = load_scenario("decline_top_down")
    inds = {i.key: i for i in top.catalogue.industries}
    assert top.policy.targeting == "top_down"
    assert top.policy.priority_industries
    for key in top.policy.priority_industries:  # far from the region's export base
        assert jaccard(inds[key], inds["automotive_ice_components"]) < 0.25
    assert "biotech_pharma" not in {i.key for i in top.region.industries}
    assert top.policy.allocation.targeted_support >= 0.5
    up = load_scenario("decline_bottom_up")
    assert (up.policy.targeting, up.policy.variant, up.policy.budget) == (
        "bottom_up",
        "balanced_portfolio",
        150.0,
    )
    assert load_scenario("experimentation_fund").policy.allocation.experimentation >= 0.5
    assert load_scenario("strong_institutions").policy.allocation.institution_strengthening >= 0.5
    assert load_scenario("foresight").policy.allocation.foresight > 0
    assert load_scenario("adaptive_portfolio").policy.targeting == "adaptive"
    national = load_scenario("bottom_up_with_national_support").national
    assert (national.co_funding, national.enabling_environment) == (1.0, 0.1)
    assert load_scenario("agrifood_baseline").region.name == "agrifood"
    mining = load_scenario("mining_phaseout")
    assert mining.region.name == "mining"
    assert any(getattr(e, "industry", None) == "coal_mining" for e in mining.events)


def test_region_overrides_in_builtin():
    low = load_scenario("decline_bottom_up_low_trust")
    assert low.region.culture.trust == 0.25
    assert (
        low.region.culture.entrepreneurial_culture
        == load_region("heartland").culture.entrepreneurial_culture
    )
