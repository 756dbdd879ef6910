"""Design points of a sweep: full grid, Latin hypercube, Sobol (Saltelli) and Morris.

The sampled designs come from SALib with the sweep's ``seed``, so the same sweep file
always gives the same points. SALib sees every parameter as a number: a parameter given
by ``levels`` is sampled on ``[0, k)`` and mapped to level ``floor(x)`` (a discrete
choice), and whole-number parameters are rounded to the nearest integer.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np

from experiments.sweep_file import Sweep, SweepSpec


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem definition of a sweep (names, bounds).

    Args:
        spec: the sweep.

    Returns:
        ``{"num_vars": d, "names": [...], "bounds": [[low, high], ...]}``.
    """
    names = list(spec.parameters)
    bounds = []
    for p in spec.parameters.values():
        if p.range is not None:
            bounds.append([float(p.range[0]), float(p.range[1])])
        else:
            bounds.append([0.0, float(len(p.levels or []))])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design_matrix(spec: SweepSpec) -> np.ndarray:
    """The design as SALib sees it: one row per point, one column per parameter.

    For ``grid``, levels are their indices (``0, 1, ...``) and ranges their grid values.

    Args:
        spec: the sweep.

    Returns:
        A float array of shape (points, parameters).
    """
    problem = salib_problem(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's advice on N being a power of 2
        if spec.design == "grid":
            axes = []
            for p in spec.parameters.values():
                if p.range is not None:
                    axes.append(np.linspace(p.range[0], p.range[1], spec.levels or 3))
                else:
                    axes.append(np.arange(len(p.levels or [])) + 0.5)
            return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(axes))
        if spec.design == "latin_hypercube":
            from SALib.sample import latin

            return latin.sample(problem, int(spec.samples or 0), seed=spec.seed)
        if spec.design == "sobol":
            from SALib.sample import sobol

            return sobol.sample(
                problem,
                int(spec.samples or 0),
                calc_second_order=spec.second_order,
                scramble=True,
                seed=spec.seed,
            )
        from SALib.sample import morris

        return morris.sample(
            problem, int(spec.trajectories or 0), num_levels=spec.levels or 4, seed=spec.seed
        )


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def point_values(sweep: Sweep, row: np.ndarray) -> dict[str, Any]:
    """Parameter values of one design row (levels chosen, whole numbers rounded).

    Args:
        sweep: the sweep.
        row: one row of :func:`design_matrix`.

    Returns:
        Parameter path -> a plain Python value.
    """
    values: dict[str, Any] = {}
    for (path, p), x in zip(sweep.spec.parameters.items(), row, strict=True):
        if p.levels is not None:
            k = len(p.levels)
            values[path] = p.levels[min(max(int(np.floor(x)), 0), k - 1)]
        elif path in sweep.int_params:
            values[path] = int(np.floor(float(x) + 0.5))
        else:
            values[path] = float(x)
    return {k: _plain(v) for k, v in values.items()}


def design_points(sweep: Sweep) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """The sweep's design: the SALib matrix and each point's parameter values.

    Args:
        sweep: the sweep.

    Returns:
        The matrix (for sensitivity analysis) and the points, in the same order.
    """
    x = design_matrix(sweep.spec)
    return x, [point_values(sweep, row) for row in x]
