"""STUB (being replaced): discovery ledger."""


class DiscoveryLedger:
    """Stub."""
