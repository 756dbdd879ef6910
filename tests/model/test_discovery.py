"""The discovery ledger: industries new to the region, funding, followers (DESIGN §2.9)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from model import RegionModel
from model.discovery import COLUMNS, DiscoveryLedger
from scenarios.schema import EmergingIndustry, EntrepreneurParams, FirmParams, InstitutionParams
from tests.helpers import GrantPolicy, small_scenario

BATTERIES_BORN = EmergingIndustry(type="emerging_industry", step=5, industry="batteries")


@dataclass
class FakeFirm:
    uid: int
    industry_key: str


def busy(spinoffs: float = 0.0):
    return small_scenario(
        entrepreneurs=EntrepreneurParams(base_rate=0.001, pioneer_risk=0.5),
        firms=FirmParams(spinoff_probability=spinoffs),
        events=[BATTERIES_BORN],
        institutions=InstitutionParams(visibility_relatedness=0.0),  # every industry in sight
    )


def test_first_entry_into_an_unknown_industry_is_a_discovery_later_ones_are_followers():
    ledger = DiscoveryLedger()
    assert not ledger.record_entry("metal", 0, FakeFirm(0, "metal"), "initial")
    assert not ledger.record_entry("metal", 3, FakeFirm(1, "metal"), "startup")
    assert ledger.discoveries == 0
    assert ledger.record_entry("robots", 5, FakeFirm(2, "robots"), "startup", district=3)
    assert not ledger.record_entry("robots", 7, FakeFirm(3, "robots"), "spinoff", district=1)
    assert not ledger.record_entry("robots", 9, FakeFirm(4, "robots"), "startup")
    assert ledger.record_entry("drones", 8, FakeFirm(5, "drones"), "spinoff")
    ledger.set_funding("robots", "grant")
    frame = ledger.summary(None)
    assert list(frame.columns) == COLUMNS
    robots = frame.set_index("industry").loc["robots"]
    assert (robots.step, robots.funding, robots.founder, robots.district) == (5, "grant", 2, 3)
    assert (robots.followers, robots.first_follower_step) == (2, 7.0)
    assert np.isnan(robots.follower_jobs)
    drones = frame.set_index("industry").loc["drones"]
    assert drones.funding == "spinoff" and drones.followers == 0 and drones.district == -1
    assert np.isnan(drones.first_follower_step)
    assert ledger.is_known(["metal", "robots", "boats"]).tolist() == [True, True, False]


def test_set_funding_rejects_unknown_sources():
    ledger = DiscoveryLedger()
    ledger.record_entry("robots", 5, FakeFirm(2, "robots"), "startup")
    with pytest.raises(ValueError, match="unknown funding"):
        ledger.set_funding("robots", "lottery")


def test_initial_industries_are_known_and_not_discoveries():
    model = RegionModel(busy(), seed=0)
    assert model.ledger.discoveries == 0
    assert model.ledger.known == {model.space.keys[k] for k in np.flatnonzero(model.present())}
    assert model.ledger.to_frame().empty


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ledger_follows_the_model(seed):
    model = RegionModel(busy(spinoffs=0.01), seed=seed)
    model.run_for(80)
    frame = model.ledger.to_frame()
    assert len(frame) == model.ledger.discoveries > 0
    assert set(frame.industry).isdisjoint({i.key for i in model.params.region.industries})
    f = model.firms
    jobs = dict(zip(f.uid.tolist(), f.employment.tolist(), strict=True))
    for d in model.ledger.entries.values():
        row = frame.set_index("industry").loc[d.industry]
        assert all(uid > 0 for _, uid, _ in d.followers)  # lineage ids, not row numbers
        alive = sum(jobs.get(uid, 0.0) for _, uid, _ in d.followers)
        assert row.follower_jobs == pytest.approx(alive)
        assert all(step >= d.step for step, _, _ in d.followers)
    # the indicator counts every discovery, by start-ups and spin-offs alike
    series = model.datacollector.get_model_vars_dataframe()
    assert series["discoveries"].sum() == len(frame)
    by_entrepreneurs = (frame.funding != "spinoff").sum()
    assert by_entrepreneurs == model.entrepreneurship.discoveries


def test_living_firms_have_distinct_uids():
    """Founders and followers in the ledger are uids: they must name one firm each."""
    model = RegionModel(busy(spinoffs=0.01), seed=0)
    model.run_for(50)
    f = model.firms
    assert (f.origin == 2).sum() > 1  # several start-ups alive
    assert len(set(f.uid.tolist())) == len(f)


def test_ledger_records_who_paid_for_each_discovery():
    funding = {"grant": 0, "savings": 0}
    for seed in range(6):
        plain = RegionModel(busy(), seed=seed)
        plain.run_for(40)
        assert set(plain.ledger.to_frame().funding) <= {"savings"}
        funding["savings"] += plain.ledger.discoveries
        batteries = plain.space.index("batteries")
        funded = RegionModel(busy(), seed=seed)
        funded.policy = funded.entrepreneurship.policy = GrantPolicy(1000.0, {batteries})
        funded.run_for(40)
        frame = funded.ledger.to_frame().set_index("industry")
        for key, row in frame.iterrows():
            assert row.funding == ("grant" if key == "batteries" else "savings")
        funding["grant"] += int("batteries" in frame.index)
    assert funding["grant"] > 0 and funding["savings"] > 0


def test_spinoff_discoveries_are_funded_by_the_parent_firm():
    scenario = small_scenario(
        entrepreneurs=EntrepreneurParams(base_rate=0.0),
        firms=FirmParams(spinoff_probability=0.05),
        events=[BATTERIES_BORN],
    )
    found = 0
    for seed in range(3):
        model = RegionModel(scenario, seed=seed)
        model.run_for(40)
        frame = model.ledger.to_frame()
        assert (frame.funding == "spinoff").all()
        found += len(frame)
    assert found > 0
