"""Test-suite settings shared by every package's tests."""

from __future__ import annotations

import os

from hypothesis import settings

# In CI the property tests draw the same examples every run (a failure there is
# reproducible from its log); locally they explore new examples each run.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
