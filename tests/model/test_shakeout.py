"""Behavioural tests of the shakeout of young industries (issue 7, fact 5).

Two mechanisms act in industries born during the run, with a strength that falls as the
world learns the industry (``Market.youth``): share flows faster to the fittest of the
region's firms (``market.selection_youth``), and process innovations gain in proportion
to the firm's output (``firms.innovation_scale``, Klepper 1996). Each test fails when its
mechanism is switched off.
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments import estimators as est
from experiments.run import run
from experiments.validate import emerging_industries
from model import RegionModel
from scenarios import load_scenario
from scenarios.schema import MarketParams
from tests.helpers import small_scenario

LEAD = "engine_components"


def small(seed: int = 0, **market) -> RegionModel:
    """The small test region, with the pure replicator (no firm demand shocks)."""
    return RegionModel(small_scenario(market=MarketParams(firm_shock=0.0, **market)), seed=seed)


def test_youth_is_one_at_birth_falls_with_world_learning_and_is_zero_when_mature():
    model = RegionModel(load_scenario("baseline"), seed=1)
    market, sp = model.market, model.space
    k, mature = sp.index("batteries"), sp.index("machinery")
    birth, rate = int(sp.birth[k]), market.params.world_learning
    assert birth > 0
    assert market.youth(birth - 5)[k] == 1.0
    assert market.youth(birth)[k] == 1.0
    assert market.youth(birth + 40)[k] == pytest.approx((1 - rate) ** 40)
    assert market.youth(birth + 40)[mature] == 0.0


def laggard_share_change(youth: float, **market) -> tuple[float, float]:
    """Relative share change of the weakest and the strongest firm of LEAD in one quarter.

    LEAD is made ``youth`` young (``Market.youth`` is patched) with its outside competitor
    at the region's level, so only the firms' ranks matter.
    """
    model = small(**market)
    f, mk, sp = model.firms, model.market, model.space
    k = sp.index(LEAD)
    young = np.zeros(sp.size)
    young[k] = youth
    mk.youth = lambda t: young  # type: ignore[method-assign]
    rows = np.flatnonzero(f.industry == k)
    own, _ = mk.fitness(f, 0)
    laggard, leader = rows[np.argmin(own[rows])], rows[np.argmax(own[rows])]
    before = f.share.copy()
    mk.compete(f, 0, np.zeros(len(f)))
    change = f.share / before - 1.0
    return float(change[laggard]), float(change[leader])


def test_share_flows_faster_to_the_fittest_in_a_young_industry():
    base = MarketParams().selection_youth
    assert base > 0
    mature = laggard_share_change(0.0)
    young = laggard_share_change(1.0)
    assert mature[0] < 0 < mature[1]
    # at birth the laggard loses (and the leader gains) 1 + selection_youth times as fast
    assert young[0] == pytest.approx((1 + base) * mature[0], rel=0.05)
    assert young[1] > 2 * mature[1]
    # switched off: a young industry reallocates like a mature one
    off = laggard_share_change(1.0, selection_youth=0.0)
    assert off[0] == pytest.approx(mature[0], rel=1e-6)


def gains(model: RegionModel, youth: np.ndarray) -> np.ndarray:
    """Log-productivity gain of every firm from one ``innovate`` call (all firms innovate).

    The firms' productivity is restored afterwards.
    """
    f = model.firms
    before = f.productivity.copy()
    u = np.column_stack([np.zeros(len(f)), np.full(len(f), 0.5)])  # certain, median size
    f.innovate(u, youth)
    gained = np.log(f.productivity / before)
    f.productivity = before
    return gained


def test_in_a_young_industry_large_firms_gain_more_from_an_innovation():
    model = small()
    f, sp = model.firms, model.space
    model.run_for(2)
    k = sp.index(LEAD)
    rows = np.flatnonzero(f.industry == k)
    young = np.zeros(sp.size)
    young[k] = 1.0
    g = gains(model, young)[rows]
    out = f.value_added[rows]
    big, tiny = np.argmax(out), np.argmin(out)
    assert g[big] > 3 * g[tiny]
    # the industry's innovation is shifted to its large firms, not increased
    mature = gains(model, np.zeros(sp.size))  # same draws, same firms, no scale returns
    weights = out / out.sum()
    assert float(weights @ g) == pytest.approx(float(weights @ mature[rows]), rel=1e-6)
    # other (mature) industries are not affected
    others = np.flatnonzero(f.industry != k)
    assert gains(model, young)[others] == pytest.approx(gains(model, np.zeros(sp.size))[others])
    # switched off: every firm of the young industry gains the same
    f.params = f.params.model_copy(update={"innovation_scale": 0.0})
    flat = gains(model, young)[rows]
    assert flat == pytest.approx(np.full(len(rows), flat[0]))


def firm_count_drops(scenario, seeds, steps: int = 100) -> list[float]:
    """Per emerging-industry history (>= 8 firms at its peak): fewest firms after / peak."""
    drops = []
    for seed in seeds:
        result = run(scenario, seed=seed, steps=steps)
        table = result.tables["employment_by_industry"]
        h = est.industry_histories(table, emerging_industries(result.scenario), min_firms=8)
        drops += (h["min_after"] / h["peak_firms"]).tolist()
    return drops


@pytest.mark.slow
def test_young_industries_shake_out_from_their_peak():
    seeds = (1, 2, 4, 8)  # heartland seeds whose emerging industries reach 8 firms
    base = load_scenario("baseline")
    on = firm_count_drops(base, seeds)
    assert len(on) >= 4
    # the firm count of most young industries falls to half its peak or less
    # (with market.selection_youth = 0 none does: fewest firms after the peak 0.5-0.9 of it)
    assert np.mean(np.array(on) <= 0.5) >= 0.5
    assert np.mean(on) < 0.55
