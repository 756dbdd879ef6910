"""STUB (being replaced): events."""


class EventManager:
    """Stub."""

    def __init__(self, model) -> None:
        self.model = model
