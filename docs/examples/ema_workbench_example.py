"""Mesoscape under EMA Workbench: an exploratory experiment over two uncertainties.

EMA Workbench (``uv sync --extra ema``, or the dev group) calls a plain function with one
keyword argument per uncertainty; ``variable_name`` maps each uncertainty to a dotted
Mesoscape parameter path, and :func:`experiments.evaluate` does the rest. The seed is an
uncertainty's constant here, so the whole experiment is reproducible.

Run: ``uv run python docs/examples/ema_workbench_example.py``
"""

from __future__ import annotations

from ema_workbench import (
    Constant,
    Model,
    RealParameter,
    ScalarOutcome,
    SequentialEvaluator,
    perform_experiments,
)

from experiments import evaluate

STEPS = 12  # quarters per run: short, for a quick look


def mesoscape(seed: int = 0, steps: int = STEPS, **params: float) -> dict[str, float]:
    """Run the decline scenario with the sampled parameters (dotted paths) and one seed."""
    return evaluate(params, seed=int(seed), scenario="decline_bottom_up", steps=int(steps))


def build_model(steps: int = STEPS) -> Model:
    """The EMA Workbench model: uncertainties, a constant seed, and three outcomes."""
    model = Model("mesoscape", function=mesoscape)
    model.uncertainties = [
        RealParameter("trust", 0.2, 0.8, variable_name="region.culture.trust"),
        RealParameter("selection", 0.5, 2.0, variable_name="market.selection"),
    ]
    model.constants = [Constant("seed", 0), Constant("steps", steps)]
    model.outcomes = [
        ScalarOutcome("jobs_end"),
        ScalarOutcome("unemployment_peak"),
        ScalarOutcome("discoveries"),
    ]
    return model


def main(n_scenarios: int = 8, steps: int = STEPS):
    """Sample `n_scenarios` points (Latin hypercube, fixed seed) and run them in turn."""
    model = build_model(steps)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(
            model,
            scenarios=n_scenarios,
            evaluator=evaluator,
            uncertainty_sampling_kwargs={"rng": 42},
        )
    table = experiments[["trust", "selection"]].assign(**outcomes)
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    return experiments, outcomes


if __name__ == "__main__":
    main()
