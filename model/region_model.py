"""The regional economy as a Mesa model: set-up and the order of events in a quarter."""

from __future__ import annotations

import random

import numpy as np
from mesa import Model
from mesa.discrete_space import OrthogonalMooreGrid

from agents.firm import Firm
from model.allocator import keep_freed_memory
from model.blas import pin_blas_threads
from model.demography import Demography, Foundings
from model.discovery import DiscoveryLedger
from model.entrepreneurship import Entrepreneurship
from model.events import EventManager
from model.firms import Firms
from model.industries import IndustrySpace
from model.labour import LabourPool
from model.market import Market
from model.observables import Observer, Region
from model.policy import PolicyMaker
from model.quarter import QuarterFlows, Totals
from model.services import Districts, InstitutionSystem
from model.setup import initial_firms, initial_market
from model.streams import Streams
from model.value_chains import SupplierRelations
from scenarios.schema import Scenario


class RegionModel(Model):
    """A region's firms, entrepreneurs, institutions and policy, one step per quarter.

    The model keeps its own clock, ``quarter`` (0 at set-up, then the quarter last
    simulated); every component is given what it needs as arguments.

    Args:
        scenario: a validated scenario (``scenarios.load_scenario``).
        seed: decides every random draw of the run.
    """

    def __init__(self, scenario: Scenario, seed: int = 0) -> None:
        """Build the region of ``scenario`` at quarter 0."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed: {seed!r} is not allowed; allowed: a whole number >= 0")
        pin_blas_threads()
        keep_freed_memory()
        super().__init__(rng=int(seed))
        self.seed, self.params, self.quarter = int(seed), scenario, 0
        self.streams = Streams(self.seed)
        mp = scenario.market
        self.space = IndustrySpace.from_catalogue(
            scenario.catalogue, mp.emerging_start, mp.unborn_growth
        )
        region = self.region = scenario.region
        self.culture = region.culture
        grid_random = random.Random(int(self.streams.get("grid", 0).integers(2**63)))
        self.grid = OrthogonalMooreGrid((region.width, region.height), random=grid_random)
        self.district_names = [d.name for d in region.districts]
        self.district_xy = np.array([(d.x, d.y) for d in region.districts])
        self.district_map = self._district_map(region.width, region.height)
        lf = np.array([d.labour_force for d in region.districts])
        self.labour = LabourPool(scenario.labour, lf, self.space.size, self.district_xy)
        self.firms = Firms(len(self.space.capabilities), scenario.firms)
        self.totals, self.flows = Totals(), QuarterFlows()
        self.log: list[tuple[int, str]] = []
        self.ledger = DiscoveryLedger(self.firms)
        self.demography = Demography(
            self, scenario, self.space, self.firms, self.grid, self.district_map,
            self.ledger, self.labour, self.totals, self.streams,
        )  # fmt: skip
        initial_firms(
            scenario, self.space, self.demography, self.firms, self.labour, self.flows,
            self.district_names, self.district_xy, self.streams.get("setup", 0),
        )  # fmt: skip
        self.initial_firm_count = len(self.firms)
        self.market: Market = initial_market(scenario, self.space, self.firms)
        self.demography.market = self.market
        self.flows.output = float(self.firms.value_added.sum())
        self.flows.output_workers = float(self.firms.employment.sum())
        self.initial_productivity = self.flows.productivity
        districts = Districts(self.district_names, self.district_xy)
        self.institutions = InstitutionSystem(
            self, region.institutions, self.space, scenario.institutions,
            self.culture, districts, self.grid, self.record,
        )  # fmt: skip
        self.relations = SupplierRelations(
            self.market.local_sourcing, scenario.market, scenario.policy.sourcing_ceiling
        )
        self.policy = PolicyMaker(
            scenario.policy, scenario.national, self.space, self.institutions, self.market,
            self.record, self.firms, self.relations,
        )  # fmt: skip
        self.entrepreneurship = Entrepreneurship(
            self, scenario.entrepreneurs, scenario.policy.grant_share, self.startup_culture,
            self.space, self.streams, self.labour, self.firms, self.institutions, self.market,
            self.ledger, self.policy, self.demography, self.district_xy,
        )  # fmt: skip
        self.events = EventManager(
            scenario.events, self.space, self.market, self.policy, self.firms, self.labour,
            self.remove_firms, lambda: self.quarter, self.record, self.schedule_event,
        )  # fmt: skip
        self.observer = Observer(self.space, self.district_names)
        self.datacollector = self.observer.recorder
        self.indicators = self.observe()

    # ------------------------------------------------------------------ the schedule

    def step(self) -> None:
        """One quarter, in this order."""
        q = self.quarter = self.quarter + 1
        f, flows, space = self.firms, self.flows, self.space
        self.policy.review(q, f)  # retarget industries at review dates
        self.policy.spend(f, flows.spending, self.home_district)  # this quarter's money
        self.relations.renew(self.market, self.culture.trust)  # supplier relations
        self.market.update_demand(q, self.wage_bill, self.streams.get("demand", q))
        f.compete(self.market, q, self.draws("firms", 3)[:, 1:], self.wage_ratio())
        made = f.produce(self.market, self.wages(), self.fixed_cost, self.policy.pay_subsidies)
        hired = f.adjust_employment(self.labour, space, self.institutions.entrant_fit())
        innovations = f.innovate(self.draws("innovation", 2), self.market.youth(q))
        flows.produced(made, hired, innovations=innovations)
        f.imitate(space, self.culture.trust, self.association_spillover, self.grid.dimensions)
        f.learn(space.requires)  # learning by doing, depreciation
        self.serve_firms(q)  # requests for weakest capabilities, services, focus
        self.entrepreneurship.step(q, flows)  # nascent, search, experiment, succeed or fail
        self.diversify_or_exit(q)  # spin-offs of profitable firms, exits of failing ones
        self.labour.age()  # skill decay, turnover, entrants, migration
        self.labour.update_wage(self.productivity_index())
        self.indicators, self.flows = self.observe(), QuarterFlows()  # and the next quarter

    def draws(self, stream: str, k: int) -> np.ndarray:
        """Each firm's ``k`` uniforms of ``stream`` this quarter, keyed by the firm's uid.

        The ``firms`` stream gives three: column 0 decides a spin-off, columns 1-2 the
        firm's demand shock.
        """
        return self.streams.uniform(stream, self.quarter, self.firms.uid, k)

    def serve_firms(self, quarter: int) -> None:
        """Firms request help where they are weakest; the institutions serve them.

        Teachers then retrain unemployed workers with what their budgets have left.
        """
        f, inst = self.firms, self.institutions
        f.request_services(self.space.requires, self.params.institutions.request_threshold)
        tie = self.draws("institutions", 1)[:, 0]
        inst.serve(f, quarter, tie, self.market.frontier(quarter), self.present())
        inst.retrain(self.labour)

    def diversify_or_exit(self, quarter: int) -> None:
        """Profitable firms may spin off; firms with negative equity for too long exit."""
        f = self.firms
        parents = f.spinoff_parents(self.draws("firms", 3)[:, 0])
        if len(parents):
            u = self.streams.uniform("spinoffs", quarter, f.uid[parents], 1)[:, 0]
            new = f.spin_offs(parents, u, self.spinoff_prospects(), self.space,
                              self.labour.wage, self.params.market.entry_share)  # fmt: skip
            self.demography.found(new, quarter, self.flows)
        self.remove_firms(f.failing())

    def spinoff_prospects(self) -> np.ndarray:
        """K, how attractive each industry is to a spin-off this quarter.

        What entrepreneurs see (visible industries, existing by the time they could
        enter), with external demand now, clip(1 + demand growth, 0.1, 3) and (1 -
        perceived pioneer risk); local services only for local-services parents (set by
        the parent's own-industry rule).
        """
        sp, outlook = self.space, self.entrepreneurship.outlook
        growth = np.clip(1.0 + sp.demand_growth(self.quarter), 0.1, 3.0)
        prospects = (self.market.demand > 0) * outlook.candidates * growth * (1.0 - outlook.risk)
        prospects[sp.local_services] = 0.0
        return prospects

    def observe(self) -> dict[str, float]:
        """Compute, record and return this quarter's indicators."""
        inst = self.institutions
        region = Region(
            entrepreneurs=self.entrepreneurship.active,
            discoveries=self.ledger.discoveries,
            taught=inst.taught_profile(),
            service_gap=inst.service_gap,
            focus_mismatch=inst.focus_mismatch,
            local_sourcing=self.market.local_sourcing,
        )
        return self.observer.observe(self.quarter, self.firms, self.labour, region, self.flows)

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
        share: float | None = None,
        parent: int = 0,
        slot: int = 0,
    ) -> Firm:
        """Found one firm this quarter (``model.demography.Demography.found``)."""
        new = Foundings(
            origin=origin,
            industry=np.array([industry]),
            near=np.array([near], dtype=float),
            employment=np.array([employment], dtype=float),
            productivity=np.array([productivity], dtype=float),
            proficiency=np.asarray(proficiency, dtype=float)[None, :],
            equity=np.array([equity], dtype=float),
            parent=np.array([parent], dtype=np.uint64),
            slot=np.array([slot]),
            share=None if share is None else np.array([share], dtype=float),
        )
        return self.demography.found(new, self.quarter, self.flows)[0]

    def remove_firms(self, rows: np.ndarray) -> None:
        """Firms leave this quarter (``model.demography.Demography.close``)."""
        self.demography.close(rows, self.flows)

    # ------------------------------------------------------------------ derived state

    @property
    def n_districts(self) -> int:
        """Number of districts."""
        return len(self.district_xy)

    @property
    def home_district(self) -> str:
        """The district with the largest labour force (where new associations are founded)."""
        return self.district_names[int(np.argmax(self.labour.labour_force))]

    @property
    def association_spillover(self) -> float:
        """Extra weight of spillovers among business-association members."""
        return self.params.institutions.association_spillover

    @property
    def startup_culture(self) -> float:
        """Multiplier on nascent entrepreneurs: entrepreneurial culture and trust.

        ``entrepreneurial_culture x (2 x trust) ** partner_trust``: where people trust each
        other, would-be founders find partners, first customers and informal finance more
        easily (community social capital and start-ups: Kwon, Heflin & Ruef 2013); 1 at
        trust 0.5.
        """
        c = self.culture
        return (
            c.entrepreneurial_culture * (2.0 * c.trust) ** self.params.entrepreneurs.partner_trust
        )

    @property
    def fixed_cost(self) -> float:
        """Each firm's fixed cost this quarter, after the national enabling environment."""
        return self.params.firms.fixed_cost * (1.0 - self.params.national.enabling_environment)

    def wages(self) -> np.ndarray:
        """Each firm's wage per worker: the regional wage times its industry's wage level.

        Wages follow industries' productivity levels (``IndustrySpace.wage_level``), so a
        low-productivity industry is not unprofitable merely for paying a regional average.
        """
        return self.labour.wage * self.space.wage_level[self.firms.industry]

    def wage_ratio(self) -> float:
        """Unit labour costs against the world: the wage relative to its start and the frontier.

        Wages that rise with world productivity (the frontier) leave competitiveness unchanged.
        """
        world = self.market.world_index(self.quarter)
        return self.labour.wage / self.params.labour.wage / world

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

    def productivity_index(self) -> float:
        """Regional value added per worker relative to quarter 0."""
        now = self.flows.productivity
        return now / self.initial_productivity if self.initial_productivity > 0 else 1.0

    def record(self, text: str, quarter: int | None = None) -> None:
        """Add a line to the plain-language event log, stamped with a quarter.

        Args:
            text: what happened, in plain language.
            quarter: the quarter it belongs to (default: the current one).
        """
        self.log.append((self.quarter if quarter is None else int(quarter), text))

    # ------------------------------------------------------------------ geometry

    def _district_map(self, width: int, height: int) -> np.ndarray:
        xs, ys = np.meshgrid(np.arange(width), np.arange(height), indexing="ij")
        d = (xs[..., None] - self.district_xy[:, 0]) ** 2 + (
            ys[..., None] - self.district_xy[:, 1]
        ) ** 2
        return d.argmin(axis=-1)
