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
national_co_funding)``, split by ``allocation``; the quarter's ``spending`` record (one
entry per instrument, ``model.quarter.QuarterFlows.spending``) gets what was actually used:

* ``targeted_support``: subsidy rates (per unit of value added) for firms of supported
  industries, ``rate = min(subsidy_rate_cap, money / value added)`` within two groups:
  firms above and below the median productivity (relative to their industry frontier).
  The above-median group gets its value-added share of the money plus
  ``screening_quality`` times the rest. ``firm_dynamics.produce`` pays the claims
  through ``pay_subsidies``, which scales them down to the envelope if value added grew;
* ``experimentation``: ``grant_pool`` for this quarter, drawn by ``take_grant``
  (recorded as granted), first come first served among the applications the development
  agencies approve (``InstitutionSystem.approve_grant``);
* ``institution_strengthening``: ``InstitutionSystem.strengthen``;
* ``cluster_promotion``: ``InstitutionSystem.fund_association(targets)``;
* ``value_chain_promotion``: ``model.value_chains.promote`` (supplier development raises
  the share of inputs bought in the region);
* ``foresight``: ``InstitutionSystem.fund_foresight`` (earlier visibility of emerging
  industries, institutions lean toward their needs).

Unallocated shares of the budget are not spent. The enabling environment is applied in
``firm_dynamics.produce`` through ``national.enabling_environment``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from model import targeting
from model.metrics import rca_against
from model.quarter import INSTRUMENTS
from model.value_chains import SupplierRelations, promote

if TYPE_CHECKING:
    from model.firm_table import FirmTable
    from model.industries import IndustrySpace
    from model.market import Market
    from model.services import InstitutionSystem
    from scenarios.schema import NationalParams, PolicyParams

__all__ = ["INSTRUMENTS", "PolicyMaker"]


class PolicyMaker:
    """The region's policy maker.

    Args:
        params: the scenario's policy parameters.
        national: the national framework (co-funding).
        space: the industry space.
        institutions: the institutions it funds and whose agencies screen for it.
        market: the market (value-chain promotion changes its local sourcing).
        record: writes a line to the model's event log.
        firms: the firms at the start (the first review measures progress against them).
        relations: the region's supplier relations (promotion builds on them), or None.
    """

    def __init__(
        self,
        params: PolicyParams,
        national: NationalParams,
        space: IndustrySpace,
        institutions: InstitutionSystem,
        market: Market,
        record: Callable[[str], None],
        firms: FirmTable,
        relations: SupplierRelations | None = None,
    ) -> None:
        self.params = params
        self.relations = relations
        self.space = space
        self.institutions = institutions
        self.market = market
        self.record = record
        self.budget = float(params.budget)
        self.national_co_funding = float(national.co_funding)
        self.targets: list[int] = []
        self.supported: list[int] = []
        self.grant_pool = 0.0
        self.subsidy_money = 0.0
        self.granted = np.zeros(space.size)  # grants paid by industry, cumulative
        self.refused = 0  # grant applications refused by screening, cumulative
        self.dropped: list[int] = []
        self.spending: dict[str, float] = dict.fromkeys(INSTRUMENTS, 0.0)
        self._last_review = 0
        self._baseline = self._progress_state(firms)

    @property
    def money(self) -> float:
        """Money to spend this quarter: the regional budget plus national co-funding."""
        return self.budget * (1.0 + self.national_co_funding)

    # ------------------------------------------------------------------ review

    def review(self, quarter: int, firms: FirmTable) -> None:
        """At review dates, recompute the targeted industries with the strategy."""
        p = self.params
        if (quarter - 1) % p.review_interval != 0:
            return
        previous = list(self.targets)
        sp = self.space
        eligible = targeting.eligible_industries(sp.lifecycle_demand(quarter), sp.local_services)
        if p.targeting == "none":
            self.targets = []
        elif p.targeting == "top_down":
            ranked = targeting.top_down(p.priority_industries, sp.keys)
            self.targets = [k for k in ranked if eligible[k]]
        elif p.targeting == "bottom_up":
            self.targets = self._ranking(p.variant, eligible, quarter, firms)[: p.targets]
        else:
            self._review_portfolio(eligible, quarter, firms)
        if p.targeting != "adaptive":
            self.supported = list(self.targets)
        self._last_review, self._baseline = quarter, self._progress_state(firms)
        if self.targets != previous:
            names = ", ".join(sp.names[k] for k in self.targets) or "no industry"
            self.record(f"policy review: now targeting {names}")

    def _ranking(
        self, variant: str, eligible: np.ndarray, quarter: int, firms: FirmTable
    ) -> list[int]:
        sp = self.space
        emp = firms.by_industry(firms.employment, sp.size)
        presence = rca_against(emp, sp.national_share) >= 1.0
        density = targeting.opportunity(presence, sp.relatedness)
        gain = targeting.complexity_gain(sp.complexity, emp)
        growth = sp.demand_growth(quarter)
        return targeting.rank_bottom_up(
            variant, density, gain, growth, eligible, self.params.growth_weight
        )

    def _progress_state(self, firms: FirmTable) -> tuple[np.ndarray, np.ndarray]:
        k = self.space.size
        return firms.by_industry(firms.employment, k), np.bincount(firms.industry, minlength=k)

    def progressed(self, firms: FirmTable) -> np.ndarray:
        """K bool: employment or firm count grew since the last review, or a firm was born."""
        emp, n = self._progress_state(firms)
        emp0, n0 = self._baseline
        new = firms.industry[firms.born >= self._last_review]
        born = np.bincount(new, minlength=len(emp)) > 0
        return (emp > emp0 + 1e-9) | (n > n0) | born

    def _review_portfolio(self, eligible: np.ndarray, quarter: int, firms: FirmTable) -> None:
        ranking = self._ranking("balanced_portfolio", eligible, quarter, firms)
        previous = self.targets
        self.targets, self.dropped = targeting.adaptive_portfolio(
            previous, self.progressed(firms), ranking, self.params.adaptive_breadth
        )
        self.supported = [k for k in previous if k not in self.dropped]
        if self.dropped:
            names = ", ".join(self.space.names[k] for k in self.dropped)
            self.record(f"adaptive policy stops {names}")

    # ------------------------------------------------------------------ spending

    def spend(self, firms: FirmTable, spending: dict[str, float], home: str) -> None:
        """Split this quarter's money over the instruments and record what is used.

        Args:
            firms: the firm table (subsidy rates are set on it).
            spending: this quarter's spending record, filled in per instrument.
            home: the district where a new business association would be founded.
        """
        a, inst = self.params.allocation, self.institutions
        inst.begin_quarter()
        money = self.money
        self.spending = spending
        self._subsidise(firms, money * a.targeted_support)
        self.grant_pool = money * a.experimentation
        spending["institution_strengthening"] = inst.strengthen(money * a.institution_strengthening)
        fallback = self._largest_export_industry(firms)
        spending["cluster_promotion"] = inst.fund_association(
            self.targets, money * a.cluster_promotion, fallback, home
        )
        spending["value_chain_promotion"] = promote(
            self.market, money * a.value_chain_promotion, self.params, inst.cooperation,
            self.relations,
        )  # fmt: skip
        spending["foresight"] = inst.fund_foresight(money * a.foresight)

    def _largest_export_industry(self, firms: FirmTable) -> int:
        emp = firms.by_industry(firms.employment, self.space.size)
        emp[self.space.local_services] = -1.0
        return int(np.argmax(emp))

    def _subsidise(self, firms: FirmTable, money: float) -> None:
        f = firms
        f.subsidy[:] = 0.0
        self.subsidy_money = 0.0
        rows = np.flatnonzero(np.isin(f.industry, self.supported))
        if money <= 0 or len(rows) == 0:
            return
        va = np.maximum(f.value_added[rows], 0.0)
        if va.sum() <= 0:  # before the first quarter's production
            va = f.employment[rows] * f.productivity[rows]
        rel = f.productivity[rows] / self.space.productivity[f.industry[rows]]
        high = rel > np.median(rel)
        va_high, va_low = va[high].sum(), va[~high].sum()
        share_high = va_high / (va_high + va_low)
        if va_high > 0:
            screening = self.institutions.screening_quality(f, rows, self.params.review_interval)
            share_high += screening * (1.0 - share_high)
        cap = self.params.subsidy_rate_cap
        rate_high = min(cap, money * share_high / va_high) if va_high > 0 else 0.0
        rate_low = min(cap, money * (1.0 - share_high) / va_low) if va_low > 0 else 0.0
        f.subsidy[rows] = np.where(high, rate_high, rate_low)
        self.subsidy_money = money

    def pay_subsidies(self, claims: np.ndarray) -> np.ndarray:
        """Pay firms' subsidy claims (rate x value added), within this quarter's envelope.

        Called when the firms produce; records the payments as this quarter's
        ``targeted_support`` spending.

        Args:
            claims: subsidy claimed by each firm this quarter.

        Returns:
            What each firm is paid: the claims, scaled down if they exceed the envelope.
        """
        total = float(claims.sum())
        if total > self.subsidy_money:
            claims = claims * (self.subsidy_money / total)
        self.spending["targeted_support"] = float(claims.sum())
        return claims

    # ------------------------------------------------------------------ grants

    def grant_eligible(self) -> np.ndarray:
        """K bool: industries whose experiments may receive a grant this quarter."""
        k = self.space.size
        if self.params.targeting == "none":
            return np.full(k, self.params.allocation.experimentation > 0)
        ok = np.zeros(k, dtype=bool)
        ok[self.targets] = True
        return ok

    def take_grant(
        self, industry: int, amount: float, fit: float | None = None, district: int = 0
    ) -> float:
        """Grant up to ``amount`` for an experiment in ``industry`` from this quarter's pool.

        An application that names the applicant's capability ``fit`` is screened by the
        development agencies (``InstitutionSystem.approve_grant``): a skilled agency
        refuses poorly fitting applicants, which keeps the pool for better ones.

        Args:
            industry: the experiment's industry.
            amount: the grant asked for.
            fit: the applicant's capability fit for the industry (0..1); None: unscreened.
            district: the applicant's district.

        Returns:
            The money granted: 0 if the industry is not eligible, the pool is empty or the
            application is refused.
        """
        if amount <= 0 or self.grant_pool <= 0 or not self.grant_eligible()[industry]:
            return 0.0
        if fit is not None and not self.institutions.approve_grant(industry, fit, district):
            self.refused += 1
            return 0.0
        granted = min(float(amount), self.grant_pool)
        self.grant_pool -= granted
        self.granted[industry] += granted
        self.spending["experimentation"] += granted
        return granted

    # ------------------------------------------------------------------ events

    def cut_budget(self, fraction: float) -> None:
        """Cut the regional budget by ``fraction`` (0..1), from the next spending on."""
        self.budget *= 1.0 - fraction

    def set_national(self, on: bool, co_funding: float) -> None:
        """Switch national co-funding on (at ``co_funding`` per regional unit) or off."""
        self.national_co_funding = float(co_funding) if on else 0.0
