"""STUB (being replaced): entrepreneurs."""

from __future__ import annotations


class Entrepreneurship:
    """Stub."""

    def __init__(self, model) -> None:
        self.model = model
        self.active = 0

    def step(self) -> None:
        """Stub."""
