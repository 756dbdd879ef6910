"""Demand, competition and value chains, vectorised over firms and industries (DESIGN §2.1-2.2).

Each industry's external demand follows its lifecycle, shocks from events and noise. The
region's firms share it with one outside-world competitor at the technology frontier;
shares move by replicator dynamics. Local services sell to the region's wage bill (the
local multiplier), and suppliers sell part of their output to local buyers (value chains).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from model.firm_table import FirmTable
from model.industries import IndustrySpace
from model.value_chains import intermediate_demand
from scenarios.schema import MarketParams


@dataclass
class Ramp:
    """A gradual change of one industry's demand: multiplier moves from 1 to ``target``."""

    industry: int
    start: int
    duration: int
    target: float

    def factor(self, t: float) -> float:
        """Multiplier at quarter ``t``."""
        progress = np.clip((t - self.start + 1) / self.duration, 0.0, 1.0)
        return float(1.0 + (self.target - 1.0) * progress)


@dataclass
class Market:
    """Market state of every industry."""

    space: IndustrySpace
    params: MarketParams
    base_demand: np.ndarray  # K, external demand (gross output units) at lifecycle level 1
    outside_share: np.ndarray  # K
    outside_fitness: np.ndarray  # K, outside competitor's competitiveness at step 0
    local_sourcing: float
    gross_output: np.ndarray  # K, last quarter's regional gross output
    demand: np.ndarray = field(init=False)  # K, external demand this quarter
    intermediate: np.ndarray = field(init=False)  # K, local buyers' demand this quarter
    ramps: list[Ramp] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.demand = np.zeros(self.space.size)
        self.intermediate = np.zeros(self.space.size)

    def world_index(self, t: float) -> float:
        """World productivity (the technology frontier) at ``t`` relative to step 0."""
        return (1.0 + self.params.frontier_growth) ** t

    def frontier(self, t: float) -> np.ndarray:
        """K, frontier value added per worker of every industry at ``t``."""
        return self.space.productivity * self.world_index(t)

    @property
    def input_share(self) -> np.ndarray:
        """K, share of gross output each industry spends on inputs."""
        return self.space.io.sum(axis=1)

    def event_factor(self, t: float) -> np.ndarray:
        """K, product of all demand ramps (declines, booms) at ``t``."""
        f = np.ones(self.space.size)
        for r in self.ramps:
            f[r.industry] *= r.factor(t)
        return f

    def update_demand(self, t: int, wage_bill: float, rng: np.random.Generator) -> None:
        """Set this quarter's external and intermediate demand.

        Args:
            t: the quarter.
            wage_bill: the region's total wage bill last quarter.
            rng: the demand stream (one normal draw per industry, always K draws).
        """
        noise = np.exp(self.params.demand_noise * rng.standard_normal(self.space.size))
        self.noise = noise
        shock = self.event_factor(t)
        level = self.space.lifecycle_demand(t) * shock * noise
        # world demand grows in volume with the world's productivity (the frontier)
        world = self.world_index(t)
        self.demand = self.base_demand * level * world
        ls = self.space.local_services
        self.demand[ls] = self.params.local_services_share * wage_bill * noise[ls] * shock[ls]
        self.intermediate = intermediate_demand(
            self.space.io, self.local_sourcing, self.gross_output
        )

    def fitness(
        self, firms: FirmTable, t: int, wage_ratio: float = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Competitiveness of each firm and of each industry's outside competitor.

        A firm's competitiveness is its productivity relative to the industry's step-0
        frontier, times its capability fit to the power ``fit_weight``, times one plus its
        subsidy rate, times the regional wage relative to its initial level and to world
        productivity growth to the power ``-wage_weight`` (unit labour costs). The outside
        competitor improves with the frontier (except local services, which are not traded)
        and, in an industry born during the run, with the world's experience of it
        (``maturity``).
        """
        sp = self.space
        fit = firms.fit(sp.requires)
        own = (
            firms.productivity
            / sp.productivity[firms.industry]
            * fit**self.params.fit_weight
            * (1.0 + firms.subsidy)
            * wage_ratio ** (-self.params.wage_weight)
        )
        frontier = self.world_index(t)
        outside = self.outside_fitness * frontier * self.maturity(t)
        outside[sp.local_services] = self.outside_fitness[sp.local_services]
        return own, outside

    def maturity(self, t: float) -> np.ndarray:
        """K, the world's competitiveness in each industry relative to a mature industry.

        The world's firms in an industry born during the run are pioneers too: at birth
        they compete at ``emerging_parity`` of a mature industry's level and close
        ``world_learning`` of the gap each quarter after (a world learning curve), so a
        region that enters young can grow with the industry if its firms learn as fast.
        Industries existing from the start are mature (1).
        """
        age = np.maximum(t - self.space.birth, 0.0)
        gap = (1.0 - self.params.emerging_parity) * (1.0 - self.params.world_learning) ** age
        return np.where(self.space.birth > 0, 1.0 - gap, 1.0)

    def youth(self, t: float) -> np.ndarray:
        """K, how young each industry still is: 1 at its birth, falling as the world learns.

        The share of the world's gap to maturity left, ``(1 - world_learning)^age`` for an
        industry born during the run (1 before its birth), 0 for industries existing from
        the start (mature). Young industries are where returns to process R&D scale with a
        firm's output and drive the shakeout (Klepper 1996; ``Firms.innovate``).
        """
        age = np.maximum(t - self.space.birth, 0.0)
        return np.where(self.space.birth > 0, (1.0 - self.params.world_learning) ** age, 0.0)

    def compete(
        self, firms: FirmTable, t: int, shocks: np.ndarray, wage_ratio: float = 1.0
    ) -> None:
        """Replicator dynamics on two levels: the region against the world, firms within it.

        Each firm's share first takes its own log-normal demand shock (sd ``firm_shock``,
        mean one): customers won and lost for reasons the model does not track. Then the
        region's total share of each industry and the outside competitor's move by
        ``export_selection`` x (competitiveness / industry mean - 1), the region's
        competitiveness being its share-weighted mean; within the region, firms' shares move
        by ``selection`` x (own / regional mean - 1). The two speeds differ because buyers
        switch between regions (export price elasticity) faster than a region's market
        reallocates among its firms. In a young industry the within-region speed is
        ``selection x (1 + selection_youth x youth)`` (``youth``): buyers of a new product
        move fast between its many competing producers as they learn which designs and
        makers are best, so share flows to the fittest, the laggards shrink and exit and
        the industry shakes out (Klepper & Simons 1997); as the industry matures the speed
        falls back to that of a mature market.

        Args:
            firms: the firm table.
            t: the quarter.
            shocks: one standard normal draw per firm (indexed by serial upstream).
            wage_ratio: regional wage relative to its initial level.
        """
        if len(firms) == 0:
            return
        sd = self.params.firm_shock
        firms.share = firms.share * np.exp(sd * shocks - sd**2 / 2)
        own, outside = self.fitness(firms, t, wage_ratio)
        k = self.space.size
        regional = firms.by_industry(firms.share, k)
        region_fit = firms.by_industry(firms.share * own, k) / np.maximum(regional, 1e-300)
        mean = regional * region_fit + self.outside_share * outside
        # the region against the world
        phi_w, floor = self.params.export_selection, self.params.replicator_floor
        region_growth = np.maximum(1.0 + phi_w * (region_fit / np.maximum(mean, 1e-12) - 1), floor)
        outside_growth = np.maximum(1.0 + phi_w * (outside / np.maximum(mean, 1e-12) - 1), floor)
        # firms within the region, keeping the region's total as set above
        speed = self.params.selection * (
            1.0 + self.params.selection_youth * self.youth(t)[firms.industry]
        )
        within = np.maximum(
            1.0 + speed * (own / np.maximum(region_fit[firms.industry], 1e-12) - 1), floor
        )
        moved = firms.share * within
        moved_total = firms.by_industry(moved, k)
        scale = np.where(
            moved_total > 0, regional * region_growth / np.maximum(moved_total, 1e-300), 0
        )
        firms.share = moved * scale[firms.industry]
        self.renormalise(firms, self.outside_share * outside_growth)

    def renormalise(self, firms: FirmTable, outside_share: np.ndarray | None = None) -> None:
        """Make each industry's shares (firms + outside competitor) sum to one."""
        out = self.outside_share if outside_share is None else outside_share
        total = firms.by_industry(firms.share, self.space.size) + out
        total = np.where(total > 0, total, 1.0)
        firms.share = firms.share / total[firms.industry]
        self.outside_share = out / total

    def entry_share(
        self, industry: int, workers: float, productivity: float, regional: float
    ) -> float:
        """Market share that gives a new firm work for ``workers`` at this quarter's demand.

        Solves s x D + s / (R + s) x M = g for s, the way ``sales`` pays a firm: g is the
        gross output ``workers`` make, D the external and M the intermediate demand, R the
        share the region's other firms hold (before renormalisation). An industry with no
        demand yet (just born) is sized on ``entry_demand_floor`` of its base demand. The
        share is at most ``max_entry_share``.

        Args:
            industry: industry index.
            workers: workers the share should employ.
            productivity: the new firm's value added per worker.
            regional: R, the shares of the industry's other regional firms.
        """
        target = workers * productivity / (1.0 - self.input_share[industry])
        d, m = float(self.demand[industry]), float(self.intermediate[industry])
        if d <= 0 and m <= 0:
            d = max(self.base_demand[industry] * self.params.entry_demand_floor, 1e-9)
        if d > 0:
            b = d * regional + m - target
            disc = b * b + 4.0 * d * target * regional
            share = (-b + (math.sqrt(disc) if disc >= 0 else math.nan)) / (2.0 * d)
            if regional <= 0:  # alone in the region: all intermediate demand is its own
                share = max(target - m, 0.0) / d
        else:  # only local buyers: s / (R + s) x M = g
            share = target * regional / (m - target) if m > target else 0.5
        return float(min(max(share, 1e-6), self.params.max_entry_share))  # np.clip, on floats

    def sales(self, firms: FirmTable) -> np.ndarray:
        """Gross output of each firm.

        Its share of external demand plus its part of the intermediate demand of local
        buyers (split by the regional firms' shares).
        """
        k = self.space.size
        regional = firms.by_industry(firms.share, k)
        local_part = np.where(
            regional[firms.industry] > 0,
            firms.share / np.maximum(regional[firms.industry], 1e-12),
            0.0,
        )
        gross = (
            firms.share * self.demand[firms.industry]
            + local_part * self.intermediate[firms.industry]
        )
        self.gross_output = firms.by_industry(gross, k)
        return gross
