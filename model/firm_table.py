"""Firm state as a struct of numpy arrays, one row per living firm.

The Mesa ``Firm`` agents are thin views on their row; every computation that is the same
for all firms (market shares, production, learning, spillovers) runs on these arrays.
Rows are compacted when firms exit, and each agent's ``row`` is updated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from agents.firm import Firm

SCALAR_FIELDS: dict[str, type] = {
    "serial": np.int64,  # unique, never reused; indexes per-firm random draws
    "industry": np.int64,
    "district": np.int64,
    "x": np.int64,
    "y": np.int64,
    "employment": np.float64,  # workers
    "productivity": np.float64,  # value added per worker per quarter
    "equity": np.float64,
    "age": np.int64,  # quarters
    "born": np.int64,  # step of birth (0 for initial firms)
    "rd": np.float64,  # R&D intensity: share of value added
    "share": np.float64,  # share of the industry's external market
    "subsidy": np.float64,  # subsidy per unit of value added this quarter
    "value_added": np.float64,
    "orders": np.float64,  # value added the firm's orders would need this quarter
    "profit": np.float64,
    "negative_quarters": np.int64,
    "member": np.bool_,  # member of a business association
    "requested": np.int64,  # capability requested this quarter (-1: none)
}


class FirmTable:
    """Struct-of-arrays storage of all living firms."""

    def __init__(self, n_capabilities: int) -> None:
        """Create an empty table for ``n_capabilities`` capabilities."""
        self.n_capabilities = n_capabilities
        for name, dtype in SCALAR_FIELDS.items():
            setattr(self, name, np.zeros(0, dtype=dtype))
        self.proficiency = np.zeros((0, n_capabilities))
        self.agents: list[Firm] = []
        self.next_serial = 0

    def __len__(self) -> int:
        return len(self.serial)

    def append(self, agent: Firm, proficiency: np.ndarray, **values: float) -> int:
        """Add one firm row and return its index.

        Args:
            agent: the Mesa agent viewing this row.
            proficiency: its capability proficiencies (length C).
            **values: scalar fields; those not given are zero (``requested`` is -1).
        """
        unknown = set(values) - set(SCALAR_FIELDS)
        if unknown:
            raise KeyError(f"unknown firm fields {sorted(unknown)}")
        values.setdefault("requested", -1)
        values["serial"] = self.next_serial
        self.next_serial += 1
        for name, dtype in SCALAR_FIELDS.items():
            arr = getattr(self, name)
            setattr(self, name, np.append(arr, np.array([values.get(name, 0)], dtype=dtype)))
        self.proficiency = np.vstack([self.proficiency, proficiency[None, :]])
        self.agents.append(agent)
        return len(self) - 1

    def remove(self, rows: np.ndarray) -> None:
        """Delete the given rows; removed agents get row -1, the others their new row."""
        if len(rows) == 0:
            return
        keep = np.ones(len(self), dtype=bool)
        keep[rows] = False
        for name in SCALAR_FIELDS:
            setattr(self, name, getattr(self, name)[keep])
        self.proficiency = self.proficiency[keep]
        for i in rows:
            self.agents[i].row = -1
        first = int(np.min(rows))
        self.agents = [a for a, k in zip(self.agents, keep, strict=True) if k]
        for i in range(first, len(self.agents)):  # rows before the first removed one stay
            self.agents[i].row = i

    def fit(self, requires: np.ndarray) -> np.ndarray:
        """Capability fit: mean proficiency over the capabilities each firm's industry needs."""
        req = requires[self.industry]
        return (self.proficiency * req).sum(axis=1) / np.maximum(req.sum(axis=1), 1.0)

    def by_industry(self, values: np.ndarray, n_industries: int) -> np.ndarray:
        """Sum ``values`` over firms per industry."""
        return np.bincount(self.industry, weights=values, minlength=n_industries)

    def by_district_industry(self, values: np.ndarray, n_districts: int, n_industries: int):
        """Sum ``values`` over firms per (district, industry) as a D x K array."""
        flat = np.bincount(
            self.district * n_industries + self.industry,
            weights=values,
            minlength=n_districts * n_industries,
        )
        return flat.reshape(n_districts, n_industries)
