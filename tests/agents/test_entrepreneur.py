"""Behaviour of nascent entrepreneurs and their experiments (DESIGN §2.4)."""

from __future__ import annotations

import numpy as np
import pytest

from agents.entrepreneur import Entrepreneur, success_probability
from model import RegionModel
from model.entrepreneurship import GRANT_MEMORY, MAX_SLOTS
from scenarios.schema import (
    Allocation,
    Culture,
    EmergingIndustry,
    EntrepreneurParams,
    FirmParams,
    PlantClosure,
    PolicyParams,
    Scenario,
)
from tests.helpers import GrantPolicy, service_scenario, small_scenario

SEEDS = range(8)
BATTERIES_BORN = EmergingIndustry(type="emerging_industry", step=5, industry="batteries")


def busy(region: dict | None = None, **overrides) -> Scenario:
    """More entrepreneurs than the default, batteries born at step 5, no spin-offs (so
    that discoveries are the entrepreneurs' own)."""
    values = {
        "entrepreneurs": EntrepreneurParams(base_rate=0.001),
        "firms": FirmParams(spinoff_probability=0.0),
        "events": [BATTERIES_BORN],
        **overrides,
    }
    return small_scenario(region=region, **values)


def run(scenario: Scenario, seed: int, steps: int, grants: float | None = None) -> RegionModel:
    model = RegionModel(scenario, seed=seed)
    if grants is not None:
        model.policy = GrantPolicy(grants)
    model.run_for(steps)
    return model


def nascent(model: RegionModel, column: int, savings: float, district: int = 0) -> Entrepreneur:
    """A hand-made entrepreneur from pool group (district, column), with no taste noise."""
    taste = np.zeros(model.space.size)
    skill = float(model.labour.skill[district, column])
    draws = np.random.default_rng(0)
    return Entrepreneur(model, -1, district, column, skill, savings, taste, draws)


# --------------------------------------------------------------------------- accounting


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_labour_is_conserved_with_entrepreneurs_counted_as_employed(seed):
    model = RegionModel(busy(), seed=seed)
    model.policy = GrantPolicy(30.0)
    seen_active = 0
    for _ in range(30):
        model.step()
        f, pool, e = model.firms, model.labour, model.entrepreneurship
        total = f.employment.sum() + e.active + pool.unemployed.sum()
        assert total == pytest.approx(pool.labour_force.sum(), rel=1e-9)
        assert (pool.unemployed >= -1e-9).all()
        assert model.indicators["entrepreneurs"] == e.active
        seen_active = max(seen_active, e.active)
    assert seen_active > 0


def test_step_stats_add_up():
    model = run(busy(), seed=3, steps=40)
    e = model.entrepreneurship
    series = model.datacollector.get_model_vars_dataframe()
    assert series["experiments_started"].sum() == e.totals["started"] > 0
    assert series["experiments_succeeded"].sum() == e.totals["succeeded"] > 0
    assert series["experiments_failed"].sum() == e.totals["failed"] > 0
    # every started experiment has ended or is still running
    assert e.totals["started"] == e.totals["succeeded"] + e.totals["failed"] + e.active
    assert e.totals["succeeded"] == model.counters["startups"]
    assert e.started_by_industry.sum() == e.totals["started"]


def test_same_seed_same_entrepreneurs():
    a, b = run(busy(), seed=5, steps=30), run(busy(), seed=5, steps=30)
    assert a.entrepreneurship.totals == b.entrepreneurship.totals
    assert np.array_equal(
        a.entrepreneurship.started_by_industry, b.entrepreneurship.started_by_industry
    )
    assert a.ledger.to_frame().equals(b.ledger.to_frame())


def drawn_by_step(model: RegionModel) -> dict[int, tuple[int, dict[int, tuple]]]:
    """Record, for each step run afterwards, N and the kept nascent entrepreneurs by slot:
    ((district, column), savings, taste) as drawn, and the agent (for its target)."""
    e = model.entrepreneurship
    draw = e.draw_nascent
    drawn: dict[int, tuple[int, dict[int, tuple]]] = {}

    def spy(rng):
        out = draw(rng)
        kept = {x.serial % MAX_SLOTS: ((x.district, x.column), x.savings, x.taste, x) for x in out}
        drawn[model.steps] = (e.slots, kept)
        return out

    e.draw_nascent = spy
    return drawn


def test_a_different_nascent_count_does_not_redraw_the_others():
    """Common random numbers: entrepreneur i of a quarter gets the same draws whatever N is.

    Two runs whose nascent rate differs slightly are identical until the first quarter in
    which their counts N differ. In that quarter the slots both runs drew come from the
    same pool group, with the same savings and tastes, and choose the same target; in any
    quarter, a slot both runs drew has the same savings and tastes.
    """
    runs = []
    for rate in (0.001, 0.00106):
        model = RegionModel(busy(entrepreneurs=EntrepreneurParams(base_rate=rate)), seed=2)
        drawn = drawn_by_step(model)
        model.run_for(30)
        runs.append(drawn)
    a, b = runs
    differ = [t for t in sorted(a) if a[t][0] != b[t][0]]
    assert differ, "the nascent counts never differ: pick rates further apart"
    first = differ[0]
    (n_a, kept_a), (n_b, kept_b) = a[first], b[first]
    both = min(n_a, n_b)
    shared = sorted(i for i in kept_a if i < both)
    assert shared and shared == sorted(i for i in kept_b if i < both)
    for i in shared:
        (group_a, savings_a, taste_a, x), (group_b, savings_b, taste_b, y) = kept_a[i], kept_b[i]
        assert group_a == group_b
        assert savings_a == savings_b
        assert np.array_equal(taste_a, taste_b)
        assert x.target == y.target >= 0
    compared = 0  # later quarters: pools differ, but savings and tastes do not
    for t in a:
        for i in set(a[t][1]) & set(b[t][1]):
            assert a[t][1][i][1] == b[t][1][i][1]
            assert np.array_equal(a[t][1][i][2], b[t][1][i][2])
            compared += 1
    assert compared > len(shared)


def test_draw_nascent_takes_at_most_the_unemployed_of_a_group(monkeypatch):
    model = RegionModel(busy(), seed=0)
    e, pool = model.entrepreneurship, model.labour
    pool.unemployed[:] = 0.0
    pool.unemployed[1, 2] = 2.7
    pool.unemployed[0, -1] = 1.2
    monkeypatch.setattr(e, "expected_nascent", lambda: 40.0)
    drawn = e.draw_nascent(model.streams.get("entrepreneurs", 0))
    groups = [(x.district, x.column) for x in drawn]
    assert e.slots > 3
    assert sorted(groups) == [(0, pool.unemployed.shape[1] - 1), (1, 2), (1, 2)]
    assert e.nascent == 3
    for x in drawn:
        x.remove()


# --------------------------------------------------------------------------- who starts


def test_nascent_rate_follows_base_rate_culture_and_unemployment():
    model = RegionModel(busy(), seed=0)
    e = model.entrepreneurship
    p = model.params.entrepreneurs
    lf = model.labour.labour_force.sum()
    u = model.labour.unemployment_rate
    assert e.expected_nascent() == pytest.approx(p.base_rate * lf * (1 + p.unemployment_push * u))
    model.labour.unemployed *= 2.0
    model.labour.labour_force += model.labour.unemployed.sum() / 2.0
    assert e.expected_nascent() > p.base_rate * lf * (1 + p.unemployment_push * u)


def test_no_entrepreneurial_culture_no_experiments():
    quiet = busy(region={"culture": Culture(entrepreneurial_culture=0.0)})
    keen = busy(region={"culture": Culture(entrepreneurial_culture=2.0)})
    assert run(quiet, seed=0, steps=20).entrepreneurship.totals["started"] == 0
    normal = run(busy(), seed=0, steps=20).entrepreneurship.totals["started"]
    assert 0 < normal < run(keen, seed=0, steps=20).entrepreneurship.totals["started"]


def test_entrepreneurs_only_enter_visible_industries(monkeypatch):
    model = RegionModel(busy(), seed=1)
    nothing = np.zeros(model.space.size, dtype=bool)
    monkeypatch.setattr(model.institutions, "visible_industries", lambda: nothing)
    present = model.present().copy()
    model.run_for(30)
    started = model.entrepreneurship.started_by_industry
    assert started.sum() > 0
    assert started[~present].sum() == 0


def test_no_startup_is_founded_before_its_industry_is_born(monkeypatch):
    """Experiments end in their Q-th quarter, t + Q - 1: only industries born by then are
    candidates, even for entrepreneurs who see an emerging industry early (foresight)."""
    founded: list[tuple[int, int, int]] = []  # (seed, quarter founded, industry)
    found_firm = Entrepreneur.found_firm

    def spy(self, rng):
        founded.append((seed, self.model.steps, self.target))
        return found_firm(self, rng)

    monkeypatch.setattr(Entrepreneur, "found_firm", spy)
    foresight = PolicyParams(budget=20.0, allocation=Allocation(foresight=1.0))
    scenario = service_scenario(
        entrepreneurs=EntrepreneurParams(base_rate=0.002), policy=foresight, steps=16
    )
    early = 0  # experiments in batteries started before its birth
    for seed in range(4):
        model = RegionModel(scenario, seed=seed)
        k = model.space.index("batteries")
        born = int(model.space.birth[k])
        assert 0 < born < 16  # born mid-run
        model.run_for(born - 1)
        early += int(model.entrepreneurship.started_by_industry[k])
        model.run_for(16 - born + 1)
        birth = model.space.birth
        assert all(step >= birth[kk] for s, step, kk in founded if s == seed)
    assert early > 0
    assert any(kk == k for _, _, kk in founded)


def test_entrants_know_what_they_were_taught():
    model = RegionModel(service_scenario(), seed=0)
    o = model.entrepreneurship.outlook
    assert np.array_equal(o.entrant_fit, model.entrant_fit())
    assert np.array_equal(o.taught, model.institutions.taught_profile())
    entrant = nascent(model, model.space.size, savings=1.0)
    assert entrant.is_entrant
    assert np.array_equal(entrant.profile(), model.institutions.taught_profile())


def test_search_prefers_fit_and_can_decline():
    model = RegionModel(busy(), seed=0)
    model.entrepreneurship.outlook = model.entrepreneurship.compute_outlook()
    k = model.space.index("engine_components")
    e = nascent(model, k, savings=10.0)
    assert e.search()
    assert e.target == k  # no taste noise: own industry fits best
    e.skill = 0.0
    model.entrepreneurship.outlook.margin[:] = -1.0
    assert not e.search()  # nothing worth starting


# --------------------------------------------------------------------------- money


def test_grant_makes_unaffordable_experiment_possible():
    model = RegionModel(busy(), seed=0)
    k = model.space.index("engine_components")
    poor = nascent(model, k, savings=0.0)
    assert poor.search()
    assert not poor.fund()
    model.policy = GrantPolicy(100.0)
    model.policy.spend()
    poor = nascent(model, k, savings=0.0)
    poor.search()
    assert poor.fund()
    share = model.params.policy.grant_share
    assert poor.granted == pytest.approx(share * poor.expected_cost())


def test_running_out_of_money_is_failure_and_returns_worker_to_pool():
    model = RegionModel(busy(), seed=0)
    k = model.space.index("engine_components")
    e = nascent(model, k, savings=1.0)
    e.search()
    e.start()
    before = model.labour.unemployed[0, k]
    e.step(u_cost=0.5, u_success=0.0, rng=np.random.default_rng(0))
    assert e.ran_out and e.outcome == "failed"
    assert model.labour.unemployed[0, k] == pytest.approx(before + 1.0)


def test_experiment_cost_rises_with_complexity():
    model = RegionModel(busy(), seed=0)
    o = model.entrepreneurship.outlook
    order = np.argsort(model.space.complexity)
    assert (np.diff(o.cost[order]) >= 0).all()
    assert o.cost[order[-1]] > o.cost[order[0]]


def test_success_probability_moves_with_each_term():
    base = dict(base=0.0, fit=0.5, pool_fit=0.3, support=0.0, growth=0.0, complexity=0.5, risk=0.0)
    p0 = success_probability(**base)
    assert 0.0 < p0 < 1.0
    for key, delta in [
        ("fit", 0.3),
        ("pool_fit", 0.3),
        ("support", 1.0),
        ("growth", 0.5),
        ("base", 1.0),
    ]:
        assert success_probability(**{**base, key: base[key] + delta}) > p0, key
    for key, delta in [("complexity", 0.5), ("risk", 0.5)]:
        assert success_probability(**{**base, key: base[key] + delta}) < p0, key


def test_grant_raises_success_probability():
    model = RegionModel(busy(), seed=0)
    k = model.space.index("metal_fabrication")
    alone = nascent(model, k, savings=20.0)
    alone.search()
    alone.fund()
    model.policy = GrantPolicy(100.0)
    model.policy.spend()
    helped = nascent(model, k, savings=20.0)
    helped.search()
    helped.fund()
    assert helped.support() > alone.support() == 0.0
    assert helped.success_probability() > alone.success_probability()


def test_success_founds_a_startup_with_the_entrepreneur_as_first_worker():
    model = RegionModel(busy(), seed=0)
    k = model.space.index("metal_fabrication")
    e = nascent(model, k, savings=20.0)
    e.search()
    e.fund()
    e.start()
    firms, employed = len(model.firms), model.firms.employment.sum()
    assert e.resolve(u=0.0, rng=np.random.default_rng(1))
    assert len(model.firms) == firms + 1
    assert model.firms.employment.sum() == pytest.approx(employed + 1.0)
    row = e.firm.row
    assert model.firms.industry[row] == e.target
    assert model.firms.equity[row] == pytest.approx(e.savings + e.grant)
    assert model.firms.born[row] == model.steps
    assert 0 < model.firms.productivity[row] <= model.entrepreneurship.outlook.frontier[e.target]


# --------------------------------------------------------------------------- policy and discovery


def test_bigger_experimentation_budget_means_more_experiments_and_discoveries():
    totals = {}
    for budget in (0.0, 15.0, 60.0):
        policy = PolicyParams(budget=budget, allocation=Allocation(experimentation=1.0))
        started = succeeded = discoveries = 0
        for seed in SEEDS:
            model = run(busy(policy=policy), seed, steps=60)
            started += model.entrepreneurship.totals["started"]
            succeeded += model.entrepreneurship.totals["succeeded"]
            discoveries += model.ledger.discoveries
        totals[budget] = (started, succeeded, discoveries)
    for i in range(3):
        assert totals[0.0][i] < totals[15.0][i] < totals[60.0][i]


def test_a_known_fund_draws_entrepreneurs_into_pioneering():
    """Grant coverage seen in an industry lowers the risk an entrepreneur bears there."""
    model = RegionModel(busy(), seed=0)
    e = model.entrepreneurship
    k = model.space.index("robotics")
    assert e.outlook.coverage[k] == 0.0
    e.learn_coverage([(k, 0.8), (k, 0.8)])
    e.outlook = e.compute_outlook()
    assert e.outlook.coverage[k] == pytest.approx(0.8)
    other = model.space.index("medical_devices")
    assert e.outlook.coverage[other] == pytest.approx(GRANT_MEMORY * 0.8)  # the overall mean
    nobody = nascent(model, model.space.index("software"), savings=10.0)
    before = nobody.values()[k]
    e.outlook.coverage[k] = 0.0
    assert nobody.values()[k] < before


@pytest.mark.slow
def test_experimentation_fund_starts_more_experiments_in_the_heartland():
    from scenarios import load_scenario

    fund = load_scenario("experimentation_fund")
    fund = fund.model_copy(update={"steps": 30})
    none = fund.model_copy(update={"policy": fund.policy.model_copy(update={"budget": 0.0})})
    started = {"fund": 0, "none": 0}
    for seed in range(3):
        for name, scenario in (("fund", fund), ("none", none)):
            started[name] += run(scenario, seed, steps=30).entrepreneurship.totals["started"]
    assert started["fund"] > started["none"]


def test_discovery_spillover_lowers_perceived_risk():
    model = RegionModel(busy(), seed=0)
    e, p = model.entrepreneurship, model.params.entrepreneurs
    k = model.space.index("robotics")
    assert e.outlook.risk[k] == pytest.approx(p.pioneer_risk)
    model.ledger.known.add("robotics")  # as after a discovery whose firm has since closed
    assert e.compute_outlook().risk[k] == pytest.approx(
        p.pioneer_risk * (1 - p.discovery_spillover)
    )
    assert e.outlook.risk[model.space.index("engine_components")] == 0.0


def test_known_industries_attract_more_experiments():
    k_names = ["robotics", "medical_devices", "power_electronics", "food_processing"]
    plain = known = 0
    for seed in SEEDS:
        a = RegionModel(busy(), seed=seed)
        b = RegionModel(busy(), seed=seed)
        b.ledger.known.update(k_names)
        a.run_for(30)
        b.run_for(30)
        ks = [a.space.index(n) for n in k_names]
        plain += a.entrepreneurship.started_by_industry[ks].sum()
        known += b.entrepreneurship.started_by_industry[ks].sum()
    assert known > plain


def test_followers_enter_more_after_a_discovery_than_before():
    before = after = quarters_before = quarters_after = 0
    for seed in SEEDS:
        model = RegionModel(busy(), seed=seed)
        k = model.space.index("batteries")
        per_step = []
        for _ in range(45):
            prev = int(model.entrepreneurship.started_by_industry[k])
            model.step()
            per_step.append(int(model.entrepreneurship.started_by_industry[k]) - prev)
        found = model.ledger.entries.get("batteries")
        if found is None:
            continue
        born = BATTERIES_BORN.step
        window = found.step - born
        if window <= 0:
            continue
        before += sum(per_step[born - 1 : found.step - 1])
        after += sum(per_step[found.step : found.step + window])
        quarters_before += window
        quarters_after += min(window, 45 - found.step)
    assert quarters_before > 0
    assert after / quarters_after > before / quarters_before


CHANGES = {
    "base_rate": 0.003,
    "unemployment_push": 20.0,
    "savings": 2.0,
    "experiment_quarters": 8,
    "experiment_cost": 5.0,
    "complexity_cost": 5.0,
    "pioneer_risk": 0.0,
    "discovery_spillover": 0.0,
    "success_base": -2.0,
    "new_firm_size": 30.0,
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_every_entrepreneur_parameter_changes_the_outcome(name):
    assert set(CHANGES) == set(EntrepreneurParams.model_fields)

    # software's only firm closes at once: the region knows software but has none of it,
    # which is where ``discovery_spillover`` acts
    industries = [
        i.model_copy(update={"firms": 1}) if i.key == "software" else i
        for i in small_scenario().region.industries
    ]
    closure = PlantClosure(type="plant_closure", step=1, industry="software")

    def outcome(params: EntrepreneurParams):
        scenario = busy(
            region={"industries": industries},
            entrepreneurs=params,
            events=[BATTERIES_BORN, closure],
        )
        model = run(scenario, seed=4, steps=30)
        e = model.entrepreneurship
        return (
            e.totals,
            e.started_by_industry.tolist(),
            model.ledger.to_frame().to_dict("list"),
            round(float(model.firms.employment[model.firms.born > 0].sum()), 6),
        )

    base = busy().entrepreneurs
    changed = base.model_copy(update={name: CHANGES[name]})
    assert outcome(base) != outcome(changed)
