"""The firm agent: a view on one row of the firm table, plus its decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from mesa import Model

    from model.firm_table import FirmTable

#: the firm-table fields a Firm shows as attributes (read-only views of its row)
ROW_FIELDS = {
    "uid": int,
    "parent": int,
    "industry": int,
    "district": int,
    "employment": float,
    "productivity": float,
    "equity": float,
    "born": int,
}


class Firm(CellAgent):
    """A firm on a grid cell. Its state lives in the firm table ``table`` at index ``row``.

    Arithmetic that is the same for all firms runs vectorised in ``model.firms.Firms``;
    this class holds the decisions taken one firm at a time. The fields of ``ROW_FIELDS``
    (``uid``, ``industry``, ``employment``, ...) read the firm's row.

    Args:
        model: the Mesa model it is registered with (Mesa agents are constructed with
            their model); nothing of it is read.
        cell: the grid cell it sits on.
        table: the firm table holding its row (it sets ``slot`` when the row is added).
        keys: the catalogue's industry keys, in index order.
    """

    def __init__(self, model: Model, cell, table: FirmTable, keys: list[str]) -> None:
        """Place a new firm; the table fills its row right after."""
        super().__init__(model)
        self.cell = cell
        self.table = table
        self.keys = keys
        self.slot = -1  # the table's permanent handle of this firm; ``row`` follows from it

    @property
    def row(self) -> int:
        """The firm's current row in the table (-1 before it is added or after it left)."""
        return self.table.row_of(self.slot) if self.slot >= 0 else -1

    def _get(self, name: str):
        if self.row < 0:
            raise RuntimeError(f"firm {self.unique_id} has left the market; it has no state")
        return getattr(self.table, name)[self.row]

    def __getattr__(self, name: str):
        """Read a field of the firm's row (see ``ROW_FIELDS``)."""
        if name in ROW_FIELDS:
            return ROW_FIELDS[name](self._get(name))
        raise AttributeError(name)

    @property
    def industry_key(self) -> str:
        """Industry key of the catalogue."""
        return self.keys[self.industry]

    @property
    def proficiency(self) -> np.ndarray:
        """Proficiency in each capability (0..1)."""
        return self.table.proficiency[self.row]
