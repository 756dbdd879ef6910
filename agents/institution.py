"""A meso institution: a Mesa agent placed in its district, with a reach radius (DESIGN §2.5).

Each type of DESIGN §2.5 is a class: ``TrainingInstitute``, ``TechnologyCentre``,
``BusinessAssociation``, ``DevelopmentAgency`` and ``University`` (``INSTITUTION_TYPES``
maps the scenario's ``type`` to it). An institution holds its own state (focus, capacity,
quality, responsiveness, budget) and one short method per behaviour: find the firms in
reach, choose clients, serve them, move its focus, take policy money; class attributes say
what it does for the system (``provides``: answers capability requests; ``teaches``: new
labour-force entrants learn its focus). The system-level bookkeeping (requests, the order
in which institutions serve, observables, teaching and visibility) is in
``model.services``.

Providers (training institutes, technology centres, universities) serve only firms with a
request (``firms.requested >= 0``). Effects of a service on a client firm, all scaled by
``quality`` and by the institution's *competence* in the requested capability,
``min(1, focus[c] * breadth)`` where ``breadth`` is the mean number of capabilities an
industry requires (an institution can cover about one industry's worth of capabilities
fully):

* training institute and university: proficiency in the requested capability rises by
  ``training_gain * quality * competence * (1 - proficiency)``;
* technology centre: log productivity rises by ``extension_gain * quality * competence``,
  but not beyond the world frontier of the firm's industry (adoption of the frontier);
* business association: the client (any firm in reach, with or without a request,
  best coverage of its industry first) becomes a member for the quarter (stronger
  spillovers in ``firm_dynamics.imitate``); its focus also cuts entry risk;
* development agency: no firm clients; its capacity, quality and focus set the screening
  skill of the policy maker (``InstitutionSystem.screening_quality``).

**Budget.** Each quarter an institution has its running ``budget`` to spend (its
``purse``), plus the half of any policy money that runs extra capacity. Every service
(a provider's client, an association's member, an agency's screening of an application)
costs ``institutions.service_cost``, and a teaching institution's retraining of unemployed
workers costs ``retraining_cost`` per worker: an institution serves at most ``min(capacity,
purse / service_cost)`` clients (``affordable``), and what it spends is taken from the purse
(``spend``; ``spent`` is the quarter's total). Unspent money is not carried over.

Policy money ``m`` (``fund``), with ``x = m / budget`` in quarters of the running budget:
half runs extra capacity this quarter at the institution's own unit cost
(``capacity += 0.5 * x * base_capacity``, and ``0.5 * m`` into the purse), half is invested
in quality and responsiveness, each closing ``min(1, strengthening_rate * 0.5 * x)`` of its
gap to 1 (lasting).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from mesa import Model

    from model.firm_table import FirmTable
    from scenarios.schema import InstitutionParams, InstitutionSpec


@dataclass(frozen=True)
class Service:
    """What a quarter's services need to know besides the client firms."""

    params: InstitutionParams
    frontier: np.ndarray  # K, the world frontier productivity this quarter
    requires: np.ndarray  # K x C requirement matrix


class Institution(CellAgent):
    """What every meso institution has and does.

    Args:
        model: the Mesa model it is registered with (Mesa agents are constructed with
            their model); nothing of it is read.
        cell: the grid cell of its district centre.
        spec: its scenario specification (type, radius, capacity, quality, ...).
        district: index of its district.
        centre: (x, y) of its district centre.
        focus: initial focus, a distribution over capabilities (length C, sums to 1).
        breadth: capabilities it can cover fully (the catalogue's mean complexity).
    """

    kind: ClassVar[str] = "institution"
    provides: ClassVar[bool] = False  # answers firms' capability requests
    teaches: ClassVar[bool] = False  # new labour-force entrants are taught its focus

    def __init__(
        self,
        model: Model,
        cell,
        spec: InstitutionSpec,
        district: int,
        centre: tuple[float, float],
        focus: np.ndarray,
        breadth: float,
    ) -> None:
        super().__init__(model)
        self.cell = cell
        self.district = district
        self.centre = np.asarray(centre, dtype=float)
        self.radius = float(spec.radius)
        self.base_capacity = float(spec.capacity)
        self.extra_capacity = 0.0  # funded by policy this quarter
        self.quality = float(spec.quality)
        self.responsiveness = float(spec.responsiveness)
        self.budget = float(spec.budget)
        self.focus = focus / focus.sum()
        self.breadth = breadth
        self.funding = 0.0  # policy money received this quarter
        self.purse = self.budget  # money left to spend this quarter
        self.spent = 0.0  # money spent this quarter
        self.clients = np.zeros(0, dtype=np.int64)  # firm rows served this quarter

    @property
    def capacity(self) -> float:
        """Clients it can serve this quarter (its own plus policy-funded)."""
        return self.base_capacity + self.extra_capacity

    @property
    def competence(self) -> np.ndarray:
        """C, how fully it covers each capability (0..1)."""
        return np.minimum(1.0, self.focus * self.breadth)

    def coverage(self, requires: np.ndarray) -> np.ndarray:
        """Share of each industry's required capabilities it covers (K, 0..1).

        Args:
            requires: K x C requirement matrix.
        """
        return (requires * self.competence).sum(axis=1) / np.maximum(requires.sum(axis=1), 1.0)

    def attention(self, requires: np.ndarray) -> np.ndarray:
        """Share of its focus on each industry's required capabilities (K, 0..1).

        Args:
            requires: K x C requirement matrix.
        """
        return requires @ self.focus

    def reach(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Which of the given cells lie within its radius of its district centre."""
        return np.hypot(x - self.centre[0], y - self.centre[1]) <= self.radius

    def begin_quarter(self) -> None:
        """Forget last quarter's policy funding; the running budget is there to spend again."""
        self.extra_capacity = 0.0
        self.funding = 0.0
        self.purse = self.budget
        self.spent = 0.0

    def affordable(self, unit_cost: float) -> float:
        """How many units at ``unit_cost`` the money left this quarter pays for."""
        return self.purse / unit_cost if unit_cost > 0 else float("inf")

    def spend(self, amount: float) -> float:
        """Pay ``amount`` from this quarter's purse (never more than is left); return it."""
        paid = min(max(float(amount), 0.0), self.purse)
        self.purse -= paid
        self.spent += paid
        return paid

    def match(self, firms: FirmTable, requires: np.ndarray) -> np.ndarray:
        """Per firm, how well it fits as a client (0: not a client).

        A provider matches a firm's request by its focus on the requested capability (0 for
        a firm without a request).
        """
        return np.where(firms.requested >= 0, self.focus[firms.requested], 0.0)

    def choose_clients(
        self,
        firms: FirmTable,
        requires: np.ndarray,
        candidates: np.ndarray,
        tie: np.ndarray,
        prefer: np.ndarray,
        service_cost: float = 0.0,
    ) -> np.ndarray:
        """Pick up to ``capacity`` firms that match it best (``match``), as far as it can pay.

        Args:
            firms: the firm table.
            requires: K x C requirement matrix.
            candidates: bool per firm, those it may serve (in reach, not yet served).
            tie: uniform draw per firm breaking ties (institutions stream).
            prefer: bool per firm, preferred among equal matches (e.g. current members).
            service_cost: the cost of one service, paid from the purse.

        Returns:
            Firm rows, best match first; firms with a zero match are skipped.
        """
        match = self.match(firms, requires)
        rows = np.flatnonzero(candidates & (match > 0))
        order = np.lexsort((tie[rows], ~prefer[rows], -match[rows]))
        most = int(min(self.capacity, self.affordable(service_cost) + 1e-9))
        self.clients = rows[order[:most]]
        self.spend(len(self.clients) * service_cost)
        return self.clients

    def serve_clients(self, firms: FirmTable, rows: np.ndarray, service: Service) -> np.ndarray:
        """Deliver its service to the chosen firms; return the competence of each service.

        The competence is 0 for a client without a request (an association member).
        """
        requested = firms.requested[rows]
        competence = np.where(requested >= 0, self.competence[requested], 0.0)
        self.deliver(firms, rows, competence, service)
        return competence

    def deliver(
        self, firms: FirmTable, rows: np.ndarray, competence: np.ndarray, service: Service
    ) -> None:
        """What the service does to the client firms (nothing, for the base class)."""

    def adapt_focus(self, target: np.ndarray, rate: float) -> None:
        """Move the focus toward ``target`` (a distribution over capabilities) at ``rate``."""
        self.focus = (1.0 - rate) * self.focus + rate * target
        self.focus = self.focus / self.focus.sum()

    def fund(self, money: float, strengthening_rate: float) -> float:
        """Take policy money: extra capacity now, lasting quality and responsiveness.

        Returns:
            The money used (0 for an institution without a running budget, which has no
            unit cost to convert money at).
        """
        if money <= 0 or self.budget <= 0:
            return 0.0
        x = money / self.budget
        self.extra_capacity += 0.5 * x * self.base_capacity
        self.purse += 0.5 * money
        step = min(1.0, strengthening_rate * 0.5 * x)
        self.quality += step * (1.0 - self.quality)
        self.responsiveness += step * (1.0 - self.responsiveness)
        self.funding += money
        return money


class TrainingInstitute(Institution):
    """Raises client firms' proficiency in its focus; teaches entrants and the unemployed."""

    kind = "training_institute"
    provides = True
    teaches = True

    def deliver(
        self, firms: FirmTable, rows: np.ndarray, competence: np.ndarray, service: Service
    ) -> None:
        """Training: proficiency in the requested capability rises toward 1."""
        cap = firms.requested[rows]
        prof = firms.proficiency[rows, cap]
        gain = service.params.training_gain * self.quality * competence * (1 - prof)
        firms.proficiency[rows, cap] = prof + gain

    def retrain(
        self, unemployed: np.ndarray, coverage: np.ndarray, params: InstitutionParams
    ) -> np.ndarray:
        """Retrain unemployed workers of the districts in reach, paid from what is left.

        Trainees are ``min(capacity * retraining_per_client, purse / retraining_cost)``
        workers, taken from the pool groups in proportion to ``unemployed x coverage`` (it
        trains only for what its focus covers); each group's retrained share gains
        ``retraining_gain * quality * coverage * (1 - skill)`` skill (``LabourPool.retrain``).

        Args:
            unemployed: D x (K+1) unemployed of the districts it reaches (0 elsewhere).
            coverage: K + 1, how far its focus covers each group's last industry (0 for
                new entrants, who are taught through ``taught_profile``).
            params: the scenario's institution parameters.

        Returns:
            D x (K+1) workers retrained.
        """
        weights = unemployed * coverage[None, :]
        total = float(weights.sum())
        seats = min(
            self.capacity * params.retraining_per_client,
            self.affordable(params.retraining_cost),
        )
        if total <= 0 or seats <= 0:
            return np.zeros_like(unemployed)
        trained = np.minimum(weights / total * seats, unemployed)
        self.spend(float(trained.sum()) * params.retraining_cost)
        return trained


class University(TrainingInstitute):
    """Teaches like a training institute; its attention to emerging needs gives foresight."""

    kind = "university"


class TechnologyCentre(Institution):
    """Extension services: raises client firms' productivity up to the world frontier."""

    kind = "technology_centre"
    provides = True

    def deliver(
        self, firms: FirmTable, rows: np.ndarray, competence: np.ndarray, service: Service
    ) -> None:
        """Extension: log productivity rises, never beyond the frontier of the industry."""
        log_p = np.log(firms.productivity[rows])
        gain = service.params.extension_gain * self.quality * competence
        ceiling = np.maximum(log_p, np.log(service.frontier[firms.industry[rows]]))
        firms.productivity[rows] = np.exp(np.minimum(log_p + gain, ceiling))


class BusinessAssociation(Institution):
    """Cluster organisation: members share knowledge; lowers entry risk in its focus."""

    kind = "business_association"

    def match(self, firms: FirmTable, requires: np.ndarray) -> np.ndarray:
        """Any firm in reach, by how well its focus covers the firm's industry."""
        return self.coverage(requires)[firms.industry]

    def deliver(
        self, firms: FirmTable, rows: np.ndarray, competence: np.ndarray, service: Service
    ) -> None:
        """Membership for the quarter."""
        firms.member[rows] = True


class DevelopmentAgency(Institution):
    """Administers grants and subsidies; its skill screens applicants (no firm clients)."""

    kind = "development_agency"


INSTITUTION_TYPES: dict[str, type[Institution]] = {
    cls.kind: cls
    for cls in (
        TrainingInstitute,
        TechnologyCentre,
        BusinessAssociation,
        DevelopmentAgency,
        University,
    )
}
