"""Firm decisions: spin-offs into related industries, exit after negative equity (DESIGN §2.2.6)."""

from __future__ import annotations

import numpy as np
import pytest

from model import RegionModel
from model.firms import Firms
from model.invariants import violations
from scenarios.schema import EntrepreneurParams, FirmParams
from tests.helpers import small_scenario

SEEDS = range(6)
NO_STARTUPS = EntrepreneurParams(base_rate=0.0)  # every birth is a spin-off


def model_with(seed: int = 0, entrepreneurs=NO_STARTUPS, **firm_params) -> RegionModel:
    scenario = small_scenario(firms=FirmParams(**firm_params), entrepreneurs=entrepreneurs)
    return RegionModel(scenario, seed=seed)


# --------------------------------------------------------------------------- spin-offs


def test_a_spinoff_takes_workers_equity_and_know_how_from_its_parent():
    model = model_with(0, entry_dispersion=0.0)  # no start-up shortfall (tested elsewhere)
    model.run_for(2)
    f, sp = model.firms, model.space
    row = int(np.argmax(f.employment))
    parent = f.agents[row]
    jobs, equity, prof = parent.employment, parent.equity, parent.proficiency.copy()
    rel_prod = parent.productivity / sp.productivity[parent.industry]
    workers_before = f.employment.sum()
    spinoffs, births = model.totals.spinoffs, model.totals.births
    flows = model.flows  # the quarter being simulated: quarter 3
    assert (flows.spinoffs, flows.births) == (0, 0)
    rows = np.array([row])
    new = f.spin_offs(rows, np.array([0.37]), model.spinoff_prospects(), sp, model.labour.wage,
                      model.params.market.entry_share)  # fmt: skip
    (child,) = model.demography.found(new, model.quarter + 1, flows)
    p = model.params.firms
    workers = float(
        np.clip(model.params.market.entry_share * jobs, 1.0, p.spinoff_max_share * jobs)
    )
    assert parent.employment == pytest.approx(jobs - workers)
    assert child.employment == pytest.approx(workers)
    assert f.employment.sum() == pytest.approx(workers_before)  # nobody hired or lost
    level = sp.wage_level[child.industry]
    moved = p.initial_equity * model.labour.wage * level * workers
    assert parent.equity == pytest.approx(equity - moved)
    assert child.equity == pytest.approx(moved)
    assert np.array_equal(child.proficiency, prof)
    assert child.productivity == pytest.approx(
        p.spinoff_productivity * rel_prod * sp.productivity[child.industry]
    )
    assert child.parent == parent.uid and child.uid != parent.uid
    assert model.totals.spinoffs == spinoffs + 1
    assert model.totals.births == births + 1
    assert (flows.spinoffs, flows.births, flows.startups) == (1, 1, 0)


def record_spinoffs(monkeypatch) -> list[tuple[int, int]]:
    """Record (parent industry, child industry) of every spin-off."""
    found: list[tuple[int, int]] = []
    original = Firms.spin_offs

    def spin_offs(self, parents, *args):
        new = original(self, parents, *args)
        found.extend(zip(self.industry[parents].tolist(), new.industry.tolist(), strict=True))
        return new

    monkeypatch.setattr(Firms, "spin_offs", spin_offs)
    return found


def test_spinoffs_go_to_related_industries_more_than_to_unrelated_ones(monkeypatch):
    found = record_spinoffs(monkeypatch)
    for seed in SEEDS:
        model_with(seed, spinoff_probability=0.03).run_for(30)
    sp = model_with(0).space
    pairs = np.array(found)
    moved = pairs[pairs[:, 0] != pairs[:, 1]]
    assert len(moved) > 20  # most spin-offs stay in their parent's industry
    rel = sp.relatedness[moved[:, 0], moved[:, 1]]
    assert np.all(rel > 0)  # never into an industry sharing no capability
    # against a parent choosing uniformly among the other industries that exist
    born = np.flatnonzero(sp.birth <= 0)
    uniform = [
        np.mean([sp.relatedness[p, k] for k in born if k != p and k != sp.local_services])
        for p in moved[:, 0]
    ]
    assert rel.mean() > np.mean(uniform) + 0.15
    # per candidate pair, related targets are chosen far more often than unrelated ones
    related = unrelated = 0.0
    for p in np.unique(moved[:, 0]):
        targets = moved[moved[:, 0] == p, 1]
        others = [k for k in born if k != p and k != sp.local_services]
        close = [k for k in others if sp.relatedness[p, k] >= 0.5]
        far = [k for k in others if sp.relatedness[p, k] < 0.4]
        if close and far:
            related += np.isin(targets, close).sum() / len(close)
            unrelated += np.isin(targets, far).sum() / len(far)
    assert related > 3 * unrelated


def test_spinoff_probability_raises_births():
    births = {}
    for probability in (0.0, 0.01, 0.04):
        births[probability] = 0
        for seed in SEEDS[:4]:
            model = model_with(seed, spinoff_probability=probability)
            model.run_for(20)
            assert model.totals.startups == 0
            births[probability] += model.totals.births
    assert births[0.0] == 0
    assert 0 < births[0.01] < births[0.04]
    assert births[0.04] > 2.5 * births[0.01]


# --------------------------------------------------------------------------- exit


@pytest.mark.parametrize("patience", [1, 3, 5])
def test_a_firm_exits_after_exit_patience_quarters_of_negative_equity_not_before(patience):
    model = model_with(1, exit_patience=patience, spinoff_probability=0.0)
    f = model.firms
    row = int(np.argmax(f.employment))
    serial = int(f.uid[row])
    f.equity[row] = -1e7  # deep in the red: no quarter's profit can repair it
    for quarter in range(1, patience + 1):
        model.step()
        alive = serial in f.uid
        if quarter < patience:
            assert alive, f"exited after {quarter} of {patience} quarters"
            assert f.negative_quarters[f.uid == serial][0] == quarter
        else:
            assert not alive


def test_negative_quarters_must_be_consecutive():
    model = model_with(1, exit_patience=3, spinoff_probability=0.0)
    f = model.firms
    row = int(np.argmax(f.employment))
    serial = int(f.uid[row])

    def me() -> int:
        return int(np.flatnonzero(f.uid == serial)[0])

    f.equity[row] = -1e7
    model.run_for(2)
    assert f.negative_quarters[me()] == 2
    f.equity[me()] = 1e5  # recapitalised
    model.step()
    assert f.negative_quarters[me()] == 0
    f.equity[me()] = -1e7
    model.run_for(2)
    assert serial in f.uid  # two quarters, again: still here
    model.step()
    assert serial not in f.uid


def test_workers_of_an_exiting_firm_join_the_pool_under_its_industry_with_its_skill():
    model = model_with(2, spinoff_probability=0.0)
    model.run_for(3)
    f, pool, sp = model.firms, model.labour, model.space
    row = int(np.argmax(f.employment))
    d, k, jobs = int(f.district[row]), int(f.industry[row]), float(f.employment[row])
    fit = float(f.fit(sp.requires)[row])
    old, old_skill = pool.unemployed[d, k], pool.skill[d, k]
    others = pool.unemployed.copy()
    others[d, k] = 0.0
    firms, deaths = len(f), model.totals.deaths
    f.negative_quarters[row] = model.params.firms.exit_patience

    model.diversify_or_exit(model.quarter)

    assert len(f) == firms - 1 and model.totals.deaths == deaths + 1
    assert model.flows.deaths == 1
    assert pool.unemployed[d, k] == pytest.approx(old + jobs)
    assert pool.skill[d, k] == pytest.approx((old * old_skill + jobs * fit) / (old + jobs))
    rest = pool.unemployed.copy()
    rest[d, k] = 0.0
    assert rest == pytest.approx(others)  # nobody else moved
    assert violations(model) == []  # labour conserved, shares renormalised, count right


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_firm_count_is_start_plus_births_minus_deaths(seed):
    scenario = small_scenario(
        firms=FirmParams(spinoff_probability=0.02, fixed_cost=4.0),
        entrepreneurs=EntrepreneurParams(base_rate=0.002),
    )
    model = RegionModel(scenario, seed=seed)
    start = len(model.firms)
    model.run_for(30)
    c = model.totals
    assert c.births == c.spinoffs + c.startups
    assert c.spinoffs > 0 and c.startups > 0 and c.deaths > 0
    assert len(model.firms) == start + c.births - c.deaths
    series = model.datacollector.get_model_vars_dataframe()
    flows = series["births"].iloc[1:].sum() - series["deaths"].iloc[1:].sum()
    assert series["firms"].iloc[-1] == series["firms"].iloc[0] + flows
    assert np.array_equal(
        series["firms"].diff().iloc[1:].to_numpy(),
        (series["births"] - series["deaths"]).iloc[1:].to_numpy(),
    )
