"""The real app (``app.py``): the Explore page, in the browser and without one."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from app_pages.explore import SCENARIOS, advance, build_model, recent_events, status_line
from app_pages.figures import employment_figure, figure_png, region_map_figure, top_industries

APP = Path(__file__).resolve().parents[2] / "app.py"
PNG = b"\x89PNG\r\n\x1a\n"
STATUS = re.compile(
    r"^Quarter (\d+) · employment [\d,]+ · unemployment rate [\d.]+% · firms [\d,]+$"
)


# ---------------------------------------------------------------------- without a browser


def test_app_module_exposes_the_explore_page():
    spec = importlib.util.spec_from_file_location("mesoscape_app_under_test", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert callable(module.Page)


def test_build_model_gives_a_fresh_region_that_steps():
    assert "baseline" in SCENARIOS
    model = build_model("baseline", seed=0)
    assert model.steps == 0 and model.seed == 0
    assert len(model.firms) > 0 and len(model.institutions.institutions) > 0
    assert STATUS.match(status_line(model)).group(1) == "0"
    advance(model, 2)
    assert model.steps == 2
    assert STATUS.match(status_line(model)).group(1) == "2"
    again = build_model("baseline", seed=0)
    advance(again, 2)
    assert status_line(again) == status_line(model), "same scenario and seed, same region"


def test_recent_events_start_with_their_quarter():
    model = build_model("baseline", seed=0)
    model.log[:] = [(k, f"line {k}") for k in range(10)] + [(12, "an event")]
    assert recent_events(model) == [f"Q{k}: line {k}" for k in range(3, 10)] + ["Q12: an event"]


def test_figures_render_to_png_with_the_top_industries_in_the_legend():
    model = build_model("baseline", seed=0)
    advance(model, 2)
    region_map, chart = region_map_figure(model), employment_figure(model)
    for fig in (region_map, chart):
        assert figure_png(fig).startswith(PNG)
    top = top_industries(model)
    assert 0 < len(top) <= 8
    legend = [t.get_text() for t in region_map.legends[0].get_texts()]
    assert legend[-1] == "other industries" and len(legend) == len(top) + 1
    assert legend[0].startswith(model.space.names[top[0]][:10])


def _render_page():
    import solara

    from app_pages.explore import ExplorePage

    _box, rc = solara.render(ExplorePage(), handle_error=False)
    return rc


def _status(rc) -> str:
    import solara

    (status,) = [
        w.unsafe_innerHTML
        for w in rc.find(solara.widgets.HTML).widgets
        if w.attributes.get("class") == "mesoscape-status"
    ]
    return status


def _click(rc, label: str) -> None:
    import ipyvuetify as v

    rc.find(v.Btn, children=[label]).widget.click()


def test_page_buttons_step_and_reset_each_sessions_own_model():
    first, second = _render_page(), _render_page()
    assert STATUS.match(_status(first)).group(1) == "0"
    _click(first, "Step")
    assert STATUS.match(_status(first)).group(1) == "1"
    _click(first, "Run 4 quarters")
    assert STATUS.match(_status(first)).group(1) == "5"
    assert STATUS.match(_status(second)).group(1) == "0", "sessions must not share a model"
    _click(first, "Reset")
    assert STATUS.match(_status(first)).group(1) == "0"
    _click(first, "Step")  # same quarter number as before Reset: must still redraw
    assert STATUS.match(_status(first)).group(1) == "1"


def test_cmd_app_serves_on_localhost_without_internet(monkeypatch):
    from experiments import cli

    calls = []
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, env: calls.append((cmd, env)) or 0)
    assert cli.main(["app"]) == 0
    ((cmd, env),) = calls
    assert cmd[1:5] == ["-m", "solara", "run", str(APP)]
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert {"--production", "--no-check-version", "--no-open"} <= set(cmd)
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")


# ---------------------------------------------------------------------- in the browser


@pytest.mark.browser
def test_explore_page_renders_and_steps_offline(solara_server, offline_page, tmp_path):
    from playwright.sync_api import expect

    page = offline_page.page
    page.goto(solara_server(APP), wait_until="domcontentloaded")
    status = page.locator(".mesoscape-status")
    region_map = page.locator("img.mesoscape-region-map")
    chart = page.locator("img.mesoscape-employment-chart")
    try:
        expect(page.get_by_role("heading", name="Mesoscape · Explore")).to_be_visible()
        expect(status).to_have_text(STATUS)
        expect(status).to_contain_text("Quarter 0 ·")
        for image in (region_map, chart):
            expect(image).to_be_visible()
            expect(image).to_have_attribute("src", re.compile(r"^blob:"))
            width, height = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
            assert width > 300 and height > 300, f"figure looks empty: {width}x{height}"
        expect(page.get_by_text("What happened")).to_be_visible()
        map_src, chart_src = region_map.get_attribute("src"), chart.get_attribute("src")

        page.get_by_role("button", name="Step").click()
        expect(status).to_contain_text("Quarter 1 ·")
        expect(region_map).not_to_have_attribute("src", map_src)
        expect(chart).not_to_have_attribute("src", chart_src)

        page.get_by_role("button", name="Run 4 quarters").click()
        expect(status).to_contain_text("Quarter 5 ·")
        page.get_by_role("button", name="Reset").click()
        expect(status).to_contain_text("Quarter 0 ·")
        page.wait_for_load_state("networkidle")
    finally:
        page.screenshot(path=str(tmp_path / "explore.png"), full_page=True)

    offline_page.assert_offline()
    assert page.title() == "Mesoscape · Explore"
