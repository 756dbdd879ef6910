"""A plain function from parameters and a seed to scalar outcomes, for SALib and EMA Workbench.

>>> from experiments.evaluate import evaluate
>>> out = evaluate({"policy.budget": 30.0, "region.culture.trust": 0.6}, seed=3, steps=8)
>>> sorted(out)[:2]
['complexity_end', 'diversity_end']

The parameters are dotted paths of :func:`scenarios.with_params`; bad names or values
raise :class:`~scenarios.ScenarioError` with one clear line each. The outcomes are
:func:`experiments.outcomes.run_outcomes`. Same parameters and seed, same outcomes.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from scenarios import Scenario, load_scenario, with_params


@functools.lru_cache(maxsize=16)
def _base(name_or_path: str) -> Scenario:
    return load_scenario(name_or_path)


def evaluate(
    params: Mapping[str, Any],
    seed: int = 0,
    scenario: str | Scenario = "baseline",
    steps: int | None = None,
) -> dict[str, float]:
    """Run the model once and return its scalar outcomes.

    Args:
        params: dotted parameter paths -> values, e.g. ``{"policy.budget": 30.0}``
            (numpy scalars are fine).
        seed: decides every random draw.
        scenario: the base scenario: a built-in name, a path or a Scenario.
        steps: quarters to simulate (default: the scenario's).

    Returns:
        Outcome name -> value (see ``experiments.outcomes.RUN_OUTCOMES``).

    Raises:
        ScenarioError: unknown parameters or values out of range.
    """
    from experiments.outcomes import run_outcomes
    from experiments.run import run

    base = _base(scenario) if isinstance(scenario, str) else scenario
    changed = with_params(base, dict(params))
    return run_outcomes(run(changed, seed=int(seed), steps=steps))
