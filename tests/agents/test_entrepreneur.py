"""Behaviour of nascent entrepreneurs and their experiments (DESIGN §2.4).

The entrepreneurs are drawn, search and experiment as arrays in ``model.entrepreneurship``;
``agents.entrepreneur.Entrepreneur`` holds one running experiment's state.
"""

from __future__ import annotations

import numpy as np
import pytest

import model.entrepreneurship as entrepreneurship
from agents.entrepreneur import Entrepreneur
from model import RegionModel
from model.entrepreneurship import ROOT, STARTUP_SLOT, Nascent, success_probability
from model.quarter import QuarterFlows
from model.streams import lineage_id
from scenarios.schema import (
    Allocation,
    Culture,
    EmergingIndustry,
    EntrepreneurParams,
    FirmParams,
    InstitutionParams,
    PlantClosure,
    PolicyParams,
    Scenario,
)
from tests.helpers import service_scenario, small_scenario

SEEDS = range(8)
BATTERIES_BORN = EmergingIndustry(type="emerging_industry", step=5, industry="batteries")


def busy(region: dict | None = None, **overrides) -> Scenario:
    """More entrepreneurs than the default, batteries born at step 5, no spin-offs (so
    that discoveries are the entrepreneurs' own)."""
    values = {
        "entrepreneurs": EntrepreneurParams(base_rate=0.001, pioneer_risk=0.5),
        "firms": FirmParams(spinoff_probability=0.0),
        "events": [BATTERIES_BORN],
        **overrides,
    }
    return small_scenario(region=region, **values)


class Grants:
    """A stand-in policy maker with only an experimentation fund.

    Refills ``per_quarter`` of grant money each quarter (unspent money does not carry
    over) and hands it out first come, first served. It isolates the entrepreneurs'
    response to grant money from the real policy maker's targeting and allocation.
    """

    def __init__(self, per_quarter: float) -> None:
        self.per_quarter = per_quarter
        self.targets: list[int] = []  # no target industries (``PolicyMaker.targets``)
        self.available = 0.0
        self.granted = 0.0

    def review(self, *_) -> None:
        """Nothing to review."""

    def spend(self, *_) -> None:
        """Refill the fund for this quarter."""
        self.available = self.per_quarter

    def take_grant(self, industry: int, amount: float, fit=None, district: int = 0) -> float:
        grant = min(amount, self.available)
        self.available -= grant
        self.granted += grant
        return grant

    def pay_subsidies(self, claims):
        """No targeted support: pay the (zero) claims."""
        return claims

    def cut_budget(self, fraction: float) -> None:
        self.per_quarter *= 1.0 - fraction

    def set_national(self, on: bool, co_funding: float) -> None:
        """No national programme."""


def install_grants(model: RegionModel, per_quarter: float) -> Grants:
    """Replace the model's policy maker (for the model and its entrepreneurs) by ``Grants``."""
    grants = Grants(per_quarter)
    model.policy = model.entrepreneurship.policy = grants  # type: ignore[assignment]
    grants.spend()
    return grants


def run(scenario: Scenario, seed: int, steps: int, grants: float | None = None) -> RegionModel:
    model = RegionModel(scenario, seed=seed)
    if grants is not None:
        install_grants(model, grants)
    model.run_for(steps)
    return model


def started(model: RegionModel) -> int:
    """Experiments started since the start."""
    return int(model.entrepreneurship.started_by_industry.sum())


def succeeded(model: RegionModel) -> int:
    """Experiments that founded a firm since the start."""
    return int(model.entrepreneurship.succeeded_by_industry.sum())


MAX_TEST_SLOT = 99_999  # a slot the model does not draw in these tests


def nascent(model: RegionModel, column: int, savings: float, district: int = 0) -> Nascent:
    """One hand-made nascent entrepreneur from pool group (district, column), no taste noise."""
    q = model.quarter
    return Nascent(
        uid=lineage_id(ROOT, q, np.array([MAX_TEST_SLOT])),
        district=np.array([district]),
        column=np.array([column]),
        skill=np.array([float(model.labour.skill[district, column])]),
        savings=np.array([float(savings)]),
        taste=np.zeros((1, model.space.size)),
    )


def starter(model: RegionModel, column: int, savings: float, district: int = 0) -> Entrepreneur:
    """A hand-made entrepreneur who searched and started (withdrawn from the pool)."""
    out = model.entrepreneurship.start(nascent(model, column, savings, district))
    assert len(out) == 1
    return out[0]


def always(monkeypatch, chance: float) -> None:
    """Every experiment that ends succeeds with probability ``chance``."""
    monkeypatch.setattr(
        entrepreneurship,
        "success_probability",
        lambda params, fit, *_: np.full(np.shape(fit), chance),
    )


# --------------------------------------------------------------------------- accounting


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_labour_is_conserved_with_entrepreneurs_counted_as_employed(seed):
    model = RegionModel(busy(), seed=seed)
    install_grants(model, 30.0)
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


def test_quarter_flows_add_up():
    model = run(busy(), seed=3, steps=40)
    e = model.entrepreneurship
    series = model.datacollector.get_model_vars_dataframe()
    n_started = series["experiments_started"].sum()
    n_succeeded = series["experiments_succeeded"].sum()
    n_failed = series["experiments_failed"].sum()
    assert n_started == started(model) > 0
    assert n_succeeded == succeeded(model) > 0
    assert n_failed > 0
    # every started experiment has ended or is still running
    assert n_started == n_succeeded + n_failed + e.active
    assert n_succeeded == model.totals.startups
    assert series["entrepreneurs"].iloc[-1] == e.active
    # after step() the current flows are the next quarter's fresh record
    assert model.flows.experiments_started == 0


def test_same_seed_same_entrepreneurs():
    a, b = run(busy(), seed=5, steps=30), run(busy(), seed=5, steps=30)
    ea, eb = a.entrepreneurship, b.entrepreneurship
    assert np.array_equal(ea.started_by_industry, eb.started_by_industry)
    assert np.array_equal(ea.succeeded_by_industry, eb.succeeded_by_industry)
    assert [x.uid for x in ea.entrepreneurs] == [x.uid for x in eb.entrepreneurs]
    assert a.ledger.to_frame().equals(b.ledger.to_frame())
    assert a.datacollector.get_model_vars_dataframe().equals(
        b.datacollector.get_model_vars_dataframe()
    )


def drawn_by_quarter(model: RegionModel) -> dict[int, tuple[int, dict[int, tuple]]]:
    """Record, for each quarter run afterwards, N and the kept nascent entrepreneurs by slot:
    ((district, column), savings, taste, target) as drawn and searched."""
    e = model.entrepreneurship
    draw = e.draw_nascent
    drawn: dict[int, tuple[int, dict[int, tuple]]] = {}

    def spy(quarter):
        out = draw(quarter)
        slots = lineage_id(ROOT, quarter, np.arange(e.slots)).tolist()
        target = e.values(e.capability_fit(out.column, out.skill), out.taste).argmax(axis=1)
        kept = {
            slots.index(int(out.uid[i])): (
                (int(out.district[i]), int(out.column[i])),
                float(out.savings[i]),
                out.taste[i].copy(),
                int(target[i]),
            )
            for i in range(len(out))
        }
        drawn[quarter] = (e.slots, kept)
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
        drawn = drawn_by_quarter(model)
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
        (group_a, savings_a, taste_a, target_a) = kept_a[i]
        (group_b, savings_b, taste_b, target_b) = kept_b[i]
        assert group_a == group_b
        assert savings_a == savings_b
        assert np.array_equal(taste_a, taste_b)
        assert target_a == target_b
    compared = 0  # later quarters: pools differ, but savings and tastes do not
    for t in a:
        for i in set(a[t][1]) & set(b[t][1]):
            assert a[t][1][i][1] == b[t][1][i][1]
            assert np.array_equal(a[t][1][i][2], b[t][1][i][2])
            compared += 1
    assert compared > len(shared)


def test_an_experiment_draws_the_same_whoever_else_experiments():
    """Each quarter's cost and success draws are keyed by the entrepreneur's identity."""
    paid = []
    for company in (False, True):
        model = RegionModel(busy(), seed=0)
        model.step()
        k = model.space.index("metal_fabrication")
        e = model.entrepreneurship
        running = [starter(model, k, savings=50.0)]
        if company:  # somebody else, drawn earlier in the same quarter, runs first
            other = model.entrepreneurship.start(
                Nascent(
                    uid=lineage_id(ROOT, model.quarter, np.array([7])),
                    district=np.array([1]),
                    column=np.array([k]),
                    skill=np.array([0.5]),
                    savings=np.array([50.0]),
                    taste=np.zeros((1, model.space.size)),
                )
            )
            running = other + running
        e.experiment(running, model.quarter, QuarterFlows())
        paid.append(running[-1].savings)
    assert paid[0] == paid[1] < 50.0


def test_draw_nascent_takes_at_most_the_unemployed_of_a_group(monkeypatch):
    model = RegionModel(busy(), seed=0)
    e, pool = model.entrepreneurship, model.labour
    pool.unemployed[:] = 0.0
    pool.unemployed[1, 2] = 2.7
    pool.unemployed[0, -1] = 1.2
    monkeypatch.setattr(e, "expected_nascent", lambda: 40.0)
    drawn = e.draw_nascent(1)
    groups = sorted(zip(drawn.district.tolist(), drawn.column.tolist(), strict=True))
    assert e.slots > 3
    assert groups == [(0, pool.unemployed.shape[1] - 1), (1, 2), (1, 2)]
    assert e.nascent == len(drawn) == 3
    assert set(drawn.uid.tolist()) <= set(lineage_id(ROOT, 1, np.arange(e.slots)).tolist())
    assert np.array_equal(drawn.skill, pool.skill[drawn.district, drawn.column])


# --------------------------------------------------------------------------- who starts


def test_nascent_rate_follows_base_rate_culture_and_unemployment():
    model = RegionModel(busy(region={"culture": Culture(entrepreneurial_culture=1.5)}), seed=0)
    e = model.entrepreneurship
    p = model.params.entrepreneurs
    lf = model.labour.labour_force.sum()
    u = model.labour.unemployment_rate
    expected = p.base_rate * lf * (1 + p.unemployment_push * u) * 1.5
    assert e.expected_nascent() == pytest.approx(expected)
    model.labour.unemployed *= 2.0
    model.labour.labour_force += model.labour.unemployed.sum() / 2.0
    assert e.expected_nascent() > expected


def test_no_entrepreneurial_culture_no_experiments():
    quiet = busy(region={"culture": Culture(entrepreneurial_culture=0.0)})
    keen = busy(region={"culture": Culture(entrepreneurial_culture=2.0)})
    assert started(run(quiet, seed=0, steps=20)) == 0
    normal = started(run(busy(), seed=0, steps=20))
    assert 0 < normal < started(run(keen, seed=0, steps=20))


def test_entrepreneurs_only_enter_visible_industries(monkeypatch):
    model = RegionModel(busy(), seed=1)
    nothing = np.zeros(model.space.size, dtype=bool)
    monkeypatch.setattr(model.institutions, "visible_industries", lambda quarter, present: nothing)
    present = model.present().copy()
    model.run_for(30)
    by_industry = model.entrepreneurship.started_by_industry
    assert by_industry.sum() > 0
    assert by_industry[~present].sum() == 0


def test_no_startup_is_founded_before_its_industry_is_born(monkeypatch):
    """Experiments end in their Q-th quarter, t + Q - 1: only industries born by then are
    candidates, even for entrepreneurs who see an emerging industry early (foresight)."""
    founded: list[tuple[int, int, int]] = []  # (seed, quarter founded, industry)
    found_firms = entrepreneurship.Entrepreneurship.found_firms

    def spy(self, winners, quarter, flows):
        founded.extend((seed, quarter, e.target) for e in winners)
        return found_firms(self, winners, quarter, flows)

    monkeypatch.setattr(entrepreneurship.Entrepreneurship, "found_firms", spy)
    foresight = PolicyParams(budget=20.0, allocation=Allocation(foresight=1.0))
    scenario = service_scenario(
        entrepreneurs=EntrepreneurParams(base_rate=0.002, pioneer_risk=0.5),
        policy=foresight,
        steps=16,
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
        assert all(q >= birth[kk] for s, q, kk in founded if s == seed)
    assert early > 0
    assert any(kk == k for _, _, kk in founded)


def test_entrants_know_what_they_were_taught():
    model = RegionModel(service_scenario(), seed=0)
    model.step()
    e, inst, sp = model.entrepreneurship, model.institutions, model.space
    o = e.outlook
    assert np.array_equal(o.entrant_fit, inst.entrant_fit())
    assert np.array_equal(o.taught, inst.taught_profile())
    assert o.taught.max() > 0
    fit = e.capability_fit(np.array([sp.size, 1]), np.array([0.9, 0.9]))
    assert np.array_equal(fit[0], inst.entrant_fit())  # an entrant's fit: what was taught
    assert np.array_equal(fit[1], 0.9 * sp.relatedness[1])  # a worker's: their industry's
    # an entrant's start-up knows what they were taught (at least what the experiment taught)
    k = sp.index("electronics")
    entrant = Entrepreneur(model, 12345, 0, sp.size, 0.9, 5.0, k, 0.5, 1.0, 0.0, 1)
    flows = QuarterFlows()
    e.found_firms([entrant], model.quarter, flows)
    row = int(np.flatnonzero(model.firms.uid == lineage_id(12345, model.quarter, STARTUP_SLOT))[0])
    learned = model.params.entrepreneurs.experiment_learning
    expected = np.where(sp.requires[k] > 0, np.maximum(o.taught, learned), o.taught)
    assert np.allclose(model.firms.proficiency[row], expected)
    assert flows.startups == 1


def test_search_prefers_fit_and_can_decline():
    model = RegionModel(busy(), seed=0)
    model.step()
    e = model.entrepreneurship
    k = model.space.index("engine_components")
    one = nascent(model, k, savings=10.0)
    v = e.values(e.capability_fit(one.column, one.skill), one.taste)
    assert int(v.argmax()) == k  # no taste noise: own industry fits best
    assert [x.target for x in e.start(one)] == [k]
    one = nascent(model, k, savings=10.0)
    one.skill[:] = 0.0
    e.outlook.margin[:] = -1.0
    unemployed = model.labour.unemployed.copy()
    assert e.start(one) == []  # nothing worth starting
    assert np.array_equal(model.labour.unemployed, unemployed)  # stays in the pool


# --------------------------------------------------------------------------- money


@pytest.mark.parametrize("share", [0.8, 0.3])
def test_grant_makes_unaffordable_experiment_possible(share):
    model = RegionModel(busy(policy=PolicyParams(grant_share=share)), seed=0)
    model.step()
    e = model.entrepreneurship
    assert e.grant_share == share  # the scenario's policy.grant_share, given to it
    k = model.space.index("engine_components")
    assert e.start(nascent(model, k, savings=0.0)) == []  # searched, but cannot afford it
    install_grants(model, 100.0)
    poor = starter(model, k, savings=0.0)
    assert poor.granted == pytest.approx(share * poor.expected_cost)
    assert poor.granted > 0
    assert poor.grant == poor.granted  # nothing spent yet


def test_grants_are_first_come_first_served():
    model = RegionModel(busy(), seed=0)
    model.step()
    e = model.entrepreneurship
    k = model.space.index("engine_components")
    grants = install_grants(model, 1.0)
    two = nascent(model, k, savings=100.0)
    two = Nascent(
        uid=lineage_id(ROOT, model.quarter, np.array([5, 6])),
        district=np.repeat(two.district, 2),
        column=np.repeat(two.column, 2),
        skill=np.repeat(two.skill, 2),
        savings=np.repeat(two.savings, 2),
        taste=np.repeat(two.taste, 2, axis=0),
    )
    first, second = e.start(two)
    assert first.granted == pytest.approx(1.0)
    assert second.granted == 0.0
    assert grants.available == pytest.approx(0.0)


def test_an_experiment_pays_from_the_grant_first():
    model = RegionModel(busy(), seed=0)
    e = Entrepreneur(model, 1, 0, 1, 0.5, 10.0, 1, 0.5, 2.0, 3.0, 2)
    assert e.expected_cost == pytest.approx(4.0)  # two quarters at 2.0
    assert e.pay(2.0) and e.grant == pytest.approx(1.0) and e.savings == pytest.approx(10.0)
    assert e.pay(2.5) and e.grant == 0.0 and e.savings == pytest.approx(8.5)
    assert e.quarters_left == 0 and not e.ran_out
    assert e.equity == pytest.approx(8.5)
    assert not e.pay(9.0) and e.ran_out and e.savings == 0.0


def test_running_out_of_money_is_failure_and_returns_worker_to_pool():
    model = RegionModel(busy(), seed=0)
    model.step()
    e = model.entrepreneurship
    k = model.space.index("engine_components")
    x = starter(model, k, savings=10.0)
    x.savings = 0.1  # less than any quarter's cost (at least 1 - cost_spread of expected)
    before = model.labour.unemployed[0, k]
    flows = QuarterFlows()
    e.experiment([x], model.quarter, flows)
    assert x.ran_out and x.outcome == "failed"
    assert model.labour.unemployed[0, k] == pytest.approx(before + 1.0)
    assert flows.experiments_failed == 1 and flows.experiments_succeeded == 0
    assert e.entrepreneurs == []


def test_an_experiment_runs_its_quarters_then_ends(monkeypatch):
    always(monkeypatch, 0.0)  # every experiment that ends fails
    model = RegionModel(busy(), seed=0)
    model.step()
    e = model.entrepreneurship
    x = starter(model, model.space.index("engine_components"), savings=100.0)
    quarters = model.params.entrepreneurs.experiment_quarters
    running = [x]
    for q in range(quarters):
        flows = QuarterFlows()
        e.experiment(running, model.quarter + q, flows)
        running = e.entrepreneurs
        assert (x.outcome is None) == (q < quarters - 1)
        assert flows.experiments_failed == (q == quarters - 1)
    assert x.outcome == "failed" and not x.ran_out


@pytest.mark.parametrize("chance", [0.0, 1.0])
def test_experiments_in_the_policys_targets_are_counted_apart(monkeypatch, chance):
    always(monkeypatch, chance)  # every experiment that ends fails (0) or succeeds (1)
    model = RegionModel(busy(), seed=0)
    model.step()
    e, sp = model.entrepreneurship, model.space
    target, other = sp.index("engine_components"), sp.index("plastics")
    model.policy.targets = [target]
    running = [starter(model, k, savings=100.0) for k in (target, other, target)]
    totals = QuarterFlows()
    for q in range(model.params.entrepreneurs.experiment_quarters):
        flows = QuarterFlows()
        e.experiment(running, model.quarter + q, flows)
        running = e.entrepreneurs
        for name in ("experiments_succeeded", "experiments_failed",
                     "target_experiments_succeeded", "target_experiments_failed"):  # fmt: skip
            setattr(totals, name, getattr(totals, name) + getattr(flows, name))
    won, lost = (3, 0) if chance else (0, 3)
    assert (totals.experiments_succeeded, totals.experiments_failed) == (won, lost)
    assert (totals.target_experiments_succeeded, totals.target_experiments_failed) == (
        won * 2 // 3,
        lost * 2 // 3,
    )


def test_experiment_cost_rises_with_complexity():
    model = RegionModel(busy(), seed=0)
    o = model.entrepreneurship.outlook
    order = np.argsort(model.space.complexity)
    assert (np.diff(o.cost[order]) >= 0).all()
    assert o.cost[order[-1]] > o.cost[order[0]]


TERMS = {  # argument: its coefficient (positive: raises the chance)
    "fit": ("success_fit", 0.3),
    "pool_fit": ("success_pool", 0.3),
    "support": ("success_support", 1.0),
    "growth": ("success_growth", 0.5),
    "complexity": ("success_complexity", -0.5),
    "risk": ("success_risk", -0.5),
}


def test_success_probability_moves_with_each_term():
    params = EntrepreneurParams()
    base = dict(fit=0.5, pool_fit=0.3, support=0.0, growth=0.0, complexity=0.5, risk=0.0)
    p0 = success_probability(params, **base)
    assert 0.0 < p0 < 1.0
    higher = params.model_copy(update={"success_base": params.success_base + 1.0})
    assert success_probability(higher, **base) > p0
    for key, (coefficient, delta) in TERMS.items():
        moved = success_probability(params, **{**base, key: base[key] + abs(delta)})
        assert (moved > p0) == (delta > 0) and moved != p0, key
        off = params.model_copy(update={coefficient: 0.0})
        assert success_probability(off, **{**base, key: base[key] + abs(delta)}) == pytest.approx(
            success_probability(off, **base)
        ), coefficient


def test_success_probability_is_elementwise():
    params = EntrepreneurParams()
    fit = np.array([0.1, 0.5, 0.9])
    risk = np.array([0.5, 0.0, 0.2])
    together = success_probability(params, fit, 0.3, 0.0, 0.1, 0.4, risk)
    one_by_one = [
        success_probability(params, f, 0.3, 0.0, 0.1, 0.4, r)
        for f, r in zip(fit, risk, strict=True)
    ]
    assert together.shape == (3,)
    assert np.allclose(together, one_by_one)


def test_grant_raises_success_probability(monkeypatch):
    seen = []
    real = entrepreneurship.success_probability

    def spy(params, fit, pool_fit, support, growth, complexity, risk):
        chance = real(params, fit, pool_fit, support, growth, complexity, risk)
        seen.append((np.asarray(support).copy(), np.asarray(chance).copy()))
        return chance

    monkeypatch.setattr(entrepreneurship, "success_probability", spy)
    model = RegionModel(busy(), seed=0)
    model.step()
    e = model.entrepreneurship
    k = model.space.index("metal_fabrication")
    alone = starter(model, k, savings=20.0)
    install_grants(model, 100.0)
    helped = starter(model, k, savings=20.0)
    assert helped.granted > 0 == alone.granted
    alone.quarters_left = helped.quarters_left = 1  # both end this quarter
    e.experiment([alone, helped], model.quarter, QuarterFlows())
    ((support, chance),) = seen
    assert support[1] > support[0] == 0.0
    assert chance[1] > chance[0]


def test_success_founds_a_startup_with_the_entrepreneur_as_first_worker(monkeypatch):
    always(monkeypatch, 1.0)
    # no start-up shortfall here (tests/model/test_stylized_mechanisms.py tests it)
    model = RegionModel(busy(firms=FirmParams(spinoff_probability=0.0, entry_dispersion=0.0)), 0)
    model.step()
    e, f = model.entrepreneurship, model.firms
    k = model.space.index("metal_fabrication")
    x = starter(model, k, savings=20.0)
    x.quarters_left = 1
    firms, employed, unemployed = len(f), f.employment.sum(), model.labour.unemployed.sum()
    startups = model.totals.startups
    flows = QuarterFlows()
    e.experiment([x], model.quarter, flows)
    assert x.outcome == "succeeded"
    assert len(f) == firms + 1
    assert f.employment.sum() == pytest.approx(employed + 1.0)
    assert model.labour.unemployed.sum() == pytest.approx(unemployed)  # not back in the pool
    uid = lineage_id(x.uid, model.quarter, STARTUP_SLOT)
    (row,) = np.flatnonzero(f.uid == uid)
    assert f.parent[row] == x.uid
    assert f.industry[row] == k
    assert f.equity[row] == pytest.approx(x.equity) and 0 < x.equity < 20.0  # what is left
    assert f.born[row] == model.quarter
    p, frontier = model.params.entrepreneurs, e.outlook.frontier[k]
    productivity = frontier * (p.productivity_floor + (1 - p.productivity_floor) * x.fit)
    assert f.productivity[row] == pytest.approx(productivity)
    assert 0 < f.productivity[row] <= frontier
    assert flows.experiments_succeeded == flows.startups == 1
    assert model.totals.startups == startups + 1
    assert e.succeeded_by_industry[k] == 1 and e.entrepreneurs == []


def test_a_startup_in_a_new_industry_is_a_discovery_funded_by_its_grant(monkeypatch):
    always(monkeypatch, 1.0)
    model = RegionModel(busy(), seed=0)
    model.step()
    e, sp = model.entrepreneurship, model.space
    k = sp.index("robotics")
    assert not model.present()[k] and "robotics" not in model.ledger.known
    pioneers = [
        Entrepreneur(model, uid, 0, 1, 0.9, 5.0, k, 0.5, 1.0, granted, 1)
        for uid, granted in ((101, 4.0), (102, 0.0))
    ]
    flows = QuarterFlows()
    e.experiment(pioneers, model.quarter, flows)
    found = model.ledger.entries["robotics"]
    assert found.funding == "grant"
    assert found.founder == int(lineage_id(101, model.quarter, STARTUP_SLOT))
    assert [x.discovery for x in pioneers] == [True, False]
    assert flows.startup_discoveries == 1 and flows.startups == 2
    assert len(found.followers) == 1


# --------------------------------------------------------------------------- policy and discovery


@pytest.mark.slow
def test_bigger_experimentation_budget_means_more_experiments_and_discoveries():
    totals = {}
    for budget in (0.0, 15.0, 60.0):
        policy = PolicyParams(budget=budget, allocation=Allocation(experimentation=1.0))
        n_started = n_succeeded = discoveries = 0
        for seed in SEEDS:
            model = run(busy(policy=policy), seed, steps=60)
            n_started += started(model)
            n_succeeded += succeeded(model)
            discoveries += model.ledger.discoveries
        totals[budget] = (n_started, n_succeeded, discoveries)
    for i in range(3):
        assert totals[0.0][i] < totals[15.0][i] < totals[60.0][i]


def test_a_known_fund_draws_entrepreneurs_into_pioneering():
    """Grant coverage seen in an industry lowers the risk an entrepreneur bears there."""
    model = RegionModel(busy(), seed=0)
    e = model.entrepreneurship
    k = model.space.index("robotics")
    assert e.outlook.coverage[k] == 0.0
    e.learn_coverage(np.array([k, k]), np.array([0.8, 0.8]))
    e.outlook = e.compute_outlook(model.quarter)
    assert e.outlook.coverage[k] == pytest.approx(0.8)
    other = model.space.index("medical_devices")
    memory = model.params.entrepreneurs.grant_memory
    assert e.outlook.coverage[other] == pytest.approx(memory * 0.8)  # the overall mean
    e.learn_coverage(np.array([k]), np.array([0.0]))  # smoothed with weight grant_memory
    assert e.coverage[k] == pytest.approx(0.8 * (1 - memory))
    e.coverage[k] = 0.8
    nobody = nascent(model, model.space.index("software"), savings=10.0)
    fit = e.capability_fit(nobody.column, nobody.skill)
    assert e.outlook.risk[k] > 0
    before = e.values(fit, nobody.taste)[0, k]
    e.outlook.coverage[k] = 0.0
    assert e.values(fit, nobody.taste)[0, k] < before


@pytest.mark.slow
def test_experimentation_fund_starts_more_experiments_in_the_heartland():
    from scenarios import load_scenario

    fund = load_scenario("experimentation_fund")
    fund = fund.model_copy(update={"steps": 30})
    none = fund.model_copy(update={"policy": fund.policy.model_copy(update={"budget": 0.0})})
    n = {"fund": 0, "none": 0}
    for seed in range(3):
        for name, scenario in (("fund", fund), ("none", none)):
            n[name] += started(run(scenario, seed, steps=30))
    assert n["fund"] > n["none"]


def test_discovery_spillover_lowers_perceived_risk():
    model = RegionModel(busy(), seed=0)
    e, p = model.entrepreneurship, model.params.entrepreneurs
    k = model.space.index("robotics")
    assert e.outlook.risk[k] == pytest.approx(p.pioneer_risk)
    model.ledger.known.add("robotics")  # as after a discovery whose firm has since closed
    assert e.compute_outlook(model.quarter).risk[k] == pytest.approx(
        p.pioneer_risk * (1 - p.discovery_spillover)
    )
    assert e.outlook.risk[model.space.index("engine_components")] == 0.0


@pytest.mark.slow
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


def followers(seed: int, blind: bool) -> tuple[int, int] | None:
    """Experiments started in batteries in 40 quarters and the quarter batteries was
    discovered (None if it was not); ``blind``: entrepreneurs go on seeing batteries'
    pioneer risk after the discovery (busier and luckier pioneers than the defaults, so
    that batteries is discovered in most seeds)."""
    active = EntrepreneurParams(base_rate=0.003, pioneer_risk=0.5, success_base=0.0)
    model = RegionModel(busy(entrepreneurs=active), seed=seed)
    e = model.entrepreneurship
    k = model.space.index("batteries")
    if blind:
        compute = e.compute_outlook

        def unchanged(quarter):
            o = compute(quarter)
            o.risk[k] = model.params.entrepreneurs.pioneer_risk
            return o

        e.compute_outlook = unchanged
    model.run_for(40)
    found = model.ledger.entries.get("batteries")
    return None if found is None else (int(e.started_by_industry[k]), found.step)


@pytest.mark.slow
def test_followers_enter_more_after_a_discovery_than_before():
    """A discovery lowers the risk others perceive, so more follow: paired with a run in
    which entrepreneurs do not see it (identical until the discovery, common random
    numbers), the discovery draws more experiments into its industry."""
    seen = blind = paired = 0
    for seed in SEEDS:
        a, b = followers(seed, blind=False), followers(seed, blind=True)
        if a is None:
            continue
        assert b is not None and a[1] == b[1]  # same run until the discovery
        seen, blind, paired = seen + a[0], blind + b[0], paired + 1
    assert paired >= len(SEEDS) // 2
    assert seen > 1.3 * blind


CHANGES = {
    "base_rate": 0.003,
    "unemployment_push": 20.0,
    "savings": 2.0,
    "experiment_quarters": 8,
    "experiment_cost": 5.0,
    "complexity_cost": 5.0,
    "pioneer_risk": 0.0,
    "discovery_spillover": 0.0,
    "established_firms": 50,
    "success_base": -2.0,
    "new_firm_size": 30.0,
    "weight_fit": 3.0,
    "weight_growth": 0.0,
    "weight_profit": 3.0,
    "weight_risk": 0.0,
    "reservation": 0.8,
    "search_noise": 1.5,
    "growth_horizon": 2,
    "min_group": 60.0,
    "grant_memory": 1.0,
    "affordability": 2.0,
    "cost_spread": 0.0,
    "success_fit": -2.0,
    "success_pool": -3.0,
    "success_support": 5.0,
    "success_growth": 5.0,
    "success_complexity": -3.0,
    "success_risk": 0.0,
    "experiment_learning": 0.9,
    "productivity_floor": 0.1,
    "partner_trust": 3.0,  # acts at trust other than 0.5 (the run's trust is 0.7)
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_every_entrepreneur_parameter_changes_the_outcome(name):
    assert set(CHANGES) == set(EntrepreneurParams.model_fields)

    # software's only firm closes at once: the region knows software but has none of it,
    # which is where ``discovery_spillover`` acts; a small experimentation fund gives some
    # applicants grants and others none (``grant_memory``, ``success_support``)
    industries = [
        i.model_copy(update={"firms": 1}) if i.key == "software" else i
        for i in small_scenario().region.industries
    ]
    closure = PlantClosure(type="plant_closure", step=1, industry="software")
    fund = PolicyParams(budget=8.0, allocation=Allocation(experimentation=1.0))

    def outcome(params: EntrepreneurParams):
        scenario = busy(
            region={"industries": industries, "culture": {"trust": 0.7}},
            entrepreneurs=params,
            events=[BATTERIES_BORN, closure],
            policy=fund,
            institutions=InstitutionParams(visibility_relatedness=0.0),  # software stays visible
        )
        model = run(scenario, seed=4, steps=30)
        e, f = model.entrepreneurship, model.firms
        young = f.born > 0
        return (
            e.started_by_industry.tolist(),
            e.succeeded_by_industry.tolist(),
            model.ledger.to_frame().to_dict("list"),
            round(float(f.employment[young].sum()), 6),
            round(float(f.productivity[young].sum()), 6),
            round(float(f.proficiency[young].sum()), 6),
            model.datacollector.get_model_vars_dataframe()["policy_spending"].round(6).tolist(),
        )

    base = busy().entrepreneurs
    changed = base.model_copy(update={name: CHANGES[name]})
    assert outcome(base) != outcome(changed)
