"""Firm state as a struct of numpy arrays, one row per living firm (DESIGN §2.2).

The Mesa ``Firm`` agents are thin views on their row; every computation that is the same
for all firms runs on these arrays (``model.firms.Firms`` holds the behaviours). Storage
grows by doubling, so adding a firm costs amortised O(1); each field is exposed as a view
of the living rows (``table.employment`` is an array of ``len(table)``; assigning to it
writes into the storage). Rows are compacted when firms exit. Each agent holds a permanent
``slot``; the table maps slots to rows (``row_of``), so compaction rewrites one array, not
an attribute of every agent. Views are invalidated by ``add`` and ``remove``: re-read them
afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from model import kernels

if TYPE_CHECKING:
    from agents.firm import Firm

#: identity and origin of a firm (DESIGN §2.10: draws keyed by lineage)
ORIGINS = ("initial", "spinoff", "startup")

SCALAR_FIELDS: dict[str, type] = {
    "uid": np.uint64,  # stable identity from the lineage (parent, birth quarter, slot)
    "parent": np.uint64,  # uid of the parent firm or founding entrepreneur (0: initial)
    "origin": np.int64,  # index into ORIGINS
    "industry": np.int64,
    "district": np.int64,
    "x": np.int64,
    "y": np.int64,
    "employment": np.float64,  # workers
    "productivity": np.float64,  # value added per worker per quarter
    "equity": np.float64,
    "age": np.int64,  # quarters
    "born": np.int64,  # quarter of birth (0 for initial firms)
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
DEFAULTS: dict[str, Any] = {"requested": -1}
INITIAL_CAPACITY = 64


def _view(name: str) -> property:
    def get(self: FirmTable) -> np.ndarray:
        return self._columns[name][: self._n]

    def set_(self: FirmTable, value: Any) -> None:
        self._columns[name][: self._n] = value

    return property(get, set_, doc=f"``{name}`` of every living firm (a view).")


class FirmTable:
    """Struct-of-arrays storage of all living firms.

    Args:
        n_capabilities: C, the length of each firm's proficiency vector.
    """

    uid: np.ndarray
    parent: np.ndarray
    origin: np.ndarray
    industry: np.ndarray
    district: np.ndarray
    x: np.ndarray
    y: np.ndarray
    employment: np.ndarray
    productivity: np.ndarray
    equity: np.ndarray
    age: np.ndarray
    born: np.ndarray
    rd: np.ndarray
    share: np.ndarray
    subsidy: np.ndarray
    value_added: np.ndarray
    orders: np.ndarray
    profit: np.ndarray
    negative_quarters: np.ndarray
    member: np.ndarray
    requested: np.ndarray
    proficiency: np.ndarray  # N x C

    def __init__(self, n_capabilities: int) -> None:
        self.n_capabilities = n_capabilities
        self._n = 0
        self._columns: dict[str, np.ndarray] = {}
        self._slots = np.zeros(0, dtype=np.int64)  # slot of the firm in each row
        self._allocate(INITIAL_CAPACITY)
        self._row_of_slot = np.full(INITIAL_CAPACITY, -1, dtype=np.int64)  # -1: gone
        self._slots_used = 0
        self.agents: list[Firm] = []

    def __len__(self) -> int:
        return self._n

    def _allocate(self, capacity: int) -> None:
        old, n = self._columns, self._n
        new = {}
        for name, dtype in SCALAR_FIELDS.items():
            new[name] = np.full(capacity, DEFAULTS.get(name, 0), dtype=dtype)
        new["proficiency"] = np.zeros((capacity, self.n_capabilities))
        for name, arr in old.items():
            new[name][:n] = arr[:n]
        self._columns = new
        slots = np.full(capacity, -1, dtype=np.int64)
        slots[:n] = self._slots[:n]
        self._slots = slots

    def row_of(self, slot: int) -> int:
        """The row of the firm holding ``slot`` (-1 once it has left)."""
        return int(self._row_of_slot[slot])

    def add(self, agents: list[Firm], proficiency: np.ndarray, **values: Any) -> np.ndarray:
        """Append firms; return their rows.

        Args:
            agents: the Mesa agents viewing the new rows, one per firm.
            proficiency: their capability proficiencies, shape (n, C).
            **values: scalar fields, each a scalar or an array of length n; fields not
                given take their default (0, ``requested`` -1).
        """
        unknown = set(values) - set(SCALAR_FIELDS)
        if unknown:
            raise KeyError(f"unknown firm fields {sorted(unknown)}")
        m, n = len(agents), self._n
        capacity = len(self._columns["uid"])
        if n + m > capacity:
            self._allocate(max(2 * capacity, n + m))
        rows = np.arange(n, n + m)
        for name, value in values.items():
            self._columns[name][n : n + m] = value
        self._columns["proficiency"][n : n + m] = proficiency
        self._n = n + m
        first_slot = self._slots_used
        if first_slot + m > len(self._row_of_slot):  # grows by doubling, as the rows do
            grown = np.full(max(2 * len(self._row_of_slot), first_slot + m), -1, dtype=np.int64)
            grown[:first_slot] = self._row_of_slot[:first_slot]
            self._row_of_slot = grown
        self._row_of_slot[first_slot : first_slot + m] = rows
        self._slots_used = first_slot + m
        self._slots[n : n + m] = np.arange(first_slot, first_slot + m)
        for slot, agent in enumerate(agents, start=first_slot):
            agent.slot = slot
        self.agents.extend(agents)
        return rows

    def remove(self, rows: np.ndarray) -> None:
        """Delete the given rows; removed agents get row -1, the others their new row."""
        if len(rows) == 0:
            return
        n = self._n
        keep = np.ones(n, dtype=bool)
        keep[rows] = False
        stay = np.flatnonzero(keep)
        kept = len(stay)
        for name, arr in self._columns.items():
            kernels.compact(arr, stay)
            arr[kept:n] = DEFAULTS.get(name, 0)
        self._n = kept
        slots = self._slots
        self._row_of_slot[slots[rows]] = -1
        kernels.compact(slots, stay)
        slots[kept:n] = -1
        self._row_of_slot[slots[:kept]] = np.arange(kept)
        self.agents = [a for a, k in zip(self.agents, keep.tolist(), strict=True) if k]

    def fit(self, requires: np.ndarray) -> np.ndarray:
        """Capability fit: mean proficiency over the capabilities each firm's industry needs."""
        return kernels.capability_fit(self.proficiency, requires, self.industry)

    def by_industry(self, values: np.ndarray, n_industries: int) -> np.ndarray:
        """Sum ``values`` over firms per industry."""
        return np.bincount(self.industry, weights=values, minlength=n_industries)

    def by_district_industry(
        self, values: np.ndarray, n_districts: int, n_industries: int
    ) -> np.ndarray:
        """Sum ``values`` over firms per (district, industry) as a D x K array."""
        flat = np.bincount(
            self.district * n_industries + self.industry,
            weights=values,
            minlength=n_districts * n_industries,
        )
        return flat.reshape(n_districts, n_industries)


for _name in [*SCALAR_FIELDS, "proficiency"]:
    setattr(FirmTable, _name, _view(_name))
