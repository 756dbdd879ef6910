"""Small scenarios built from the schema classes, shared by the model tests.

``small_scenario(**overrides)`` gives a two-district manufacturing region (about 6,000
workers) with a lead industry (combustion-engine components) buying from local
suppliers, local services, an absent but related industry (power electronics) and an
emerging one (batteries), plus robotics, medical devices and food processing, absent at
the start. Everything not given here uses the schema defaults.

``service_scenario(...)`` gives a region with one institution of each type, for the
institution and policy tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.quarter import no_spending
from scenarios.schema import (
    Catalogue,
    District,
    Industry,
    InputLink,
    InstitutionSpec,
    Lifecycle,
    Region,
    RegionIndustry,
    Scenario,
)

if TYPE_CHECKING:
    from model import RegionModel
    from model.firms import Hiring, Production

CAPABILITIES = [
    "precision_machining",
    "metalworking",
    "electronics",
    "software",
    "chemistry",
    "logistics",
    "design",
    "hospitality",
]


def small_catalogue() -> Catalogue:
    """Ten industries over eight capabilities, with a small value chain."""
    return Catalogue(
        capabilities=CAPABILITIES,
        industries=[
            Industry(
                key="local_services",
                name="Local services",
                sector="services",
                requires=["logistics", "hospitality"],
                national_share=0.4,
                productivity=0.8,
                local_services=True,
            ),
            Industry(
                key="engine_components",
                name="Combustion-engine components",
                sector="manufacturing",
                requires=["precision_machining", "metalworking", "design", "logistics"],
                national_share=0.05,
                productivity=1.2,
            ),
            Industry(
                key="metal_fabrication",
                name="Metal fabrication",
                sector="manufacturing",
                requires=["metalworking", "precision_machining"],
                national_share=0.05,
                productivity=1.0,
            ),
            Industry(
                key="plastics",
                name="Plastics",
                sector="manufacturing",
                requires=["chemistry", "logistics"],
                national_share=0.03,
                productivity=1.0,
            ),
            Industry(
                key="power_electronics",
                name="Power electronics",
                sector="electrical",
                requires=["electronics", "precision_machining", "design"],
                national_share=0.03,
                productivity=1.4,
                lifecycle=Lifecycle(growth=0.02, peak=2.0),
            ),
            Industry(
                key="batteries",
                name="Batteries",
                sector="electrical",
                requires=["electronics", "chemistry", "precision_machining"],
                national_share=0.02,
                productivity=1.5,
                lifecycle=Lifecycle(birth=200, growth=0.08, peak=5.0),
            ),
            Industry(
                key="robotics",
                name="Robotics",
                sector="electrical",
                requires=["electronics", "software", "precision_machining", "design"],
                national_share=0.02,
                productivity=1.6,
                lifecycle=Lifecycle(growth=0.03, peak=3.0),
            ),
            Industry(
                key="medical_devices",
                name="Medical devices",
                sector="electrical",
                requires=["precision_machining", "electronics", "chemistry", "design"],
                national_share=0.02,
                productivity=1.5,
                lifecycle=Lifecycle(growth=0.02, peak=2.0),
            ),
            Industry(
                key="food_processing",
                name="Food processing",
                sector="food",
                requires=["chemistry", "logistics", "hospitality"],
                national_share=0.04,
                productivity=0.9,
            ),
            Industry(
                key="software",
                name="Software",
                sector="services",
                requires=["software", "design"],
                national_share=0.04,
                productivity=1.6,
            ),
        ],
        inputs=[
            InputLink(buyer="engine_components", supplier="metal_fabrication", coefficient=0.25),
            InputLink(buyer="engine_components", supplier="plastics", coefficient=0.1),
            InputLink(buyer="power_electronics", supplier="metal_fabrication", coefficient=0.1),
        ],
    )


def small_region(**overrides: Any) -> Region:
    """Two towns; the lead industry and its suppliers cluster in the first."""
    values: dict[str, Any] = dict(
        name="Testland",
        width=30,
        height=30,
        districts=[
            District(name="Northtown", x=8, y=8, labour_force=3000),
            District(name="Southtown", x=21, y=21, labour_force=1200),
        ],
        industries=[
            RegionIndustry(key="local_services", employment=1000),
            RegionIndustry(
                key="engine_components", employment=1500, firms=20, district="Northtown"
            ),
            RegionIndustry(key="metal_fabrication", employment=700, firms=20, district="Northtown"),
            RegionIndustry(key="plastics", employment=400, firms=10, district="Southtown"),
            RegionIndustry(key="software", employment=300, firms=10, district="Southtown"),
        ],
    )
    values.update(overrides)
    return Region(**values)


def small_scenario(region: dict[str, Any] | None = None, **overrides: Any) -> Scenario:
    """A complete small scenario; keyword arguments replace scenario fields.

    Args:
        region: overrides of the region profile's fields.
        **overrides: scenario fields, e.g. ``events=[...]``, ``entrepreneurs=...``.
    """
    values: dict[str, Any] = dict(
        name="small",
        region=small_region(**(region or {})),
        catalogue=small_catalogue(),
        steps=80,
    )
    values.update(overrides)
    return Scenario(**values)


class GrantPolicy:
    """A stand-in policy maker with only an experimentation fund.

    Refills ``per_quarter`` of grant money each quarter (unspent money does not carry
    over) and hands it out first come, first served; restricted to ``industries`` if
    given. It isolates the entrepreneurs' response to grant money from the real policy
    maker's targeting and allocation rules.
    """

    def __init__(self, per_quarter: float, industries: set[int] | None = None) -> None:
        self.per_quarter = per_quarter
        self.industries = industries
        self.targets = sorted(industries or ())  # as ``PolicyMaker.targets``
        self.available = 0.0
        self.granted = 0.0
        self.budget_cuts: list[float] = []
        self.national: list[tuple[bool, float]] = []
        self.spending = no_spending()  # this quarter's, as ``PolicyMaker.spending``

    def review(self, quarter: int | None = None, firms: Any = None) -> None:
        """Nothing to review (same arguments as ``PolicyMaker.review``)."""

    def spend(
        self, firms: Any = None, spending: dict[str, float] | None = None, home: Any = None
    ) -> None:
        """Refill the fund for this quarter; grants are recorded in ``spending`` if given.

        Same arguments as ``PolicyMaker.spend``; all optional, so tests can refill the fund
        by hand.
        """
        self.available = self.per_quarter
        if spending is not None:
            self.spending = spending

    def take_grant(self, industry: int, amount: float, fit=None, district: int = 0) -> float:
        if self.industries is not None and industry not in self.industries:
            return 0.0
        grant = min(amount, self.available)
        self.available -= grant
        self.granted += grant
        self.spending["experimentation"] += grant
        return grant

    def pay_subsidies(self, claims):
        """No targeted support: nothing is claimed, so pay the (zero) claims."""
        return claims

    def cut_budget(self, fraction: float) -> None:
        self.budget_cuts.append(fraction)
        self.per_quarter *= 1.0 - fraction

    def set_national(self, on: bool, co_funding: float) -> None:
        self.national.append((on, co_funding))


# --------------------------------------------------------------------------- institutions, policy

SERVICE_CAPABILITIES = [
    "machining",
    "metal",
    "electronics",
    "software",
    "chemistry",
    "food",
    "logistics",
    "sales",
]


def service_catalogue() -> Catalogue:
    """Eight industries over eight capabilities for the institution and policy tests.

    ``batteries`` is born at quarter 12; ``software`` and ``food`` are far from the region's
    metal cluster (priority industries for top-down tests).
    """

    def ind(key: str, requires: list[str], share: float, prod: float, **kw: Any) -> Industry:
        sector = kw.pop("sector", key)
        return Industry(
            key=key,
            name=key.replace("_", " ").title(),
            sector=sector,
            requires=requires,
            national_share=share,
            productivity=prod,
            **kw,
        )

    return Catalogue(
        capabilities=SERVICE_CAPABILITIES,
        industries=[
            ind("local", ["sales", "logistics"], 0.4, 0.8, local_services=True),
            ind("engines", ["machining", "metal", "logistics"], 0.05, 1.2, sector="metal"),
            ind("metal_fab", ["machining", "metal"], 0.05, 1.0, sector="metal"),
            ind(
                "electronics",
                ["electronics", "machining", "software"],
                0.03,
                1.4,
                lifecycle=Lifecycle(growth=0.02, peak=2.0),
            ),
            ind(
                "batteries",
                ["electronics", "chemistry", "machining", "metal"],
                0.02,
                1.5,
                lifecycle=Lifecycle(birth=12, growth=0.1, peak=5.0),
            ),
            ind("chemicals", ["chemistry", "logistics"], 0.03, 1.3),
            ind("food", ["food", "chemistry"], 0.04, 0.9),
            ind("software", ["software", "sales"], 0.04, 1.6),
        ],
        inputs=[
            InputLink(buyer="engines", supplier="metal_fab", coefficient=0.2),
            InputLink(buyer="engines", supplier="electronics", coefficient=0.1),
        ],
    )


def service_institutions(**spec: Any) -> list[InstitutionSpec]:
    """One institution of each type; ``spec`` overrides fields of all of them."""
    kinds = [
        ("training_institute", "North", ["machining", "metal"]),
        ("technology_centre", "North", ["electronics", "machining"]),
        ("business_association", "North", ["engines"]),
        ("development_agency", "South", ["electronics"]),
        ("university", "South", ["chemistry", "software"]),
    ]
    return [
        InstitutionSpec(type=t, district=d, focus=f, **spec)  # type: ignore[arg-type]
        for t, d, f in kinds
    ]


def service_scenario(
    institutions: list[InstitutionSpec] | None = None, **overrides: Any
) -> Scenario:
    """About 3,000 workers in two districts: a metal cluster in North, electronics in South.

    Args:
        institutions: the region's institutions (default: ``service_institutions()``).
        **overrides: scenario fields, e.g. ``policy=PolicyParams(...)``, ``steps``.
    """
    region = Region(
        name="Servicetown",
        width=30,
        height=30,
        districts=[
            District(name="North", x=8, y=8, labour_force=1900),
            District(name="South", x=21, y=21, labour_force=1100),
        ],
        industries=[
            RegionIndustry(key="local", employment=1000),
            RegionIndustry(key="engines", employment=800, firms=16, district="North"),
            RegionIndustry(key="metal_fab", employment=400, firms=12, district="North"),
            RegionIndustry(key="electronics", employment=300, firms=8, district="South"),
        ],
        institutions=service_institutions() if institutions is None else institutions,
    )
    values: dict[str, Any] = dict(
        name="services", region=region, catalogue=service_catalogue(), steps=40
    )
    values.update(overrides)
    return Scenario(**values)


# ------------------------------------------------------------------ one behaviour at a time


def produce(model: RegionModel) -> Production:
    """``Firms.produce`` with the model's collaborators, as ``RegionModel.step`` calls it."""
    return model.firms.produce(
        model.market, model.wages(), model.fixed_cost, model.policy.pay_subsidies
    )


def adjust_employment(model: RegionModel) -> Hiring:
    """``Firms.adjust_employment`` with the model's labour pool, space and entrant fit."""
    return model.firms.adjust_employment(
        model.labour, model.space, model.institutions.entrant_fit()
    )


def innovate(model: RegionModel) -> int:
    """``Firms.innovate`` with the ``innovation`` draws of the model's current quarter."""
    f = model.firms
    return f.innovate(model.draws("innovation", 2), model.market.youth(model.quarter))


def imitate(model: RegionModel) -> None:
    """``Firms.imitate`` with the model's space, trust, association spillover and grid."""
    model.firms.imitate(
        model.space,
        model.culture.trust,
        model.params.institutions.association_spillover,
        model.grid.dimensions,
    )


def learn(model: RegionModel) -> None:
    """``Firms.learn`` with the model's requirements."""
    model.firms.learn(model.space.requires)
