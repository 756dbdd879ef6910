"""The core's guard: exact golden outputs, and equivalence in distribution with the reference.

See ``tests/golden/golden.py`` for what is stored and when it may be replaced.
"""

from __future__ import annotations

import platform

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from model import blas
from model.blas import blas_kernel
from tests.golden.golden import (
    GOLDEN_RUNS,
    REFERENCE,
    REFERENCE_SEEDS,
    exact_path,
    reference_table,
    run_frames,
)

#: family-wise error rate of the statistical guard, over all scenario x outcome pairs
FAMILY_ALPHA = 0.01


def test_blas_kernels_are_the_pinned_ones():
    # the golden files were written with OpenBLAS's Haswell kernels (model.blas); other
    # kernels round matrix products differently in the last bit
    flags = blas._cpu_flags()
    if platform.machine().lower() not in blas._X86 or not {"avx2", "fma"} <= flags:
        pytest.skip("not an x86-64 CPU with AVX2 and FMA: OpenBLAS cannot use the pinned kernels")
    found = blas_kernel()
    assert found == blas.KERNEL, (
        f"OpenBLAS uses its {found} kernels, not {blas.KERNEL}: OPENBLAS_CORETYPE is set to "
        "something else, or numpy was imported before model.blas pinned the kernels"
    )


@pytest.mark.parametrize(("scenario", "seed"), GOLDEN_RUNS)
def test_runs_reproduce_the_golden_outputs_bit_for_bit(scenario, seed):
    for name, frame in run_frames(scenario, seed).items():
        golden = pd.read_parquet(exact_path(scenario, seed, name))
        pd.testing.assert_frame_equal(frame, golden, check_exact=True, obj=f"{scenario}/{name}")


def paired_intervals(new: pd.DataFrame, ref: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Per scenario and outcome: mean paired difference (new - ref) and its t interval."""
    both = new.merge(ref, on=["scenario", "seed", "outcome"], suffixes=("_new", "_ref"))
    both["diff"] = both["value_new"] - both["value_ref"]
    rows = []
    for (scenario, outcome), g in both.groupby(["scenario", "outcome"]):
        d = g["diff"].to_numpy()
        n = len(d)
        half = stats.t.ppf(1 - alpha / 2, n - 1) * d.std(ddof=1) / np.sqrt(n)
        rows.append((scenario, outcome, d.mean(), d.mean() - half, d.mean() + half))
    return pd.DataFrame(rows, columns=["scenario", "outcome", "mean", "low", "high"])


@pytest.mark.slow
def test_the_model_is_equivalent_in_distribution_to_the_reference():
    ref = pd.read_csv(REFERENCE)
    new = reference_table(REFERENCE_SEEDS)
    pairs = ref.groupby(["scenario", "outcome"]).ngroups
    table = paired_intervals(new, ref, FAMILY_ALPHA / pairs)
    off = table[(table["low"] > 0) | (table["high"] < 0)]
    assert off.empty, f"outcomes that moved:\n{off.to_string()}"


def test_the_statistical_guard_detects_a_shift():
    ref = pd.read_csv(REFERENCE)
    shifted = ref.copy()
    rng = np.random.default_rng(0)
    emp = shifted["outcome"] == "employment"
    shifted.loc[emp, "value"] += 300.0 + rng.normal(0, 50, emp.sum())
    table = paired_intervals(shifted, ref, FAMILY_ALPHA / 28)
    moved = table[(table["low"] > 0) | (table["high"] < 0)]
    assert set(moved["outcome"]) == {"employment"}
