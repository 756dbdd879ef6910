"""Trust makes a regional economy stronger (DESIGN §2.5: culture; issue 7).

Two channels beyond knowledge spillovers, each switched off by one parameter:

* supplier relations (``model.value_chains.SupplierRelations``): local sourcing drifts to
  ``initial x (2 trust) ** sourcing_trust``, so a low-trust region loses local orders;
* entrepreneurs' partners and informal finance (``RegionModel.startup_culture``):
  nascent entrepreneurs scale with ``(2 trust) ** partner_trust``.

Together they make the heartland's decline without policy end with fewer jobs and a
lower GRP at trust 0.25 than at its own trust 0.6 (the slow test, paired seeds).
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.intervals import paired_interval
from experiments.outcomes import run_outcomes
from experiments.run import run
from model import RegionModel
from scenarios import load_scenario, with_params

LOW = {"region.culture.trust": 0.25, "region.culture.coordination": 0.2}


def decline(**overrides: object) -> object:
    return with_params(load_scenario("decline_no_policy"), dict(overrides))


def test_local_sourcing_follows_trust_through_supplier_relations():
    sourcing, orders = {}, {}
    for trust in (0.25, 0.6):
        model = RegionModel(decline(**{"region.culture.trust": trust}), seed=1)
        start = model.market.local_sourcing
        model.run_for(24)
        sourcing[trust] = model.market.local_sourcing / start
        orders[trust] = float(model.market.intermediate.sum())
    # relations sustain (2 trust)^2 of the initial sourcing: 0.25 and 1.44 of it
    assert sourcing[0.25] < 0.5, sourcing
    assert sourcing[0.6] > 1.2, sourcing
    assert orders[0.25] < 0.6 * orders[0.6], orders


def test_supplier_relations_keep_what_value_chain_promotion_built():
    scenario = with_params(
        load_scenario("decline_bottom_up"),
        {
            "policy.allocation.value_chain_promotion": 0.5,
            "policy.allocation.experimentation": 0.2,
            "policy.allocation.institution_strengthening": 0.3,
            "policy.allocation.cluster_promotion": 0.0,
            "policy.allocation.targeted_support": 0.0,
            "region.culture.trust": 0.5,
        },
    )
    model = RegionModel(scenario, seed=1)
    start = model.market.local_sourcing
    model.run_for(40)
    # at trust 0.5 relations sustain the anchor, which promotion has raised
    assert model.relations.anchor > start + 0.02
    assert model.market.local_sourcing > start + 0.02


def test_trust_brings_more_nascent_entrepreneurs():
    nascent, started = {}, {}
    for trust in (0.25, 0.6):
        model = RegionModel(decline(**{"region.culture.trust": trust}), seed=1)
        nascent[trust] = model.entrepreneurship.expected_nascent()
        total = 0
        for seed in range(4):
            m = RegionModel(decline(**{"region.culture.trust": trust}), seed=seed)
            m.run_for(12)
            total += int(m.datacollector.get_model_vars_dataframe()["experiments_started"].sum())
        started[trust] = total
    assert nascent[0.25] == pytest.approx(nascent[0.6] * 0.25 / 0.6, rel=1e-9)
    assert started[0.25] < 0.75 * started[0.6], started


@pytest.mark.slow
def test_low_trust_weakens_the_region_without_policy():
    base, low = decline(), decline(**LOW)
    jobs, grp = [], []
    for seed in range(1, 9):
        a, b = run_outcomes(run(base, seed=seed)), run_outcomes(run(low, seed=seed))
        jobs.append(b["jobs_end"] - a["jobs_end"])
        grp.append(b["grp_end"] - a["grp_end"])
    for name, d in (("jobs", jobs), ("grp", grp)):
        mean, _, high, _ = paired_interval(np.array(d))
        assert high < 0, f"{name}: low trust minus own culture by seed {np.round(d)}"
