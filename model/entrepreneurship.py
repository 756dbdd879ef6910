"""Nascent entrepreneurs and their experiments, for the whole region (DESIGN §2.4).

Once per quarter, after the institutions have served their clients:

1. **Outlook.** What entrepreneurs see is computed once for all of them (``Outlook``):
   the candidate industries (visible — present in the region or made visible by
   institutions — and in existence in the quarter an experiment started now is resolved,
   ``t + experiment_quarters - 1``, which is when its firm would be founded), expected demand
   growth, the region's profit margin per industry, the perceived pioneer risk, the
   experiment cost, complexity, and each district's labour-pool fit.
2. **Experiments under way** run one more quarter and are resolved when they end
   (``agents.entrepreneur.Entrepreneur`` holds the behaviour and its coefficients).
3. **Nascent entrepreneurs** appear: a Poisson number with mean::

       base_rate * labour_force * (1 + unemployment_push * u) * entrepreneurial_culture

   each drawn from a pool group (district, industry of last job or new entrant) with
   probability proportional to its unemployed, with savings ~ Exponential(mean
   ``savings``). Each searches, applies for a grant and, if it starts, leaves the pool and
   runs its first quarter (quarters t, ..., t + Q - 1; resolved in t + Q - 1).

Perceived pioneer risk of industry ``k``: 0 where a firm of the region is in ``k``;
otherwise ``pioneer_risk``, times ``1 - discovery_spillover`` if the region has ever had
a firm in ``k`` (a discovery, or an industry present at the start that died out), times
``1 - entry_risk_cut_k`` (business associations, ``model.institutions``).

Expected grant coverage ``gamma_k``: the share of the expected experiment cost that grants
paid to those who applied in ``k``, smoothed over quarters (weight ``grant_memory`` on the
latest quarter's mean); industries nobody has applied in yet get the mean over all
applications. Entrepreneurs so learn where an experimentation fund pays, and a targeted
fund steers them toward its targets.

Labour conservation: an entrepreneur is withdrawn from the pool when the experiment
starts and counts as employed (``active``) until it ends: then they become the first
worker of the new firm, or return to their pool group. So firm employment + ``active`` +
unemployed = labour force.

Randomness (common random numbers). Stream ``entrepreneurs``, keyed as follows:

* ``streams.get("entrepreneurs", t)``: only the count N of nascent entrepreneurs.
* ``streams.get("entrepreneurs", t + SERIAL_STEP_OFFSET, i)`` for slot ``i = 0..N-1``: the
  own generator of the i-th nascent entrepreneur of quarter t, and of all its draws, in
  this order: the pool group (one uniform, inverted on the cumulative group weights),
  savings, K tastes; then two uniforms (cost, success) in every quarter of the
  experiment; then the placement of its firm (``create_firm``'s draws).

Step keys below ``SERIAL_STEP_OFFSET = 2**20`` are quarters, keys from it on are
per-entrepreneur streams (with a slot key), so the two never overlap. A slot's draws depend
only on (seed, t, i), never on N or on who else is drawn: when a policy changes N, the
entrepreneurs both runs share keep their savings, tastes and experiment draws (paired
comparisons stay aligned). An entrepreneur's ``serial`` is ``t * MAX_SLOTS + i``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.entrepreneur import Entrepreneur

if TYPE_CHECKING:
    from model.quarter import QuarterFlows
    from model.region_model import RegionModel

SERIAL_STEP_OFFSET = 1 << 20  # per-entrepreneur streams: step key start step + this, key slot
MAX_SLOTS = 100_000  # at most this many nascent entrepreneurs a quarter (serial encoding)


def empty_stats() -> dict[str, int]:
    """Counters of one step: experiments started, succeeded, failed; start-up discoveries.

    ``discoveries`` counts only successful experiments whose firm is the region's first in
    its industry; the model's ``discoveries`` indicator (``ledger.discoveries``) also
    counts discoveries by spin-offs.
    """
    return {"started": 0, "succeeded": 0, "failed": 0, "discoveries": 0}


def entrepreneur_serial(step: int, slot: int) -> int:
    """Serial number of the nascent entrepreneur drawn in ``slot`` of quarter ``step``."""
    return int(step) * MAX_SLOTS + int(slot)


@dataclass
class Outlook:
    """What entrepreneurs see this quarter (K = industries, C = capabilities, D = districts)."""

    candidates: np.ndarray  # K bool: visible and existing when an experiment is resolved
    growth: np.ndarray  # K, expected relative demand growth, clipped to [-1, 1]
    margin: np.ndarray  # K, mean profit / value added of the region's firms (0: none)
    risk: np.ndarray  # K, perceived pioneer risk
    risk_cut: np.ndarray  # K, institutions' entry-risk cut (0..1)
    complexity: np.ndarray  # K, complexity / highest complexity
    cost: np.ndarray  # K, expected experiment cost per quarter
    frontier: np.ndarray  # K, frontier productivity now
    pool_fit: np.ndarray  # D x K, relatedness of each district's workers to each industry
    entrant_fit: np.ndarray  # K, fit of new entrants' taught skills
    taught: np.ndarray  # C, new entrants' capability profile
    coverage: np.ndarray  # K, expected share of the experiment cost paid by a grant


class Entrepreneurship:
    """All nascent entrepreneurs of the region and their experiments.

    Attributes:
        entrepreneurs: those currently experimenting, in order of serial number.
        step_stats: this step's counts (``empty_stats`` keys; ``discoveries`` are those
            by start-ups only).
        totals: the same counts since the start.
        started_by_industry: K, experiments started in each industry since the start.
        succeeded_by_industry: K, successful experiments in each industry.
    """

    def __init__(self, model: RegionModel) -> None:
        """Create the (empty) population of entrepreneurs of ``model``."""
        self.model = model
        k = model.space.size
        self.entrepreneurs: list[Entrepreneur] = []
        self.step_stats = empty_stats()
        self.totals = empty_stats()
        self.started_by_industry = np.zeros(k, dtype=np.int64)
        self.succeeded_by_industry = np.zeros(k, dtype=np.int64)
        self.nascent = 0  # nascent entrepreneurs this step (started or not)
        self.slots = 0  # slots drawn this step (N; some may be skipped, see draw_nascent)
        self.coverage = np.zeros(k)  # smoothed grant coverage by industry applied in
        self.coverage_all = 0.0  # smoothed grant coverage over all applications
        self.applied = np.zeros(k, dtype=bool)  # industries somebody has applied in
        self.outlook = self.compute_outlook()

    @property
    def active(self) -> int:
        """Entrepreneurs currently experimenting (counted as employed)."""
        return len(self.entrepreneurs)

    # ------------------------------------------------------------------ one quarter

    def step(self, flows: QuarterFlows) -> None:
        """One quarter: ongoing experiments advance, nascent entrepreneurs appear.

        Args:
            flows: this quarter's flows (experiments started, succeeded, failed).
        """
        m = self.model
        self.step_stats = empty_stats()
        self.outlook = self.compute_outlook()
        rng = m.streams.get("entrepreneurs", m.quarter)
        nascent = self.draw_nascent(rng)
        ongoing = list(self.entrepreneurs)
        self.entrepreneurs = []
        applications: list[tuple[int, float]] = []
        for e in nascent:
            if e.search() and e.fund():
                e.start()
                self.step_stats["started"] += 1
                self.started_by_industry[e.target] += 1
                ongoing.append(e)
            else:
                e.remove()
            if e.value >= 0.0:  # searched with success, so applied for a grant
                applications.append((e.target, e.granted / max(e.expected_cost(), 1e-12)))
        self.learn_coverage(applications)
        for e in ongoing:
            u_cost, u_success = e.draws.random(2)  # drawn every quarter, used or not
            e.step(float(u_cost), float(u_success), e.draws)
            self.tally(e)
        for key, value in self.step_stats.items():
            self.totals[key] += value
        flows.experiments_started += self.step_stats["started"]
        flows.experiments_succeeded += self.step_stats["succeeded"]
        flows.experiments_failed += self.step_stats["failed"]
        flows.startup_discoveries += self.step_stats["discoveries"]

    def tally(self, e: Entrepreneur) -> None:
        """Count an entrepreneur's quarter; keep them if still experimenting."""
        if e.outcome is None:
            self.entrepreneurs.append(e)
            return
        self.step_stats[e.outcome] += 1
        if e.outcome == "succeeded":
            self.succeeded_by_industry[e.target] += 1
            self.outlook.risk[e.target] = 0.0  # the industry is now present
            self.step_stats["discoveries"] += int(e.discovery)

    def learn_coverage(self, applications: list[tuple[int, float]]) -> None:
        """Update the expected grant coverage from this quarter's grant applications.

        Args:
            applications: (industry, granted / expected cost) of each applicant.
        """
        if not applications:
            return
        ks = np.array([k for k, _ in applications])
        cov = np.array([c for _, c in applications])
        n = np.bincount(ks, minlength=len(self.coverage))
        mean = np.bincount(ks, weights=cov, minlength=len(self.coverage)) / np.maximum(n, 1)
        seen = n > 0
        first = seen & ~self.applied
        self.coverage = np.where(first, mean, self.coverage)
        update = seen & ~first
        memory = self.model.params.entrepreneurs.grant_memory
        self.coverage[update] += memory * (mean[update] - self.coverage[update])
        self.applied |= seen
        self.coverage_all += memory * (float(cov.mean()) - self.coverage_all)

    # ------------------------------------------------------------------ nascent

    def expected_nascent(self) -> float:
        """Mean number of nascent entrepreneurs this quarter."""
        m = self.model
        p = m.params.entrepreneurs
        lf = float(m.labour.labour_force.sum())
        push = 1.0 + p.unemployment_push * m.labour.unemployment_rate
        return p.base_rate * lf * push * m.culture.entrepreneurial_culture

    def draw_nascent(self, rng: np.random.Generator) -> list[Entrepreneur]:
        """Draw this quarter's nascent entrepreneurs from the unemployed pool.

        Args:
            rng: the quarter's ``entrepreneurs`` stream; it draws only their number N.
                Everything about the entrepreneur in slot i comes from its own stream
                (see the module docstring), so it does not depend on N.
        """
        m = self.model
        t = m.quarter
        pool = m.labour.unemployed
        n = min(int(rng.poisson(self.expected_nascent())), MAX_SLOTS)
        self.nascent = 0
        self.slots = n
        min_group = m.params.entrepreneurs.min_group
        weights = np.where(pool >= min_group, pool, 0.0).ravel()
        if n == 0 or weights.sum() <= 0:
            return []
        cumulative = np.cumsum(weights)
        cumulative /= cumulative[-1]
        kept = np.zeros(weights.size)  # entrepreneurs kept from each group so far
        mean_savings = m.params.entrepreneurs.savings
        out = []
        for slot in range(n):
            draws = m.streams.get("entrepreneurs", t + SERIAL_STEP_OFFSET, slot)
            g = min(
                int(np.searchsorted(cumulative, draws.random(), side="right")), weights.size - 1
            )
            savings = float(draws.exponential(mean_savings))
            taste = draws.standard_normal(m.space.size)
            d, col = divmod(g, pool.shape[1])
            if pool[d, col] - kept[g] < min_group:
                continue
            kept[g] += 1
            skill = float(m.labour.skill[d, col])
            serial = entrepreneur_serial(t, slot)
            out.append(Entrepreneur(m, serial, d, col, skill, savings, taste, draws))
        self.nascent = len(out)
        return out

    # ------------------------------------------------------------------ the outlook

    def compute_outlook(self) -> Outlook:
        """What entrepreneurs see this quarter (see the module docstring)."""
        m = self.model
        sp, f, p = m.space, m.firms, m.params.entrepreneurs
        t = m.quarter
        present = m.present()
        visible = present | m.institutions.visible_industries(t, present)
        # an experiment started now is resolved, and its firm founded, in t + Q - 1
        exists_later = sp.lifecycle_demand(t + p.experiment_quarters - 1) > 0
        growth = np.clip(sp.demand_growth(t, p.growth_horizon), -1.0, 1.0)
        ratio = np.where(f.value_added > 0, f.profit / np.maximum(f.value_added, 1e-12), 0.0)
        counted = (f.value_added > 0).astype(float)
        n_k = f.by_industry(counted, sp.size)
        margin = np.where(
            n_k > 0,
            f.by_industry(np.clip(ratio, -1.0, 1.0) * counted, sp.size) / np.maximum(n_k, 1),
            0.0,
        )
        cut = np.clip(np.asarray(m.institutions.entry_risk_cut(), dtype=float), 0.0, 1.0)
        complexity = sp.complexity / max(float(sp.complexity.max()), 1.0)
        return Outlook(
            candidates=visible & exists_later,
            growth=growth,
            margin=margin,
            risk=self.pioneer_risk(present, cut),
            risk_cut=cut,
            complexity=complexity,
            cost=p.experiment_cost * (1.0 + p.complexity_cost * complexity),
            frontier=m.market.frontier(t),
            pool_fit=self.pool_fit(),
            entrant_fit=m.institutions.entrant_fit(),
            taught=np.asarray(m.institutions.taught_profile(), dtype=float),
            coverage=np.where(self.applied, self.coverage, self.coverage_all),
        )

    def pioneer_risk(self, present: np.ndarray, cut: np.ndarray) -> np.ndarray:
        """K, perceived pioneer risk: none where present, less once the region knows it."""
        m = self.model
        p = m.params.entrepreneurs
        known = m.ledger.is_known(m.space.keys)
        risk = p.pioneer_risk * np.where(known, 1.0 - p.discovery_spillover, 1.0)
        return np.where(present, 0.0, risk * (1.0 - cut))

    def pool_fit(self) -> np.ndarray:
        """D x K, relatedness-weighted share of each district's workers related to each industry.

        Employed and unemployed workers count with the relatedness of their (last)
        industry to the target; new entrants with the fit of what they were taught.
        """
        m = self.model
        f, sp, pool = m.firms, m.space, m.labour
        k = sp.size
        workers = f.by_district_industry(f.employment, m.n_districts, k) + pool.unemployed[:, :k]
        related = (
            workers @ sp.relatedness
            + pool.unemployed[:, k:].sum(axis=1)[:, None] * m.institutions.entrant_fit()[None, :]
        )
        total = workers.sum(axis=1) + pool.unemployed[:, k:].sum(axis=1)
        return related / np.maximum(total, 1e-12)[:, None]
