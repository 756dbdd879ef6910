"""What happens in one quarter, as typed records (DESIGN §2.9).

``QuarterFlows`` holds the flows of one quarter (output, hires, births, experiments, policy
spending, ...): ``RegionModel.step`` starts a new one at the end of every quarter, so what
events do between quarters counts toward the quarter they precede. ``Totals`` keeps the
counts since the start (the invariant firm count = start + births - deaths uses them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from model.firms import Hiring, Production

#: the policy instruments, in the order reports list them (DESIGN §2.6)
INSTRUMENTS = (
    "targeted_support",
    "experimentation",
    "institution_strengthening",
    "cluster_promotion",
    "value_chain_promotion",
    "foresight",
)


def no_spending() -> dict[str, float]:
    """Spending of zero on every instrument."""
    return dict.fromkeys(INSTRUMENTS, 0.0)


@dataclass
class Births:
    """Firms founded, by origin."""

    births: int = 0
    spinoffs: int = 0
    startups: int = 0

    def born(self, origin: str, n: int = 1) -> None:
        """Count ``n`` new firms of ``origin`` (``"spinoff"`` or ``"startup"``)."""
        self.births += n
        if origin == "spinoff":
            self.spinoffs += n
        elif origin == "startup":
            self.startups += n


@dataclass
class Totals(Births):
    """Counts since the start of the run."""

    deaths: int = 0


@dataclass
class QuarterFlows(Births):
    """Flows of one quarter."""

    output: float = 0.0  # value added of all firms
    output_workers: float = 0.0  # employment when the firms produced
    hires: float = 0.0
    separations: float = 0.0
    innovations: int = 0
    deaths: int = 0
    experiments_started: int = 0
    experiments_succeeded: int = 0
    experiments_failed: int = 0
    target_experiments_succeeded: int = 0  # of those, in the policy's target industries
    target_experiments_failed: int = 0
    startup_discoveries: int = 0  # discoveries by successful experiments
    spending: dict[str, float] = field(default_factory=no_spending)

    def produced(self, made: Production, hired: Hiring, innovations: int) -> None:
        """Record what the firms produced, who changed jobs and how many innovations."""
        self.output, self.output_workers = made.output, made.workers
        self.hires, self.separations = hired.hires, hired.separations
        self.innovations = innovations

    @property
    def productivity(self) -> float:
        """Value added per worker of the quarter (both taken when the firms produced)."""
        return self.output / max(self.output_workers, 1.0)

    @property
    def policy_spending(self) -> float:
        """Money used on all instruments."""
        return float(sum(self.spending.values()))
