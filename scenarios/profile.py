"""Schema of the industry catalogue and of region profiles (DESIGN §2.1, §2.11).

Part of :mod:`scenarios.schema`, which re-exports every class here. Sizes are bounded by
the limits of :mod:`scenarios.limits`: lists by their length, a region's firms and labour
force by their totals, names and labels by the safe text types.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from scenarios.limits import (
    MAX_CAPABILITIES,
    MAX_DISTRICTS,
    MAX_FIRMS,
    MAX_FOCUS,
    MAX_GRID,
    MAX_INDUSTRIES,
    MAX_INPUT_LINKS,
    MAX_INSTITUTIONS,
    MAX_LABOUR_FORCE,
    MAX_REGION_INDUSTRIES,
    MIN_GRID,
    Key,
    Label,
    Slug,
    Text,
    default_firm_count,
)
from scenarios.validation import Fraction, Issue, Strict, _names, _raise_issues, unknown_name

# --------------------------------------------------------------------------- catalogue


class Lifecycle(Strict):
    """External demand curve of an industry (DESIGN §2.1)."""

    birth: int = Field(0, ge=-400, le=400, description="quarter the industry is born; <= 0 exists")
    growth: float = Field(0.0, ge=0.0, le=0.5, description="logistic growth rate / quarter")
    peak: float = Field(1.0, gt=0.0, le=50.0, description="demand at maturity, multiple of initial")
    decline_onset: int = Field(
        10_000, ge=-400, le=10_000, description="quarter external decline starts"
    )
    decline_rate: float = Field(0.0, ge=0.0, le=0.2, description="demand loss / quarter")


class Industry(Strict):
    """One industry of the catalogue."""

    key: Key
    name: Label
    sector: Label = Field(description="broad sector, groups industries for related variety")
    requires: list[Label] = Field(
        min_length=1, max_length=MAX_CAPABILITIES, description="capabilities the industry requires"
    )
    national_share: float = Field(ge=0.0, le=1.0, description="share of national employment")
    productivity: float = Field(1.0, gt=0.0, le=10.0, description="frontier value added/worker")
    local_services: bool = Field(False, description="true for the local services industry")
    lifecycle: Lifecycle = Lifecycle()


class InputLink(Strict):
    """One cell of the input-output table.

    `buyer` buys `coefficient` of its output value from `supplier`.
    """

    buyer: Label
    supplier: Label
    coefficient: float = Field(gt=0.0, le=0.5)


class Catalogue(Strict):
    """Capabilities, industries and value chains shared by every region."""

    capabilities: list[Label] = Field(min_length=2, max_length=MAX_CAPABILITIES)
    industries: list[Industry] = Field(min_length=2, max_length=MAX_INDUSTRIES)
    inputs: list[InputLink] = Field([], max_length=MAX_INPUT_LINKS)

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        issues: list[Issue] = []
        caps = set(self.capabilities)
        seen: set[str] = set()
        for j, c in enumerate(self.capabilities):
            if c in seen:
                issues.append(
                    (("capabilities", j), f"capability {c!r} is listed twice; allowed: once", c)
                )
            seen.add(c)
        keys = [i.key for i in self.industries]
        seen = set()
        for i, ind in enumerate(self.industries):
            if ind.key in seen:
                issues.append(
                    (
                        ("industries", i, "key"),
                        f"industry key {ind.key!r} is used twice; allowed: unique keys",
                        ind.key,
                    )
                )
            seen.add(ind.key)
            for j, c in enumerate(ind.requires):
                if c not in caps:
                    msg = unknown_name("capability", c, caps)
                    issues.append((("industries", i, "requires", j), msg, c))
        local = [i.key for i in self.industries if i.local_services]
        if len(local) != 1:
            found = f"found {len(local)}" + (f" ({_names(local)})" if local else "")
            issues.append(
                (
                    ("industries",),
                    f"{found} industries with local_services = true; allowed: exactly one",
                    local,
                )
            )
        pairs: set[tuple[str, str]] = set()
        totals: dict[str, float] = {}
        for n, link in enumerate(self.inputs):
            for field in ("buyer", "supplier"):
                k = getattr(link, field)
                if k not in keys:
                    issues.append((("inputs", n, field), unknown_name("industry", k, keys), k))
            if (link.buyer, link.supplier) in pairs:
                msg = f"link {link.buyer} <- {link.supplier} is listed twice; allowed: once"
                issues.append((("inputs", n), msg, link.supplier))
            pairs.add((link.buyer, link.supplier))
            totals[link.buyer] = totals.get(link.buyer, 0.0) + link.coefficient
        for buyer, total in totals.items():
            if total >= 1.0:
                msg = f"input coefficients of {buyer!r} sum to {total:.3g}; allowed: less than 1"
                issues.append((("inputs",), msg, total))
        _raise_issues("Catalogue", issues)
        return self


# --------------------------------------------------------------------------- region

InstitutionType = Literal[
    "training_institute",
    "technology_centre",
    "business_association",
    "development_agency",
    "university",
]


class District(Strict):
    """A town and its surroundings."""

    name: Label
    x: int = Field(ge=0, le=MAX_GRID - 1)
    y: int = Field(ge=0, le=MAX_GRID - 1)
    labour_force: int = Field(gt=0, le=MAX_LABOUR_FORCE, description="workers")


class RegionIndustry(Strict):
    """Initial presence of a catalogue industry in the region."""

    key: Label
    employment: int = Field(ge=0, le=MAX_LABOUR_FORCE, description="workers at start")
    firms: int | None = Field(
        None, ge=0, le=MAX_FIRMS, description="firms at start (default: employment/40)"
    )
    district: Label | None = Field(None, description="district the industry clusters in")


class InstitutionSpec(Strict):
    """A meso institution placed in a district."""

    type: InstitutionType
    district: Label
    focus: list[Label] = Field(
        min_length=1, max_length=MAX_FOCUS, description="capabilities or industries it serves"
    )
    radius: float = Field(12.0, gt=0.0, le=500.0, description="reach in grid cells")
    capacity: int = Field(15, ge=0, le=10_000, description="clients served per quarter")
    quality: Fraction = Field(0.5, description="effect size multiplier 0..1")
    responsiveness: Fraction = Field(0.05, description="focus adjustment rate / quarter")
    budget: float = Field(10.0, ge=0.0, le=1e6, description="running budget / quarter")


class Culture(Strict):
    """Meta level: entrepreneurial culture, trust, capacity to coordinate."""

    entrepreneurial_culture: float = Field(
        1.0, ge=0.0, le=5.0, description="multiplier on nascent entrepreneurs"
    )
    trust: Fraction = Field(0.5, description="scales knowledge spillovers and cluster effects")
    coordination: Fraction = Field(
        0.5,
        description="scales institution responsiveness, what policy money buys and screening",
    )


class Region(Strict):
    """A region profile: grid, districts, industries, institutions, culture."""

    name: Slug
    description: Text = ""
    width: int = Field(40, ge=MIN_GRID, le=MAX_GRID, description="grid cells")
    height: int = Field(40, ge=MIN_GRID, le=MAX_GRID, description="grid cells")
    unemployment_rate: float = Field(
        0.06,
        ge=0.0,
        le=0.9,
        description="initial unemployment rate, at least (more if the districts' labour "
        "force exceeds employment by more)",
    )
    local_sourcing: Fraction = Field(0.25, description="share of inputs bought in the region")
    districts: list[District] = Field(min_length=1, max_length=MAX_DISTRICTS)
    industries: list[RegionIndustry] = Field(min_length=1, max_length=MAX_REGION_INDUSTRIES)
    institutions: list[InstitutionSpec] = Field([], max_length=MAX_INSTITUTIONS)
    culture: Culture = Culture()

    @model_validator(mode="after")
    def _consistent(self) -> Region:
        issues: list[Issue] = []
        names = [d.name for d in self.districts]
        seen: set[str] = set()
        for i, d in enumerate(self.districts):
            if d.name in seen:
                msg = f"district name {d.name!r} is used twice; allowed: unique names"
                issues.append((("districts", i, "name"), msg, d.name))
            seen.add(d.name)
            for axis, size in (("x", self.width), ("y", self.height)):
                v = getattr(d, axis)
                if v >= size:
                    msg = (
                        f"{v} lies outside the {self.width}x{self.height} grid; "
                        f"allowed: 0 to {size - 1}"
                    )
                    issues.append((("districts", i, axis), msg, v))
        pairs: set[tuple[str, str | None]] = set()
        for i, ind in enumerate(self.industries):
            if ind.district is not None and ind.district not in names:
                msg = unknown_name("district", ind.district, names)
                issues.append((("industries", i, "district"), msg, ind.district))
            if (ind.key, ind.district) in pairs:
                where = f" in district {ind.district!r}" if ind.district else ""
                msg = f"industry {ind.key!r} is listed twice{where}; allowed: once per district"
                issues.append((("industries", i, "key"), msg, ind.key))
            pairs.add((ind.key, ind.district))
            if ind.firms == 0 and ind.employment > 0:
                msg = f"0 firms for {ind.employment} workers; allowed: at least 1 firm"
                issues.append((("industries", i, "firms"), msg, ind.firms))
            if ind.firms is not None and ind.firms > ind.employment:
                msg = (
                    f"{ind.firms} firms for {ind.employment} workers; allowed: at most 1 per worker"
                )
                issues.append((("industries", i, "firms"), msg, ind.firms))
        for i, inst in enumerate(self.institutions):
            if inst.district not in names:
                msg = unknown_name("district", inst.district, names)
                issues.append((("institutions", i, "district"), msg, inst.district))
        employed = sum(i.employment for i in self.industries)
        lf = sum(d.labour_force for d in self.districts)
        if employed == 0:
            msg = "no industry has any employment; allowed: at least one worker"
            issues.append((("industries",), msg, employed))
        if employed > lf:
            msg = (
                f"initial employment {employed} exceeds the labour force {lf}; "
                "allowed: at most the sum of the districts' labour_force"
            )
            issues.append((("industries",), msg, employed))
        firms = sum(default_firm_count(i.employment, i.firms) for i in self.industries)
        if firms > MAX_FIRMS:
            msg = (
                f"{firms:,} firms in all (entries without firms count employment / 40); "
                f"allowed: at most {MAX_FIRMS:,}"
            )
            issues.append((("industries",), msg, firms))
        if lf > MAX_LABOUR_FORCE:
            msg = (
                f"the districts' labour force sums to {lf:,} workers; "
                f"allowed: at most {MAX_LABOUR_FORCE:,}"
            )
            issues.append((("districts",), msg, lf))
        _raise_issues("Region", issues)
        return self


def region_catalogue_issues(region: Region, catalogue: Catalogue) -> list[Issue]:
    """Names in a region that the catalogue does not know.

    Args:
        region: a validated region profile.
        catalogue: the catalogue its industries and institution focus must come from.

    Returns:
        Issues located relative to the region, e.g. ``("industries", 3, "key")``.
    """
    keys = [i.key for i in catalogue.industries]
    caps = list(catalogue.capabilities)
    issues: list[Issue] = []
    for i, ind in enumerate(region.industries):
        if ind.key not in keys:
            issues.append(
                (("industries", i, "key"), unknown_name("industry", ind.key, keys), ind.key)
            )
    for i, inst in enumerate(region.institutions):
        for j, f in enumerate(inst.focus):
            if f not in caps and f not in keys:
                msg = (
                    f"{f!r} is neither a capability nor an industry of the catalogue; "
                    f"allowed: a capability ({_names(caps)}) or an industry ({_names(keys)})"
                )
                issues.append((("institutions", i, "focus", j), msg, f))
    return issues
