"""Design points: grid, Latin hypercube, Sobol (Saltelli) and Morris, reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.designs import design_matrix, design_points
from experiments.sweep_file import parse_sweep


def sweep_of(design: str, **settings):
    data = {
        "base": "-",
        "design": design,
        "parameters": {
            "a": {"range": [0.0, 10.0]},
            "b": {"range": [-1.0, 1.0]},
            "c": {"levels": ["x", "y", "z"]},
        },
        **settings,
    }
    return parse_sweep(data, check_model=False)


def test_the_grid_is_the_full_product_of_levels():
    sw = sweep_of("grid", levels=3)
    _, points = design_points(sw)
    assert len(points) == sw.spec.points() == 27
    combos = {(p["a"], p["b"], p["c"]) for p in points}
    assert combos == {
        (a, b, c) for a in (0.0, 5.0, 10.0) for b in (-1.0, 0.0, 1.0) for c in ("x", "y", "z")
    }


def test_latin_hypercube_puts_one_point_in_every_stratum_of_every_parameter():
    sw = sweep_of("latin_hypercube", samples=12, seed=4)
    x, points = design_points(sw)
    assert x.shape == (12, 3)
    for j, (low, high) in enumerate([(0, 10), (-1, 1), (0, 3)]):
        strata = np.floor((x[:, j] - low) / (high - low) * 12).astype(int)
        assert sorted(strata) == list(range(12))
    assert {p["c"] for p in points} == {"x", "y", "z"}  # levels as a discrete choice
    assert all(0 <= p["a"] <= 10 for p in points)


def test_designs_are_reproducible_from_their_seed():
    for design, extra in (("latin_hypercube", {"samples": 6}), ("sobol", {"samples": 8})):
        one = design_matrix(sweep_of(design, seed=1, **extra).spec)
        again = design_matrix(sweep_of(design, seed=1, **extra).spec)
        other = design_matrix(sweep_of(design, seed=2, **extra).spec)
        assert np.array_equal(one, again) and not np.array_equal(one, other)


@pytest.mark.parametrize("second_order", [False, True])
def test_sobol_has_saltelli_size(second_order):
    sw = sweep_of("sobol", samples=16, second_order=second_order)
    x = design_matrix(sw.spec)
    assert x.shape == (16 * (8 if second_order else 5), 3) == (sw.spec.points(), 3)


def test_morris_trajectories_move_one_parameter_at_a_time():
    sw = sweep_of("morris", trajectories=5, levels=4, seed=3)
    x = design_matrix(sw.spec)
    assert x.shape == (5 * 4, 3) == (sw.spec.points(), 3)
    for t in range(5):
        steps = np.diff(x[t * 4 : (t + 1) * 4], axis=0)
        assert ((np.abs(steps) > 1e-12).sum(axis=1) == 1).all()


def test_whole_number_parameters_are_rounded():
    data = {
        "base": "baseline",
        "design": "latin_hypercube",
        "samples": 10,
        "parameters": {
            "firms.exit_patience": {"range": [1, 9]},
            "policy.budget": {"range": [0, 9]},
        },
    }
    sw = parse_sweep(data)
    _, points = design_points(sw)
    assert all(isinstance(p["firms.exit_patience"], int) for p in points)
    assert all(isinstance(p["policy.budget"], float) for p in points)
    assert len({p["firms.exit_patience"] for p in points}) > 3
