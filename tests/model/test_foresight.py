"""Foresight: emerging industries are entered earlier (DESIGN §2.5, §2.6).

The chain: foresight money -> emerging industries visible to entrepreneurs (and spin-off
parents) earlier than ``visibility_lag`` quarters after their birth -> experiments and
first firms earlier. Measured as the first quarter an emerging industry (``birth > 0``)
has a firm, paired over common seeds.

Two causes once kept foresight from working (visibility without a lead, and zero
expected growth before birth); these tests guard against their return.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import RegionModel
from scenarios import load_scenario, with_params
from tests.helpers import service_institutions, service_scenario

SEEDS = range(6)
HORIZON = 48  # quarters: every heartland industry is born by quarter 20


def first_entry(model: RegionModel) -> dict[str, int]:
    """Quarter of the first firm in each emerging industry (``HORIZON`` if none yet)."""
    table = model.datacollector.get_table_dataframe("employment_by_industry")
    sp = model.space
    out = {}
    for k in np.flatnonzero(sp.birth > 0):
        key = sp.keys[k]
        steps = table.loc[(table["industry"] == key) & (table["firms"] > 0), "step"]
        out[key] = int(steps.min()) if len(steps) else HORIZON
    return out


def test_without_foresight_emerging_industries_stay_unseen_for_the_visibility_lag():
    # no university: nothing makes batteries (born at quarter 12) visible early
    scenario = service_scenario(institutions=service_institutions()[:4])
    model = RegionModel(scenario, seed=0)
    k = model.space.index("batteries")
    lag = scenario.institutions.visibility_lag
    seen = {}
    for _ in range(12 + lag):
        model.step()
        visible = model.institutions.visible_industries(model.quarter, model.present())
        seen[model.quarter] = bool(visible[k])
    assert not any(seen[t] for t in range(1, 12 + lag))
    assert seen[12 + lag]


@pytest.mark.slow
def test_foresight_brings_first_entry_into_emerging_industries_earlier():
    with_foresight = load_scenario("foresight")  # bottom-up, experiments, institutions
    assert with_foresight.policy.targeting == "bottom_up"
    assert with_foresight.policy.allocation.experimentation > 0
    without = with_params(with_foresight, {"policy.allocation.foresight": 0.0})
    earlier = []
    for seed in SEEDS:
        entry = []
        for scenario in (with_foresight, without):
            model = RegionModel(scenario, seed=seed)
            model.run_for(HORIZON)
            entry.append(np.mean(list(first_entry(model).values())))
        earlier.append(entry[1] - entry[0])
    earlier = np.array(earlier)
    assert earlier.mean() > 1.0, f"quarters earlier with foresight, by seed: {earlier}"
    assert (earlier > 0).sum() >= 5, f"quarters earlier with foresight, by seed: {earlier}"


def test_funded_foresight_lowers_the_perceived_pioneer_risk_of_emerging_industries():
    # foresight informs would-be pioneers: foresight_risk_cut x intensity of the risk goes
    with_foresight = load_scenario("foresight")
    without = with_params(with_foresight, {"policy.allocation.foresight": 0.0})
    risk, intensity = [], []
    for scenario in (with_foresight, without):
        model = RegionModel(scenario, seed=1)
        model.step()
        o, sp = model.entrepreneurship.outlook, model.space
        emerging = sp.birth > 0
        risk.append(o.risk[emerging])
        intensity.append(model.institutions.foresight.intensity)
        assert (o.risk[emerging] > 0).all()  # none established yet
    assert intensity[1] == 0.0 < intensity[0]
    cut = 1.0 - risk[0] / risk[1]
    expected = with_foresight.institutions.foresight_risk_cut * intensity[0]
    assert expected > 0.2
    # (associations' own cut differs a little: foresight also bends their focus)
    assert cut == pytest.approx(np.full(len(cut), expected), rel=0.05)
