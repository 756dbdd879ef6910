"""Meso institutions serving the region's firms (DESIGN §2.5).

``InstitutionSystem`` builds one ``agents.institution.Institution`` per institution of the
region profile and runs, once per quarter after learning, ``serve()``:

1. **Requests.** A firm whose weakest required proficiency is below
   ``institutions.request_threshold`` requests a service for that capability
   (``firms.requested``, an argmin over proficiency masked by the industry's
   requirements); the other firms request nothing (``requested = -1``).
2. **Services.** Providers (training institutes, technology centres, universities), in
   the order of the region profile, each serve up to ``capacity`` requesting firms within
   ``radius`` of their district centre that no other provider has served this quarter,
   best focus match (``focus[requested]``) first, ties broken by the ``institutions``
   stream (indexed by firm serial). Business associations then take up to ``capacity``
   members among all firms in reach, best coverage of the member's industry first
   (current members first among equal matches); requesting members whose request no
   provider met pass it on: each association adds ``quality`` x its members' unmet
   requests to the request counts of every provider.
3. **Focus adaptation.** Each institution's focus moves toward the distribution of the
   requests it sees (firms in reach, plus passed-on requests for providers) at rate
   ``min(1, responsiveness * (0.5 + coordination))``. With foresight funding of intensity
   ``phi = money / (money + sum of institution budgets)`` the target is
   ``(1 - phi) * requests + phi * emerging needs``, the latter being the normalised
   requirements of emerging industries (born after the start) not yet in the region and
   within ``foresight_lead`` quarters of birth or later.

Observables: ``service_gap``, the unmet share of requests, ``1 - sum(competence of
services) / requests`` (requesting firms out of reach or not served count as unmet, and a
service counts by the competence it was given with; 0 when no firm requests), and
``focus_mismatch``, the request-weighted mean over institutions of the total variation
distance between focus and the requests in reach (before adaptation).

Other outputs, see each method: ``taught_profile`` (entrants' skills),
``visible_industries`` (what entrepreneurs see), ``entry_risk_cut`` (associations),
``screening_quality`` (development agencies), and the policy entry points ``strengthen``,
``fund_association`` and ``fund_foresight``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.institution import PROVIDERS, TEACHERS, Institution
from scenarios.schema import InstitutionSpec

if TYPE_CHECKING:
    from model.region_model import RegionModel


class InstitutionSystem:
    """All meso institutions of the region and what they do together.

    Args:
        model: the region model (its space, firms, grid and districts must exist).
    """

    def __init__(self, model: RegionModel) -> None:
        self.model = model
        #: capabilities an institution covers fully: the catalogue's mean complexity
        self.breadth = float(model.space.complexity.mean())
        self.institutions: list[Institution] = []
        for spec in model.params.region.institutions:
            self.add(spec)
        self.service_gap = 0.0
        self.focus_mismatch = 0.0
        self.foresight = 0.0  # foresight intensity phi this quarter (0..1)
        self.foresight_money = 0.0

    # ------------------------------------------------------------------ building

    def focus_vector(self, keys: list[str]) -> np.ndarray:
        """A focus distribution from capability or industry keys.

        Each key has weight 1: a capability key on itself, an industry key spread evenly
        over the capabilities the industry requires (a key naming both a capability and an
        industry counts as the capability). The result sums to 1.
        """
        sp = self.model.space
        focus = np.zeros(len(sp.capabilities))
        for key in keys:
            if key in sp.capabilities:
                focus[sp.capabilities.index(key)] += 1.0
            else:
                req = sp.requires[sp.index(key)]
                focus += req / req.sum()
        return focus / focus.sum()

    def add(self, spec: InstitutionSpec) -> Institution:
        """Place a new institution at its district centre."""
        m = self.model
        d = m.district_names.index(spec.district)
        x, y = (int(v) for v in m.district_xy[d])
        inst = Institution(m, m.grid[(x, y)], spec, d, self.focus_vector(spec.focus), self.breadth)
        self.institutions.append(inst)
        return inst

    def of_kind(self, *kinds: str) -> list[Institution]:
        """The institutions of the given types, in profile order."""
        return [i for i in self.institutions if i.kind in kinds]

    # ------------------------------------------------------------------ the quarter

    def begin_quarter(self) -> None:
        """Forget last quarter's policy funding (called by the policy maker before spending)."""
        for inst in self.institutions:
            inst.extra_capacity = 0.0
            inst.funding = 0.0
        self.foresight = 0.0
        self.foresight_money = 0.0

    def serve(self) -> None:
        """Requests, services, pass-on, observables and focus adaptation for this quarter."""
        f, m = self.model.firms, self.model
        n_c = len(m.space.capabilities)
        if len(f) == 0:
            self.service_gap = self.focus_mismatch = 0.0
            return
        self.request()
        asking = f.requested >= 0
        reach = {id(i): i.reach(f.x, f.y) for i in self.institutions}
        tie = m.streams.uniform_by_serial("institutions", m.steps, f.serial)[:, 0]
        met = np.zeros(len(f))
        served = np.zeros(len(f), dtype=bool)
        nobody = np.zeros(len(f), dtype=bool)
        for inst in self.of_kind(*PROVIDERS):
            rows = inst.choose_clients(reach[id(inst)] & ~served, tie, nobody)
            met[rows] = inst.serve_clients(rows)
            served[rows] = True
        passed = self._enrol_members(reach, tie, served)
        counts = {
            id(i): np.bincount(f.requested[reach[id(i)] & asking], minlength=n_c).astype(float)
            for i in self.institutions
        }
        self._observe(counts, met, int(asking.sum()))
        self._adapt(counts, passed)

    def request(self) -> None:
        """Set ``firms.requested``: the weakest required capability if below the threshold.

        Firms whose weakest required proficiency is at least ``request_threshold`` get -1.
        """
        f, m = self.model.firms, self.model
        req = m.space.requires[f.industry] > 0
        masked = np.where(req, f.proficiency, np.inf)
        weakest = masked.argmin(axis=1)
        low = masked[np.arange(len(f)), weakest] < m.params.institutions.request_threshold
        f.requested = np.where(low, weakest, -1)

    def _enrol_members(self, reach: dict, tie: np.ndarray, served: np.ndarray) -> np.ndarray:
        """Associations take members; return the members' unmet requests they pass on (C)."""
        f = self.model.firms
        before = f.member.copy()
        f.member[:] = False
        passed = np.zeros(len(self.model.space.capabilities))
        for inst in self.of_kind("business_association"):
            rows = inst.choose_clients(reach[id(inst)] & ~f.member, tie, before)
            inst.serve_clients(rows)
            unmet = f.requested[rows[~served[rows]]]
            unmet = unmet[unmet >= 0]
            passed += inst.quality * np.bincount(unmet, minlength=len(passed))
        return passed

    def _observe(self, counts: dict, met: np.ndarray, requests: int) -> None:
        self.service_gap = float(1.0 - met.sum() / requests) if requests else 0.0
        weights, distances = [], []
        for inst in self.institutions:
            c = counts[id(inst)]
            if c.sum() > 0:
                weights.append(c.sum())
                distances.append(0.5 * np.abs(inst.focus - c / c.sum()).sum())
        self.focus_mismatch = float(np.average(distances, weights=weights)) if weights else 0.0

    def _adapt(self, counts: dict, passed: np.ndarray) -> None:
        coordination = self.model.culture.coordination
        needs = self.emerging_needs() if self.foresight > 0 else None
        for inst in self.institutions:
            seen = counts[id(inst)] + (passed if inst.kind in PROVIDERS else 0.0)
            parts = []
            if seen.sum() > 0:
                parts.append((1.0 - self.foresight, seen / seen.sum()))
            if needs is not None:
                parts.append((self.foresight, needs))
            weight = sum(w for w, _ in parts)
            if weight <= 0:
                continue
            target = sum(w * v for w, v in parts) / weight
            inst.adapt_focus(target, min(1.0, inst.responsiveness * (0.5 + coordination)))

    # ------------------------------------------------------------------ what others read

    def taught_profile(self) -> np.ndarray:
        """C, what new labour-force entrants are taught (0..1, 1 = fully taught).

        The capacity-weighted mean over training institutes and universities of
        ``quality * competence``; all zeros without teaching capacity.
        """
        teachers = self.of_kind(*TEACHERS)
        weights = np.array([i.capacity for i in teachers])
        if weights.sum() <= 0:
            return np.zeros(len(self.model.space.capabilities))
        taught = sum(w * i.quality * i.competence for w, i in zip(weights, teachers, strict=True))
        return np.clip(taught / weights.sum(), 0.0, 1.0)

    def emerging_needs(self) -> np.ndarray | None:
        """C, normalised requirements of emerging industries foresight can see, or None.

        Emerging: born after the start, not present in the region, and within
        ``foresight_lead`` quarters of birth or older.
        """
        m, sp = self.model, self.model.space
        lead = m.params.institutions.foresight_lead
        emerging = (sp.birth > 0) & (m.steps - sp.birth >= -lead) & ~m.present()
        if not emerging.any():
            return None
        need = (sp.requires[emerging] / sp.complexity[emerging, None]).sum(axis=0)
        return need / need.sum()

    def visible_industries(self) -> np.ndarray:
        """K, industries entrepreneurs can see now.

        Visible: present in the region; or existing from the start (``birth <= 0``); or born
        at least ``visibility_lag`` quarters ago; or, through foresight, an emerging
        industry from ``lead`` quarters before its birth on (only where ``lead`` >= 1), where
        ``lead`` is ``foresight_lead`` while foresight is funded and otherwise
        ``floor(foresight_lead * max over universities of quality * attention)``, attention
        being the share of the university's focus on the industry's capabilities.
        """
        m, sp = self.model, self.model.space
        p = m.params.institutions
        age = m.steps - sp.birth
        visible = m.present() | (sp.birth <= 0) | (age >= p.visibility_lag)
        if self.foresight_money > 0:
            lead = np.full(sp.size, float(p.foresight_lead))
        else:
            lead = np.zeros(sp.size)
            for uni in self.of_kind("university"):
                lead = np.maximum(lead, uni.quality * uni.attention(sp.requires) * p.foresight_lead)
        lead = np.floor(lead)
        # without any lead an emerging industry becomes visible only after visibility_lag
        return visible | ((sp.birth > 0) & (lead > 0) & (age >= -lead))

    def entry_risk_cut(self) -> np.ndarray:
        """K, share of entry risk removed by business associations (0..1).

        ``association_risk_cut * (1 - prod_a (1 - quality_a * coverage_a(k)))``: an
        association of full quality whose focus covers all of an industry's capabilities
        removes ``association_risk_cut`` of the risk; several associations combine.
        """
        sp = self.model.space
        keep = np.ones(sp.size)
        for assoc in self.of_kind("business_association"):
            keep *= 1.0 - assoc.quality * assoc.coverage(sp.requires)
        return self.model.params.institutions.association_risk_cut * (1.0 - keep)

    def screening_quality(self, applicants: np.ndarray | None = None) -> float:
        """Development agencies' skill at telling good applicants from bad (0..1).

        For each applicant the best agency reaching it gives
        ``quality * coverage * (0.5 + 0.5 * know-how)``: ``coverage = min(1, capacity *
        review_interval / applicants in reach)`` (each application is screened once per
        review period), ``know-how`` the share of the applicant's industry's capabilities
        the agency's focus covers. The result is the mean over applicants (0 for none).

        Args:
            applicants: firm rows applying (default: all firms).
        """
        m, f = self.model, self.model.firms
        rows = np.arange(len(f)) if applicants is None else np.asarray(applicants, dtype=int)
        if len(rows) == 0:
            return 0.0
        skill = np.zeros(len(rows))
        interval = m.params.policy.review_interval
        for agency in self.of_kind("development_agency"):
            inside = agency.reach(f.x[rows], f.y[rows])
            if not inside.any():
                continue
            coverage = min(1.0, agency.capacity * interval / inside.sum())
            know = agency.coverage(m.space.requires)[f.industry[rows]]
            skill = np.maximum(skill, inside * agency.quality * coverage * (0.5 + 0.5 * know))
        return float(skill.mean())

    # ------------------------------------------------------------------ policy money

    def strengthen(self, amount: float) -> float:
        """Institution strengthening: split ``amount`` over institutions by running budget.

        Each institution converts its part as in ``Institution.fund`` (half extra capacity
        this quarter at its unit cost ``budget / capacity``, half lasting quality and
        responsiveness at ``strengthening_rate``).

        Returns:
            The money used (0 if no institution has a running budget).
        """
        return self._fund(self.institutions, np.ones(len(self.institutions)), amount)

    def fund_association(self, industries: list[int], amount: float) -> float:
        """Cluster promotion: fund the business associations serving ``industries``.

        Money is split in proportion to budget x how well each association covers
        ``industries`` (by budget alone if none covers them). A region without an
        association gets one in the district with the largest labour force, focused on
        ``industries``.

        Returns:
            The money used.
        """
        if amount <= 0:
            return 0.0
        assocs = self.of_kind("business_association") or [self._new_association(industries)]
        sp = self.model.space
        cover = np.array(
            [a.coverage(sp.requires)[industries].mean() if industries else 1.0 for a in assocs]
        )
        return self._fund(assocs, cover if cover.sum() > 0 else np.ones(len(assocs)), amount)

    def fund_foresight(self, amount: float) -> float:
        """Foresight: earlier visibility of emerging industries and a lean toward their needs.

        While funded, emerging industries are visible ``foresight_lead`` quarters before
        birth, and every focus leans toward emerging needs with intensity
        ``phi = amount / (amount + sum of institution budgets)``.

        Returns:
            The money used.
        """
        if amount <= 0:
            return 0.0
        budgets = sum(i.budget for i in self.institutions)
        self.foresight_money += amount
        self.foresight = self.foresight_money / (self.foresight_money + budgets)
        return float(amount)

    def _fund(self, insts: list[Institution], weights: np.ndarray, amount: float) -> float:
        budgets = np.array([i.budget for i in insts])
        w = weights * budgets
        if amount <= 0 or w.sum() <= 0:
            return 0.0
        rate = self.model.params.institutions.strengthening_rate
        return float(
            sum(i.fund(amount * wi / w.sum(), rate) for i, wi in zip(insts, w, strict=True))
        )

    def _new_association(self, industries: list[int]) -> Institution:
        m = self.model
        if not industries:
            emp = m.employment_by_industry()
            emp[m.space.local_services] = -1.0
            industries = [int(np.argmax(emp))]
        district = m.district_names[int(np.argmax(m.labour.labour_force))]
        keys = [m.space.keys[k] for k in industries]
        spec = InstitutionSpec(type="business_association", district=district, focus=keys)
        m.record(f"cluster promotion founds a business association in {district}")
        return self.add(spec)
