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
from model.streams import Streams, lineage_id

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
class Foundings:
    """Firms about to be founded together (arrays of one length n)."""

    origin: str  # "initial", "spinoff" or "startup"
    industry: np.ndarray
    near: np.ndarray  # n x 2, (x, y) each is placed close to
    employment: np.ndarray  # workers each starts with (already taken from their origin)
    productivity: np.ndarray  # value added per worker
    proficiency: np.ndarray  # n x C
    equity: np.ndarray
    parent: np.ndarray  # uid of the parent firm or founding entrepreneur (0: initial firms)
    slot: np.ndarray  # which of the parent's offspring this quarter (initial: set-up index)
    share: np.ndarray | None = None  # market shares; by default sized for their workers

    def __len__(self) -> int:
        return len(self.industry)


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
        streams: the run's random streams (placement and R&D draws, keyed by the new uid).
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
        streams: Streams,
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
        self.streams = streams
        self.market: Market | None = None  # set once the market is calibrated

    def found(self, new: Foundings, quarter: int, flows: QuarterFlows) -> list[Firm]:
        """Found firms near their locations and give them entry market shares.

        Each firm's uid follows from its lineage; its cell (``placement_spread`` around
        ``near``), R&D intensity and, for firms founded after set-up, the luck of its
        start come from its own ``placement`` draws: a new firm learns its true
        productivity only by producing (Jovanovic 1982) and starts with teething troubles:
        at what it was founded with times ``exp(-entry_dispersion * |z| * (1 -
        entry_relatedness * density))``, ``density`` its district's relatedness density
        in its industry (``local_density``): the unlucky are selected out in their first
        years (the liability of newness), less so where the district's workers know the
        industry (new plants in related industries survive longer: Neffke, Henning &
        Boschma 2011).

        Args:
            new: what the firms start with.
            quarter: the quarter they are born in.
            flows: this quarter's flows (counts the births).
        """
        n = len(new)
        if n == 0:
            return []
        p, f = self.params.firms, self.firms
        uid = lineage_id(new.parent, quarter, new.slot)
        z = self.streams.normal("placement", quarter, uid, 4)
        w, h = self.grid.dimensions
        x = np.clip(np.round(new.near[:, 0] + p.placement_spread * z[:, 0]), 0, w - 1)
        y = np.clip(np.round(new.near[:, 1] + p.placement_spread * z[:, 1]), 0, h - 1)
        x, y = x.astype(np.int64), y.astype(np.int64)
        district = self.district_map[x, y]
        rd = np.minimum(p.rd_intensity * np.exp(p.rd_dispersion * z[:, 2]), p.rd_cap)
        cells = [self.grid[(int(a), int(b))] for a, b in zip(x, y, strict=True)]
        agents = [Firm(self.model, cell, f, self.space.keys) for cell in cells]
        rows = f.add(
            agents,
            new.proficiency,
            uid=uid,
            parent=new.parent,
            origin=ORIGINS.index(new.origin),
            industry=new.industry,
            district=district,
            x=x,
            y=y,
            employment=new.employment,
            productivity=new.productivity
            * self._entry_luck(new.origin, z[:, 3], district, new.industry),
            equity=new.equity,
            born=quarter,
            rd=rd,
        )
        if new.origin != "initial":
            self._enter_market(rows, new)
            self.totals.born(new.origin, n)
            flows.born(new.origin, n)
        keys = self.space.keys
        for agent, k, d in zip(agents, new.industry.tolist(), district.tolist(), strict=True):
            self.ledger.record_entry(keys[k], quarter, agent, new.origin, d)
        return agents

    def _entry_luck(
        self, origin: str, z: np.ndarray, district: np.ndarray, industry: np.ndarray
    ) -> np.ndarray:
        """Multiplier on a new firm's productivity, at most one (1 for set-up firms)."""
        if origin == "initial":
            return np.ones(len(z))
        p = self.params.firms
        relief = p.entry_relatedness * self.local_density()[district, industry]
        return np.exp(-p.entry_dispersion * np.abs(z) * (1.0 - relief))

    def local_density(self) -> np.ndarray:
        """D x K, relatedness density of each district's workers in each industry (0..1).

        The relatedness-weighted share of the district's employed and unemployed workers
        (by industry of their last job; new labour-force entrants count as unrelated) whose
        experience relates to the industry.
        """
        k, pool = self.space.size, self.labour
        n_d = pool.unemployed.shape[0]
        workers = self.firms.by_district_industry(self.firms.employment, n_d, k)
        workers = workers + pool.unemployed[:, :k]
        total = workers.sum(axis=1) + pool.unemployed[:, k:].sum(axis=1)
        return (workers @ self.space.relatedness) / np.maximum(total, 1e-12)[:, None]

    def _enter_market(self, rows: np.ndarray, new: Foundings) -> None:
        """Entry shares sized for each new firm's workers, then one renormalisation."""
        f, market = self.firms, self.market
        assert market is not None, "firms are founded after set-up only once there is a market"
        if new.share is not None:
            f.share[rows] = new.share
        else:
            size = np.maximum(new.employment, self.params.entrepreneurs.new_firm_size)
            held = f.by_industry(f.share, self.space.size)  # the new rows hold 0 yet
            for row, k, workers, prod in zip(
                rows.tolist(), new.industry.tolist(), size.tolist(), new.productivity.tolist(),
                strict=True,
            ):  # fmt: skip
                share = market.entry_share(k, workers, prod, float(held[k]))
                f.share[row] = share
                held[k] += share
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
