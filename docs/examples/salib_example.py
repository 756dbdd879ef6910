"""Mesoscape under SALib: Morris screening of three parameters with ``evaluate``.

SALib samples the parameter space, :func:`experiments.evaluate` runs the model at each
point (dotted parameter paths, one seed), and SALib analyses the outcomes. For large
designs, resumable storage and several workers or a Dask cluster, write a sweep file
and use ``mesoscape sweep`` instead: it does the same with SALib inside.

Run: ``uv run python docs/examples/salib_example.py``
"""

from __future__ import annotations

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from experiments import evaluate

PROBLEM = {
    "num_vars": 3,
    "names": ["region.culture.trust", "market.selection", "firms.exit_patience"],
    "bounds": [[0.2, 0.8], [0.5, 2.0], [1, 6]],
}


def main(trajectories: int = 4, steps: int = 12, outcome: str = "jobs_end"):
    """Sample Morris trajectories, run the model at each point, print mu* and sigma."""
    x = morris_sample.sample(PROBLEM, trajectories, num_levels=4, seed=7)
    y = []
    for row in x:
        params = dict(zip(PROBLEM["names"], row, strict=True))
        params["firms.exit_patience"] = int(round(params["firms.exit_patience"]))
        y.append(evaluate(params, seed=0, scenario="decline_bottom_up", steps=steps)[outcome])
    result = morris_analyze.analyze(PROBLEM, x, np.array(y), num_levels=4, seed=7)
    table = result.to_df()
    print(f"Morris screening of {outcome} ({len(y)} runs of {steps} quarters)")
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    return table


if __name__ == "__main__":
    main()
