"""evaluate(params, seed): the plain function handed to SALib and EMA Workbench."""

from __future__ import annotations

import math

import numpy as np
import pytest

from experiments.evaluate import evaluate
from experiments.outcomes import RUN_OUTCOMES
from scenarios import ScenarioError
from tests.helpers import small_scenario

SMALL = small_scenario(steps=8)


def test_evaluate_gives_every_outcome_as_a_finite_float():
    out = evaluate({"market.selection": 1.2}, seed=4, scenario=SMALL)
    assert list(out) == list(RUN_OUTCOMES)
    assert all(isinstance(v, float) and math.isfinite(v) for v in out.values())


def test_the_seed_and_the_parameters_decide_the_outcomes():
    a = evaluate({"market.selection": 1.2}, seed=4, scenario=SMALL)
    assert evaluate({"market.selection": 1.2}, seed=4, scenario=SMALL) == a
    assert evaluate({"market.selection": 1.2}, seed=5, scenario=SMALL) != a
    assert evaluate({"market.selection": 2.5}, seed=4, scenario=SMALL) != a
    # numpy scalars, as SALib passes them, mean the same values
    assert evaluate({"market.selection": np.float64(1.2)}, seed=np.int64(4), scenario=SMALL) == a


def test_built_in_names_and_steps():
    out = evaluate({}, seed=1, scenario="baseline", steps=2)
    assert out["jobs_end"] > 0 and out["policy_spending"] == 0.0


def test_bad_parameters_get_the_projects_message():
    with pytest.raises(ScenarioError, match=r"<parameters>: policy.budgt: unknown key"):
        evaluate({"policy.budgt": 3.0}, seed=0, scenario=SMALL)
    with pytest.raises(ScenarioError, match=r"region.culture.trust: 2.0 is out of range"):
        evaluate({"region.culture.trust": 2.0}, seed=0, scenario=SMALL)
