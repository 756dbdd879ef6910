"""Running scenarios: single runs, comparisons, sweeps, result files, the command line.

Names are imported on first use, so that ``mesoscape --help`` and ``mesoscape list`` start
without loading the model and its libraries, and worker processes import only what they
run.
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> module that defines it
_EXPORTS = {
    "RunResult": "experiments.run",
    "run": "experiments.run",
    "save_result": "experiments.run",
    "summary_table": "experiments.run",
    "load_run": "experiments.run",
    "Cancelled": "experiments.compare",
    "Comparison": "experiments.compare",
    "compare": "experiments.compare",
    "evaluate": "experiments.evaluate",
    "load_results": "experiments.parts",
    "ReplayReport": "experiments.replay",
    "replay": "experiments.replay",
    "SweepSummary": "experiments.sweep",
    "sweep": "experiments.sweep",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
