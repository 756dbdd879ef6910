"""Test-suite settings shared by every package's tests."""

from __future__ import annotations

import os

from hypothesis import settings

import model  # noqa: F401 - first: pins the BLAS kernels before numpy loads (model.blas)

# In CI the property tests draw the same examples every run (a failure there is
# reproducible from its log); locally they explore new examples each run.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
# Longer local fuzzing: HYPOTHESIS_PROFILE=fuzz uv run pytest tests/scenarios -k fuzz
# (every property test draws 20x its examples; the mutation corpus grows as much).
settings.register_profile("fuzz", deadline=None, max_examples=2_000)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)
