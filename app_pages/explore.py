"""The Explore page: pick a built-in scenario and a seed, step the region, watch it change.

Every browser session gets its own model: it lives in the component's state
(``solara.use_memo``), never in a module-level global shared across sessions. The page only
builds, steps and draws the model; all economics is in ``model``. Text is written as plain
HTML (``solara.Markdown`` would load KaTeX from the internet) and figures are PNG images.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import solara

from app_pages.figures import (
    CHART_FIGSIZE,
    MAP_FIGSIZE,
    employment_figure,
    figure_png,
    region_map_figure,
)
from model import RegionModel
from scenarios import list_builtins, load_scenario

SCENARIOS: dict[str, str] = dict(list_builtins()["scenarios"])  # name: description
DEFAULT_SCENARIO = "baseline"
QUARTERS_PER_YEAR = 4
LOG_LINES = 8


def build_model(scenario: str, seed: int) -> RegionModel:
    """Build the region of a built-in scenario at quarter 0.

    Args:
        scenario: a built-in scenario name (``scenarios.list_builtins()``).
        seed: the run's seed (0 or more).
    """
    return RegionModel(load_scenario(scenario), seed=seed)


def advance(model: RegionModel, quarters: int) -> None:
    """Step the model ``quarters`` quarters."""
    for _ in range(quarters):
        model.step()


def status_line(model: RegionModel) -> str:
    """One line: quarter, employment, unemployment rate and number of firms."""
    ind = model.indicators
    return (
        f"Quarter {model.steps} · employment {ind['employment']:,.0f} · "
        f"unemployment rate {ind['unemployment_rate']:.1%} · firms {ind['firms']:,.0f}"
    )


def recent_events(model: RegionModel, n: int = LOG_LINES) -> list[str]:
    """The last ``n`` lines of the plain-language event log, each starting with its quarter."""
    return [f"Q{step}: {text}" for step, text in model.log[-n:]]


def _html_list(lines: list[str], empty: str) -> str:
    return "".join(f"<li>{html.escape(line)}</li>" for line in lines or [empty])


@solara.component
def Controls(
    scenario: solara.Reactive[str],
    seed: solara.Reactive[int],
    on_run: Callable[[int], None],
    on_reset: Callable[[], None],
) -> None:
    """Scenario, seed, and the Step / Run 4 quarters / Reset buttons."""
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "12px"}):
        with solara.Div(style={"width": "320px"}):
            solara.Select("Scenario", values=list(SCENARIOS), value=scenario, dense=True)
        with solara.Div(style={"width": "100px"}):
            solara.InputInt("Seed", value=seed, dense=True, hide_details=True)
        solara.Button("Step", on_click=lambda: on_run(1), color="primary")
        solara.Button(
            f"Run {QUARTERS_PER_YEAR} quarters",
            on_click=lambda: on_run(QUARTERS_PER_YEAR),
            color="primary",
        )
        solara.Button("Reset", on_click=on_reset, outlined=True)


@solara.component
def ExplorePage() -> None:
    """Controls, a status line, the region map, the employment chart and the event log."""
    scenario = solara.use_reactive(DEFAULT_SCENARIO)
    seed = solara.use_reactive(0)
    resets, set_resets = solara.use_state(0)  # bumped by Reset: build a fresh model
    _revision, set_revision = solara.use_state(0)  # bumped after stepping: render again
    model = solara.use_memo(
        lambda: build_model(scenario.value, max(0, seed.value)),
        dependencies=[scenario.value, max(0, seed.value), resets],
    )
    drawn = [model, model.steps]  # redraw only when the model or its quarter changes
    map_png = solara.use_memo(lambda: figure_png(region_map_figure(model)), dependencies=drawn)
    chart_png = solara.use_memo(lambda: figure_png(employment_figure(model)), dependencies=drawn)

    def run(quarters: int) -> None:
        advance(model, quarters)
        set_revision(lambda r: r + 1)

    solara.Title("Mesoscape · Explore")
    with solara.Column(style={"padding": "8px 24px", "max-width": "1500px"}):
        solara.HTML(tag="h1", unsafe_innerHTML="Mesoscape · Explore", style="margin: 0")
        solara.HTML(
            tag="p",
            unsafe_innerHTML=html.escape(SCENARIOS.get(scenario.value, "")),
            style="margin: 0; color: #555",
        )
        Controls(scenario, seed, on_run=run, on_reset=lambda: set_resets(lambda r: r + 1))
        if seed.value < 0:
            solara.Warning("Seeds are whole numbers from 0 up: using seed 0.", dense=True)
        solara.HTML(
            tag="p",
            unsafe_innerHTML=html.escape(status_line(model)),
            classes=["mesoscape-status"],
            style="font-size: 1.15em; font-weight: 500; margin: 4px 0",
        )
        with solara.Columns([MAP_FIGSIZE[0], CHART_FIGSIZE[0]]):  # same scale for both
            solara.Image(map_png, width="100%", classes=["mesoscape-region-map"])
            solara.Image(chart_png, width="100%", classes=["mesoscape-employment-chart"])
        solara.HTML(tag="h3", unsafe_innerHTML="What happened", style="margin: 0")
        solara.HTML(
            tag="ul",
            unsafe_innerHTML=_html_list(recent_events(model), "Nothing notable yet."),
            classes=["mesoscape-log"],
        )
