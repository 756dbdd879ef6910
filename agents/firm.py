"""The firm agent: a view on one row of the model's firm table, plus its decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from model.region_model import RegionModel

#: the firm-table fields a Firm shows as attributes (read-only views of its row)
ROW_FIELDS = {
    "serial": int,
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

    def spin_off(self, prospects: np.ndarray, rng: np.random.Generator) -> Firm | None:
        """Regional branching: found a new firm in a related industry (or its own).

        The new industry is drawn with weight relatedness² x ``prospects`` (the industries
        entrepreneurs can see, with their demand growth and pioneer risk; see
        ``RegionModel.spinoff_prospects``); its own industry is always open. The spin-off
        takes ``entry_share`` of this firm's workers (at least one, at most
        ``spinoff_max_share`` of them), equity for ``initial_equity`` quarters of their
        wages, and this firm's know-how, at ``spinoff_productivity`` of its relative
        productivity.

        Args:
            prospects: K, attractiveness of each industry to a spin-off this quarter.
            rng: this firm's own generator for this quarter.
        """
        m, f, sp = self.model, self.model.firms, self.model.space
        p = m.params.firms
        k = self.industry
        if self.employment < p.spinoff_min_parent:
            return None
        weights = sp.relatedness[k] ** 2 * prospects
        weights[k] = max(weights[k], 1.0)
        target = int(rng.choice(sp.size, p=weights / weights.sum()))
        jobs = self.employment
        workers = float(
            np.clip(m.params.market.entry_share * jobs, 1.0, p.spinoff_max_share * jobs)
        )
        equity = p.initial_equity * m.labour.wage * sp.wage_level[target] * workers
        f.employment[self.row] -= workers
        f.equity[self.row] -= equity
        rel_prod = self.productivity / sp.productivity[k]
        return m.create_firm(
            industry=target,
            near=(int(f.x[self.row]), int(f.y[self.row])),
            employment=workers,
            productivity=p.spinoff_productivity * rel_prod * sp.productivity[target],
            proficiency=self.proficiency.copy(),
            equity=equity,
            origin="spinoff",
            rng=rng,
            parent=self.uid,
            slot=1,
        )
