"""The regional economy as a Mesa model: set-up and the order of events in a quarter."""

from __future__ import annotations

import numpy as np
from mesa import Model
from mesa.discrete_space import OrthogonalMooreGrid

from agents.firm import Firm
from model import firm_dynamics as fd
from model.discovery import DiscoveryLedger
from model.entrepreneurship import Entrepreneurship
from model.events import EventManager
from model.firm_table import FirmTable
from model.industries import IndustrySpace
from model.labour import LabourPool
from model.market import Market
from model.observables import collect, make_datacollector
from model.policy import PolicyMaker
from model.services import InstitutionSystem
from model.setup import initial_firms, initial_market
from model.streams import Streams
from scenarios.schema import Scenario


class RegionModel(Model):
    """A region's firms, entrepreneurs, institutions and policy, one step per quarter.

    Args:
        scenario: a validated scenario (``scenarios.load_scenario``).
        seed: decides every random draw of the run.
    """

    def __init__(self, scenario: Scenario, seed: int = 0) -> None:
        """Build the region of ``scenario`` at step 0."""
        if isinstance(seed, bool) or int(seed) != seed or seed < 0:
            raise ValueError(f"seed: {seed!r} is not allowed; allowed: a whole number >= 0")
        super().__init__(rng=int(seed))
        self.seed = int(seed)
        self.params = scenario
        self.streams = Streams(self.seed)
        self.space = IndustrySpace.from_catalogue(scenario.catalogue)
        region = scenario.region
        self.culture = region.culture
        self.grid = OrthogonalMooreGrid((region.width, region.height), random=self.random)
        self.district_names = [d.name for d in region.districts]
        self.district_xy = np.array([(d.x, d.y) for d in region.districts])
        self.district_map = self._district_map(region.width, region.height)
        self.labour = LabourPool(
            scenario.labour, np.array([d.labour_force for d in region.districts]), self.space.size
        )
        self.firms = FirmTable(len(self.space.capabilities))
        self.counters = {"births": 0, "deaths": 0, "spinoffs": 0, "startups": 0}
        self.policy_spending: dict[str, float] = {}
        self.log: list[tuple[int, str]] = []
        self.hires = self.separations = 0.0
        self.innovations = 0
        self.ledger = DiscoveryLedger()
        initial_firms(self, self.streams.get("setup", 0))
        self.initial_firm_count = len(self.firms)
        self.counters_this_step = {k: 0 for k in self.counters}
        self.market: Market = initial_market(self)
        self.output = float(self.firms.value_added.sum())
        self.output_workers = float(self.firms.employment.sum())
        self.initial_productivity = self.productivity()
        self.institutions = InstitutionSystem(self)
        self.entrepreneurship = Entrepreneurship(self)
        self.policy = PolicyMaker(self)
        self.events = EventManager(self)
        self.datacollector = make_datacollector()
        collect(self)

    # ------------------------------------------------------------------ the schedule

    def step(self) -> None:
        """One quarter, in this order."""
        self.policy.review()  # retarget industries at review dates
        self.policy.spend()  # subsidies, grants, institution funds for this quarter
        self.market.update_demand(
            self.steps, self.wage_bill, self.streams.get("demand", self.steps)
        )
        self.compete()  # own demand shocks, replicator dynamics on market shares
        fd.produce(self)  # revenue, wages, costs, profit into equity
        fd.adjust_employment(self)  # fire into the pool, hire from it
        fd.innovate(self)  # own R&D, fat-tailed productivity draws
        fd.imitate(self)  # local spillovers
        fd.learn_capabilities(self)  # learning by doing, depreciation
        self.institutions.serve()  # requests for weakest capabilities, services, focus
        self.entrepreneurship.step()  # nascent, search, experiment, succeed or fail
        self.diversify_or_exit()  # spin-offs of profitable firms, exits of failing ones
        self.labour.age()  # skill decay, turnover, entrants, migration
        self.labour.update_wage(self.productivity_index())
        collect(self)  # indicators and tidy tables

    def compete(self) -> None:
        """Firms share their industries' demand: own shocks, then replicator dynamics."""
        u = self.streams.uniform_by_serial("firms", self.steps, self.firms.serial, k=3)
        # Box-Muller: standard normals from the firm's own uniform draws
        shocks = np.sqrt(-2.0 * np.log1p(-u[:, 1])) * np.cos(2.0 * np.pi * u[:, 2])
        # unit labour costs against the world: wages that rise with world productivity
        # (the frontier) leave competitiveness unchanged
        world = self.market.world_index(self.steps)
        wage_ratio = self.labour.wage / self.params.labour.wage / world
        self.market.compete(self.firms, self.steps, shocks, wage_ratio)

    def diversify_or_exit(self) -> None:
        """Profitable firms may spin off; firms with negative equity for too long exit."""
        f, p = self.firms, self.params.firms
        # column 0 of the firm's draws of this quarter (columns 1-2 were its demand shock);
        # firms founded since compete() get theirs from the same serial-indexed table
        u = self.streams.uniform_by_serial("firms", self.steps, f.serial, k=3)[:, 0]
        chosen = [f.agents[i] for i in np.flatnonzero((f.profit > 0) & (u < p.spinoff_probability))]
        prospects = self.spinoff_prospects() if chosen else None
        for firm in chosen:
            firm.spin_off(prospects, self.streams.get("spinoffs", self.steps, firm.serial))
        failing = np.flatnonzero((f.negative_quarters >= p.exit_patience) | (f.employment < 0.5))
        self.remove_firms(failing)

    def spinoff_prospects(self) -> np.ndarray:
        """K, how attractive each industry is to a spin-off this quarter.

        What entrepreneurs see (visible industries, existing by the time they could
        enter), with external demand now, clip(1 + demand growth, 0.1, 3) and (1 -
        perceived pioneer risk); local services only for local-services parents (set by
        the parent's own-industry rule).
        """
        sp, outlook = self.space, self.entrepreneurship.outlook
        growth = np.clip(1.0 + sp.demand_growth(self.steps), 0.1, 3.0)
        prospects = (self.market.demand > 0) * outlook.candidates * growth * (1.0 - outlook.risk)
        prospects[sp.local_services] = 0.0
        return prospects

    # ------------------------------------------------------------------ firms

    def create_firm(
        self,
        industry: int,
        near: tuple[int, int],
        employment: float,
        productivity: float,
        proficiency: np.ndarray,
        equity: float,
        origin: str,
        rng: np.random.Generator,
        share: float | None = None,
    ) -> Firm:
        """Found a firm near a location and give it an entry market share.

        Args:
            industry: industry index.
            near: (x, y) the firm is placed close to; its district follows from its cell.
            employment: workers it starts with (already taken from their origin).
            productivity: value added per worker.
            proficiency: capability proficiencies (length C).
            equity: starting equity.
            origin: "initial", "spinoff" or "startup".
            rng: the stream placing it.
            share: market share; by default sized for its workers at current demand.
        """
        x, y = self._place(near, rng)
        firm = Firm(self, self.grid[(x, y)])
        rd = self.params.firms.rd_intensity * float(np.exp(0.5 * rng.standard_normal()))
        firm.row = self.firms.append(
            firm,
            proficiency,
            industry=industry,
            district=int(self.district_map[x, y]),
            x=x,
            y=y,
            employment=employment,
            productivity=productivity,
            equity=equity,
            born=self.steps,
            rd=min(rd, 0.3),
        )
        if origin != "initial":
            size = max(employment, self.params.entrepreneurs.new_firm_size)
            if share is None:
                others = float(self.firms.share[self.firms.industry == industry].sum())
                share = self.market.entry_share(industry, size, productivity, others)
            self.firms.share[firm.row] = share
            self.market.renormalise(self.firms)
            self.counters["births"] += 1
            self.counters[origin + "s"] += 1
            self.counters_this_step["births"] += 1
        self.ledger.record_entry(self.space.keys[industry], self.steps, firm, origin)
        return firm

    def remove_firms(self, rows: np.ndarray) -> None:
        """Firms leave: their workers join the pool with their skills, shares are freed."""
        if len(rows) == 0:
            return
        f, sp = self.firms, self.space
        released = np.zeros((self.n_districts, sp.size))
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
        self.market.renormalise(self.firms)
        self.counters["deaths"] += len(rows)
        self.counters_this_step["deaths"] += len(rows)

    # ------------------------------------------------------------------ derived state

    @property
    def quarter(self) -> int:
        """The quarter last simulated (0 at set-up, before the first step)."""
        return self.steps

    @property
    def n_districts(self) -> int:
        """Number of districts."""
        return len(self.district_xy)

    def wages(self) -> np.ndarray:
        """Each firm's wage per worker: the regional wage times its industry's wage level.

        Wages follow industries' productivity levels (``IndustrySpace.wage_level``), so a
        low-productivity industry is not unprofitable merely for paying a regional average.
        """
        return self.labour.wage * self.space.wage_level[self.firms.industry]

    @property
    def wage_bill(self) -> float:
        """Wages paid in the region this quarter (entrepreneurs live on the regional wage)."""
        firms = float((self.wages() * self.firms.employment).sum())
        return firms + self.labour.wage * self.entrepreneurship.active

    def employment_by_industry(self) -> np.ndarray:
        """K, workers per industry."""
        return self.firms.by_industry(self.firms.employment, self.space.size)

    def present(self) -> np.ndarray:
        """K, True where the region has at least one firm."""
        return self.employment_by_industry() > 0

    def entrant_fit(self) -> np.ndarray:
        """K, how well new labour-force entrants' taught skills fit each industry."""
        taught = self.institutions.taught_profile()
        req = self.space.requires
        w = self.params.institutions.entrant_teaching
        fit = (req * taught[None, :]).sum(axis=1) / np.maximum(req.sum(axis=1), 1.0)
        return (1.0 - w) * 0.3 + w * fit

    def productivity(self) -> float:
        """Value added per worker this quarter (both taken when the firms produced)."""
        return self.output / max(self.output_workers, 1.0)

    def productivity_index(self) -> float:
        """Regional value added per worker relative to step 0."""
        return (
            self.productivity() / self.initial_productivity
            if self.initial_productivity > 0
            else 1.0
        )

    def record(self, text: str, step: int | None = None) -> None:
        """Add a line to the plain-language event log, stamped with a quarter.

        Args:
            text: what happened, in plain language.
            step: the quarter it belongs to (default: the current one).
        """
        self.log.append((self.steps if step is None else int(step), text))

    # ------------------------------------------------------------------ geometry

    def _district_map(self, width: int, height: int) -> np.ndarray:
        xs, ys = np.meshgrid(np.arange(width), np.arange(height), indexing="ij")
        d = (xs[..., None] - self.district_xy[:, 0]) ** 2 + (
            ys[..., None] - self.district_xy[:, 1]
        ) ** 2
        return d.argmin(axis=-1)

    def _place(self, near: tuple[int, int], rng: np.random.Generator) -> tuple[int, int]:
        w, h = self.grid.dimensions
        x = int(np.clip(round(near[0] + 2.0 * rng.standard_normal()), 0, w - 1))
        y = int(np.clip(round(near[1] + 2.0 * rng.standard_normal()), 0, h - 1))
        return x, y
