"""Nascent entrepreneurs: search, experiment, succeed or fail (DESIGN §2.4).

An entrepreneur comes from one group of the labour pool — a district and the industry of
their last job ``j``, or the new labour-force entrants — and carries that group's skill
``s`` and some savings ``S``. What the region shows them this quarter (visible industries,
demand growth, profitability, risk, costs) is computed once for everybody by
``model.entrepreneurship.outlook``; the decisions are taken here, one agent at a time.

**Search.** Capability fit with industry ``k``: ``fit_k = s * relatedness[j, k]`` (new
entrants: the fit of what they were taught, ``model.entrant_fit()``). Expected value::

    V_k = weight_fit*fit_k + weight_growth*g_k + weight_profit*m_k
          - weight_risk*r_k*(1 - gamma_k) - reservation + search_noise*e_k

with ``g_k`` the expected demand growth (``growth_horizon`` quarters, clipped to [-1, 1]), ``m_k`` the mean
profit / value added of the region's firms in ``k`` (0 where there are none), ``r_k`` the
perceived pioneer risk, ``gamma_k`` the share of an experiment's cost that grants were
recently seen to cover in ``k`` (a grant carries that part of the downside, so a known
experimentation fund draws people into pioneering; see ``model.entrepreneurship``) and
``e_k`` a standard normal draw of this entrepreneur. Only industries that are visible
and exist in the quarter the experiment is resolved (``t + Q - 1``, when the firm would be
founded) are considered. The best industry is chosen; if its value is negative the person
does not start.

**Experiment.** ``Q = experiment_quarters`` quarters (the quarter it starts in and the
``Q - 1`` following ones) at an expected cost per quarter
``c_k = experiment_cost * (1 + complexity_cost * kappa_k)`` (``kappa_k`` = complexity /
the catalogue's highest complexity). The entrepreneur applies for a grant co-funding
``grant_share`` of the expected total ``Q*c_k`` (``model.policy.take_grant``) and starts if
``S + grant >= affordability * Q*c_k`` or if a grant was given. Each quarter's actual cost
is ``c_k * (1 + cost_spread*(2u - 1))``, paid from the grant first, then from savings; who
cannot pay a quarter has run out of money and fails.

**Success** at the end, with probability ``logistic(x)``::

    x = success_base + success_fit*fit_k + success_pool*pool_dk + success_support*support
        + success_growth*g_k - success_complexity*kappa_k - success_risk*r_k

``pool_dk`` is the district's labour-pool fit (relatedness-weighted share of its employed
and unemployed workers related to ``k``); ``support`` = grant coverage of the expected cost
plus the institutions' entry-risk cut for ``k``, capped at 1. Success founds a firm near the
district's centre with the entrepreneur as its first worker, productivity
``frontier_k(t) * (productivity_floor + (1 - productivity_floor)*fit_k)``, the
entrepreneur's capability profile (at least ``experiment_learning`` in each capability
``k`` requires: the experiment taught that much; a new entrant's profile is what they were
taught, ``institutions.taught_profile()``) and the money left as equity. Failure returns the
person to their pool group with their skill.

Randomness: every draw of an entrepreneur (savings, tastes, each quarter's cost and
success uniforms, the firm's placement) comes from their own generator ``draws``, keyed by
the quarter and slot in which they were drawn (``model.entrepreneurship``), so they do not
depend on how many others were drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from agents.firm import Firm
    from model.entrepreneurship import Outlook
    from model.region_model import RegionModel
    from scenarios.schema import EntrepreneurParams

def logistic(x: float) -> float:
    """The logistic function."""
    return float(1.0 / (1.0 + np.exp(-x)))


def success_probability(
    params: EntrepreneurParams,
    fit: float,
    pool_fit: float,
    support: float,
    growth: float,
    complexity: float,
    risk: float,
) -> float:
    """Probability that an experiment succeeds (see the module docstring).

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
        + p.success_fit * fit
        + p.success_pool * pool_fit
        + p.success_support * support
        + p.success_growth * growth
        - p.success_complexity * complexity
        - p.success_risk * risk
    )
    return logistic(x)


class Entrepreneur(mesa.Agent):
    """A nascent entrepreneur, from search to a new firm or back to the pool.

    Args:
        model: the region model.
        serial: unique number, ``start quarter * MAX_SLOTS + slot``
            (``model.entrepreneurship.entrepreneur_serial``).
        district: district index of their pool group.
        column: pool column: industry of last job, or K for new labour-force entrants.
        skill: skill of their pool group (0..1).
        savings: own money (value-added units).
        taste: K standard normal draws, their idiosyncratic view of each industry.
        draws: their own random generator (experiment draws and the firm's placement).
    """

    model: RegionModel

    def __init__(
        self,
        model: RegionModel,
        serial: int,
        district: int,
        column: int,
        skill: float,
        savings: float,
        taste: np.ndarray,
        draws: np.random.Generator,
    ) -> None:
        """Create a nascent entrepreneur; nothing is withdrawn from the pool yet."""
        super().__init__(model)
        self.serial = serial
        self.district = district
        self.column = column
        self.skill = skill
        self.savings = savings
        self.taste = taste
        self.draws = draws
        self.target = -1  # industry index chosen by search()
        self.value = -np.inf  # its expected value
        self.granted = 0.0  # grant received
        self.grant = 0.0  # grant money not yet spent
        self.quarters_left = 0
        self.outcome: str | None = None  # "succeeded" or "failed" once resolved
        self.ran_out = False
        self.discovery = False
        self.firm: Firm | None = None

    @property
    def outlook(self) -> Outlook:
        """This quarter's view of the region, shared by all entrepreneurs."""
        return self.model.entrepreneurship.outlook

    @property
    def is_entrant(self) -> bool:
        """True for a new labour-force entrant (no last industry)."""
        return self.column >= self.model.space.size

    # ------------------------------------------------------------------ what they know

    def capability_fit(self) -> np.ndarray:
        """K, fit of their capabilities with each industry (0..1)."""
        if self.is_entrant:
            return self.outlook.entrant_fit
        return self.skill * self.model.space.relatedness[self.column]

    def profile(self) -> np.ndarray:
        """C, their proficiency in each capability."""
        if self.is_entrant:
            return self.outlook.taught
        return self.skill * self.model.space.requires[self.column]

    def values(self) -> np.ndarray:
        """K, expected value of starting in each industry (-inf where not possible)."""
        o, p = self.outlook, self.model.params.entrepreneurs
        v = (
            p.weight_fit * self.capability_fit()
            + p.weight_growth * o.growth
            + p.weight_profit * o.margin
            - p.weight_risk * o.risk * (1.0 - o.coverage)
            - p.reservation
            + p.search_noise * self.taste
        )
        return np.where(o.candidates, v, -np.inf)

    # ------------------------------------------------------------------ behaviours

    def search(self) -> bool:
        """Choose the best industry; return True if it is worth starting (value >= 0)."""
        v = self.values()
        self.target = int(np.argmax(v))
        self.value = float(v[self.target])
        return self.value >= 0.0

    def fund(self) -> bool:
        """Apply for a grant for the target; return True if the experiment can start."""
        total = self.expected_cost()
        share = self.model.params.policy.grant_share
        self.granted = max(float(self.model.policy.take_grant(self.target, share * total)), 0.0)
        self.grant = self.granted
        need = self.model.params.entrepreneurs.affordability * total
        return self.granted > 0.0 or self.savings + self.granted >= need

    def start(self) -> None:
        """Leave the labour pool and begin the experiment."""
        self.skill = self.model.labour.withdraw(self.district, self.column, 1.0)
        self.quarters_left = self.model.params.entrepreneurs.experiment_quarters

    def experiment(self, u: float) -> bool:
        """Run one quarter of the experiment; return False if the money ran out.

        Args:
            u: uniform draw setting this quarter's actual cost.
        """
        spread = self.model.params.entrepreneurs.cost_spread
        cost = self.outlook.cost[self.target] * (1.0 + spread * (2.0 * u - 1.0))
        from_grant = min(self.grant, cost)
        self.grant -= from_grant
        rest = cost - from_grant
        if rest > self.savings:
            self.savings = 0.0
            self.ran_out = True
            return False
        self.savings -= rest
        self.quarters_left -= 1
        return True

    def resolve(self, u: float, rng: np.random.Generator) -> bool:
        """End the experiment: found a firm with the success probability, or fail.

        Args:
            u: uniform draw deciding success.
            rng: the entrepreneur's own generator (places the firm).
        """
        if u < self.success_probability():
            self.found_firm(rng)
            return True
        self.give_up()
        return False

    def step(self, u_cost: float, u_success: float, rng: np.random.Generator) -> None:
        """One quarter: pay for the experiment, then resolve it if it is over."""
        if not self.experiment(u_cost):
            self.give_up()
        elif self.quarters_left <= 0:
            self.resolve(u_success, rng)

    # ------------------------------------------------------------------ outcomes

    def expected_cost(self) -> float:
        """Expected cost of the whole experiment in the target industry."""
        quarters = self.model.params.entrepreneurs.experiment_quarters
        return float(self.outlook.cost[self.target]) * quarters

    def support(self) -> float:
        """Grant coverage of the expected cost plus institutional support, at most 1."""
        total = max(self.expected_cost(), 1e-12)
        cut = float(self.outlook.risk_cut[self.target])
        return float(min(self.granted / total + cut, 1.0))

    def success_probability(self) -> float:
        """Probability that the experiment in the target industry succeeds."""
        o, k = self.outlook, self.target
        return success_probability(
            self.model.params.entrepreneurs,
            fit=float(self.capability_fit()[k]),
            pool_fit=float(o.pool_fit[self.district, k]),
            support=self.support(),
            growth=float(o.growth[k]),
            complexity=float(o.complexity[k]),
            risk=float(o.risk[k]),
        )

    def found_firm(self, rng: np.random.Generator) -> Firm:
        """Create the new firm; the entrepreneur becomes its first worker."""
        m, k = self.model, self.target
        sp, p = m.space, m.params.entrepreneurs
        fit = float(self.capability_fit()[k])
        proficiency = np.where(
            sp.requires[k] > 0, np.maximum(self.profile(), p.experiment_learning), self.profile()
        )
        cx, cy = m.district_xy[self.district]
        spread = m.params.firms.cluster_spread
        near = (
            int(round(cx + spread * rng.standard_normal())),
            int(round(cy + spread * rng.standard_normal())),
        )
        self.firm = m.create_firm(
            industry=k,
            near=near,
            employment=1.0,
            productivity=float(self.outlook.frontier[k])
            * (p.productivity_floor + (1.0 - p.productivity_floor) * fit),
            proficiency=proficiency,
            equity=self.savings + self.grant,
            origin="startup",
            rng=rng,
        )
        found = m.ledger.entries.get(sp.keys[k])
        self.discovery = found is not None and found.founder == int(self.firm.uid)
        if self.discovery:
            m.ledger.set_funding(sp.keys[k], "grant" if self.granted > 0 else "savings")
        self.outcome = "succeeded"
        self.remove()
        return self.firm

    def give_up(self) -> None:
        """The experiment failed: back to the pool group they came from, with their skill."""
        self.model.labour.deposit(self.district, self.column, 1.0, self.skill)
        self.outcome = "failed"
        self.remove()
