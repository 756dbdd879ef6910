"""Typed schema of the industry catalogue, region profiles and scenarios.

Every default value of the model lives in the schema classes and only there: the model, the
CLI, the docs table and the app's sliders all read them from these classes. Each field
carries its unit and meaning in ``description`` so that ``docs/ODD.md`` can list them.

The behavioural parameters live in :mod:`scenarios.behaviour`, the catalogue and region
classes in :mod:`scenarios.profile`, the event types in
:mod:`scenarios.events`, the strict base model and the cross-check helpers in
:mod:`scenarios.validation`, the size limits and safe text types in :mod:`scenarios.limits`;
all are re-exported here, so ``from scenarios.schema import ...`` reaches every type of a
scenario.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from scenarios.behaviour import EntrepreneurParams as EntrepreneurParams
from scenarios.behaviour import FirmParams as FirmParams
from scenarios.behaviour import InstitutionParams as InstitutionParams
from scenarios.behaviour import LabourParams as LabourParams

# `X as X`: re-exported, part of this module's interface
from scenarios.behaviour import MarketParams as MarketParams
from scenarios.events import BudgetCut as BudgetCut
from scenarios.events import DemandBoom as DemandBoom
from scenarios.events import EmergingIndustry as EmergingIndustry
from scenarios.events import Event, stacked_demand_issues
from scenarios.events import EventBase as EventBase
from scenarios.events import ExperimentationFund as ExperimentationFund
from scenarios.events import IndustryDecline as IndustryDecline
from scenarios.events import NationalSupport as NationalSupport
from scenarios.events import PlantClosure as PlantClosure
from scenarios.events import StrengthenInstitutions as StrengthenInstitutions
from scenarios.events import TechnologyShift as TechnologyShift
from scenarios.limits import (
    DEFAULT_WORKERS_PER_FIRM,
    MAX_EVENTS,
    MAX_FIRMS,
    MAX_INDUSTRIES,
    MAX_STEPS,
    Label,
    Slug,
    Text,
    default_firm_count,
)
from scenarios.profile import Catalogue as Catalogue
from scenarios.profile import Culture as Culture
from scenarios.profile import District as District
from scenarios.profile import Industry as Industry
from scenarios.profile import InputLink as InputLink
from scenarios.profile import InstitutionSpec as InstitutionSpec
from scenarios.profile import InstitutionType as InstitutionType
from scenarios.profile import Lifecycle as Lifecycle
from scenarios.profile import Region as Region
from scenarios.profile import RegionIndustry as RegionIndustry
from scenarios.profile import region_catalogue_issues as region_catalogue_issues
from scenarios.validation import CONSISTENCY_ERROR as CONSISTENCY_ERROR
from scenarios.validation import Fraction as Fraction
from scenarios.validation import Issue, _raise_issues, unknown_name
from scenarios.validation import Strict as Strict

# --------------------------------------------------------------------------- parameters


Targeting = Literal["none", "top_down", "bottom_up", "adaptive"]
BottomUpVariant = Literal["low_hanging_fruit", "balanced_portfolio", "long_jumps"]


class Allocation(Strict):
    """Shares of the regional policy budget by instrument (DESIGN §2.6)."""

    targeted_support: Fraction = 0.0
    experimentation: Fraction = 0.0
    institution_strengthening: Fraction = 0.0
    cluster_promotion: Fraction = 0.0
    value_chain_promotion: Fraction = 0.0
    foresight: Fraction = 0.0

    @model_validator(mode="after")
    def _sums(self) -> Allocation:
        total = sum(self.model_dump().values())
        if total > 1.0 + 1e-9:
            msg = f"allocation shares sum to {total:.3f}; allowed: at most 1"
            _raise_issues("Allocation", [((), msg, total)])
        return self


class PolicyParams(Strict):
    """The regional policy maker."""

    targeting: Targeting = "none"
    variant: BottomUpVariant = "balanced_portfolio"
    priority_industries: list[Label] = Field(
        [], max_length=MAX_INDUSTRIES, description="top_down targets"
    )
    budget: float = Field(0.0, ge=0.0, le=1e6, description="regional budget / quarter")
    allocation: Allocation = Allocation()
    review_interval: int = Field(12, ge=1, le=400, description="quarters between reviews")
    targets: int = Field(3, ge=1, le=30, description="industries targeted at a time")
    adaptive_breadth: int = Field(6, ge=1, le=30, description="adaptive: industries tried")
    growth_weight: float = Field(
        0.5, ge=0.0, le=10.0, description="balanced portfolio: weight of demand growth"
    )
    subsidy_rate_cap: Fraction = Field(0.15, description="max subsidy per unit of value added")
    grant_share: Fraction = Field(0.8, description="share of experiment cost a grant pays")
    sourcing_ceiling: Fraction = Field(
        0.8, description="value-chain promotion: most local sourcing it can reach"
    )
    sourcing_rate: Fraction = Field(
        0.02,
        description="value-chain promotion: share of the gap to the ceiling closed per quarter "
        "at saturating spending",
    )
    sourcing_half_effort: float = Field(
        0.001,
        gt=0.0,
        le=1.0,
        description="value-chain promotion: spending, as a share of the region's input purchases "
        "per quarter, that reaches half the rate",
    )


class NationalParams(Strict):
    """Macro level: the national framework and top-down support."""

    co_funding: float = Field(0.0, ge=0.0, le=10.0, description="national money per regional unit")
    enabling_environment: Fraction = Field(0.0, description="cut in all firms' fixed costs")


# --------------------------------------------------------------------------- scenario


class Scenario(Strict):
    """A complete experiment: a region, all parameters, policy and events."""

    name: Slug
    description: Text = ""
    region: Region
    catalogue: Catalogue
    steps: int = Field(120, ge=1, le=MAX_STEPS, description="quarters to simulate")
    market: MarketParams = MarketParams()
    firms: FirmParams = FirmParams()
    labour: LabourParams = LabourParams()
    entrepreneurs: EntrepreneurParams = EntrepreneurParams()
    institutions: InstitutionParams = InstitutionParams()
    policy: PolicyParams = PolicyParams()
    national: NationalParams = NationalParams()
    events: list[Event] = Field([], max_length=MAX_EVENTS)

    @model_validator(mode="after")
    def _names_known(self) -> Scenario:
        keys = [i.key for i in self.catalogue.industries]
        caps = list(self.catalogue.capabilities)
        issues: list[Issue] = [
            (("region", *loc), msg, v)
            for loc, msg, v in region_catalogue_issues(self.region, self.catalogue)
        ]
        for i, k in enumerate(self.policy.priority_industries):
            if k not in keys:
                msg = unknown_name("industry", k, keys)
                issues.append((("policy", "priority_industries", i), msg, k))
        for i, ev in enumerate(self.events):
            industry = getattr(ev, "industry", None)
            if industry is not None and industry not in keys:
                msg = unknown_name("industry", industry, keys)
                issues.append((("events", i, ev.type, "industry"), msg, industry))
            for j, c in enumerate(getattr(ev, "capabilities", [])):
                if c not in caps:
                    msg = unknown_name("capability", c, caps)
                    issues.append((("events", i, ev.type, "capabilities", j), msg, c))
            if ev.step > self.steps:
                msg = (
                    f"step {ev.step} is after the last step of the run; "
                    f"allowed: 1 to steps ({self.steps})"
                )
                issues.append((("events", i, ev.type, "step"), msg, ev.step))
        issues += stacked_demand_issues(self.events)
        # a scenario may set the default firm size (firms.workers_per_firm on main): count the
        # firms the model will build with it
        per_firm = getattr(self.firms, "workers_per_firm", DEFAULT_WORKERS_PER_FIRM)
        if per_firm != DEFAULT_WORKERS_PER_FIRM:
            firms = sum(
                default_firm_count(i.employment, i.firms, per_firm) for i in self.region.industries
            )
            if firms > MAX_FIRMS:
                msg = (
                    f"with {per_firm:g} workers per firm the region starts with {firms:,} firms; "
                    f"allowed: at most {MAX_FIRMS:,} firms in all"
                )
                issues.append((("firms", "workers_per_firm"), msg, per_firm))
        _raise_issues("Scenario", issues)
        return self
