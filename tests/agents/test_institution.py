"""Meso institutions: requests, services, focus adaptation and what others read from them."""

import numpy as np
import pytest

from model import RegionModel
from scenarios import with_params
from scenarios.schema import InstitutionParams, InstitutionSpec
from tests.helpers import service_institutions, service_scenario

SEEDS = range(3)


def model_with(institutions=None, seed=0, threshold=None, **overrides) -> RegionModel:
    """The service region; ``threshold`` sets ``request_threshold`` (default: the schema's)."""
    scenario = service_scenario(institutions, **overrides)
    if threshold is not None:
        params = InstitutionParams(request_threshold=threshold)
        scenario = scenario.model_copy(update={"institutions": params})
    return RegionModel(scenario, seed=seed)


def run(model: RegionModel, steps: int) -> list[dict[str, float]]:
    out = []
    for _ in range(steps):
        model.step()
        out.append(dict(model.indicators))
    return out


def serve(model: RegionModel, quarter: int | None = None) -> None:
    """Firms request help and the institutions serve them, as in ``step`` (default: now)."""
    model.serve_firms(model.quarter if quarter is None else quarter)


def visible(model: RegionModel, quarter: int | None = None) -> np.ndarray:
    """K bool, the industries entrepreneurs see at ``quarter`` (default: now)."""
    q = model.quarter if quarter is None else quarter
    return model.institutions.visible_industries(q, model.present())


def screening_quality(model: RegionModel) -> float:
    """Development agencies' screening of all the model's firms as applicants."""
    f = model.firms
    interval = model.params.policy.review_interval
    return model.institutions.screening_quality(f, np.arange(len(f)), interval)


def only(kind: str, district: str = "North", focus=("machining", "metal"), **spec):
    return [InstitutionSpec(type=kind, district=district, focus=list(focus), **spec)]


def in_reach(model: RegionModel, inst) -> np.ndarray:
    return inst.reach(model.firms.x, model.firms.y)


# ------------------------------------------------------------------ building and requests


def test_one_agent_per_institution_at_its_district_centre():
    m = model_with()
    insts = m.institutions.institutions
    assert [i.kind for i in insts] == [s.type for s in m.params.region.institutions]
    for inst, spec in zip(insts, m.params.region.institutions, strict=True):
        d = m.district_names.index(spec.district)
        assert inst.cell.coordinate == tuple(int(v) for v in m.district_xy[d])
        assert inst in m.agents
        assert inst.focus.sum() == pytest.approx(1.0)


def test_industry_keys_in_the_focus_expand_to_their_capabilities():
    m = model_with()
    focus = m.institutions.focus_vector(["engines", "chemicals", "software"])
    caps = m.space.capabilities
    # each key weighs 1: engines spreads it over three capabilities, chemicals over two;
    # "software" is a capability and an industry: the capability wins
    expected = {"machining": 1 / 3, "metal": 1 / 3, "logistics": 1 / 3 + 1 / 2}
    expected |= {"chemistry": 1 / 2, "software": 1.0, "sales": 0.0}
    for c, w in expected.items():
        assert focus[caps.index(c)] == pytest.approx(w / 3)


def test_firms_request_their_weakest_required_capability_only_below_the_threshold():
    m = model_with()
    f, req = m.firms, m.space.requires
    threshold = m.params.institutions.request_threshold
    before = f.proficiency.copy()  # services raise proficiency after the requests
    serve(m)
    asking = 0
    for i in range(len(f)):
        needed = np.flatnonzero(req[f.industry[i]])
        weakest = before[i, needed].min()
        if weakest < threshold:
            assert f.requested[i] in needed
            assert before[i, f.requested[i]] == weakest
            asking += 1
        else:
            assert f.requested[i] == -1
    assert 0 < asking < len(f)


def test_service_gap_is_the_unmet_share_of_requests():
    m = model_with(service_institutions(capacity=3))
    serve(m)
    f = m.firms
    asking = int((f.requested >= 0).sum())
    providers = m.institutions.of_kind("training_institute", "technology_centre", "university")
    met = sum(float(i.competence[f.requested[i.clients]].sum()) for i in providers)
    assert (f.requested[np.concatenate([i.clients for i in providers])] >= 0).all()
    assert m.institutions.service_gap == pytest.approx(1.0 - met / asking)
    assert 0.0 < m.institutions.service_gap < 1.0


def test_no_requests_means_no_service_gap_and_no_provider_clients():
    m = model_with(threshold=0.0)  # nobody is below 0
    serve(m)
    assert (m.firms.requested == -1).all()
    assert m.institutions.service_gap == 0.0
    for inst in m.institutions.of_kind("training_institute", "technology_centre", "university"):
        assert len(inst.clients) == 0
    assert m.firms.member.any()  # associations take members with or without requests


def test_services_respect_capacity_reach_and_one_service_per_firm():
    m = model_with(service_institutions(capacity=6))
    run(m, 3)
    seen: set[int] = set()
    for inst in m.institutions.of_kind("training_institute", "technology_centre", "university"):
        assert len(inst.clients) <= 6
        assert in_reach(m, inst)[inst.clients].all()
        assert not seen & set(inst.clients.tolist())
        seen |= set(inst.clients.tolist())
    assoc = m.institutions.of_kind("business_association")[0]
    assert set(np.flatnonzero(m.firms.member)) == set(assoc.clients.tolist())
    assert len(m.institutions.of_kind("development_agency")[0].clients) == 0


def test_clients_are_the_best_focus_matches():
    m = model_with(only("training_institute", capacity=5))
    inst, f = m.institutions.institutions[0], m.firms
    focus = inst.focus.copy()  # the focus adapts after serving
    serve(m)
    match = focus[f.requested]
    others = np.setdiff1d(np.flatnonzero(in_reach(m, inst)), inst.clients)
    assert match[inst.clients].min() >= match[others].max()


# ------------------------------------------------------------------ effects on clients


def test_training_raises_clients_proficiency_by_the_documented_amount():
    m = model_with(only("training_institute", capacity=10, quality=0.8))
    f, inst = m.firms, m.institutions.institutions[0]
    before, competence, focus = f.proficiency.copy(), inst.competence, inst.focus.copy()
    serve(m)
    rows, caps = inst.clients, f.requested[inst.clients]
    eligible = in_reach(m, inst) & (f.requested >= 0)
    eligible &= focus[np.maximum(f.requested, 0)] > 0  # the focus it chose with
    assert len(rows) == min(10, int(eligible.sum())) and len(rows) >= 5
    gain = m.params.institutions.training_gain * 0.8 * competence[caps]
    p0 = before[rows, caps]
    np.testing.assert_allclose(f.proficiency[rows, caps], p0 + gain * (1 - p0))
    untouched = np.ones_like(before, dtype=bool)
    untouched[rows, caps] = False
    np.testing.assert_array_equal(f.proficiency[untouched], before[untouched])


def test_technology_centre_raises_productivity_up_to_the_frontier():
    m = model_with(only("technology_centre", focus=["engines"], capacity=10, quality=1.0))
    f, inst = m.firms, m.institutions.institutions[0]
    frontier = m.space.productivity[f.industry]
    f.productivity[:] = 0.5 * frontier
    leader = np.flatnonzero(in_reach(m, inst) & (f.industry == m.space.index("engines")))[0]
    f.productivity[leader] = 2.0 * frontier[leader]
    before, competence = f.productivity.copy(), inst.competence
    serve(m)
    rows = inst.clients
    gain = m.params.institutions.extension_gain * competence[f.requested[rows]]
    expected = np.where(rows == leader, before[rows], before[rows] * np.exp(gain))
    np.testing.assert_allclose(f.productivity[rows], expected)


def _mean_fit_north(m: RegionModel) -> float:
    f = m.firms
    north = f.district == m.district_names.index("North")
    return float(f.fit(m.space.requires)[north].mean())


#: a request threshold at which the service region's firms keep asking for help (at the
#: default most of its firms outgrow their requests within a few quarters)
ASKING = 0.9


def test_training_institute_raises_proficiency_against_a_run_without_capacity():
    for seed in SEEDS:
        fits = []
        for capacity in (0, 40):
            spec = only("training_institute", capacity=capacity, quality=0.8)
            m = model_with(spec, seed, threshold=ASKING)
            run(m, 10)
            fits.append(_mean_fit_north(m))
        assert fits[1] > fits[0] + 0.01, (seed, fits)


def test_technology_centre_raises_productivity_of_clients_against_no_capacity():
    focus = ["machining", "metal", "logistics", "electronics"]
    for seed in SEEDS:
        gaps = []
        for capacity in (0, 40):
            m = model_with(only("technology_centre", focus=focus, capacity=capacity), seed)
            run(m, 10)
            f = m.firms
            north = f.district == m.district_names.index("North")
            rel = np.log(f.productivity / m.space.productivity[f.industry])
            gaps.append(float(rel[north].mean()))
        assert gaps[1] > gaps[0], (seed, gaps)


def test_association_members_pass_unmet_needs_to_providers_out_of_reach():
    """A university in South never sees North's firms; the association in North tells it."""
    uni = InstitutionSpec(type="university", district="South", focus=["software"], capacity=0)
    assoc = InstitutionSpec(
        type="business_association", district="North", focus=["engines"], capacity=40
    )
    metal = service_scenario([uni]).catalogue.capabilities.index("metal")
    shares = []
    for institutions in ([uni], [uni, assoc]):
        m = model_with(institutions)
        for _ in range(5):
            serve(m)
        shares.append(m.institutions.institutions[0].focus[metal])
    assert shares[1] > shares[0]


def test_members_pass_on_their_needs_as_far_as_they_trust():
    """Pass-on scales with the cooperation factor 2 x trust: none at trust 0."""
    uni = InstitutionSpec(type="university", district="South", focus=["software"], capacity=0)
    assoc = InstitutionSpec(
        type="business_association", district="North", focus=["engines"], capacity=40
    )
    metal = service_scenario([uni]).catalogue.capabilities.index("metal")
    shares = []
    for trust in (0.0, 0.25, 0.5):
        scenario = with_params(service_scenario([uni, assoc]), {"region.culture.trust": trust})
        m = RegionModel(scenario, seed=0)
        for _ in range(5):
            serve(m)
        shares.append(m.institutions.institutions[0].focus[metal])
    assert shares[0] == pytest.approx(model_with([uni]).institutions.institutions[0].focus[metal])
    assert shares[0] < shares[1] < shares[2], shares


# ------------------------------------------------------------------ focus and observables


def test_higher_responsiveness_lowers_focus_mismatch():
    diffs = []
    for seed in range(5):
        mismatch = []
        for responsiveness in (0.01, 0.3):
            spec = service_institutions(responsiveness=responsiveness)
            out = run(model_with(spec, seed, threshold=ASKING), 16)
            mismatch.append(np.mean([o["focus_mismatch"] for o in out[6:]]))
        diffs.append(mismatch[0] - mismatch[1])
    assert all(d > 0 for d in diffs), diffs


def test_without_institutions_every_request_is_unmet():
    m = model_with([])
    out = run(m, 2)
    assert out[-1]["service_gap"] == 1.0
    assert out[-1]["focus_mismatch"] == 0.0
    assert not m.firms.member.any()


def test_service_gap_and_mismatch_are_fractions():
    m = model_with()
    for o in run(m, 6):
        assert 0.0 <= o["service_gap"] <= 1.0
        assert 0.0 <= o["focus_mismatch"] <= 1.0


def test_foresight_leans_the_focus_toward_emerging_needs():
    m0, m1 = model_with(), model_with()
    quarter = 6  # batteries (born at 12) within the foresight lead
    chem = m0.space.capabilities.index("chemistry")
    for _ in range(4):
        for m, money in ((m0, 0.0), (m1, 20.0)):
            m.institutions.begin_quarter()
            m.institutions.fund_foresight(money)
            serve(m, quarter)
    tech0, tech1 = (m.institutions.of_kind("technology_centre")[0] for m in (m0, m1))
    assert tech1.focus[chem] > tech0.focus[chem]


# ------------------------------------------------------------------ what others read


def test_taught_profile_follows_teachers_quality_and_focus():
    assert not model_with(only("technology_centre")).institutions.taught_profile().any()
    low = model_with(only("training_institute", quality=0.3)).institutions.taught_profile()
    high = model_with(only("training_institute", quality=0.9)).institutions.taught_profile()
    caps = service_scenario().catalogue.capabilities
    assert np.all((high >= 0) & (high <= 1))
    assert high[caps.index("machining")] == pytest.approx(0.9)
    assert high[caps.index("machining")] > low[caps.index("machining")]
    assert high[caps.index("food")] == 0.0


def test_emerging_industries_hide_until_lag_unless_foresight():
    m = model_with()
    k = m.space.index("batteries")  # born at quarter 12, visibility lag 8
    run(m, 5)
    assert not visible(m)[k]
    m.institutions.fund_foresight(5.0)  # 12 - 5 <= foresight_lead
    assert visible(m)[k]
    m.institutions.begin_quarter()
    assert not visible(m)[k]  # the funding lasts one quarter
    run(m, 15)  # step 20: born 8 quarters ago
    assert visible(m)[k]
    assert visible(m)[m.present()].all()  # industries of the region are always visible


def test_a_related_university_sees_emerging_industries_early():
    uni = only("university", focus=["batteries"], quality=1.0)
    m = model_with(uni)
    k = m.space.index("batteries")
    first = 12 - m.params.institutions.foresight_lead  # first quarter it can see
    assert visible(m, first)[k]
    assert not visible(m, first - 1)[k]


def test_associations_cut_entry_risk_in_their_focus_industries():
    cut = model_with().institutions.entry_risk_cut()
    keys = service_scenario().catalogue.industries
    idx = {ind.key: i for i, ind in enumerate(keys)}
    assert cut[idx["engines"]] > cut[idx["food"]] >= 0.0
    assert cut.max() <= service_scenario().institutions.association_risk_cut
    assert not model_with(only("training_institute")).institutions.entry_risk_cut().any()


def test_screening_quality_grows_with_the_agencys_quality_and_know_how():
    def screening(**spec) -> float:
        return screening_quality(model_with(only("development_agency", **spec)))

    assert screening_quality(model_with(only("training_institute"))) == 0.0
    assert screening(quality=0.9) > screening(quality=0.3) > 0.0
    assert screening(focus=["engines"]) > screening(focus=["food"])
    assert screening(radius=1.0) < screening(radius=30.0)


# ------------------------------------------------------------------ policy money


def test_strengthening_adds_capacity_quality_and_responsiveness():
    m = model_with()
    before = [(i.capacity, i.quality, i.responsiveness) for i in m.institutions.institutions]
    used = m.institutions.strengthen(25.0)
    assert used == pytest.approx(25.0)
    rate = m.params.institutions.strengthening_rate
    for inst, (cap, q, r) in zip(m.institutions.institutions, before, strict=True):
        x = 5.0 / inst.budget  # equal budgets: a fifth each
        assert inst.capacity == pytest.approx(cap * (1 + 0.5 * x))
        assert inst.quality == pytest.approx(q + rate * 0.5 * x * (1 - q))
        assert inst.responsiveness > r
    m.institutions.begin_quarter()
    assert [i.capacity for i in m.institutions.institutions] == [b[0] for b in before]


def test_money_is_not_used_by_institutions_without_a_running_budget():
    m = model_with(only("training_institute", budget=0.0))
    assert m.institutions.strengthen(10.0) == 0.0


def test_cluster_promotion_founds_an_association_where_there_is_none():
    m = model_with(only("training_institute"))
    engines = m.space.index("engines")
    fallback = m.space.index("metal_fab")  # used only without targets
    used = m.institutions.fund_association([engines], 10.0, fallback, m.home_district)
    assert used == pytest.approx(10.0)
    assoc = m.institutions.of_kind("business_association")
    assert len(assoc) == 1 and assoc[0].district == m.district_names.index("North")
    assert assoc[0].capacity > 15
    assert m.institutions.entry_risk_cut()[engines] > 0


# ------------------------------------------------------------------ budgets


def test_the_budget_limits_how_many_firms_are_served_and_is_spent():
    """Many requests, capacity 40: a budget of 2 pays for 2 / service_cost services only."""
    cost = InstitutionParams().service_cost
    served, spent = [], []
    for budget in (2.0, 100.0):
        m = model_with(only("training_institute", capacity=40, budget=budget), threshold=ASKING)
        m.institutions.begin_quarter()
        serve(m)
        inst = m.institutions.institutions[0]
        served.append(len(inst.clients))
        spent.append(inst.spent)
    assert served[0] == int(2.0 / cost + 1e-9) and served[1] > served[0]
    assert spent[0] == pytest.approx(served[0] * cost) and spent[0] <= 2.0
    assert spent[1] >= served[1] * cost - 1e-9  # and what is left retrains the unemployed


def test_policy_money_pays_for_more_services_within_the_quarter():
    m = model_with(only("training_institute", capacity=40, budget=2.0), threshold=ASKING)
    m.institutions.begin_quarter()
    m.institutions.strengthen(8.0)  # half of it (4) runs extra services this quarter
    serve(m)
    inst = m.institutions.institutions[0]
    assert len(inst.clients) == int(6.0 / InstitutionParams().service_cost + 1e-9)


def test_a_lower_budget_leaves_more_requests_unmet_over_a_run():
    gaps = []
    for seed in range(8):
        gap = []
        for budget in (1.0, 50.0):
            spec = service_institutions(budget=budget, capacity=40)
            out = run(model_with(spec, seed, threshold=ASKING), 8)
            gap.append(np.mean([o["service_gap"] for o in out[2:]]))
        gaps.append(gap[0] - gap[1])
    assert min(gaps) > 0.05, gaps
