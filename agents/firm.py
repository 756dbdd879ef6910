"""The firm agent: a view on one row of the model's firm table, plus its decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from model.region_model import RegionModel

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
    """A firm on a grid cell. Its state lives in ``model.firms`` at index ``row``.

    Arithmetic that is the same for all firms runs vectorised in ``model.firms.Firms``;
    this class holds the decisions taken one firm at a time. The fields of ``ROW_FIELDS``
    (``uid``, ``industry``, ``employment``, ...) read the firm's row.
    """

    model: RegionModel

    def __init__(self, model: RegionModel, cell) -> None:
        """Place a new firm; the model fills its table row right after."""
        super().__init__(model)
        self.cell = cell
        self.row = -1

    def _get(self, name: str):
        if self.row < 0:
            raise RuntimeError(f"firm {self.unique_id} has left the market; it has no state")
        return getattr(self.model.firms, name)[self.row]

    def __getattr__(self, name: str):
        """Read a field of the firm's row (see ``ROW_FIELDS``)."""
        if name in ROW_FIELDS:
            return ROW_FIELDS[name](self._get(name))
        raise AttributeError(name)

    @property
    def industry_key(self) -> str:
        """Industry key of the catalogue."""
        return self.model.space.keys[self.industry]

    @property
    def proficiency(self) -> np.ndarray:
        """Proficiency in each capability (0..1)."""
        return self.model.firms.proficiency[self.row]
