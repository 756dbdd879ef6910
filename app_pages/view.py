"""The one place where the app reads the model: a thin adapter over its public API.

Every page goes through these functions, never through model internals, so a rename in the
model core is fixed here once. What is read: ``RegionModel(scenario, seed)``, ``.step()``,
``.quarter``, ``.indicators``, ``.log``, ``.events.trigger`` / ``.events.markers``,
``.firms`` (x, y, industry, employment), ``.institutions.institutions`` (kind, district,
radius), ``.space`` (keys, names, complexity, relatedness), ``.district_names``,
``.district_xy``, the datacollector and ``.ledger.to_frame()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model import RegionModel, targeting
from scenarios.schema import Scenario

QUARTERS_PER_YEAR = 4
FUNDING_WORDS = {
    "grant": "after a co-funded experiment",
    "savings": "funded from the founder's own savings",
    "spinoff": "as a spin-off of an established firm",
}


def build(scenario: Scenario, seed: int) -> RegionModel:
    """A fresh model of ``scenario`` at quarter 0 (seed already checked by the caller)."""
    return RegionModel(scenario, seed=seed)


def quarter(model: RegionModel) -> int:
    """Quarters simulated so far."""
    return int(model.quarter)


def horizon(model: RegionModel) -> int:
    """The scenario's last quarter."""
    return int(model.params.steps)


def step(model: RegionModel, quarters: int = 1) -> int:
    """Advance up to ``quarters`` quarters, never past the horizon; return quarters done."""
    done = 0
    while done < quarters and quarter(model) < horizon(model):
        model.step()
        done += 1
    return done


def when(q: int) -> str:
    """Quarter number as people say it: ``Year 4, Q3`` (quarter 0 is the start)."""
    if q <= 0:
        return "Start"
    return f"Year {(q - 1) // QUARTERS_PER_YEAR + 1}, Q{(q - 1) % QUARTERS_PER_YEAR + 1}"


def clock(model: RegionModel) -> str:
    """E.g. ``Year 2, Q1 · quarter 5 of 120``."""
    q = quarter(model)
    return f"{when(q)} · quarter {q} of {horizon(model)}"


def indicators(model: RegionModel) -> dict[str, float]:
    """This quarter's indicators."""
    return dict(model.indicators)


def history(model: RegionModel) -> pd.DataFrame:
    """One row per quarter (index: quarter), one column per indicator."""
    df = model.datacollector.get_model_vars_dataframe()
    df.index = range(len(df))
    return df


def employment_history(model: RegionModel) -> tuple[np.ndarray, np.ndarray]:
    """The quarters recorded, and workers by quarter (rows) and industry (columns, index order)."""
    recorder = model.datacollector
    steps = recorder.by_quarter("employment_by_industry", "step")
    workers = recorder.by_quarter("employment_by_industry", "employment")
    if not steps.size:
        return np.zeros(0, dtype=int), np.zeros((0, len(model.space.keys)))
    return steps[:, 0].astype(int), workers


def markers(model: RegionModel) -> list[tuple[int, str]]:
    """``(quarter, label)`` of every event applied so far (scheduled and live)."""
    return list(model.events.markers)


def trigger(model: RegionModel, event: object) -> str:
    """Apply a live intervention now (effective next quarter); return its log line."""
    return model.events.trigger(event)


def industry_keys(model: RegionModel) -> list[str]:
    """Catalogue industry keys, in index order."""
    return list(model.space.keys)


def industry_names(model: RegionModel) -> list[str]:
    """Catalogue industry names, in index order."""
    return list(model.space.names)


def employment_by_industry(model: RegionModel) -> np.ndarray:
    """K, workers in each industry now (from the firms)."""
    f = model.firms
    return np.bincount(f.industry, weights=f.employment, minlength=len(model.space.keys))


@dataclass(frozen=True)
class MapData:
    """What the region map shows."""

    width: int
    height: int
    x: np.ndarray
    y: np.ndarray
    industry: np.ndarray
    employment: np.ndarray
    district_names: list[str]
    district_xy: np.ndarray
    institutions: list[tuple[str, int, float]]  # (kind, district index, radius)


def map_data(model: RegionModel) -> MapData:
    """Firms, districts and institutions for the map."""
    f, region = model.firms, model.params.region
    insts = []
    names = list(model.district_names)
    for inst in model.institutions.institutions:
        district = inst.district
        if isinstance(district, str):
            district = names.index(district) if district in names else 0
        insts.append((str(inst.kind), int(district), float(inst.radius)))
    return MapData(
        width=int(region.width),
        height=int(region.height),
        x=np.asarray(f.x, dtype=float),
        y=np.asarray(f.y, dtype=float),
        industry=np.asarray(f.industry, dtype=int),
        employment=np.asarray(f.employment, dtype=float),
        district_names=names,
        district_xy=np.asarray(model.district_xy, dtype=float),
        institutions=insts,
    )


def story(model: RegionModel) -> list[tuple[int, str]]:
    """The run in plain language, oldest first: the model's log and its discovery ledger.

    Every line is ``(quarter, text)``; discoveries (the first firm of an industry new to the
    region) say where and how they were funded, and how many followers came after.
    """
    lines = [(int(q), str(text)) for q, text in model.log]
    names = dict(zip(model.space.keys, model.space.names, strict=True))
    districts = model.district_names
    for d in model.ledger.entries.values():  # the ledger itself: no table every quarter
        if d.step <= 0:
            continue
        name = names.get(d.industry, d.industry)
        place = f" in {districts[d.district]}" if 0 <= d.district < len(districts) else ""
        how = FUNDING_WORDS.get(d.funding, "")
        text = f"the first {name.lower()} firm opened{place}" + (f", {how}" if how else "")
        if d.followers:
            text += f"; {len(d.followers)} more followed"
        lines.append((int(d.step), text))
    lines.sort(key=lambda t: t[0])
    return lines


def story_lines(model: RegionModel, n: int | None = None) -> list[str]:
    """The newest ``n`` story lines (all if None), newest first, with their time in words."""
    lines = [f"{when(q)}: {text[:1].upper()}{text[1:]}" for q, text in story(model)]
    lines.reverse()
    return lines if n is None else lines[:n]


@dataclass(frozen=True)
class Opportunity:
    """The region's opportunity view: one entry per eligible industry."""

    keys: list[str]
    names: list[str]
    density: np.ndarray
    gain: np.ndarray
    employment: np.ndarray
    picks: dict[str, list[str]]  # strategy -> industry keys it would pick


def opportunity(model: RegionModel, targets: int = 3) -> Opportunity:
    """Relatedness density against complexity gain now, and what each strategy would pick."""
    sp, scenario = model.space, model.params
    keys = list(sp.keys)
    emp = employment_by_industry(model)
    share = np.array([i.national_share for i in scenario.catalogue.industries], dtype=float)
    regional = emp / max(emp.sum(), 1e-12)
    presence = (regional / np.maximum(share, 1e-12)) >= 1.0
    density = targeting.opportunity(presence, np.asarray(sp.relatedness))
    gain = targeting.complexity_gain(np.asarray(sp.complexity), emp)
    local = [n for n, i in enumerate(scenario.catalogue.industries) if i.local_services]
    eligible = np.array(
        [i.lifecycle.birth <= quarter(model) for i in scenario.catalogue.industries]
    )
    eligible[local] = False
    growth = np.array(
        [i.lifecycle.growth for i in scenario.catalogue.industries], dtype=float
    )  # the catalogue's growth rate stands for expected demand growth
    picks = {
        v: [keys[k] for k in targeting.rank_bottom_up(v, density, gain, growth, eligible)[:targets]]
        for v in targeting.VARIANTS
    }
    priority = [k for k in scenario.policy.priority_industries if k in keys]
    if priority:
        picks["top_down"] = priority[:targets]
    idx = np.flatnonzero(eligible)
    return Opportunity(
        keys=[keys[k] for k in idx],
        names=[sp.names[k] for k in idx],
        density=density[idx],
        gain=gain[idx],
        employment=emp[idx],
        picks=picks,
    )


def districts_table(model: RegionModel) -> pd.DataFrame:
    """This quarter's districts: employment, diversity and complexity."""
    table = model.datacollector.get_table_dataframe("districts")
    now = table[table["step"] == table["step"].max()]
    return now[["district", "employment", "diversity", "complexity"]].reset_index(drop=True)


def discovery_count(model: RegionModel) -> int:
    """Industries new to the region entered since the start (the indicator counts per quarter)."""
    return int(model.ledger.discoveries)


def discoveries(model: RegionModel) -> pd.DataFrame:
    """The discovery ledger (one row per industry new to the region)."""
    return model.ledger.to_frame()
