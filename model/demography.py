"""Firm births and deaths: placing new firms, giving them a market share, letting firms go.

``Demography`` is where a firm enters and leaves the region (DESIGN §2.2.6, §2.4): a new
firm gets a cell near where it was founded (its district follows from the cell), a Mesa
``agents.firm.Firm`` view, a row in the firm table, its stable identity (``uid``, from its
lineage, ``model.streams.lineage_id``), an entry market share sized for its workers, and an
entry in the discovery ledger. A firm that exits releases its workers into the labour pool
with their skills and frees its market share. Births and deaths are counted in the totals
and in the quarter's flows given to each call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.firm import Firm
from model.firm_table import ORIGINS
from model.streams import lineage_id

if TYPE_CHECKING:
    from mesa import Model
    from mesa.discrete_space import OrthogonalMooreGrid

    from model.discovery import DiscoveryLedger
    from model.firms import Firms
    from model.industries import IndustrySpace
    from model.labour import LabourPool
    from model.market import Market
    from model.quarter import QuarterFlows, Totals
    from scenarios.schema import Scenario


@dataclass
class Founding:
    """A firm about to be founded."""

    industry: int
    near: tuple[int, int]  # (x, y) it is placed close to
    employment: float  # workers it starts with (already taken from their origin)
    productivity: float  # value added per worker
    proficiency: np.ndarray  # C
    equity: float
    origin: str  # "initial", "spinoff" or "startup"
    parent: int = 0  # uid of the parent firm or founding entrepreneur (0: initial firms)
    slot: int = 0  # which of the parent's offspring this quarter (initial: set-up index)
    share: float | None = None  # market share; by default sized for its workers


class Demography:
    """Births and deaths of firms.

    Args:
        model: the Mesa model the firm agents belong to.
        params: the scenario (firm and entrepreneur parameters).
        space: the industry space.
        firms: the firm table.
        grid: the grid firms sit on.
        district_map: (width, height) array, the district of every cell.
        ledger: the discovery ledger.
        labour: the labour pool (takes the workers of closing firms).
        totals: counts since the start.
    """

    def __init__(
        self,
        model: Model,
        params: Scenario,
        space: IndustrySpace,
        firms: Firms,
        grid: OrthogonalMooreGrid,
        district_map: np.ndarray,
        ledger: DiscoveryLedger,
        labour: LabourPool,
        totals: Totals,
    ) -> None:
        self.model = model
        self.params = params
        self.space = space
        self.firms = firms
        self.grid = grid
        self.district_map = district_map
        self.ledger = ledger
        self.labour = labour
        self.totals = totals
        self.market: Market | None = None  # set once the market is calibrated

    def found(
        self, new: Founding, quarter: int, flows: QuarterFlows, rng: np.random.Generator
    ) -> Firm:
        """Found a firm near a location and give it an entry market share.

        Args:
            new: what the firm starts with.
            quarter: the quarter it is born in.
            flows: this quarter's flows (counts the birth).
            rng: the stream placing it and drawing its R&D intensity.
        """
        p, f = self.params.firms, self.firms
        x, y = self._place(new.near, rng)
        firm = Firm(self.model, self.grid[(x, y)])
        rd = p.rd_intensity * float(np.exp(p.rd_dispersion * rng.standard_normal()))
        uid = int(lineage_id(new.parent, quarter, new.slot))
        f.add(
            [firm],
            new.proficiency[None, :],
            serial=f.next_serial,
            uid=uid,
            parent=new.parent,
            origin=ORIGINS.index(new.origin),
            industry=new.industry,
            district=int(self.district_map[x, y]),
            x=x,
            y=y,
            employment=new.employment,
            productivity=new.productivity,
            equity=new.equity,
            born=quarter,
            rd=min(rd, p.rd_cap),
        )
        f.next_serial += 1
        if new.origin != "initial":
            self._enter_market(firm, new)
            self.totals.born(new.origin)
            flows.born(new.origin)
        self.ledger.record_entry(self.space.keys[new.industry], quarter, firm, new.origin)
        return firm

    def _enter_market(self, firm: Firm, new: Founding) -> None:
        f, market = self.firms, self.market
        assert market is not None, "firms are founded after set-up only once there is a market"
        share = new.share
        if share is None:
            size = max(new.employment, self.params.entrepreneurs.new_firm_size)
            others = float(f.share[f.industry == new.industry].sum())
            share = market.entry_share(new.industry, size, new.productivity, others)
        f.share[firm.row] = share
        market.renormalise(f)

    def close(self, rows: np.ndarray, flows: QuarterFlows) -> None:
        """Firms leave: their workers join the pool with their skills, shares are freed."""
        if len(rows) == 0:
            return
        f, sp = self.firms, self.space
        n_d = self.labour.unemployed.shape[0]
        released = np.zeros((n_d, sp.size))
        skilled = np.zeros_like(released)
        fit = f.fit(sp.requires)
        np.add.at(released, (f.district[rows], f.industry[rows]), f.employment[rows])
        np.add.at(skilled, (f.district[rows], f.industry[rows]), f.employment[rows] * fit[rows])
        self.labour.release(
            released, np.where(released > 0, skilled / np.maximum(released, 1e-12), 1.0)
        )
        for i in rows:
            f.agents[i].remove()
        f.remove(np.asarray(rows))
        if self.market is not None:
            self.market.renormalise(f)
        self.totals.deaths += len(rows)
        flows.deaths += len(rows)

    def _place(self, near: tuple[int, int], rng: np.random.Generator) -> tuple[int, int]:
        w, h = self.grid.dimensions
        spread = self.params.firms.placement_spread
        x = int(np.clip(round(near[0] + spread * rng.standard_normal()), 0, w - 1))
        y = int(np.clip(round(near[1] + spread * rng.standard_normal()), 0, h - 1))
        return x, y
