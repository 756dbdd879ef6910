"""Running scenarios: single runs, comparisons, sweeps, result files, the command line.

Names are imported on first use, so that ``mesoscape --help`` and ``mesoscape list`` start
without loading the model and its libraries, and worker processes import only what they
run.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

import model  # noqa: F401 - first: pins the BLAS kernels before numpy loads (model.blas)

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
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        setattr(sys.modules[__name__], name, value)
        return value
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")


class _Package(types.ModuleType):
    """Keeps ``experiments.run`` (and compare, sweep, ...) the function, not its module.

    Importing a submodule binds it on the package under its name; where a public function
    has the same name as its module, the function is bound instead, as an eager
    ``from experiments.run import run`` in this file would leave it.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            name in _EXPORTS
            and isinstance(value, types.ModuleType)
            and value.__name__ == _EXPORTS[name]
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
