"""The scheduled events of a scenario (``[[events]]``), their parameters and defaults."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from scenarios.validation import Fraction, Strict


class EventBase(Strict):
    """A scheduled event: fires just before quarter `step` is simulated."""

    step: int = Field(ge=1, le=10_000)


class IndustryDecline(EventBase):
    """Demand of an industry falls by `fraction` over `duration` quarters."""

    type: Literal["industry_decline"]
    industry: str
    fraction: Fraction = 0.5
    duration: int = Field(8, ge=1, le=400)


class DemandBoom(EventBase):
    """Demand of an industry rises by `fraction` over `duration` quarters."""

    type: Literal["demand_boom"]
    industry: str
    fraction: float = Field(0.5, gt=0.0, le=10.0)
    duration: int = Field(8, ge=1, le=400)


class PlantClosure(EventBase):
    """The largest firm of an industry exits."""

    type: Literal["plant_closure"]
    industry: str


class TechnologyShift(EventBase):
    """Capabilities become obsolete: proficiency and skills in them lose `severity`."""

    type: Literal["technology_shift"]
    capabilities: list[str] = Field(min_length=1)
    severity: Fraction = 0.5


class EmergingIndustry(EventBase):
    """An emerging industry is born now (its lifecycle birth moves to this step)."""

    type: Literal["emerging_industry"]
    industry: str


class BudgetCut(EventBase):
    """The regional policy budget is cut by `fraction`."""

    type: Literal["budget_cut"]
    fraction: Fraction = 0.5


class NationalSupport(EventBase):
    """National co-funding switched on (at `co_funding`) or off."""

    type: Literal["national_support"]
    on: bool = True
    co_funding: float = Field(1.0, ge=0.0, le=10.0)


Event = Annotated[
    IndustryDecline
    | DemandBoom
    | PlantClosure
    | TechnologyShift
    | EmergingIndustry
    | BudgetCut
    | NationalSupport,
    Field(discriminator="type"),
]
