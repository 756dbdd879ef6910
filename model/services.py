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
   ``min(1, responsiveness * (coordination_floor + coordination))``. With foresight funding
   of intensity ``phi`` (``model.foresight``) the target is
   ``(1 - phi) * requests + phi * emerging needs``, the latter being the normalised
   requirements of emerging industries (born after the start) not yet in the region and
   within ``foresight_lead`` quarters of birth or later.

Observables: ``service_gap``, the unmet share of requests, ``1 - sum(competence of
services) / requests`` (requesting firms out of reach or not served count as unmet, and a
service counts by the competence it was given with; 0 when no firm requests), and
``focus_mismatch``, the request-weighted mean over institutions of the total variation
distance between focus and the requests in reach (before adaptation).

Other outputs, see each method: ``taught_profile`` (entrants' skills), ``entrant_fit``,
``visible_industries`` (what entrepreneurs see, through ``model.foresight``),
``entry_risk_cut`` (associations), ``screening_quality`` (development agencies), and the
policy entry points ``strengthen``, ``fund_association`` and ``fund_foresight``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.institution import (
    INSTITUTION_TYPES,
    BusinessAssociation,
    DevelopmentAgency,
    Institution,
    Service,
    University,
)
from model.foresight import Foresight
from scenarios.schema import Culture, InstitutionParams, InstitutionSpec

if TYPE_CHECKING:
    from mesa.discrete_space import OrthogonalMooreGrid

    from model.firm_table import FirmTable
    from model.industries import IndustrySpace
    from model.labour import LabourPool
    from model.region_model import RegionModel


@dataclass(frozen=True)
class Districts:
    """Where institutions can be placed: district names and centres."""

    names: list[str]
    xy: np.ndarray  # D x 2


class InstitutionSystem:
    """All meso institutions of the region and what they do together.

    Args:
        model: the Mesa model the institution agents belong to (nothing else is read).
        specs: the region's institutions.
        space: the industry space.
        params: the scenario's institution parameters.
        culture: the region's culture (trust and capacity to coordinate, 0..1 each).
        districts: district names and centres.
        grid: the grid the agents sit on.
        record: writes a line to the model's event log.
    """

    def __init__(
        self,
        model: RegionModel,
        specs: list[InstitutionSpec],
        space: IndustrySpace,
        params: InstitutionParams,
        culture: Culture,
        districts: Districts,
        grid: OrthogonalMooreGrid,
        record: Callable[[str], None],
    ) -> None:
        self.model = model
        self.space = space
        self.params = params
        self.coordination = culture.coordination
        self.trust = culture.trust
        self.districts = districts
        self.grid = grid
        self.record = record
        #: capabilities an institution covers fully: the catalogue's mean complexity
        self.breadth = float(space.complexity.mean())
        self.foresight = Foresight(
            space, params.foresight_lead, params.visibility_lag, params.foresight_risk_cut
        )
        self.institutions: list[Institution] = []
        for spec in specs:
            self.add(spec)
        self.service_gap = 0.0
        self.focus_mismatch = 0.0

    # ------------------------------------------------------------------ culture

    @property
    def cooperation(self) -> float:
        """How far firms share with their association, ``2 * trust`` (1 at trust 0.5).

        Scales the associations' pass-on of members' needs and the entry-risk cut their
        shared information gives (DESIGN §2.5: trust scales cluster effects), as it
        scales knowledge spillovers in ``Firms.imitate``.
        """
        return 2.0 * self.trust

    @property
    def coordination_factor(self) -> float:
        """``coordination_floor + coordination`` (1 at the defaults).

        The capacity to coordinate scales how fast institutions follow what firms ask
        for (focus adaptation), how much lasting quality policy money buys
        (``strengthen``, ``fund_association``) and the skill of agencies' screening.
        """
        return self.params.coordination_floor + self.coordination

    # ------------------------------------------------------------------ building

    def focus_vector(self, keys: list[str]) -> np.ndarray:
        """A focus distribution from capability or industry keys.

        Each key has weight 1: a capability key on itself, an industry key spread evenly
        over the capabilities the industry requires (a key naming both a capability and an
        industry counts as the capability). The result sums to 1.
        """
        sp = self.space
        focus = np.zeros(len(sp.capabilities))
        for key in keys:
            if key in sp.capabilities:
                focus[sp.capabilities.index(key)] += 1.0
            else:
                req = sp.requires[sp.index(key)]
                focus += req / req.sum()
        return focus / focus.sum()

    def add(self, spec: InstitutionSpec) -> Institution:
        """Place a new institution of the spec's type at its district centre."""
        d = self.districts.names.index(spec.district)
        x, y = (int(v) for v in self.districts.xy[d])
        cls = INSTITUTION_TYPES[spec.type]
        focus = self.focus_vector(spec.focus)
        inst = cls(self.model, self.grid[(x, y)], spec, d, (x, y), focus, self.breadth)
        self.institutions.append(inst)
        return inst

    def of_type(self, *types: type[Institution]) -> list[Institution]:
        """The institutions of the given classes, in profile order."""
        return [i for i in self.institutions if isinstance(i, types)]

    def of_kind(self, *kinds: str) -> list[Institution]:
        """The institutions of the given scenario types (``"university"``, ...)."""
        return self.of_type(*(INSTITUTION_TYPES[k] for k in kinds))

    # ------------------------------------------------------------------ the quarter

    def begin_quarter(self) -> None:
        """Forget last quarter's policy funding (called by the policy maker before spending)."""
        for inst in self.institutions:
            inst.begin_quarter()
        self.foresight.begin_quarter()

    def serve(
        self,
        firms: FirmTable,
        quarter: int,
        tie: np.ndarray,
        frontier: np.ndarray,
        present: np.ndarray,
    ) -> None:
        """Services, pass-on, observables and focus adaptation for this quarter.

        Args:
            firms: the firm table, with this quarter's ``requested`` set.
            quarter: this quarter.
            tie: per firm, a uniform draw breaking ties between equal matches.
            frontier: K, world frontier productivity this quarter.
            present: K bool, industries with a firm in the region.
        """
        f, requires = firms, self.space.requires
        n_c = len(self.space.capabilities)
        if len(f) == 0:
            self.service_gap = self.focus_mismatch = 0.0
            return
        asking = f.requested >= 0
        reach = {id(i): i.reach(f.x, f.y) for i in self.institutions}
        service = Service(self.params, frontier, requires)
        met = np.zeros(len(f))
        served = np.zeros(len(f), dtype=bool)
        nobody = np.zeros(len(f), dtype=bool)
        for inst in self.institutions:
            if inst.provides:
                rows = inst.choose_clients(
                    f, requires, reach[id(inst)] & ~served, tie, nobody, self.params.service_cost
                )
                met[rows] = inst.serve_clients(f, rows, service)
                served[rows] = True
        passed = self._enrol_members(f, reach, tie, served, service)
        counts = {
            id(i): np.bincount(f.requested[reach[id(i)] & asking], minlength=n_c).astype(float)
            for i in self.institutions
        }
        self._observe(counts, met, int(asking.sum()))
        self._adapt(counts, passed, quarter, present)

    def _enrol_members(
        self, f: FirmTable, reach: dict, tie: np.ndarray, served: np.ndarray, service: Service
    ) -> np.ndarray:
        """Associations take members; return the members' unmet requests they pass on (C)."""
        before = f.member.copy()
        f.member[:] = False
        passed = np.zeros(len(self.space.capabilities))
        for inst in self.of_type(BusinessAssociation):
            candidates = reach[id(inst)] & ~f.member
            rows = inst.choose_clients(
                f, self.space.requires, candidates, tie, before, self.params.service_cost
            )
            inst.serve_clients(f, rows, service)
            unmet = f.requested[rows[~served[rows]]]
            unmet = unmet[unmet >= 0]
            passed += self.cooperation * inst.quality * np.bincount(unmet, minlength=len(passed))
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

    def _adapt(self, counts: dict, passed: np.ndarray, quarter: int, present: np.ndarray) -> None:
        phi = self.foresight.intensity
        needs = self.foresight.emerging_needs(quarter, present) if phi > 0 else None
        speed = self.coordination_factor
        for inst in self.institutions:
            seen = counts[id(inst)] + (passed if inst.provides else 0.0)
            parts = []
            if seen.sum() > 0:
                parts.append((1.0 - phi, seen / seen.sum()))
            if needs is not None:
                parts.append((phi, needs))
            weight = sum(w for w, _ in parts)
            if weight <= 0:
                continue
            target = sum(w * v for w, v in parts) / weight
            inst.adapt_focus(target, min(1.0, inst.responsiveness * speed))

    # ------------------------------------------------------------------ what others read

    def taught_profile(self) -> np.ndarray:
        """C, what new labour-force entrants are taught (0..1, 1 = fully taught).

        The capacity-weighted mean over teaching institutions (training institutes and
        universities) of ``quality * competence``; all zeros without teaching capacity.
        """
        teachers = [i for i in self.institutions if i.teaches]
        weights = np.array([i.capacity for i in teachers])
        if weights.sum() <= 0:
            return np.zeros(len(self.space.capabilities))
        taught = sum(w * i.quality * i.competence for w, i in zip(weights, teachers, strict=True))
        return np.clip(taught / weights.sum(), 0.0, 1.0)

    def entrant_fit(self) -> np.ndarray:
        """K, how well new labour-force entrants' taught skills fit each industry.

        ``(1 - entrant_teaching) * entrant_base_fit + entrant_teaching * fit``, ``fit`` the
        share of the industry's requirements covered by what is taught.
        """
        taught = self.taught_profile()
        req = self.space.requires
        w = self.params.entrant_teaching
        fit = (req * taught[None, :]).sum(axis=1) / np.maximum(req.sum(axis=1), 1.0)
        return (1.0 - w) * self.params.entrant_base_fit + w * fit

    def visible_industries(self, quarter: int, present: np.ndarray) -> np.ndarray:
        """K bool, industries entrepreneurs can see now.

        Emerging industries follow ``model.foresight``. An industry existing from the start
        (``birth <= 0``) is visible where the region has a firm in it, or where it is
        familiar: its relatedness to an industry present in the region, or the share of its
        capabilities an institution of the region covers, is at least
        ``visibility_relatedness``. Industries far from everything the region does and
        teaches stay out of sight (DESIGN §2.4: visibility comes from presence,
        institutions or foresight).
        """
        sp = self.space
        seen = self.foresight.visible(quarter, present, self.of_type(University))
        others = present[None, :] & ~np.eye(sp.size, dtype=bool)
        near = np.where(others, sp.relatedness, 0.0).max(axis=1, initial=0.0)
        for inst in self.institutions:
            near = np.maximum(near, inst.coverage(sp.requires))
        familiar = present | (near >= self.params.visibility_relatedness)
        return np.where(sp.birth <= 0, familiar, seen)

    def entry_risk_cut(self) -> np.ndarray:
        """K, share of entry risk removed by business associations and foresight (0..1).

        Associations: ``association_risk_cut * cooperation * (1 - prod_a (1 - quality_a *
        coverage_a(k)))``: an association of full quality whose focus covers all of an
        industry's capabilities removes ``association_risk_cut`` of the risk (at trust
        0.5); several associations combine. Funded foresight removes its own share of the
        rest in emerging industries (``Foresight.risk_cut``).
        """
        keep = np.ones(self.space.size)
        for assoc in self.of_type(BusinessAssociation):
            keep *= 1.0 - assoc.quality * assoc.coverage(self.space.requires)
        cut = np.minimum(1.0, self.params.association_risk_cut * self.cooperation * (1.0 - keep))
        return 1.0 - (1.0 - cut) * (1.0 - self.foresight.risk_cut())

    def screening_quality(self, firms: FirmTable, applicants: np.ndarray, interval: int) -> float:
        """Development agencies' skill at telling good applicants from bad (0..1).

        For each applicant the best agency reaching it gives
        ``quality * coverage * (0.5 + 0.5 * know-how)``: ``coverage = min(1, capacity *
        interval / applicants in reach)`` (each application is screened once per review
        period), ``know-how`` the share of the applicant's industry's capabilities the
        agency's focus covers. The result is the mean over applicants (0 for none).

        Args:
            firms: the firm table.
            applicants: firm rows applying.
            interval: quarters between policy reviews.
        """
        f, rows = firms, np.asarray(applicants, dtype=int)
        if len(rows) == 0:
            return 0.0
        skill = np.zeros(len(rows))
        for agency in self.of_type(DevelopmentAgency):
            inside = agency.reach(f.x[rows], f.y[rows])
            if not inside.any():
                continue
            slots = min(agency.capacity, agency.affordable(self.params.service_cost))
            coverage = min(1.0, slots * interval / inside.sum())
            know = agency.coverage(self.space.requires)[f.industry[rows]]
            skill = np.maximum(skill, inside * agency.quality * coverage * (0.5 + 0.5 * know))
        return float(skill.mean()) * min(1.0, self.coordination_factor)

    def approve_grant(self, industry: int, fit: float, district: int) -> bool:
        """A development agency screens one grant application (DESIGN §2.5).

        The agency reaching the applicant's district centre with the highest skill
        ``quality * (0.5 + 0.5 * know-how)`` that can still pay for a screening this
        quarter screens it (one ``service_cost``) and refuses it if the applicant's
        capability fit for the industry is below ``skill * grant_screening_bar``.
        Without such an agency the application is not screened and is approved.

        Args:
            industry: the industry of the experiment.
            fit: the applicant's own capability fit for it (0..1).
            district: the applicant's district.
        """
        cost = self.params.service_cost
        x, y = self.districts.xy[district]
        best, skill = None, 0.0
        for agency in self.of_type(DevelopmentAgency):
            if agency.capacity < 1 or agency.affordable(cost) < 1.0 - 1e-9:
                continue
            if not agency.reach(np.array([x]), np.array([y]))[0]:
                continue
            know = agency.coverage(self.space.requires)[industry]
            s = agency.quality * (0.5 + 0.5 * know) * min(1.0, self.coordination_factor)
            if s > skill:
                best, skill = agency, s
        if best is None:
            return True
        best.spend(cost)
        return fit >= skill * self.params.grant_screening_bar

    def retrain(self, labour: LabourPool) -> float:
        """Teaching institutions retrain the unemployed in reach; return the workers retrained.

        Each teacher (in profile order, after its firm services) retrains from the pool
        groups of the districts whose centre lies in its reach (``TrainingInstitute.retrain``)
        with what its budget has left; the pool raises the trainees' skill
        (``LabourPool.retrain``).
        """
        p = self.params
        xy = self.districts.xy
        done = 0.0
        for inst in self.institutions:
            if not inst.teaches:
                continue
            near = inst.reach(xy[:, 0].astype(float), xy[:, 1].astype(float))
            if not near.any():
                continue
            cover = np.append(inst.coverage(self.space.requires), 0.0)
            pool = labour.unemployed * near[:, None]
            trained = inst.retrain(pool, cover, p)
            gain = p.retraining_gain * inst.quality * cover
            labour.retrain(trained, gain)
            done += float(trained.sum())
        return done

    @property
    def spent(self) -> float:
        """Money the institutions spent from their purses this quarter."""
        return float(sum(i.spent for i in self.institutions))

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

    def fund_association(
        self, industries: list[int], amount: float, fallback: int, home: str
    ) -> float:
        """Cluster promotion: fund the business associations serving ``industries``.

        Money is split in proportion to budget x how well each association covers
        ``industries`` (by budget alone if none covers them). A region without an
        association gets one in district ``home``, focused on ``industries`` (or on the
        ``fallback`` industry if there are no targets).

        Returns:
            The money used.
        """
        if amount <= 0:
            return 0.0
        assocs = self.of_type(BusinessAssociation)
        if not assocs:
            assocs = [self._new_association(industries or [fallback], home)]
        req = self.space.requires
        cover = np.array(
            [a.coverage(req)[industries].mean() if industries else 1.0 for a in assocs]
        )
        return self._fund(assocs, cover if cover.sum() > 0 else np.ones(len(assocs)), amount)

    def fund_foresight(self, amount: float) -> float:
        """Foresight money (``model.foresight``); returns the money used."""
        return self.foresight.fund(amount, sum(i.budget for i in self.institutions))

    def _fund(self, insts: list[Institution], weights: np.ndarray, amount: float) -> float:
        budgets = np.array([i.budget for i in insts])
        w = weights * budgets
        if amount <= 0 or w.sum() <= 0:
            return 0.0
        rate = self.params.strengthening_rate * self.coordination_factor
        return float(
            sum(i.fund(amount * wi / w.sum(), rate) for i, wi in zip(insts, w, strict=True))
        )

    def _new_association(self, industries: list[int], district: str) -> Institution:
        keys = [self.space.keys[k] for k in industries]
        spec = InstitutionSpec(type="business_association", district=district, focus=keys)
        self.record(f"cluster promotion founds a business association in {district}")
        return self.add(spec)
