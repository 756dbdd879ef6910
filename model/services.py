"""STUB (being replaced): institutions serving firms."""

from __future__ import annotations

import numpy as np


class InstitutionSystem:
    """Stub."""

    def __init__(self, model) -> None:
        self.model = model
        self.service_gap = 0.0
        self.focus_mismatch = 0.0

    def serve(self) -> None:
        """Stub."""

    def taught_profile(self) -> np.ndarray:
        """Stub."""
        return np.zeros(len(self.model.space.capabilities))
