"""The labour pool: conservation, skills, entrants, the wage, migration, commuting (DESIGN §2.3).

Unit tests on hand-made pools (``LabourPool`` needs only its parameters, the districts'
labour force and the number of industries), plus model runs for the levers that act
through the whole region.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import RegionModel
from model.labour import LabourPool
from scenarios.schema import InstitutionParams, LabourParams
from tests.helpers import service_institutions, service_scenario, small_scenario

K = 3
RELATEDNESS = np.array([[1.0, 0.6, 0.1], [0.6, 1.0, 0.1], [0.1, 0.1, 1.0]])
ENTRANT_FIT = np.array([0.5, 0.4, 0.3])


def pool(params: LabourParams | None = None, employed: float = 900.0) -> LabourPool:
    """Two districts of 600 and 400 workers; ``1000 - employed`` of them unemployed.

    Both districts have the same unemployment rate; each district's unemployed are spread
    evenly over the three industries of last job and the new entrants.
    """
    p = LabourPool(params or LabourParams(), np.array([600.0, 400.0]), K)
    rate = 1.0 - employed / 1000.0
    p.unemployed[:] = rate * p.labour_force[:, None] / (K + 1)
    p.skill[:] = np.array([0.9, 0.7, 0.5, 1.0])
    return p


def employed(p: LabourPool) -> float:
    """Workers in the labour force who are not unemployed."""
    return float(p.labour_force.sum() - p.unemployed.sum())


# --------------------------------------------------------------------------- conservation


def test_hire_moves_exactly_the_hired_workers_out_of_the_pool():
    p = pool()
    demand = np.array([[20.0, 0.0, 5.0], [0.0, 8.0, 0.0]])
    before, lf = p.unemployed.copy(), p.labour_force.copy()
    hires, quality = p.hire(demand, RELATEDNESS, ENTRANT_FIT)
    assert hires == pytest.approx(demand)  # enough unemployed for everyone
    assert before.sum() - p.unemployed.sum() == pytest.approx(hires.sum())
    assert np.array_equal(p.labour_force, lf)
    assert np.all((quality >= 0) & (quality <= 1))


def test_hire_never_takes_more_than_the_pool_holds():
    p = pool()
    total = p.unemployed.sum()
    hires, _ = p.hire(np.full((2, K), 1e4), RELATEDNESS, ENTRANT_FIT)
    assert hires.sum() == pytest.approx(total)
    assert p.unemployed.sum() == pytest.approx(0.0, abs=1e-9)
    assert np.all(p.unemployed >= 0)


@settings(max_examples=60, deadline=None)
@given(
    demand=st.lists(st.floats(0, 200), min_size=2 * K, max_size=2 * K),
    released=st.lists(st.floats(0, 50), min_size=2 * K, max_size=2 * K),
    skill=st.floats(0, 1),
    commuting=st.floats(0, 1),
)
def test_prop_hire_and_release_conserve_workers(demand, released, skill, commuting):
    p = pool(LabourParams(commuting=commuting))
    work = employed(p)
    hires, _ = p.hire(np.reshape(demand, (2, K)), RELATEDNESS, ENTRANT_FIT)
    work += hires.sum()
    assert employed(p) == pytest.approx(work)
    assert np.all(hires <= np.reshape(demand, (2, K)) + 1e-9)
    amounts = np.reshape(released, (2, K))
    p.release(amounts, np.full((2, K), skill))
    work -= amounts.sum()
    assert employed(p) == pytest.approx(work, abs=1e-6)
    assert np.all(p.unemployed >= 0) and np.all((p.skill >= 0) & (p.skill <= 1 + 1e-12))


def test_release_mixes_skills_in_proportion():
    p = pool()
    old, old_skill = p.unemployed[1, 2], p.skill[1, 2]
    amounts = np.zeros((2, K))
    amounts[1, 2] = 30.0
    p.release(amounts, np.full((2, K), 0.2))
    assert p.unemployed[1, 2] == pytest.approx(old + 30.0)
    assert p.skill[1, 2] == pytest.approx((old * old_skill + 30.0 * 0.2) / (old + 30.0))


def test_withdraw_and_deposit_move_one_group():
    p = pool()
    work = employed(p)
    skill = p.withdraw(0, 1, 2.0)  # a nascent entrepreneur leaves the pool
    assert skill == p.skill[0, 1]
    assert employed(p) == pytest.approx(work + 2.0)
    old = p.unemployed[0, 1]
    p.deposit(0, 1, 2.0, 0.1)  # and comes back after a failed experiment
    assert employed(p) == pytest.approx(work)
    assert p.skill[0, 1] == pytest.approx((old * 0.7 + 2.0 * 0.1) / (old + 2.0))


@pytest.mark.parametrize("u", [0.02, 0.06, 0.3])
@pytest.mark.parametrize("growth", [-0.01, 0.0, 0.02])
def test_ageing_and_migration_keep_the_employed_and_change_only_the_pool(u, growth):
    params = LabourParams(labour_force_growth=growth, turnover=0.05, migration=0.2)
    p = pool(params, employed=1000.0 * (1 - u))
    work = employed(p)
    p.age()
    assert employed(p) == pytest.approx(work)
    assert np.all(p.unemployed >= 0)
    assert p.leavers > 0 and p.entrants >= 0


# --------------------------------------------------------------------------- skills


@pytest.mark.parametrize("decay", [0.0, 0.03, 0.2])
def test_skill_decay_lowers_the_skills_of_the_unemployed(decay):
    p = pool(LabourParams(skill_decay=decay))
    before = p.skill.copy()
    p.age()
    assert p.skill[:, :-1] == pytest.approx(before[:, :-1] * (1 - decay))
    assert np.all(p.skill[:, -1] == 1.0)  # new entrants are taught anew


def test_long_unemployment_lowers_the_skill_of_rehired_workers():
    quality = {}
    for decay in (0.0, 0.1):
        p = pool(LabourParams(skill_decay=decay, turnover=0.0, migration=0.0))
        p.unemployed[:, -1] = 0.0  # no entrants to hire instead
        for _ in range(8):
            p.age()
            p.unemployed[:, -1] = 0.0
        demand = np.zeros((2, K))
        demand[0, 0] = 5.0
        _, q = p.hire(demand, RELATEDNESS, ENTRANT_FIT)
        quality[decay] = q[0, 0]
    assert quality[0.1] == pytest.approx(quality[0.0] * 0.9**8, rel=1e-6)


def test_entrants_fit_follows_what_teachers_teach():
    def entrant_fit(focus_train, focus_uni, teaching=0.8) -> dict[str, float]:
        institutions = service_institutions(quality=1.0)
        institutions[0] = institutions[0].model_copy(update={"focus": focus_train})
        institutions[4] = institutions[4].model_copy(update={"focus": focus_uni})
        # ``institutions=`` of service_scenario is the region's list, so the effect sizes
        # (the scenario's ``institutions`` parameters) are set afterwards
        scenario = service_scenario(institutions=institutions).model_copy(
            update={"institutions": InstitutionParams(entrant_teaching=teaching)}
        )
        model = RegionModel(scenario, seed=0)
        return dict(zip(model.space.keys, model.institutions.entrant_fit(), strict=True))

    metal = entrant_fit(["machining", "metal"], ["machining", "metal"])
    food = entrant_fit(["food", "chemistry"], ["food", "chemistry"])
    assert metal["metal_fab"] > metal["food"] + 0.2
    assert food["food"] > food["metal_fab"] + 0.2
    assert metal["metal_fab"] > food["metal_fab"]
    assert food["food"] > metal["food"]
    untaught = entrant_fit(["machining", "metal"], ["food", "chemistry"], teaching=0.0)
    assert set(np.round(list(untaught.values()), 12)) == {0.3}  # general skills only


def test_taught_entrants_are_hired_with_their_fit():
    p = pool()
    p.unemployed[:, :-1] = 0.0  # only new entrants in the pool
    demand = np.zeros((2, K))
    demand[:, 0] = demand[:, 2] = 3.0
    _, quality = p.hire(demand, RELATEDNESS, ENTRANT_FIT)
    assert quality[:, 0] == pytest.approx(ENTRANT_FIT[0] * 1.0)
    assert quality[:, 2] == pytest.approx(max(ENTRANT_FIT[2], p.params.general_skill))


# --------------------------------------------------------------------------- the wage


@pytest.mark.parametrize(
    ("productivity", "u"), [(1.0, 0.06), (1.2, 0.06), (1.0, 0.15), (1.3, 0.02), (0.5, 0.6)]
)
def test_wage_moves_a_quarter_of_the_way_to_its_target(productivity, u):
    params = LabourParams(wage=0.6, wage_productivity=0.5, wage_unemployment=0.3)
    p = pool(params, employed=1000.0 * (1 - u))
    assert p.unemployment_rate == pytest.approx(u)
    p.wage = 0.62
    target = 0.6 * productivity**0.5 * max(1 - 0.3 * (u - 0.06), 0.3)
    p.update_wage(productivity)
    assert p.wage == pytest.approx(max(0.62 + 0.25 * (target - 0.62), 0.3 * 0.6))


def test_wage_rises_with_productivity_and_falls_with_unemployment():
    def wage_after(productivity: float, u: float, quarters: int = 12) -> float:
        p = pool(employed=1000.0 * (1 - u))
        for _ in range(quarters):
            p.update_wage(productivity)
        return p.wage

    assert wage_after(1.0, 0.06) == pytest.approx(0.6)  # at the natural rate, stable
    assert wage_after(1.2, 0.06) > wage_after(1.1, 0.06) > wage_after(1.0, 0.06)
    assert wage_after(1.0, 0.15) < wage_after(1.0, 0.10) < wage_after(1.0, 0.06)
    assert wage_after(1.0, 0.02) > 0.6
    assert wage_after(1e-9, 0.99, 100) == pytest.approx(0.3 * 0.6)  # never below the floor


# --------------------------------------------------------------------------- migration


def test_migration_shrinks_the_labour_force_when_unemployment_is_high():
    for migration in (0.0, 0.05, 0.2):
        p = pool(LabourParams(migration=migration), employed=800.0)  # u = 20 %
        lf = p.labour_force.copy()
        work = employed(p)
        p.migrate()
        u_d = 0.2  # both districts
        assert p.labour_force == pytest.approx(lf - migration * (u_d - 0.06) * lf)
        assert employed(p) == pytest.approx(work)  # only the unemployed move


def test_migration_brings_workers_in_when_unemployment_is_low():
    p = pool(LabourParams(migration=0.1), employed=980.0)  # u = 2 %
    lf = p.labour_force.copy()
    entrants = p.unemployed[:, -1].copy()
    p.migrate()
    arrivals = 0.1 * (0.06 - 0.02) * lf
    assert p.labour_force == pytest.approx(lf + arrivals)
    assert p.unemployed[:, -1] == pytest.approx(entrants + arrivals)  # as new entrants


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_with_more_migration_a_depressed_region_loses_more_workers(seed):
    labour_force = []
    for migration in (0.0, 0.1):
        scenario = small_scenario(
            region={"unemployment_rate": 0.2}, labour=LabourParams(migration=migration)
        )
        model = RegionModel(scenario, seed=seed)
        model.run_for(20)
        labour_force.append(model.labour.labour_force.sum())
    assert labour_force[1] < labour_force[0] - 200


# --------------------------------------------------------------------------- commuting


def test_without_commuting_all_hires_come_from_the_own_district():
    for commuting, expect_other in ((0.0, False), (0.5, True)):
        p = pool(LabourParams(commuting=commuting))
        before = p.unemployed.copy()
        demand = np.zeros((2, K))
        demand[0, :] = 10.0  # only district 0 hires
        hires, _ = p.hire(demand, RELATEDNESS, ENTRANT_FIT)
        assert hires.sum() == pytest.approx(30.0)
        took_other = before[1].sum() - p.unemployed[1].sum()
        if expect_other:
            assert took_other > 5.0
        else:
            assert took_other == 0.0
            assert before[0].sum() - p.unemployed[0].sum() == pytest.approx(30.0)


def test_without_commuting_model_hires_stay_in_their_district():
    model = RegionModel(small_scenario(labour=LabourParams(commuting=0.0)), seed=0)
    model.run_for(2)
    seen = []
    original = model.labour.hire

    def hire(demand, relatedness, entrant_fit):
        before = model.labour.unemployed.sum(axis=1).copy()
        hires, quality = original(demand, relatedness, entrant_fit)
        seen.append((hires.sum(axis=1), before - model.labour.unemployed.sum(axis=1)))
        return hires, quality

    model.labour.hire = hire
    model.run_for(6)
    assert seen
    for hires, taken in seen:
        assert taken == pytest.approx(hires)  # each district's pool supplied its own hires


def test_a_shrinking_labour_force_shrinks_by_its_growth_rate_beyond_the_leavers():
    sizes = {}
    for growth in (-0.001, -0.01, -0.03):
        params = LabourParams(labour_force_growth=growth, migration=0.0, turnover=0.01)
        p = pool(params)
        lf0 = p.labour_force.sum()
        employed = lf0 - p.total_unemployed
        for _ in range(8):
            p.age()
            assert p.labour_force.sum() == pytest.approx(employed + p.total_unemployed)
        sizes[growth] = p.labour_force.sum() / lf0
    assert sizes[-0.03] < sizes[-0.01] < sizes[-0.001] < 1.0
    assert sizes[-0.01] == pytest.approx(0.99**8, rel=1e-3)


# --------------------------------------------------------------------------- commuting distance


def test_commuters_come_from_the_neighbouring_district_rather_than_a_far_one():
    """Three districts on a line: 0 and 1 are 6 cells apart, 2 is 40 cells away."""
    xy = np.array([[0, 0], [6, 0], [40, 0]])
    p = LabourPool(LabourParams(commuting=0.3), np.array([500.0, 500.0, 500.0]), K, xy)
    p.unemployed[:] = 0.0
    p.unemployed[1:, 0] = 200.0  # the same unemployed in the near and the far district
    p.skill[:] = 1.0
    demand = np.zeros((3, K))
    demand[0, 0] = 50.0  # only district 0 hires, and it has nobody of its own
    before = p.unemployed.copy()
    p.hire(demand, RELATEDNESS, ENTRANT_FIT)
    taken = (before - p.unemployed).sum(axis=1)
    assert taken[0] == 0.0
    assert taken[1] > 5.0 * taken[2], taken  # exp(-34/8): the far district gives very few
    assert p.geo[0, 1] + p.geo[0, 2] == pytest.approx(0.3)
    assert p.geo[0, 0] == pytest.approx(0.7)


def test_without_district_centres_commuting_spreads_evenly():
    p = LabourPool(LabourParams(commuting=0.3), np.array([500.0, 500.0, 500.0]), K)
    assert p.geo[0, 1] == pytest.approx(p.geo[0, 2]) == pytest.approx(0.15)


# --------------------------------------------------------------------------- retraining


def _retraining_model(seed: int = 0, **spec) -> RegionModel:
    from scenarios.schema import InstitutionSpec

    inst = [InstitutionSpec(type="training_institute", district="North",
                            focus=["machining", "metal"], radius=30.0, **spec)]  # fmt: skip
    return RegionModel(service_scenario(inst), seed=seed)


def test_training_institutes_retrain_the_unemployed_they_can_teach():
    m = _retraining_model(quality=0.8, capacity=10, budget=100.0)
    lab, sp = m.labour, m.space
    engines, local = sp.index("engines"), sp.index("local")
    lab.unemployed[:] = 0.0
    lab.unemployed[:, [engines, local]] = 100.0
    lab.skill[:] = 0.5
    m.institutions.begin_quarter()
    done = m.institutions.retrain(lab)
    inst = m.institutions.institutions[0]
    cover = inst.coverage(sp.requires)
    p = m.params.institutions
    assert cover[engines] > cover[local]
    assert done == pytest.approx(min(10 * p.retraining_per_client, 400.0))
    assert inst.spent == pytest.approx(done * p.retraining_cost)
    # the skill of the engine workers rises more than that of the local-services workers
    gain = lab.skill[0] - 0.5
    assert gain[engines] > gain[local] >= 0.0
    assert gain[engines] > 0.02
    assert lab.unemployed.sum() == pytest.approx(400.0)  # nobody leaves the pool


def test_retraining_is_limited_by_what_the_budget_has_left():
    done = []
    for budget in (0.5, 100.0):
        m = _retraining_model(capacity=10, budget=budget)
        m.labour.unemployed[:, :-1] = 50.0
        m.institutions.begin_quarter()
        done.append(m.institutions.retrain(m.labour))
    cost = InstitutionParams().retraining_cost
    assert done[0] == pytest.approx(0.5 / cost) and done[1] > 2.0 * done[0]


def test_retraining_keeps_the_unemployed_employable_over_a_run():
    """Against a run where teachers retrain nobody, the unemployed keep more skill."""
    diffs = []
    for seed in range(8):
        skills = []
        for per_client in (0.0, 20.0):
            params = InstitutionParams(retraining_per_client=per_client)
            scenario = service_scenario(
                [
                    *service_institutions(),
                ]
            ).model_copy(update={"institutions": params})
            m = RegionModel(scenario, seed=seed)
            for _ in range(12):
                m.step()
            lab = m.labour
            u = lab.unemployed[:, :-1]
            skills.append(float((u * lab.skill[:, :-1]).sum() / max(u.sum(), 1e-9)))
        diffs.append(skills[1] - skills[0])
    assert min(diffs) > 0.0 and np.mean(diffs) > 0.02, diffs
