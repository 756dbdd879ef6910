"""The discovery ledger: industries new to the region and who followed (DESIGN §2.4, §2.9).

The model reports every firm it founds (``Demography.found`` calls
``record_entry``). Industries with a firm at step 0 are *known* to the region. The first
entry into an industry that is not known is a **discovery**: the ledger keeps its industry,
step, founder firm (its ``uid``), the district it opened in and who paid for it —
``"savings"`` (an entrepreneur's own money), ``"grant"`` (an experiment co-funded by an
experimentation grant) or ``"spinoff"`` (an existing firm branching into it). Every later
entry into a discovered industry, by startup or spin-off, is a *follower*. An industry stays
known after its firms exit, so the information a discovery revealed is not lost
(entrepreneurs' pioneer risk stays reduced).

Outcome table (``to_frame()``; ``summary(firms)`` for another firm table): one row per
discovery with ``industry``, ``step``, ``funding``, ``founder``, ``district`` (index of the
district the founder opened in, -1 if not known), ``followers`` (number of
later entries), ``first_follower_step`` (NaN if none yet) and ``follower_jobs``
(employment of follower firms still alive).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from model.firm_table import FirmTable

FUNDING_SOURCES = ("savings", "grant", "spinoff")
COLUMNS = [
    "industry",
    "step",
    "funding",
    "founder",
    "district",
    "followers",
    "first_follower_step",
    "follower_jobs",
]


class FirmLike(Protocol):
    """What the ledger reads of a firm: its identity and industry."""

    uid: int
    industry_key: str


@dataclass
class Discovery:
    """One industry new to the region."""

    industry: str
    step: int
    funding: str
    founder: int
    district: int = -1
    followers: list[tuple[int, int, str]] = field(default_factory=list)  # (step, uid, origin)


class DiscoveryLedger:
    """Industries known to the region, discoveries and their followers.

    Args:
        firms: the region's firm table, whose living followers ``to_frame`` counts the
            jobs of (None: ``follower_jobs`` stays NaN).
    """

    def __init__(self, firms: FirmTable | None = None) -> None:
        """Create an empty ledger; it learns the region's industries from the firms founded."""
        self.firms = firms
        self.known: set[str] = set()
        self.entries: dict[str, Discovery] = {}

    @property
    def discoveries(self) -> int:
        """Number of industries discovered so far."""
        return len(self.entries)

    def record_entry(
        self, industry: str, step: int, firm: FirmLike, origin: str, district: int = -1
    ) -> bool:
        """Note a new firm; return True if it is a discovery.

        Args:
            industry: industry key of the new firm.
            step: the model step it was founded in.
            firm: the new firm (its ``uid`` is kept).
            origin: ``"initial"``, ``"startup"`` or ``"spinoff"``.
            district: index of the district it opened in (-1: not known).
        """
        if origin == "initial":
            self.known.add(industry)
            return False
        if industry in self.known:
            if industry in self.entries:
                self.entries[industry].followers.append((step, int(firm.uid), origin))
            return False
        self.known.add(industry)
        funding = "spinoff" if origin == "spinoff" else "savings"
        self.entries[industry] = Discovery(industry, step, funding, int(firm.uid), int(district))
        return True

    def set_funding(self, industry: str, funding: str) -> None:
        """Say who paid for the discovery of ``industry`` (the founder knows, the model not).

        Raises:
            ValueError: if ``funding`` is not one of ``FUNDING_SOURCES``.
            KeyError: if ``industry`` was not discovered.
        """
        if funding not in FUNDING_SOURCES:
            raise ValueError(f"unknown funding {funding!r}; allowed: {', '.join(FUNDING_SOURCES)}")
        self.entries[industry].funding = funding

    def is_known(self, keys: list[str]) -> np.ndarray:
        """Boolean mask over ``keys``: industries the region has had a firm in."""
        return np.array([k in self.known for k in keys], dtype=bool)

    def summary(self, firms: FirmTable | None) -> pd.DataFrame:
        """The outcome table, with the jobs in follower firms still alive in ``firms``.

        Args:
            firms: the firm table whose firms are counted; None leaves ``follower_jobs`` NaN.
        """
        jobs: dict[int, float] = {}
        if firms is not None:
            jobs = dict(zip(firms.uid.tolist(), firms.employment.tolist(), strict=True))
        rows = []
        for d in self.entries.values():
            serials = [s for _, s, _ in d.followers]
            rows.append(
                {
                    "industry": d.industry,
                    "step": d.step,
                    "funding": d.funding,
                    "founder": d.founder,
                    "district": d.district,
                    "followers": len(d.followers),
                    "first_follower_step": (
                        float(min(s for s, _, _ in d.followers)) if d.followers else np.nan
                    ),
                    "follower_jobs": (
                        float(sum(jobs.get(s, 0.0) for s in serials))
                        if firms is not None
                        else np.nan
                    ),
                }
            )
        return pd.DataFrame(rows, columns=COLUMNS)

    def to_frame(self) -> pd.DataFrame:
        """The outcome table for the ledger's own firm table (see ``summary``)."""
        return self.summary(self.firms)
