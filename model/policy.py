"""STUB (being replaced): the policy maker."""

from __future__ import annotations


class PolicyMaker:
    """Stub."""

    def __init__(self, model) -> None:
        self.model = model
        self.targets: list[int] = []

    def review(self) -> None:
        """Stub."""

    def spend(self) -> None:
        """Stub."""
