"""Small scenarios built from the schema classes, shared by the model tests.

``small_scenario(**overrides)`` gives a two-district manufacturing region (about 6,000
workers) with a lead industry (combustion-engine components) buying from local
suppliers, local services, an absent but related industry (power electronics) and an
emerging one (batteries). Everything not given here uses the schema defaults.
"""

from __future__ import annotations

from typing import Any

from scenarios.schema import (
    Catalogue,
    District,
    Industry,
    InputLink,
    Lifecycle,
    Region,
    RegionIndustry,
    Scenario,
)

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
    """Seven industries over eight capabilities, with a small value chain."""
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
            RegionIndustry(key="engine_components", employment=1500, firms=20, district="Northtown"),
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
