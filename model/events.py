"""Scheduled and live events (DESIGN §2.7).

Every event of the scenario is put on Mesa's event list at ``step - 0.5``, so it fires
just before quarter ``step`` is simulated; ``trigger`` applies an event at once (the live
app), taking effect from the next quarter. Effects:

* ``industry_decline``: the industry's external demand moves linearly to
  ``1 - fraction`` of what it would have been over ``duration`` quarters (a ``Ramp``).
* ``demand_boom``: the same, to ``1 + fraction``.
* ``plant_closure``: the industry's largest firm (by employment) exits; its workers join
  the unemployed pool under that industry with the firm's capability fit as their skill.
* ``technology_shift``: proficiency of every firm in the listed capabilities falls by
  ``severity`` (multiplied by ``1 - severity``); the skill of each unemployed group whose
  last industry requires some of them falls by ``severity`` times the share of that
  industry's requirements that became obsolete.
* ``emerging_industry``: the industry's lifecycle birth moves to now (only if it was
  not yet born), so its demand starts and grows from here.
* ``budget_cut``: ``policy.cut_budget(fraction)``.
* ``national_support``: ``policy.set_national(on, co_funding)``.
* ``experimentation_fund`` / ``strengthen_institutions``: ``amount`` more regional money
  per quarter, earmarked for the ``experimentation`` / ``institution_strengthening``
  instrument for the rest of the run (``earmark``): the policy budget rises by ``amount``
  and the allocation shares are rescaled so that every other instrument keeps its money.
  The policy maker then spends it by its own rules (grants to eligible experiments;
  institution strengthening), co-funded nationally like the rest of the budget.

Each event adds a plain-language line to the model's log (the ``record`` callable) and a
short ``(step, label)`` marker for charts.

The manager is given its collaborators (``RegionModel`` wires them) and reads nothing else:
the industry space, market, policy maker, firm table and labour pool it changes, a
callable that closes firms, the model's clock, its log and Mesa's event list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.market import Ramp
from scenarios.schema import (
    BudgetCut,
    DemandBoom,
    EmergingIndustry,
    ExperimentationFund,
    IndustryDecline,
    NationalSupport,
    PlantClosure,
    StrengthenInstitutions,
    TechnologyShift,
)

if TYPE_CHECKING:
    from model.firms import Firms
    from model.industries import IndustrySpace
    from model.labour import LabourPool
    from model.market import Market
    from model.policy import PolicyMaker
    from scenarios.schema import Event

EARLY = 0.5  # scheduled events fire this long before their quarter is simulated


@dataclass
class ScheduledEvent:
    """An event waiting on Mesa's event list (held here: Mesa keeps a weak reference)."""

    manager: EventManager
    event: Event
    fired: bool = False

    def fire(self) -> None:
        """Apply the event now."""
        self.fired = True
        self.manager.trigger(self.event)


def earmark(policy: PolicyMaker, instrument: str, amount: float) -> None:
    """Raise the policy budget by ``amount`` per quarter, all of it for ``instrument``.

    The allocation shares are rescaled to the new budget so every other instrument keeps
    the money it had; the policy maker gets a copy of its parameters (the scenario object
    is shared and never changed).
    """
    before = policy.budget
    after = before + amount
    shares = policy.params.allocation.model_dump()
    shares = {name: share * before / after for name, share in shares.items()}
    shares[instrument] += amount / after
    allocation = type(policy.params.allocation).model_validate(shares)
    policy.params = policy.params.model_copy(update={"allocation": allocation})
    policy.budget = after


class EventManager:
    """Applies scenario events on schedule, and live events on request.

    Args:
        events: the scenario's events.
        space: the industry space (indices and names; ``birth`` and ``requires``).
        market: the market (takes demand ramps).
        policy: the policy maker (budget cuts, national support, earmarked money).
        firms: the firm table (plant closures, technology shifts).
        labour: the labour pool (skills hit by a technology shift).
        close: closes the firms at the given table rows this quarter
            (``RegionModel.remove_firms``).
        clock: the quarter last simulated (0 at set-up).
        record: adds ``(text, quarter)`` to the plain-language event log.
        schedule: puts a callable on Mesa's event list, called as
            ``schedule(function, at=time)`` (``mesa.Model.schedule_event``).

    Attributes:
        scheduled: the scenario's events, in scenario order, each with a ``fired`` flag.
        markers: ``(step, label)`` for every event applied, for chart markers.
    """

    def __init__(
        self,
        events: list[Event],
        space: IndustrySpace,
        market: Market,
        policy: PolicyMaker,
        firms: Firms,
        labour: LabourPool,
        close: Callable[[np.ndarray], None],
        clock: Callable[[], int],
        record: Callable[[str, int], None],
        schedule: Callable[..., object],
    ) -> None:
        """Schedule every event of ``events`` at ``step - EARLY``."""
        self.space, self.market, self.policy = space, market, policy
        self.firms, self.labour, self.close = firms, labour, close
        self.clock, self.record = clock, record
        self.markers: list[tuple[int, str]] = []
        self.scheduled: list[ScheduledEvent] = []
        for event in events:
            item = ScheduledEvent(self, event)
            self.scheduled.append(item)
            schedule(item.fire, at=event.step - EARLY)

    def trigger(self, event: Event) -> str:
        """Apply an event now, effective from the next quarter; return its log line.

        Args:
            event: a schema event object (its ``step`` is ignored here).
        """
        step = self.clock() + 1
        handlers = {
            IndustryDecline: self._demand_ramp,
            DemandBoom: self._demand_ramp,
            PlantClosure: self._plant_closure,
            TechnologyShift: self._technology_shift,
            EmergingIndustry: self._emerging_industry,
            BudgetCut: self._budget_cut,
            NationalSupport: self._national_support,
            ExperimentationFund: self._experimentation_fund,
            StrengthenInstitutions: self._strengthen_institutions,
        }
        text, label = handlers[type(event)](event, step)
        self.record(text, step)
        self.markers.append((step, label))
        return f"Q{step}: {text}"

    # ------------------------------------------------------------------ effects

    def _name(self, key: str) -> str:
        sp = self.space
        return sp.names[sp.index(key)]

    def _demand_ramp(self, event: IndustryDecline | DemandBoom, step: int) -> tuple[str, str]:
        k = self.space.index(event.industry)
        decline = isinstance(event, IndustryDecline)
        target = 1.0 - event.fraction if decline else 1.0 + event.fraction
        self.market.ramps.append(Ramp(k, step, event.duration, target))
        name = self._name(event.industry)
        verb = "fall" if decline else "rise"
        text = (
            f"demand for {name} starts to {verb} by {event.fraction:.0%} "
            f"over {event.duration} quarters"
        )
        return text, f"{'Decline' if decline else 'Boom'}: {name}"

    def _plant_closure(self, event: PlantClosure, step: int) -> tuple[str, str]:
        f = self.firms
        k = self.space.index(event.industry)
        name = self._name(event.industry)
        rows = np.flatnonzero(f.industry == k)
        if len(rows) == 0:
            return f"no {name} firm left to close", f"Closure: {name} (none)"
        row = rows[np.argmax(f.employment[rows])]
        jobs = float(f.employment[row])
        self.close(np.array([row]))
        text = f"the largest {name} firm closes: {jobs:,.0f} workers join the unemployed"
        return text, f"Closure: {name}"

    def _technology_shift(self, event: TechnologyShift, step: int) -> tuple[str, str]:
        sp, f, pool = self.space, self.firms, self.labour
        caps = [sp.capabilities.index(c) for c in event.capabilities]
        keep = 1.0 - event.severity
        f.proficiency[:, caps] *= keep
        req = sp.requires
        obsolete = req[:, caps].sum(axis=1) / np.maximum(req.sum(axis=1), 1.0)
        pool.skill[:, : sp.size] *= (1.0 - event.severity * obsolete)[None, :]
        listed = ", ".join(c.replace("_", " ") for c in event.capabilities)
        text = f"technology shift: know-how in {listed} loses {event.severity:.0%} of its value"
        return text, "Technology shift"

    def _emerging_industry(self, event: EmergingIndustry, step: int) -> tuple[str, str]:
        sp = self.space
        k = sp.index(event.industry)
        name = self._name(event.industry)
        if sp.birth[k] <= step:
            return f"{name} already exists; nothing changes", f"Emerging: {name} (exists)"
        sp.birth[k] = step
        return f"a new industry is born: {name}", f"Emerging: {name}"

    def _budget_cut(self, event: BudgetCut, step: int) -> tuple[str, str]:
        self.policy.cut_budget(event.fraction)
        return f"the regional policy budget is cut by {event.fraction:.0%}", "Budget cut"

    def _national_support(self, event: NationalSupport, step: int) -> tuple[str, str]:
        self.policy.set_national(event.on, event.co_funding)
        if event.on:
            text = (
                f"national co-funding switched on: {event.co_funding:g} per unit of regional money"
            )
            return text, "National support on"
        return "national co-funding switched off", "National support off"

    def _experimentation_fund(self, event: ExperimentationFund, step: int) -> tuple[str, str]:
        earmark(self.policy, "experimentation", event.amount)
        text = (
            f"an experimentation fund opens: {event.amount:g} money units more per quarter "
            "for grants to new ventures"
        )
        return text, "Experimentation fund"

    def _strengthen_institutions(self, event: StrengthenInstitutions, step: int) -> tuple[str, str]:
        earmark(self.policy, "institution_strengthening", event.amount)
        text = (
            f"institutions are strengthened: {event.amount:g} money units more per quarter "
            "for their capacity and quality"
        )
        return text, "Institutions strengthened"
