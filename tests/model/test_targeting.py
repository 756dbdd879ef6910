"""Unit tests of the pure targeting functions on hand-made arrays."""

import numpy as np
import pytest

from model.metrics import relatedness_density
from model.targeting import (
    adaptive_portfolio,
    balanced_score,
    complexity_gain,
    eligible_industries,
    opportunity,
    rank_bottom_up,
    top_down,
)
from scenarios.schema import PolicyParams

ALL = np.ones(3, dtype=bool)
# industry 0: dense but simple, 1: in between, 2: a long jump (complex, far away)
DENSITY = np.array([0.9, 0.6, 0.1])
GAIN = np.array([-1.0, 0.8, 2.0])
FLAT = np.zeros(3)


def test_opportunity_is_relatedness_density():
    rel = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.0], [0.2, 0.0, 1.0]])
    presence = np.array([1, 0, 0])
    np.testing.assert_allclose(opportunity(presence, rel), relatedness_density(presence, rel))
    np.testing.assert_allclose(opportunity(presence, rel), [0.0, 1.0, 1.0])


def test_complexity_gain_is_relative_to_employment_weighted_complexity():
    gain = complexity_gain(np.array([2.0, 4.0, 6.0]), np.array([30.0, 10.0, 0.0]))
    np.testing.assert_allclose(gain, [-0.5, 1.5, 3.5])  # region's complexity: 2.5


def test_eligible_excludes_unborn_and_local_services():
    ok = eligible_industries(np.array([1.0, 0.0, 0.3, 2.0]), local_services=3)
    assert ok.tolist() == [True, False, True, False]


def test_low_hanging_fruit_takes_highest_density_first():
    assert rank_bottom_up("low_hanging_fruit", DENSITY, GAIN, FLAT, ALL) == [0, 1, 2]


def test_long_jumps_take_highest_complexity_gain_first_even_at_low_density():
    assert rank_bottom_up("long_jumps", DENSITY, GAIN, FLAT, ALL) == [2, 1, 0]


def test_balanced_portfolio_prefers_industries_good_on_both():
    assert rank_bottom_up("balanced_portfolio", DENSITY, GAIN, FLAT, ALL) == [1, 2, 0]
    score = balanced_score(DENSITY, GAIN, FLAT)
    assert list(np.argsort(-score)) == [1, 2, 0]


def test_balanced_portfolio_breaks_equal_fit_by_growth():
    density, gain = np.array([0.5, 0.5, 0.2]), np.array([1.0, 1.0, 0.0])
    growth = np.array([0.0, 0.4, 0.0])
    assert rank_bottom_up("balanced_portfolio", density, gain, growth, ALL)[0] == 1


def test_growth_weight_scales_the_growth_term_of_the_balanced_score():
    density, gain = np.array([0.5, 0.5, 0.2]), np.array([1.0, 1.0, 0.0])
    growth = np.array([0.0, 0.4, -0.2])
    base = balanced_score(density, gain, growth, growth_weight=0.0)
    one = balanced_score(density, gain, growth, growth_weight=1.0) - base
    two = balanced_score(density, gain, growth, growth_weight=2.0) - base
    assert two == pytest.approx(2 * one)
    assert list(np.argsort(-one)) == [1, 0, 2]  # the growth term follows growth
    assert balanced_score(density, gain, growth) == pytest.approx(
        balanced_score(density, gain, growth, growth_weight=PolicyParams().growth_weight)
    )
    # without weight on growth the equal-fit pair stays tied; with it, growth decides
    assert base[0] == pytest.approx(base[1])
    ranked = rank_bottom_up("balanced_portfolio", density, gain, growth, ALL, growth_weight=2.0)
    assert ranked[0] == 1


def test_ties_in_low_hanging_fruit_go_to_complexity_gain_then_growth():
    density = np.array([0.5, 0.5, 0.5])
    gain = np.array([0.0, 1.0, 1.0])
    growth = np.array([0.0, 0.0, 0.2])
    assert rank_bottom_up("low_hanging_fruit", density, gain, growth, ALL) == [2, 1, 0]


def test_ranking_only_contains_eligible_industries():
    eligible = np.array([True, False, True])
    for variant in ("low_hanging_fruit", "balanced_portfolio", "long_jumps"):
        ranked = rank_bottom_up(variant, DENSITY, GAIN, FLAT, eligible)
        assert sorted(ranked) == [0, 2]


def test_unknown_variant_is_an_error():
    with pytest.raises(ValueError, match="unknown bottom-up variant"):
        rank_bottom_up("moonshots", DENSITY, GAIN, FLAT, ALL)


def test_top_down_keeps_the_priority_order():
    assert top_down(["c", "a"], ["a", "b", "c"]) == [2, 0]


def test_adaptive_keeps_progress_drops_the_rest_and_refills():
    progressed = np.array([True, False, True, False, False, False])
    ranking = [3, 1, 4, 0, 2, 5]
    portfolio, dropped = adaptive_portfolio([0, 1, 2], progressed, ranking, breadth=4)
    assert dropped == [1]
    assert portfolio[:2] == [0, 2]  # what works stays
    assert portfolio[2:] == [3, 4]  # refilled by rank, never the industry just dropped


def test_adaptive_starts_with_the_breadth_best_ranked():
    portfolio, dropped = adaptive_portfolio([], np.zeros(5, bool), [4, 2, 0, 1, 3], breadth=3)
    assert portfolio == [4, 2, 0] and dropped == []


def test_adaptive_drops_industries_that_are_no_longer_eligible():
    progressed = np.ones(4, dtype=bool)
    portfolio, dropped = adaptive_portfolio([0, 1], progressed, [1, 2, 3], breadth=2)
    assert dropped == [0] and portfolio == [1, 2]
