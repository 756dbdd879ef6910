"""Nascent entrepreneurs and their experiments, for the whole region (DESIGN §2.4).

Once per quarter, after the institutions have served their clients:

1. **Outlook** (``model.outlook``): what entrepreneurs see, computed once for all.
2. **Nascent entrepreneurs** appear: a Poisson number N with mean::

       base_rate * labour_force * (1 + unemployment_push * u) * entrepreneurial_culture

   each drawn from a pool group (district, industry of last job ``j`` or new entrant) with
   probability proportional to its unemployed (the r-th drawn to a group, r = 0, 1, ...,
   needs ``min_group + r`` unemployed there), with savings ``S ~ Exponential(mean
   savings)`` and a taste ``e_k ~ N(0, 1)`` for each industry.
3. **Search.** Capability fit with industry ``k``: ``fit_k = s * relatedness[j, k]`` (``s``
   the group's skill; new entrants: the fit of what they were taught). Expected value::

       V_k = weight_fit*fit_k + weight_growth*g_k + weight_profit*m_k
             - weight_risk*r_k*(1 - gamma_k) - reservation + search_noise*e_k

   over the candidate industries (``g_k`` expected demand growth, ``m_k`` the region's
   profit margin, ``r_k`` perceived pioneer risk, ``gamma_k`` the share of an experiment's
   cost grants were recently seen to cover in ``k``). The best industry is chosen; with a
   negative value the person does not start.
4. **Funding.** In slot order (the grant pool is first come, first served) each searcher
   applies for a grant of ``grant_share`` of the expected cost ``Q*c_k``, ``c_k =
   experiment_cost * (1 + complexity_cost * kappa_k)``; they start if ``S + grant >=
   affordability * Q*c_k`` or a grant was given, leaving the pool (labour conservation:
   they count as employed while experimenting). ``gamma_k`` learns from the applications:
   the mean share granted, smoothed with weight ``grant_memory`` on the latest quarter;
   industries nobody has applied in yet get the mean over all applications.
5. **Experiments** (the ``Q = experiment_quarters`` quarters from the start quarter on):
   each quarter costs ``c_k * (1 + cost_spread*(2u - 1))``, paid from the grant first, then
   from savings; who cannot pay has run out of money and fails. At the end the experiment
   succeeds with probability ``logistic(x)``::

       x = success_base + success_fit*fit_k + success_pool*pool_dk
           + success_support*support + success_growth*g_k
           - success_complexity*kappa_k - success_risk*r_k

   (``pool_dk`` the district's labour-pool fit, ``support`` grant coverage of the expected
   cost plus the associations' entry-risk cut, at most 1). Success founds a firm near the
   district's centre with the entrepreneur as its first worker, productivity
   ``frontier_k * (productivity_floor + (1 - productivity_floor)*fit_k)``, their capability
   profile (at least ``experiment_learning`` in each required capability; new entrants:
   what they were taught) and the money left as equity. The first success in an industry
   new to the region is a discovery (``model.discovery``). Failure returns the person to
   their pool group. All resolutions of a quarter see the pioneer risk of its start: a
   discovery lowers the risk others perceive from the next quarter on.

Randomness (common random numbers): N comes from ``streams.get("entrepreneurs", t)``; the
nascent entrepreneur in slot ``i`` of quarter ``t`` has the identity ``lineage_id(ROOT, t,
i)`` and all their draws are keyed by it (group, savings, tastes: ``entrepreneurs``
stream; each quarter's cost and success: ``experiments`` stream), so they never depend on
N or on who else was drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.entrepreneur import Entrepreneur
from model.demography import Foundings
from model.outlook import Outlook, Sight, outlook
from model.streams import lineage_id, normal_from_uniform

if TYPE_CHECKING:
    from mesa import Model

    from model.demography import Demography
    from model.discovery import DiscoveryLedger
    from model.firm_table import FirmTable
    from model.industries import IndustrySpace
    from model.labour import LabourPool
    from model.market import Market
    from model.policy import PolicyMaker
    from model.quarter import QuarterFlows
    from model.services import InstitutionSystem
    from model.streams import Streams
    from scenarios.schema import EntrepreneurParams

#: the parent identity of nascent entrepreneurs (firms' parents are firms, or 0)
ROOT = 2
MAX_SLOTS = 100_000  # at most this many nascent entrepreneurs a quarter
STARTUP_SLOT = 2  # the slot of a start-up in its founder's lineage


def logistic(x):
    """The logistic function (elementwise)."""
    return 1.0 / (1.0 + np.exp(-x))


def success_probability(
    params: EntrepreneurParams,
    fit,
    pool_fit,
    support,
    growth,
    complexity,
    risk,
):
    """Probability that an experiment succeeds (see the module docstring); elementwise.

    Args:
        params: the entrepreneurs' parameters (the logit's coefficients).
        fit: the entrepreneur's capability fit with the target (0..1).
        pool_fit: the district labour pool's fit with the target (0..1).
        support: grant coverage plus institutional support (0..1).
        growth: expected relative demand growth (-1..1).
        complexity: normalised complexity of the target (0..1).
        risk: perceived pioneer risk of the target.
    """
    p = params
    x = (
        p.success_base
        + p.success_fit * np.asarray(fit)
        + p.success_pool * np.asarray(pool_fit)
        + p.success_support * np.asarray(support)
        + p.success_growth * np.asarray(growth)
        - p.success_complexity * np.asarray(complexity)
        - p.success_risk * np.asarray(risk)
    )
    return logistic(x)


@dataclass
class Nascent:
    """This quarter's nascent entrepreneurs (arrays over them, in slot order)."""

    uid: np.ndarray
    district: np.ndarray
    column: np.ndarray  # pool column: industry of last job, or K for new entrants
    skill: np.ndarray
    savings: np.ndarray
    taste: np.ndarray  # N x K

    def __len__(self) -> int:
        return len(self.uid)


class Entrepreneurship:
    """All nascent entrepreneurs of the region and their experiments.

    Args:
        model: the Mesa model the entrepreneur agents are registered with (Mesa agents are
            constructed with their model); nothing of it is read.
        params: the entrepreneurs' parameters.
        grant_share: the share of an experiment's expected cost a grant is asked for
            (the policy's ``grant_share``).
        culture: the region's entrepreneurial culture (multiplier on nascent entrepreneurs).
        space, streams, labour, firms, institutions, market, ledger, policy, demography:
            the collaborators (what they are for is in their modules).
        district_xy: D x 2, district centres (where start-ups are founded).

    Attributes:
        entrepreneurs: those currently experimenting, in the order they started.
        started_by_industry: K, experiments started in each industry since the start.
        succeeded_by_industry: K, successful experiments in each industry.
        discoveries: industries new to the region first entered by a start-up.
    """

    def __init__(
        self,
        model: Model,
        params: EntrepreneurParams,
        grant_share: float,
        culture: float,
        space: IndustrySpace,
        streams: Streams,
        labour: LabourPool,
        firms: FirmTable,
        institutions: InstitutionSystem,
        market: Market,
        ledger: DiscoveryLedger,
        policy: PolicyMaker,
        demography: Demography,
        district_xy: np.ndarray,
    ) -> None:
        self.model = model  # only to register the Entrepreneur agents
        self.params, self.grant_share, self.culture = params, grant_share, culture
        self.space, self.streams, self.labour, self.firms = space, streams, labour, firms
        self.institutions, self.market, self.ledger = institutions, market, ledger
        self.policy, self.demography, self.district_xy = policy, demography, district_xy
        k = space.size
        self.entrepreneurs: list[Entrepreneur] = []
        self.started_by_industry = np.zeros(k, dtype=np.int64)
        self.succeeded_by_industry = np.zeros(k, dtype=np.int64)
        self.discoveries = 0  # discoveries by start-ups since the start
        self.nascent = 0  # nascent entrepreneurs this quarter (started or not)
        self.slots = 0  # slots drawn this quarter (N; groups may run out, see draw_nascent)
        self.coverage = np.zeros(k)  # smoothed grant coverage by industry applied in
        self.coverage_all = 0.0  # smoothed grant coverage over all applications
        self.applied = np.zeros(k, dtype=bool)  # industries somebody has applied in
        self.outlook = self.compute_outlook(0)

    @property
    def active(self) -> int:
        """Entrepreneurs currently experimenting (counted as employed)."""
        return len(self.entrepreneurs)

    # ------------------------------------------------------------------ one quarter

    def step(self, quarter: int, flows: QuarterFlows) -> None:
        """One quarter: nascent entrepreneurs appear and start; experiments advance.

        Args:
            quarter: this quarter.
            flows: this quarter's flows (experiments started, succeeded, failed).
        """
        self.outlook = self.compute_outlook(quarter)
        starters = self.start(self.draw_nascent(quarter))
        flows.experiments_started += len(starters)
        self.experiment(self.entrepreneurs + starters, quarter, flows)

    def compute_outlook(self, quarter: int) -> Outlook:
        """What entrepreneurs see this quarter (``model.outlook``)."""
        inst, sp = self.institutions, self.space
        present = self.firms.by_industry(self.firms.employment, sp.size) > 0
        sight = Sight(
            present=present,
            firms=np.bincount(self.firms.industry, minlength=sp.size),
            visible=present | inst.visible_industries(quarter, present),
            known=self.ledger.is_known(sp.keys),
            risk_cut=inst.entry_risk_cut(),
            frontier=self.market.frontier(quarter),
            entrant_fit=inst.entrant_fit(),
            taught=inst.taught_profile(),
            coverage=np.where(self.applied, self.coverage, self.coverage_all),
        )
        return outlook(quarter, self.params, sp, self.firms, self.labour, sight)

    # ------------------------------------------------------------------ nascent

    def expected_nascent(self) -> float:
        """Mean number of nascent entrepreneurs this quarter."""
        p, pool = self.params, self.labour
        push = 1.0 + p.unemployment_push * pool.unemployment_rate
        return p.base_rate * float(pool.labour_force.sum()) * push * self.culture

    def draw_nascent(self, quarter: int) -> Nascent:
        """Draw this quarter's nascent entrepreneurs from the unemployed pool.

        Slot i's group, savings and tastes come from its own identity's draws; the r-th
        slot drawn to a group (r = 0, 1, ...) is kept while the group holds at least
        ``min_group + r`` unemployed (later slots drawn to an exhausted group are skipped).
        """
        p, pool, k = self.params, self.labour, self.space.size
        n = min(int(self.streams.get("entrepreneurs", quarter).poisson(self.expected_nascent())),
                MAX_SLOTS)  # fmt: skip
        self.slots = n
        weights = np.where(pool.unemployed >= p.min_group, pool.unemployed, 0.0).ravel()
        if n == 0 or weights.sum() <= 0:
            self.nascent = 0
            return Nascent(*(np.zeros(0, dtype=t) for t in (np.uint64, int, int, float, float)),
                           taste=np.zeros((0, k)))  # fmt: skip
        uid = lineage_id(ROOT, quarter, np.arange(n))
        u = self.streams.uniform("entrepreneurs", quarter, uid, 2 + k)
        cumulative = np.cumsum(weights) / weights.sum()
        group = np.minimum(np.searchsorted(cumulative, u[:, 0], side="right"), weights.size - 1)
        order = np.argsort(group, kind="stable")
        first = np.searchsorted(group[order], group[order], side="left")
        rank = np.empty(n)
        rank[order] = np.arange(n) - first  # earlier slots drawn to the same group
        keep = weights[group] - rank >= p.min_group
        district, column = np.divmod(group[keep], pool.unemployed.shape[1])
        taste = normal_from_uniform(u[keep, 2:])
        self.nascent = int(keep.sum())
        return Nascent(
            uid=uid[keep],
            district=district,
            column=column,
            skill=pool.skill[district, column],
            savings=-p.savings * np.log1p(-u[keep, 1]),
            taste=taste,
        )

    # ------------------------------------------------------------------ search and funding

    def capability_fit(self, column: np.ndarray, skill: np.ndarray) -> np.ndarray:
        """N x K, fit of each entrepreneur's capabilities with each industry (0..1)."""
        k = self.space.size
        entrant = column >= k
        own = skill[:, None] * self.space.relatedness[np.minimum(column, k - 1)]
        return np.where(entrant[:, None], self.outlook.entrant_fit[None, :], own)

    def values(self, fit: np.ndarray, taste: np.ndarray) -> np.ndarray:
        """N x K, expected value of starting in each industry (-inf where not possible)."""
        o, p = self.outlook, self.params
        v = (
            p.weight_fit * fit
            + p.weight_growth * o.growth
            + p.weight_profit * o.margin
            - p.weight_risk * o.risk * (1.0 - o.coverage)
            - p.reservation
            + p.search_noise * taste
        )
        return np.where(o.candidates[None, :], v, -np.inf)

    def start(self, new: Nascent) -> list[Entrepreneur]:
        """Search, apply for grants, and start the experiments worth starting."""
        if len(new) == 0:
            return []
        p, o = self.params, self.outlook
        fit = self.capability_fit(new.column, new.skill)
        v = self.values(fit, new.taste)
        target = v.argmax(axis=1)
        searched = v[np.arange(len(new)), target] >= 0.0
        total = o.cost[target] * p.experiment_quarters
        granted = np.zeros(len(new))
        for i in np.flatnonzero(searched).tolist():  # first come, first served
            ask = self.grant_share * total[i]
            k, d = int(target[i]), int(new.district[i])
            granted[i] = max(self.policy.take_grant(k, ask, float(fit[i, k]), d), 0.0)
        self.learn_coverage(
            target[searched], granted[searched] / np.maximum(total[searched], 1e-12)
        )
        go = searched & ((granted > 0) | (new.savings + granted >= p.affordability * total))
        starters = []
        for i in np.flatnonzero(go).tolist():
            d, col, k = int(new.district[i]), int(new.column[i]), int(target[i])
            skill = self.labour.withdraw(d, col, 1.0)
            starters.append(
                Entrepreneur(
                    self.model,
                    int(new.uid[i]),
                    d,
                    col,
                    skill,
                    float(new.savings[i]),
                    k,
                    float(fit[i, k]),
                    float(o.cost[k]),
                    float(granted[i]),
                    p.experiment_quarters,
                )  # fmt: skip
            )
            self.started_by_industry[k] += 1
        return starters

    def learn_coverage(self, industries: np.ndarray, coverage: np.ndarray) -> None:
        """Update the expected grant coverage from this quarter's grant applications.

        Args:
            industries: the industry of each application.
            coverage: granted / expected cost of each application.
        """
        if len(industries) == 0:
            return
        k = len(self.coverage)
        n = np.bincount(industries, minlength=k)
        mean = np.bincount(industries, weights=coverage, minlength=k) / np.maximum(n, 1)
        seen = n > 0
        first = seen & ~self.applied
        self.coverage = np.where(first, mean, self.coverage)
        update = seen & ~first
        memory = self.params.grant_memory
        self.coverage[update] += memory * (mean[update] - self.coverage[update])
        self.applied |= seen
        self.coverage_all += memory * (float(coverage.mean()) - self.coverage_all)

    # ------------------------------------------------------------------ experiments

    def experiment(self, running: list[Entrepreneur], quarter: int, flows: QuarterFlows) -> None:
        """One quarter of every running experiment: pay, then resolve those that end."""
        self.entrepreneurs = []
        if not running:
            return
        p, o = self.params, self.outlook
        uid = np.array([e.uid for e in running], dtype=np.uint64)
        u = self.streams.uniform("experiments", quarter, uid, 2)
        cost = np.array([e.cost for e in running]) * (1.0 + p.cost_spread * (2.0 * u[:, 0] - 1))
        paid = np.array([e.pay(c) for e, c in zip(running, cost.tolist(), strict=True)])
        left = np.array([e.quarters_left for e in running])
        ends = paid & (left <= 0)
        chance = np.zeros(len(running))
        if ends.any():
            k = np.array([e.target for e in running])
            d = np.array([e.district for e in running])
            fit = np.array([e.fit for e in running])
            support = np.minimum(
                np.array([e.granted / max(e.expected_cost, 1e-12) for e in running])
                + o.risk_cut[k],
                1.0,
            )
            chance = success_probability(p, fit, o.pool_fit[d, k], support, o.growth[k],
                                         o.complexity[k], o.risk[k])  # fmt: skip
        success = ends & (u[:, 1] < chance)
        targets = set(self.policy.targets)
        winners = []
        for e, ok, done, won in zip(running, paid.tolist(), ends.tolist(), success.tolist(),
                                    strict=True):  # fmt: skip
            if won:
                winners.append(e)
                flows.target_experiments_succeeded += e.target in targets
            elif not ok or done:
                e.give_up(self.labour)
                flows.experiments_failed += 1
                flows.target_experiments_failed += e.target in targets
            else:
                self.entrepreneurs.append(e)
        self.found_firms(winners, quarter, flows)
        flows.experiments_succeeded += len(winners)

    def found_firms(self, winners: list[Entrepreneur], quarter: int, flows: QuarterFlows) -> None:
        """Successful experiments become firms; the first in a new industry is a discovery."""
        if not winners:
            return
        p, sp, o = self.params, self.space, self.outlook
        k = np.array([e.target for e in winners])
        fit = np.array([e.fit for e in winners])
        profiles = [
            o.taught if e.column >= sp.size else e.skill * sp.requires[e.column] for e in winners
        ]
        proficiency = np.where(
            sp.requires[k] > 0, np.maximum(np.array(profiles), p.experiment_learning), profiles
        )
        new = Foundings(
            origin="startup",
            industry=k,
            near=self.district_xy[[e.district for e in winners]],
            employment=np.ones(len(winners)),
            productivity=o.frontier[k] * (p.productivity_floor + (1 - p.productivity_floor) * fit),
            proficiency=proficiency,
            equity=np.array([e.equity for e in winners]),
            parent=np.array([e.uid for e in winners], dtype=np.uint64),
            slot=np.full(len(winners), STARTUP_SLOT),
        )
        firms = self.demography.found(new, quarter, flows)
        for e, firm in zip(winners, firms, strict=True):
            found = self.ledger.entries.get(sp.keys[e.target])
            e.discovery = found is not None and found.founder == int(firm.uid)
            if e.discovery:
                self.ledger.set_funding(sp.keys[e.target], "grant" if e.granted > 0 else "savings")
                flows.startup_discoveries += 1
                self.discoveries += 1
            self.succeeded_by_industry[e.target] += 1
            e.succeed()
