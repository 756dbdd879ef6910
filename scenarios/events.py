"""The scheduled events of a scenario (``[[events]]``), their parameters and defaults.

Stacked events stay within limits: :func:`stacked_demand_issues` is the scenario's check that
an industry's demand booms together multiply its demand by at most
:data:`~scenarios.limits.MAX_DEMAND_MULTIPLIER`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field

from scenarios.errors import show_value
from scenarios.limits import MAX_CAPABILITIES, MAX_DEMAND_MULTIPLIER, MAX_STEPS, Label
from scenarios.validation import Fraction, Issue, Strict


class EventBase(Strict):
    """A scheduled event: fires just before quarter `step` is simulated."""

    step: int = Field(ge=1, le=MAX_STEPS)


class IndustryDecline(EventBase):
    """Demand of an industry falls by `fraction` over `duration` quarters."""

    type: Literal["industry_decline"]
    industry: Label
    fraction: Fraction = 0.5
    duration: int = Field(8, ge=1, le=400)


class DemandBoom(EventBase):
    """Demand of an industry rises by `fraction` over `duration` quarters."""

    type: Literal["demand_boom"]
    industry: Label
    fraction: float = Field(0.5, gt=0.0, le=10.0)
    duration: int = Field(8, ge=1, le=400)


class PlantClosure(EventBase):
    """The largest firm of an industry exits."""

    type: Literal["plant_closure"]
    industry: Label


class TechnologyShift(EventBase):
    """Capabilities become obsolete: proficiency and skills in them lose `severity`."""

    type: Literal["technology_shift"]
    capabilities: list[Label] = Field(min_length=1, max_length=MAX_CAPABILITIES)
    severity: Fraction = 0.5


class EmergingIndustry(EventBase):
    """An emerging industry is born now (its lifecycle birth moves to this step)."""

    type: Literal["emerging_industry"]
    industry: Label


class BudgetCut(EventBase):
    """The regional policy budget is cut by `fraction`."""

    type: Literal["budget_cut"]
    fraction: Fraction = 0.5


class NationalSupport(EventBase):
    """National co-funding switched on (at `co_funding`) or off."""

    type: Literal["national_support"]
    on: bool = True
    co_funding: float = Field(1.0, ge=0.0, le=10.0)


class ExperimentationFund(EventBase):
    """An experimentation fund opens: `amount` more regional money per quarter for grants.

    The fund is earmarked for experiment grants for the rest of the run (co-funded like the
    rest of the budget; the other instruments keep their money). Grants go where the
    policy's rules send them: the targeted industries, or every industry without targeting.
    """

    type: Literal["experimentation_fund"]
    amount: float = Field(50.0, gt=0.0, le=1e6, description="money / quarter")


class StrengthenInstitutions(EventBase):
    """A strengthening programme: `amount` more regional money per quarter for institutions.

    Earmarked for institution strengthening for the rest of the run (extra capacity each
    quarter, lasting quality and responsiveness; the other instruments keep their money).
    """

    type: Literal["strengthen_institutions"]
    amount: float = Field(50.0, gt=0.0, le=1e6, description="money / quarter")


Event = Annotated[
    IndustryDecline
    | DemandBoom
    | PlantClosure
    | TechnologyShift
    | EmergingIndustry
    | BudgetCut
    | NationalSupport
    | ExperimentationFund
    | StrengthenInstitutions,
    Field(discriminator="type"),
]


def stacked_demand_issues(events: Sequence[object]) -> list[Issue]:
    """Industries whose demand booms together would multiply demand past the limit.

    A demand ramp holds its target after it ends, so every ``demand_boom`` on an industry
    multiplies its demand for the rest of the run: the product of ``1 + fraction`` over an
    industry's booms is the most its demand can be raised by events (declines only lower
    it). That product may be at most :data:`~scenarios.limits.MAX_DEMAND_MULTIPLIER`.

    Args:
        events: the scenario's events, in order.

    Returns:
        One issue per industry over the limit, located at ``events``.
    """
    booms: dict[str, list[int]] = {}
    for i, ev in enumerate(events):
        if isinstance(ev, DemandBoom):
            booms.setdefault(ev.industry, []).append(i)
    issues: list[Issue] = []
    for industry, rows in booms.items():
        factor = math.prod(1.0 + events[i].fraction for i in rows)  # type: ignore[attr-defined]
        if factor > MAX_DEMAND_MULTIPLIER * (1 + 1e-9):
            listed = ", ".join(f"events[{i}]" for i in rows[:8])
            if len(rows) > 8:
                listed += f" and {len(rows) - 8} more"
            msg = (
                f"the demand_boom events on {show_value(industry)} ({listed}) multiply its "
                f"demand by {factor:.4g}; allowed: at most {MAX_DEMAND_MULTIPLIER:g} in all "
                "(the product of 1 + fraction over an industry's booms)"
            )
            issues.append((("events",), msg, factor))
    return issues
