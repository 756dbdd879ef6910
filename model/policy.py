"""The regional policy maker: targeting and spending (DESIGN §2.6).

**Review** (``review()``, first in every step; acts at steps 1, 1 + review_interval, ...):
recompute ``targets`` with the strategy (functions in ``model.targeting``):

* ``none``: no targets;
* ``top_down``: the national priority industries that exist now, in their order;
* ``bottom_up``: the best ``policy.targets`` industries of the ``variant`` ranking, over
  relatedness density to the region's industries with RCA >= 1 against national shares,
  complexity gain and expected demand growth (``space.demand_growth``);
* ``adaptive``: a portfolio of ``adaptive_breadth`` industries, first by the balanced
  score; at each later review it keeps those whose employment or firm count grew since
  the last review or that saw a new firm (a success), drops the others and refills.

Targeted support goes to ``supported``: the targets, except under ``adaptive`` where
only the industries kept at the last review (they progressed while in the portfolio:
what works) are subsidised, while experiment grants are open to the whole portfolio.

**Spending** (``spend()``, second in every step): money = ``budget * (1 +
national_co_funding)``, split by ``allocation``; ``model.policy_spending[instrument]``
records what was actually used this quarter, for every instrument:

* ``targeted_support``: subsidy rates (per unit of value added) for firms of supported
  industries, ``rate = min(subsidy_rate_cap, money / value added)`` within two groups:
  firms above and below the median productivity (relative to their industry frontier).
  The above-median group gets its value-added share of the money plus
  ``screening_quality`` times the rest. ``firm_dynamics.produce`` pays the claims
  through ``pay_subsidies``, which scales them down to the envelope if value added grew;
* ``experimentation``: ``grant_pool`` for this quarter, drawn by ``take_grant``
  (recorded as granted);
* ``institution_strengthening``: ``InstitutionSystem.strengthen``;
* ``cluster_promotion``: ``InstitutionSystem.fund_association(targets)``;
* ``value_chain_promotion``: with effort ``e = m / I``, ``I`` the region's input
  purchases last quarter (sum of input shares x gross output),
  ``local_sourcing += (sourcing_ceiling - local_sourcing) * sourcing_rate * e / (e +
  sourcing_half_effort)``: diminishing returns in money (at most ``sourcing_rate`` of the
  gap per quarter) and as the gap to the ceiling closes; never beyond the ceiling (a
  region already at or above it is left alone and the money is not used). Calibrated so
  that 20 % of a budget of 30 raises the heartland's sourcing by about 0.1 in ten years;
  the same money moves a smaller economy faster;
* ``foresight``: ``InstitutionSystem.fund_foresight`` (earlier visibility of emerging
  industries, institutions lean toward their needs).

Unallocated shares of the budget are not spent. The enabling environment is applied in
``firm_dynamics.produce`` through ``national.enabling_environment``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model import targeting
from model.metrics import rca_against

if TYPE_CHECKING:
    from model.region_model import RegionModel

INSTRUMENTS = (
    "targeted_support",
    "experimentation",
    "institution_strengthening",
    "cluster_promotion",
    "value_chain_promotion",
    "foresight",
)


class PolicyMaker:
    """The region's policy maker.

    Args:
        model: the region model (institutions, market and firms must exist).
    """

    def __init__(self, model: RegionModel) -> None:
        self.model = model
        self.params = model.params.policy
        self.budget = float(self.params.budget)
        self.national_co_funding = float(model.params.national.co_funding)
        self.targets: list[int] = []
        self.supported: list[int] = []
        self.grant_pool = 0.0
        self.subsidy_money = 0.0
        self.granted = np.zeros(model.space.size)  # grants paid by industry, cumulative
        self.dropped: list[int] = []
        self._last_review = 0
        self._baseline = self._progress_state()
        for name in INSTRUMENTS:
            model.policy_spending[name] = 0.0

    @property
    def money(self) -> float:
        """Money to spend this quarter: the regional budget plus national co-funding."""
        return self.budget * (1.0 + self.national_co_funding)

    # ------------------------------------------------------------------ review

    def review(self) -> None:
        """At review dates, recompute the targeted industries with the strategy."""
        m, p = self.model, self.params
        if (m.steps - 1) % p.review_interval != 0:
            return
        previous = list(self.targets)
        eligible = targeting.eligible_industries(
            m.space.lifecycle_demand(m.steps), m.space.local_services
        )
        if p.targeting == "none":
            self.targets = []
        elif p.targeting == "top_down":
            ranked = targeting.top_down(p.priority_industries, m.space.keys)
            self.targets = [k for k in ranked if eligible[k]]
        elif p.targeting == "bottom_up":
            self.targets = self._ranking(p.variant, eligible)[: p.targets]
        else:
            self._review_portfolio(eligible)
        if p.targeting != "adaptive":
            self.supported = list(self.targets)
        self._last_review, self._baseline = m.steps, self._progress_state()
        if self.targets != previous:
            names = ", ".join(m.space.names[k] for k in self.targets) or "no industry"
            m.record(f"policy review: now targeting {names}")

    def _ranking(self, variant: str, eligible: np.ndarray) -> list[int]:
        m, sp = self.model, self.model.space
        emp = m.employment_by_industry()
        presence = rca_against(emp, sp.national_share) >= 1.0
        density = targeting.opportunity(presence, sp.relatedness)
        gain = targeting.complexity_gain(sp.complexity, emp)
        growth = sp.demand_growth(m.steps)
        return targeting.rank_bottom_up(variant, density, gain, growth, eligible)

    def _progress_state(self) -> tuple[np.ndarray, np.ndarray]:
        f, k = self.model.firms, self.model.space.size
        return self.model.employment_by_industry(), np.bincount(f.industry, minlength=k)

    def progressed(self) -> np.ndarray:
        """K bool: employment or firm count grew since the last review, or a firm was born."""
        f = self.model.firms
        emp, n = self._progress_state()
        emp0, n0 = self._baseline
        born = np.bincount(f.industry[f.born >= self._last_review], minlength=len(emp)) > 0
        return (emp > emp0 + 1e-9) | (n > n0) | born

    def _review_portfolio(self, eligible: np.ndarray) -> None:
        ranking = self._ranking("balanced_portfolio", eligible)
        previous = self.targets
        self.targets, self.dropped = targeting.adaptive_portfolio(
            previous, self.progressed(), ranking, self.params.adaptive_breadth
        )
        self.supported = [k for k in previous if k not in self.dropped]
        if self.dropped:
            names = ", ".join(self.model.space.names[k] for k in self.dropped)
            self.model.record(f"adaptive policy stops {names}")

    # ------------------------------------------------------------------ spending

    def spend(self) -> None:
        """Split this quarter's money over the instruments and record what is used."""
        m, a = self.model, self.params.allocation
        inst = m.institutions
        inst.begin_quarter()
        money = self.money
        spent = m.policy_spending
        spent["targeted_support"] = 0.0
        self._subsidise(money * a.targeted_support)
        self.grant_pool = money * a.experimentation
        spent["experimentation"] = 0.0
        spent["institution_strengthening"] = inst.strengthen(money * a.institution_strengthening)
        spent["cluster_promotion"] = inst.fund_association(
            self.targets, money * a.cluster_promotion
        )
        spent["value_chain_promotion"] = self._promote_value_chains(money * a.value_chain_promotion)
        spent["foresight"] = inst.fund_foresight(money * a.foresight)

    def _subsidise(self, money: float) -> None:
        m, f = self.model, self.model.firms
        f.subsidy[:] = 0.0
        self.subsidy_money = 0.0
        rows = np.flatnonzero(np.isin(f.industry, self.supported))
        if money <= 0 or len(rows) == 0:
            return
        va = np.maximum(f.value_added[rows], 0.0)
        if va.sum() <= 0:  # before the first quarter's production
            va = f.employment[rows] * f.productivity[rows]
        rel = f.productivity[rows] / m.space.productivity[f.industry[rows]]
        high = rel > np.median(rel)
        va_high, va_low = va[high].sum(), va[~high].sum()
        share_high = va_high / (va_high + va_low)
        if va_high > 0:
            share_high += m.institutions.screening_quality(rows) * (1.0 - share_high)
        cap = self.params.subsidy_rate_cap
        rate_high = min(cap, money * share_high / va_high) if va_high > 0 else 0.0
        rate_low = min(cap, money * (1.0 - share_high) / va_low) if va_low > 0 else 0.0
        f.subsidy[rows] = np.where(high, rate_high, rate_low)
        self.subsidy_money = money

    def pay_subsidies(self, claims: np.ndarray) -> np.ndarray:
        """Pay firms' subsidy claims (rate x value added), within this quarter's envelope.

        Called by ``firm_dynamics.produce``; records the payments as
        ``policy_spending["targeted_support"]``.

        Args:
            claims: subsidy claimed by each firm this quarter.

        Returns:
            What each firm is paid: the claims, scaled down if they exceed the envelope.
        """
        total = float(claims.sum())
        if total > self.subsidy_money:
            claims = claims * (self.subsidy_money / total)
        self.model.policy_spending["targeted_support"] = float(claims.sum())
        return claims

    def _promote_value_chains(self, money: float) -> float:
        market, p = self.model.market, self.params
        inputs = float((market.input_share * market.gross_output).sum())
        gap = p.sourcing_ceiling - market.local_sourcing
        if money <= 0 or inputs <= 0 or gap <= 0:
            return 0.0
        effort = money / inputs
        market.local_sourcing += gap * p.sourcing_rate * effort / (effort + p.sourcing_half_effort)
        return money

    # ------------------------------------------------------------------ grants

    def grant_eligible(self) -> np.ndarray:
        """K bool: industries whose experiments may receive a grant this quarter."""
        k = self.model.space.size
        if self.params.targeting == "none":
            return np.full(k, self.params.allocation.experimentation > 0)
        ok = np.zeros(k, dtype=bool)
        ok[self.targets] = True
        return ok

    def take_grant(self, industry: int, amount: float) -> float:
        """Grant up to ``amount`` for an experiment in ``industry`` from this quarter's pool.

        Returns:
            The money granted: 0 if the industry is not eligible or the pool is empty.
        """
        if amount <= 0 or self.grant_pool <= 0 or not self.grant_eligible()[industry]:
            return 0.0
        granted = min(float(amount), self.grant_pool)
        self.grant_pool -= granted
        self.granted[industry] += granted
        self.model.policy_spending["experimentation"] += granted
        return granted

    # ------------------------------------------------------------------ events

    def cut_budget(self, fraction: float) -> None:
        """Cut the regional budget by ``fraction`` (0..1), from the next spending on."""
        self.budget *= 1.0 - fraction

    def set_national(self, on: bool, co_funding: float) -> None:
        """Switch national co-funding on (at ``co_funding`` per regional unit) or off."""
        self.national_co_funding = float(co_funding) if on else 0.0
