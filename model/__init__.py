"""The regional economy: the Mesa model, markets, labour, policy, events and metrics.

``RegionModel`` is imported on first use, after the BLAS kernels are pinned
(``model.blas``): importing ``model.blas`` alone loads nothing heavy.
"""

from __future__ import annotations

import importlib
from typing import Any

from model.blas import pin_blas_kernel

pin_blas_kernel()  # on import, before anything here loads numpy

__all__ = ["RegionModel"]


def __getattr__(name: str) -> Any:
    if name == "RegionModel":
        from model.region_model import RegionModel

        return RegionModel
    try:
        return importlib.import_module(f"model.{name}")  # ``from model import metrics``
    except ModuleNotFoundError as exc:
        if exc.name != f"model.{name}":
            raise
        raise AttributeError(f"module 'model' has no attribute {name!r}") from None
