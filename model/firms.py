"""The region's firms as one vectorised population, one method per behaviour (DESIGN §2.2).

``Firms`` is the firm table (``model.firm_table``) plus what firms do each quarter, in the
order ``RegionModel.step`` calls them: compete, produce, adjust employment, innovate,
imitate, learn, request services, and the choices behind diversify or exit (which firms
spin off, which fail). Every method gets its collaborators (market, labour pool, industry
space) and the draws it uses as arguments and returns what it produced; the parameters are
the scenario's ``[firms]`` table, given at construction. The Mesa ``agents.firm.Firm``
objects are thin views on rows of this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model import kernels
from model.demography import Foundings
from model.firm_table import FirmTable
from model.spillovers import knowledge_levels
from scenarios.schema import FirmParams

if TYPE_CHECKING:
    from model.industries import IndustrySpace
    from model.labour import LabourPool
    from model.market import Market


@dataclass(frozen=True)
class Production:
    """What the firms produced this quarter."""

    output: float  # value added, all firms
    workers: float  # employment when they produced (before exits and hires)


@dataclass(frozen=True)
class Hiring:
    """Workers who changed jobs this quarter."""

    hires: float
    separations: float


class Firms(FirmTable):
    """All living firms and their behaviours.

    Args:
        n_capabilities: C, the length of a firm's proficiency vector.
        params: the scenario's firm parameters.
    """

    def __init__(self, n_capabilities: int, params: FirmParams) -> None:
        super().__init__(n_capabilities)
        self.params = params

    # ------------------------------------------------------------------ 1. compete

    def compete(self, market: Market, quarter: int, u: np.ndarray, wage_ratio: float) -> None:
        """Share each industry's demand: own demand shocks, then replicator dynamics.

        Args:
            market: the market (demand, the outside competitor, the selection rules).
            quarter: this quarter.
            u: per firm, two uniforms (columns 1-2 of its ``firms`` draws) turned into its
                standard normal demand shock (Box-Muller).
            wage_ratio: regional wage relative to its initial level and world productivity.
        """
        shocks = np.sqrt(-2.0 * np.log1p(-u[:, 0])) * np.cos(2.0 * np.pi * u[:, 1])
        market.compete(self, quarter, shocks, wage_ratio)

    # ------------------------------------------------------------------ 2. produce and pay

    def produce(
        self, market: Market, wages: np.ndarray, fixed_cost: float, pay_subsidies
    ) -> Production:
        """Revenue from share x demand; wages, R&D, fixed costs, subsidies; profit into equity.

        Args:
            market: the market (this quarter's demand; input shares).
            wages: per firm, the wage per worker.
            fixed_cost: fixed cost per firm this quarter (after the enabling environment).
            pay_subsidies: the policy maker's payer: claims (per firm) -> what is paid.
        """
        p = self.params
        gross = market.sales(self)
        demanded = gross * (1.0 - market.input_share[self.industry])
        # what the firm can make with its workers (plus overtime); the rest of its orders is lost
        self.value_added = np.minimum(demanded, p.overtime * self.employment * self.productivity)
        self.orders = demanded
        made = Production(float(self.value_added.sum()), float(self.employment.sum()))
        subsidy = pay_subsidies(self.subsidy * self.value_added)  # within the envelope
        self.profit = (
            self.value_added * (1.0 - self.rd) - wages * self.employment - fixed_cost + subsidy
        )
        costs = wages * self.employment + fixed_cost
        # owners take out what exceeds a buffer of a few quarters of costs
        self.equity = np.minimum(
            self.equity + self.profit, np.maximum(p.retained_quarters * costs, self.equity)
        )
        self.negative_quarters = np.where(self.equity < 0, self.negative_quarters + 1, 0)
        self.age = self.age + 1
        return made

    # ------------------------------------------------------------------ 3. adjust employment

    def adjust_employment(
        self, labour: LabourPool, space: IndustrySpace, entrant_fit: np.ndarray
    ) -> Hiring:
        """Move employment toward what orders need: fire into the pool, hire from it.

        Hires come from the firm's own and, less, other districts, preferring workers from
        related industries; the skill fit of the hires updates the firm's proficiency.

        Args:
            labour: the labour pool (takes the fired, gives the hires).
            space: the industry space (requirements, relatedness).
            entrant_fit: K, fit of new labour-force entrants' taught skills.
        """
        if len(self) == 0:
            return Hiring(0.0, 0.0)
        n_d, n_k = labour.unemployed.shape[0], space.size
        target = self.orders / np.maximum(self.productivity, 1e-9)
        change = self.params.employment_adjustment * (target - self.employment)
        fire = np.maximum(-change, 0.0)
        want = np.maximum(change, 0.0)
        fit = self.fit(space.requires)
        released = self.by_district_industry(fire, n_d, n_k)
        skill = self.by_district_industry(fire * fit, n_d, n_k) / np.maximum(released, 1e-12)
        self.employment = self.employment - fire
        demand = self.by_district_industry(want, n_d, n_k)
        hires, quality = labour.hire(demand, space.relatedness, entrant_fit)
        labour.release(released, np.clip(skill, 0.0, 1.0))
        fill = np.where(demand > 0, hires / np.maximum(demand, 1e-12), 0.0)
        got = want * fill[self.district, self.industry]
        q = quality[self.district, self.industry]
        self.proficiency = kernels.blend_hires(
            self.proficiency, self.employment, got, q, space.requires, self.industry
        )
        self.employment = self.employment + got
        return Hiring(float(got.sum()), float(fire.sum()))

    # ------------------------------------------------------------------ 4. learn

    def innovate(self, u: np.ndarray, youth: np.ndarray) -> int:
        """Own R&D: fat-tailed productivity draws, more often in larger firms.

        The chance of an innovation per quarter is 1 - exp(-innovation_rate x
        sqrt(rd x employment)), so it rises with size; the size of an innovation (a gain in
        log productivity) is fat-tailed (Lomax with tail index ``innovation_tail``), its mean
        ``innovation_size``; a single innovation gains at most ``innovation_cap``. In a young
        industry the gain scales with the firm's output (``output_scale``, elasticity
        ``innovation_scale`` x the industry's youth): process R&D pays in proportion to the
        units it cheapens, so the early large firms pull ahead (Klepper 1996).

        Args:
            u: per firm, two uniforms of its ``innovation`` draws (chance, size).
            youth: K, each industry's youth (``Market.youth``; 0 for mature industries).

        Returns:
            The number of innovations.
        """
        p = self.params
        if len(self) == 0:
            return 0
        # R&D effort in workers; concave, so large firms draw more innovations per quarter
        # but not proportionally more (which would let the largest firm run away)
        effort = np.sqrt(self.rd * np.maximum(self.employment, 0.0))
        chance = 1.0 - np.exp(-p.innovation_rate * effort)
        alpha = p.innovation_tail
        lomax = (1.0 - u[:, 1]) ** (-1.0 / alpha) - 1.0
        gain = np.where(u[:, 0] < chance, p.innovation_size * (alpha - 1.0) * lomax, 0.0)
        gain = gain * self.output_scale(p.innovation_scale * youth[self.industry])
        self.productivity = self.productivity * np.exp(np.minimum(gain, p.innovation_cap))
        return int((gain > 0).sum())

    def output_scale(self, elasticity: np.ndarray) -> np.ndarray:
        """Per firm, how much its innovations gain from its output (Klepper 1996).

        A process innovation lowers the cost of every unit a firm makes, so its return, and
        the R&D a firm puts behind it, grows with its output: the factor is the firm's value
        added relative to the mean firm of its industry in the region, to the power
        ``elasticity`` (per firm), normalised so that its output-weighted mean over the
        industry is 1: the industry's innovation is shifted toward its large firms, not
        increased. A firm alone in its industry, or in one with no output yet, has factor 1.

        Args:
            elasticity: per firm, the elasticity of its gain to its relative output.
        """
        if not np.any(elasticity > 0):
            return np.ones(len(self))
        n_k = int(self.industry.max()) + 1
        out = np.maximum(self.value_added, 0.0)
        total = self.by_industry(out, n_k)
        count = np.bincount(self.industry, minlength=n_k)
        mean = (total / np.maximum(count, 1))[self.industry]
        rel = np.where(mean > 0, out / np.maximum(mean, 1e-300), 1.0)
        raw = rel**elasticity
        weighted = self.by_industry(out * raw, n_k) / np.maximum(total, 1e-300)
        norm = np.where(total > 0, weighted, 1.0)[self.industry]
        return raw / np.maximum(norm, 1e-300)

    def imitate(
        self,
        space: IndustrySpace,
        trust: float,
        association_spillover: float,
        grid: tuple[int, int],
    ) -> None:
        """Knowledge spillovers from better firms nearby (``model.spillovers``).

        Firms close part of their gap to the better firms nearby in the same or related
        industries; more with more trust, and business-association members also learn from
        each other. Gain in log productivity = imitation_rate x 2 x trust x [reach/(1+reach)
        x gap + association_spillover x member x reach_m/(1+reach_m) x gap_m], gaps floored
        at 0.

        Args:
            space: the industry space (relatedness, step-0 frontier productivity).
            trust: the region's trust (0..1).
            association_spillover: extra weight of learning among association members.
            grid: (width, height) of the grid.
        """
        p = self.params
        if len(self) < 2:
            return
        rel = np.log(self.productivity / space.productivity[self.industry])
        everyone = np.ones(len(self), dtype=bool)
        members = self.member.any()
        seen = knowledge_levels(
            self.x, self.y, self.industry, rel, space.relatedness, p.spillover_radius,
            p.cluster_bonus, [everyone, self.member] if members else [everyone], grid,
            p.spillover_sharpness,
        )  # fmt: skip
        level, reach = seen[0]
        pull = np.maximum(level - rel, 0.0) * reach / (1.0 + reach)
        if members:
            level_m, reach_m = seen[1]
            bonus = association_spillover * self.member
            pull = pull + bonus * np.maximum(level_m - rel, 0.0) * reach_m / (1.0 + reach_m)
        strength = p.imitation_rate * 2.0 * trust
        self.productivity = self.productivity * np.exp(strength * pull)

    def learn(self, requires: np.ndarray) -> None:
        """Learning by doing in required capabilities; depreciation of unused ones."""
        p = self.params
        self.proficiency = kernels.learn(
            self.proficiency, requires, self.industry, p.learning_by_doing, p.depreciation
        )

    # ------------------------------------------------------------------ 5. request services

    def request_services(self, requires: np.ndarray, threshold: float) -> np.ndarray:
        """Each firm requests help in its weakest required capability if below ``threshold``.

        Sets and returns ``requested``: the capability index, or -1 for no request.
        """
        self.requested = kernels.weakest_required(
            self.proficiency, requires, self.industry, threshold
        )
        return self.requested

    # ------------------------------------------------------------------ 6. diversify or exit

    def spinoff_parents(self, u: np.ndarray) -> np.ndarray:
        """Rows of the profitable firms that spin off this quarter.

        Args:
            u: per firm, one uniform (column 0 of its ``firms`` draws).
        """
        p = self.params
        chosen = (self.profit > 0) & (u < p.spinoff_probability)
        return np.flatnonzero(chosen & (self.employment >= p.spinoff_min_parent))

    def spin_offs(
        self,
        parents: np.ndarray,
        u: np.ndarray,
        prospects: np.ndarray,
        space: IndustrySpace,
        wage: float,
        entry_share: float,
    ) -> Foundings:
        """Regional branching: each parent founds a firm in a related industry (or its own).

        The new industry is drawn with weight ``spinoff_diversification`` x
        relatedness^``spinoff_relatedness`` x ``prospects`` (what entrepreneurs can see,
        with demand growth and pioneer risk); the parent's own industry has weight
        ``max(prospects, 1)``. Most spin-offs stay in their parent's industry (Klepper
        2007), and those that branch out go mostly to closely related industries. The
        spin-off takes ``entry_share`` of the parent's workers (at least one, at most
        ``spinoff_max_share`` of them), equity for
        ``initial_equity`` quarters of their wages, the parent's know-how, and
        ``spinoff_productivity`` of its relative productivity. The parents lose the workers
        and the equity.

        Args:
            parents: rows of the spinning-off firms (``spinoff_parents``).
            u: per parent, one uniform of its ``spinoffs`` draws (chooses the industry).
            prospects: K, attractiveness of each industry to a spin-off this quarter.
            space: the industry space.
            wage: the regional wage.
            entry_share: ``market.entry_share``, the share of the parent's workers taken.
        """
        p, k = self.params, self.industry[parents]
        weights = (
            p.spinoff_diversification
            * space.relatedness[k] ** p.spinoff_relatedness
            * prospects[None, :]
        )
        rows = np.arange(len(parents))
        weights[rows, k] = np.maximum(prospects[k], 1.0)
        cumulative = np.cumsum(weights, axis=1)
        pick = (cumulative < (u * cumulative[:, -1])[:, None]).sum(axis=1)
        target = np.minimum(pick, space.size - 1)
        jobs = self.employment[parents]
        workers = np.clip(entry_share * jobs, 1.0, p.spinoff_max_share * jobs)
        equity = p.initial_equity * wage * space.wage_level[target] * workers
        self.employment[parents] -= workers
        self.equity[parents] -= equity
        rel_prod = self.productivity[parents] / space.productivity[k]
        return Foundings(
            origin="spinoff",
            industry=target,
            near=np.stack([self.x[parents], self.y[parents]], axis=1),
            employment=workers,
            productivity=p.spinoff_productivity * rel_prod * space.productivity[target],
            proficiency=self.proficiency[parents].copy(),
            equity=equity,
            parent=self.uid[parents],
            slot=np.ones(len(parents), dtype=np.int64),
        )

    def failing(self) -> np.ndarray:
        """Rows of firms that exit: negative equity for too long, or (almost) no workers."""
        p = self.params
        gone = self.employment < p.exit_min_employment
        return np.flatnonzero((self.negative_quarters >= p.exit_patience) | gone)
