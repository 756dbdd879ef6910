"""The stylized-facts statistics on synthetic data with known answers."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments import estimators as est
from experiments import facts
from experiments.facts import Band, Measure

SEEDS = range(4)


def _pareto(rng, alpha, n):
    return rng.pareto(alpha, n) + 1.0  # P(X > x) = x^-alpha for x >= 1


# --------------------------------------------------------------------------- firm size


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alpha", [0.8, 1.1, 1.6])
def test_hill_recovers_the_pareto_exponent(seed, alpha):
    x = _pareto(np.random.default_rng(seed), alpha, 20_000)
    # k = 2000 tail points: standard error alpha / sqrt(k), about 0.025 at alpha 1.1
    assert est.hill(x) == pytest.approx(alpha, abs=0.1 * alpha)


def test_hill_needs_a_tail():
    assert est.hill(np.arange(1.0, 50.0)) is None  # 4 tail points only
    assert est.hill(np.ones(1000)) is None  # flat
    assert est.hill(np.zeros(1000)) is None


@pytest.mark.parametrize("seed", SEEDS)
def test_vuong_test_separates_pareto_and_lognormal_tails(seed):
    rng = np.random.default_rng(seed)
    z, p = est.tail_lognormal_test(_pareto(rng, 1.1, 20_000))
    assert p > 0.01 or z > 0  # a true Pareto tail is not rejected for the lognormal
    z, p = est.tail_lognormal_test(rng.lognormal(0.0, 1.0, 20_000))
    assert z < 0 and p < 0.05  # a lognormal tail is recognised


def test_fact_firm_size_passes_on_zipf_and_fails_on_thin_tails():
    rng = np.random.default_rng(1)
    zipf = facts.fact_firm_size([_pareto(rng, 1.06, 5_000) for _ in range(5)])
    assert zipf.passed and zipf.measures[0].value == pytest.approx(1.06, abs=0.08)
    low, high = zipf.measures[0].interval
    assert low <= zipf.measures[0].value <= high
    thin = facts.fact_firm_size([_pareto(rng, 2.0, 5_000) for _ in range(5)])
    assert not thin.passed and thin.verdict == "FAIL"
    empty = facts.fact_firm_size([np.ones(5)])
    assert empty.measures[0].value is None and not empty.passed


# --------------------------------------------------------------------------- growth


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [0.7, 1.0, 2.0])
def test_subbotin_shape_is_recovered(seed, shape):
    x = stats.gennorm.rvs(shape, loc=0.05, scale=0.2, size=20_000, random_state=seed)
    b, a, mu = est.subbotin_fit(x)
    assert b == pytest.approx(shape, rel=0.08)
    assert mu == pytest.approx(0.05, abs=0.02)
    # a is gennorm's scale (Bottazzi's Subbotin a is this times b^(-1/b); same shape b)
    assert a == pytest.approx(0.2, rel=0.05)


@pytest.mark.parametrize("seed", SEEDS)
def test_size_variance_slope_is_recovered(seed):
    rng = np.random.default_rng(seed)
    size = rng.lognormal(2.0, 1.5, 20_000)
    growth = rng.normal(size=size.size) * 0.5 * size**-0.2
    assert est.size_variance_slope(size, growth) == pytest.approx(0.2, abs=0.03)
    flat = rng.normal(size=size.size) * 0.3
    assert est.size_variance_slope(size, flat) == pytest.approx(0.0, abs=0.03)


def test_annual_growth_is_yearly_demeaned_and_drops_small_groups():
    rows = []
    for firm in range(4):  # industry a: four firms growing 10%, 20%, 30%, 40% a year
        for q in range(9):
            rows.append((q, firm, "a", 10.0 * math.exp((firm + 1) * 0.1 * q / 4)))
    for firm in (10, 11):  # industry b: two firms only, dropped
        rows += [(q, firm, "b", 5.0) for q in range(9)]
    panel = pd.DataFrame(rows, columns=["quarter", "firm", "industry", "employment"])
    g = est.annual_growth(panel)
    assert set(g["quarter"]) == {0, 4}  # non-overlapping years
    assert set(g["industry"]) == {"a"}
    by_firm = g[g["quarter"] == 0].set_index("firm")["growth"]
    np.testing.assert_allclose(by_firm.to_numpy(), [-0.15, -0.05, 0.05, 0.15], atol=1e-12)
    np.testing.assert_allclose(g[g["quarter"] == 0]["size"], 10.0)


def test_fact_growth_passes_tent_shaped_size_scaled_growth_and_fails_gaussian():
    def replication(rng, shape, beta):
        size = rng.lognormal(2.0, 1.5, 8_000)
        shock = stats.gennorm.rvs(shape, size=size.size, random_state=rng)
        return pd.DataFrame({"size": size, "growth": 0.3 * shock * size**-beta})

    rng = np.random.default_rng(2)
    tent = facts.fact_growth([replication(rng, 1.0, 0.2) for _ in range(3)])
    assert tent.passed
    # a Laplace shock scaled by size^-0.2: pooled over sizes, even fatter tails than Laplace
    assert 0.6 < tent.measures[0].value < 1.05
    assert tent.measures[1].value == pytest.approx(0.2, abs=0.03)
    gauss = facts.fact_growth([replication(rng, 2.0, 0.0) for _ in range(3)])
    assert not gauss.measures[0].passed and not gauss.measures[1].passed


# --------------------------------------------------------------------------- survival


def _spells(rng, hazard, n=6_000, end=120, last_birth=100):
    born = rng.integers(1, last_birth + 1, n)
    life = rng.geometric(hazard, n)  # quarters survived: alive at ages < life
    last = np.minimum(born + life - 1, end)
    return pd.DataFrame({"firm": np.arange(n), "born": born, "last_seen": last})


def test_survival_matches_a_known_hazard_and_censors_young_cohorts():
    rng = np.random.default_rng(3)
    sp = _spells(rng, 0.05)
    out = est.survival(sp, end=120)
    assert out[8] == pytest.approx(0.95**8, abs=0.02)
    assert out[16] == pytest.approx(0.95**16, abs=0.02)
    # a firm born less than `age` quarters before the end does not count (115 is censored)
    young = pd.DataFrame({"firm": [0, 1], "born": [115, 100], "last_seen": [120, 110]})
    assert est.survival(young, end=120) == {8: 1.0, 16: 0.0}
    initial = pd.DataFrame({"firm": [0], "born": [0], "last_seen": [3]})
    assert est.survival(initial, end=120) == {8: None, 16: None}


def test_fact_survival_passes_at_knaups_rates_and_fails_when_firms_live_too_long():
    rng = np.random.default_rng(4)
    # hazard 5.06% a quarter: 66% alive after two years, 43.6% after four (Knaup 2005)
    knaup = facts.fact_survival([_spells(rng, 0.0506) for _ in range(3)], [120] * 3)
    assert knaup.passed
    assert knaup.measures[0].value == pytest.approx(0.66, abs=0.02)
    assert knaup.detail["curve"]["share"].iloc[8] == pytest.approx(0.66, abs=0.02)
    sticky = facts.fact_survival([_spells(rng, 0.015) for _ in range(3)], [120] * 3)
    assert not sticky.passed


# --------------------------------------------------------------------------- relatedness


@pytest.mark.parametrize("seed", SEEDS)
def test_logit_slope_is_recovered(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=8_000)
    y = (rng.random(x.size) < 1 / (1 + np.exp(-(-1.0 + 0.8 * x)))).astype(int)
    assert est.logit_slope(x, y) == pytest.approx(0.8, abs=0.1)
    assert est.logit_slope(x, np.zeros_like(y)) is None
    assert est.logit_slope(x, (x > 0).astype(int)) is None  # perfect separation


def _district_table(rng, entry_slope, exit_slope, pairs=600, windows=5):
    """A district_industries table where RCA crosses 1 with logit probabilities in density."""
    rows = []
    rca = rng.choice([0.5, 1.5], pairs)
    for w in range(windows + 1):
        density = rng.normal(size=pairs)
        for i in range(pairs):
            rows.append((20 * w, f"d{i % 7}", f"k{i}", rca[i], density[i]))
        slope = np.where(rca < 1, entry_slope, exit_slope)
        p = 1 / (1 + np.exp(-(-1.0 + slope * density)))
        switch = rng.random(pairs) < p
        rca = np.where(switch, np.where(rca < 1, 1.5, 0.5), rca)
    return pd.DataFrame(rows, columns=["step", "district", "industry", "rca", "density"])


def test_rca_transitions_by_hand():
    table = pd.DataFrame(
        {
            "step": [0, 0, 0, 20, 20, 20, 30, 30, 30],
            "district": ["a"] * 9,
            "industry": ["x", "y", "z"] * 3,
            "rca": [0.5, 1.2, 0.9, 1.1, 0.4, 0.8, 0.0, 0.0, 0.0],
            "density": [0.1, 0.2, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        }
    )
    t = est.rca_transitions(table, window=20)
    assert list(t["kind"]) == ["entry", "exit", "entry"]  # only the window 0-20 is complete
    assert list(t["event"]) == [1, 1, 0]
    assert t["z"].mean() == pytest.approx(0.0) and t["z"].std(ddof=0) == pytest.approx(1.0)


def test_fact_relatedness_finds_entry_stronger_than_exit_and_the_reverse():
    rng = np.random.default_rng(5)
    good = [est.rca_transitions(_district_table(rng, 1.0, -0.4)) for _ in range(3)]
    result = facts.fact_relatedness(good)
    assert result.passed
    # the slope is per sd of density pooled over both kinds (sd 1 here)
    assert result.measures[0].value == pytest.approx(1.0, abs=0.2)
    assert result.measures[1].value == pytest.approx(-0.4, abs=0.2)
    backwards = [est.rca_transitions(_district_table(rng, 0.4, -1.0)) for _ in range(3)]
    result = facts.fact_relatedness(backwards)
    assert result.measures[0].passed and result.measures[1].passed
    assert not result.measures[2].passed and not result.passed


# --------------------------------------------------------------------------- shakeout


def _industry(key, firms, output):
    steps = np.arange(len(firms))
    return pd.DataFrame(
        {"step": steps, "industry": key, "firms": firms, "value_added": output, "employment": 0.0}
    )


def test_industry_histories_tell_shakeout_from_collapse():
    t = np.arange(60)
    wave = np.concatenate([np.linspace(1, 40, 20), np.linspace(40, 12, 40)])
    table = pd.concat(
        [
            _industry("shake", wave, 10 + t),  # firms fall 70%, output keeps growing
            _industry("collapse", wave, np.maximum(100 - 2 * t, 1)),  # output falls too
            _industry("steady", np.linspace(1, 30, 60), 10 + t),  # no fall from the peak
            _industry("tiny", np.full(60, 5.0), 10 + t),  # never reaches 10 firms
        ]
    )
    h = est.industry_histories(table, ["shake", "collapse", "steady", "tiny"]).set_index("industry")
    assert list(h.index) == ["shake", "collapse", "steady"]
    assert h["shakeout"].to_dict() == {"shake": True, "collapse": False, "steady": False}
    assert h.loc["shake", "peak_firms"] == 40 and h.loc["shake", "min_after"] == 12
    result = facts.fact_shakeout([h.reset_index()])
    assert result.measures[0].value == pytest.approx(1 / 3) and not result.passed
    two = facts.fact_shakeout([h.reset_index().iloc[:1], h.reset_index().iloc[:2]])
    assert two.measures[0].value == pytest.approx(2 / 3) and two.passed
    none = facts.fact_shakeout([h.reset_index().iloc[:0]])
    assert none.measures[0].value is None and not none.passed


# --------------------------------------------------------------------------- regional shock


def _economy(direct, other):
    steps = np.arange(len(direct))
    return pd.concat(
        [
            pd.DataFrame({"step": steps, "industry": "engines", "employment": direct}),
            pd.DataFrame({"step": steps, "industry": "services", "employment": other}),
        ]
    )


def test_job_losses_and_the_multiplier():
    n = 80
    base = _economy(np.full(n, 1000.0), np.full(n, 3000.0))
    cut = np.where(np.arange(n) >= 20, 400.0, 0.0)
    with_spill = _economy(1000.0 - cut, 3000.0 - 0.5 * cut)  # multiplier 1.5
    losses = est.job_losses(with_spill, base, ["engines"])
    assert losses.loc[losses["step"] == 50, "direct"].item() == pytest.approx(400)
    assert losses.loc[losses["step"] == 50, "total"].item() == pytest.approx(600)
    result = facts.fact_regional_shock([losses, losses], onset=20)
    assert result.passed and result.measures[0].value == pytest.approx(1.5)
    bigger = est.job_losses(_economy(1000.0 - 2 * cut, 3000.0 - cut), base, ["engines"])
    result = facts.fact_regional_shock([losses, bigger], onset=20)
    assert result.measures[1].value == pytest.approx(600.0)  # mean over seeds of the direct loss
    assert result.measures[1].interval == pytest.approx((400.0, 800.0))
    absorbed = _economy(1000.0 - cut, 3000.0 + 0.5 * cut)  # other industries hire the workers
    result = facts.fact_regional_shock([est.job_losses(absorbed, base, ["engines"])], onset=20)
    assert result.measures[0].value == pytest.approx(0.5) and not result.passed
    short = facts.fact_regional_shock([losses[losses["step"] < 30]], onset=20)
    assert short.measures[0].value is None and not short.passed


# --------------------------------------------------------------------------- result types


def test_bootstrap_interval_brackets_the_mean_and_narrows_with_replications():
    rng = np.random.default_rng(6)
    few = list(rng.normal(1.0, 0.2, 5))
    many = list(rng.normal(1.0, 0.2, 50))
    lo, hi = est.bootstrap_interval(few, np.mean)
    assert lo <= np.mean(few) <= hi
    lo2, hi2 = est.bootstrap_interval(many, np.mean)
    assert hi2 - lo2 < hi - lo and lo2 < 1.0 < hi2
    assert est.bootstrap_interval([3.0], np.mean) == (3.0, 3.0)
    assert est.bootstrap_interval([], np.mean) is None
    assert est.bootstrap_interval(few, np.mean) == est.bootstrap_interval(few, np.mean)


def test_bands_and_verdicts():
    assert Band(0.8, 1.3).contains(1.3) and not Band(0.8, 1.3).contains(1.31)
    assert not Band(0, None, strict=True).contains(0.0) and Band(0, None).contains(0.0)
    assert not Band(high=1.5).contains(None) and not Band(high=1.5).contains(float("nan"))
    assert str(Band(0.8, 1.3)) == "0.8 to 1.3" and str(Band(high=1.5)) == "≤ 1.5"
    judged = Measure("x", 1.0, (0.9, 1.1), "1", Band(0.5, 2))
    reported = Measure("y", -3.0, None, "reported")
    fact = facts.FactResult("k", "t", "s", (judged, reported), 10)
    assert reported.passed is None and fact.passed and fact.to_dict()["verdict"] == "PASS"
    assert not facts.FactResult("k", "t", "s", (reported,), 10).passed  # nothing judged
