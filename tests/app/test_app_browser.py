"""The app in Debian's Chromium, served by ``mesoscape app`` on loopback (issue 8, accept. 1).

Each test saves a screenshot (``MESOSCAPE_ARTIFACTS`` or a tmp folder). One server serves
all tests; each test uses its own browser context, i.e. its own session.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CLOCK = ".mesoscape-clock"


def _open(page, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(url, wait_until="domcontentloaded")
    expect(page.locator(CLOCK)).to_be_visible()


def _quarter(page) -> int:
    text = page.locator(CLOCK).inner_text()
    return int(re.search(r"quarter (\d+) of", text).group(1))


def test_explore_loads_with_map_plays_pauses_and_applies_a_lever_on_reset(
    app_url, offline_page, shots
):
    from playwright.sync_api import expect

    page = offline_page.page
    try:
        _open(page, app_url)
        expect(page.locator("svg.mesoscape-region-map")).to_be_visible()
        expect(page.locator("svg.mesoscape-region-map circle").first).to_be_attached()
        expect(page.get_by_text("What happened")).to_be_visible()
        expect(page.locator(CLOCK)).to_have_text("Start · quarter 0 of 120")

        page.get_by_role("button", name="Play").click()
        expect(page.locator(CLOCK)).not_to_contain_text("quarter 0 of")
        page.wait_for_function(
            "() => /quarter ([2-9]|[1-9][0-9]+) of/.test("
            "document.querySelector('.mesoscape-clock').textContent)"
        )
        page.get_by_role("button", name="Pause").click()
        # Pause waits for the quarter in progress: once Play shows, the quarter is final.
        expect(page.get_by_role("button", name="Play")).to_be_visible()
        stopped = _quarter(page)
        assert 2 <= stopped < 120, "Play should have run some quarters, not to the end"
        # Step is enabled only while nothing plays, and moves exactly one quarter each time:
        # a Play loop still running would be seen as a skipped quarter.
        for n in (1, 2):
            page.get_by_role("button", name="Step").click()
            expect(page.locator(CLOCK)).to_contain_text(f"quarter {stopped + n} of")
        assert _quarter(page) == stopped + 2, "Pause must stop the quarters"

        applied = page.locator(".mesoscape-applied")
        expect(applied).to_contain_text("the scenario's own levers")
        slider = page.get_by_role("slider").first  # Regional budget
        slider.focus()
        page.keyboard.press("ArrowRight")
        expect(page.locator(".mesoscape-pending")).to_be_visible()
        expect(applied).to_contain_text("the scenario's own levers")  # not yet
        page.get_by_role("button", name="Reset").click()
        expect(applied).to_contain_text("changed levers: Regional budget 151")
        expect(page.locator(CLOCK)).to_have_text("Start · quarter 0 of 120")
        expect(page.locator(".mesoscape-pending")).to_have_count(0)
        page.wait_for_load_state("networkidle")
    finally:
        page.screenshot(path=str(shots / "explore.png"), full_page=True)
    offline_page.assert_offline()


def test_bad_upload_and_negative_seed_show_inline_messages(app_url, offline_page, shots):
    from playwright.sync_api import expect

    page = offline_page.page
    try:
        _open(page, app_url)
        seed = page.get_by_label("Seed")
        seed.fill("-3")
        seed.press("Enter")
        expect(page.locator(".mesoscape-message")).to_contain_text(
            "seed: -3 is negative; allowed: 0 or more"
        )
        page.get_by_role("button", name="Share, download, upload").click()
        toml = _download(page, "Download this scenario (TOML)")
        assert 'name = "decline_bottom_up"' in toml
        bad = shots / "bad.toml"
        bad.write_text('steps = "many"\n')
        page.locator("input[type=file]").set_input_files(str(bad))
        message = page.locator(".mesoscape-message").filter(has_text="bad.toml")
        expect(message).to_contain_text("bad.toml: steps:")
        body = page.locator("body").inner_text()
        assert "Traceback" not in body and "/work/" not in body and "site-packages" not in body
    finally:
        page.screenshot(path=str(shots / "bad-input.png"), full_page=True)


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    page.locator(".v-select").filter(has_text=label).first.click()
    page.locator(".v-list-item:visible").filter(has_text=option).first.click()


def test_workshop_interventions_add_markers_and_log_lines(app_url, offline_page, shots):
    from playwright.sync_api import expect

    page = offline_page.page
    try:
        _open(page, app_url + "workshop")
        markers = page.locator(".mesoscape-workshop-jobs .event-marker")
        log = page.locator(".mesoscape-workshop-log")
        expect(markers).to_have_count(0)
        page.get_by_role("button", name="Intervene now").click()
        expect(markers).to_have_count(1)
        expect(page.locator(".mesoscape-workshop-unemployment .event-marker")).to_have_count(1)
        expect(log).to_contain_text(
            "Year 1, Q1: Demand for Combustion-engine components starts to fall by 50%"
        )
        page.get_by_role("button", name="Step").click()
        expect(page.locator(CLOCK)).to_contain_text("quarter 1 of")

        _choose(page, "Intervention", "Experimentation fund")
        page.get_by_role("button", name="Intervene now").click()
        expect(markers).to_have_count(2)
        expect(log).to_contain_text("Q2: An experimentation fund opens: 50 money units more")
        _choose(page, "Intervention", "Strengthen institutions")
        page.get_by_role("button", name="Intervene now").click()
        expect(markers).to_have_count(3)
        expect(log).to_contain_text("Q2: Institutions are strengthened: 50 money units more")
        expect(page.locator(".mesoscape-workshop-jobs")).to_contain_text("Experimentation fund")
    finally:
        page.screenshot(path=str(shots / "workshop.png"), full_page=True)


def test_shared_link_opens_the_same_view_in_a_fresh_context(app_url, browser, offline_page, shots):
    from playwright.sync_api import expect

    page = offline_page.page
    _open(page, app_url)
    seed = page.get_by_label("Seed")
    seed.fill("7")
    seed.press("Enter")
    expect(page.locator(".mesoscape-pending")).to_be_visible()  # the seed reached the server
    slider = page.get_by_role("slider").nth(7)  # grant share of an experiment
    expect(slider).to_have_attribute("aria-valuenow", "0.8")
    slider.focus()
    slider.press("ArrowLeft")
    expect(page.get_by_text("Grant share of an experiment: 0.79")).to_be_visible()
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".mesoscape-applied")).to_contain_text(
        "seed 7; changed levers: Grant share of an experiment 0.79"
    )
    for _ in range(3):
        before = _quarter(page)
        page.get_by_role("button", name="Step").click()
        expect(page.locator(CLOCK)).to_contain_text(f"quarter {before + 1} of")
    page.get_by_role("button", name="Share, download, upload").click()
    link = page.get_by_label("Link to this view").input_value()
    assert "?view=" in link and link.startswith("http://127.0.0.1:")
    sent = {
        sel: page.locator(sel).inner_text()
        for sel in (CLOCK, ".mesoscape-applied", ".mesoscape-status")
    }

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        other = context.new_page()
        other.goto(link, wait_until="domcontentloaded")
        for sel, text in sent.items():
            expect(other.locator(sel)).to_have_text(text)
        assert other.get_by_label("Seed").input_value() == "7"
        other.screenshot(path=str(shots / "shared-link.png"), full_page=True)

        bad = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
        other.goto(bad, wait_until="domcontentloaded")
        expect(other.locator(".mesoscape-message")).to_contain_text(
            "This link cannot be opened: this link is damaged or was edited"
        )
        assert "Traceback" not in other.locator("body").inner_text()
    finally:
        context.close()


def test_two_contexts_do_not_see_each_others_models(app_url, browser, offline_page, shots):
    from playwright.sync_api import expect

    first = offline_page.page
    _open(first, app_url)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        second = context.new_page()
        _open(second, app_url)
        for n in range(1, 4):
            first.get_by_role("button", name="Step").click()
            expect(first.locator(CLOCK)).to_contain_text(f"quarter {n} of")
        second.reload(wait_until="domcontentloaded")
        expect(second.locator(CLOCK)).to_have_text("Start · quarter 0 of 120")
        second.get_by_role("button", name="Step").click()
        expect(second.locator(CLOCK)).to_contain_text("quarter 1 of")
        expect(first.locator(CLOCK)).to_contain_text("quarter 3 of")
        second.screenshot(path=str(shots / "isolation-second.png"))
    finally:
        context.close()
        first.screenshot(path=str(shots / "isolation-first.png"))


def _type(field, text: str) -> None:
    """Fill a text field and send it (Enter), as a user does."""
    field.fill(text)
    field.press("Enter")


def _download(page, label: str) -> str:
    """Click a download button and return the file's text."""
    with page.expect_download() as info:
        page.locator("a.mesoscape-download", has_text=label).click()
    return Path(info.value.path()).read_text(encoding="utf-8", errors="replace")


def test_compare_runs_three_replications_of_two_scenarios(app_url, offline_page, shots):
    from playwright.sync_api import expect

    page = offline_page.page
    try:
        page.goto(app_url + "compare", wait_until="domcontentloaded")
        expect(page.get_by_role("button", name="Run comparison")).to_be_visible()
        quarters = page.get_by_label("Quarters")
        # cancel first: a long comparison, stopped while the progress bar shows
        _type(page.get_by_label("Replications"), "100")
        _type(quarters, "400")
        page.get_by_role("button", name="Run comparison").click()
        progress = page.locator(".mesoscape-progress")
        expect(progress).to_contain_text(re.compile(r"Running: [1-9]\d* of 200 runs done"))
        bar = page.locator(".mesoscape-progress-bar [role=progressbar]")
        expect(bar).to_have_attribute("aria-valuenow", re.compile(r"^(0\.[0-9]*[1-9]|[1-9])"))
        page.get_by_role("button", name="Cancel").click()
        expect(page.locator(".mesoscape-message")).to_contain_text("Cancelled")
        expect(page.locator("table.mesoscape-outcomes")).to_have_count(0)

        _type(page.get_by_label("Replications"), "3")
        _type(quarters, "12")
        page.get_by_role("button", name="Run comparison").click()
        table = page.locator("table.mesoscape-outcomes")
        expect(table).to_be_visible(timeout=180_000)
        expect(page.get_by_text("Results: 3 replications")).to_be_visible()
        headers = table.locator("th").all_inner_texts()
        assert [h.strip().lower() for h in headers] == [
            "alternative",
            "outcome",
            "baseline",
            "alternative",
            "difference (95% interval)",
            "in how many futures",
        ]
        assert table.locator("tbody tr").count() >= 3
        expect(table).to_contain_text(re.compile(r"(better|worse) in \d of 3 futures"))
        for chart in ("svg.mesoscape-band-chart", "svg.mesoscape-paired-chart"):
            expect(page.locator(chart)).to_have_count(2)
        expect(page.locator("svg.mesoscape-band-chart").first).to_contain_text("decline_no_policy")

        page.get_by_role("button", name="Prepare the downloads").click()
        differences = _download(page, "Differences (CSV)")
        assert differences.splitlines()[0].startswith("alternative,outcome,label,unit")
        assert "of 3 futures" in differences
        report = _download(page, "Report (HTML)")
        assert "<html" in report.lower() and "decline_no_policy" in report
        toml = _download(page, "decline_no_policy.toml")
        assert 'name = "decline_no_policy"' in toml
        with page.expect_download() as info:
            page.locator("a.mesoscape-download", has_text="(PNG)").first.click()
        assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        page.screenshot(path=str(shots / "compare.png"), full_page=True)
    offline_page.assert_offline()


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_pages_fit_the_screen_and_explore_shows_its_log(app_url, browser, shots, width, height):
    """Nothing is wider than the screen; Explore's log is on screen without scrolling."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        _open(page, app_url)
        page.get_by_role("button", name="Step").click()
        expect(page.locator(CLOCK)).to_contain_text("quarter 1 of")
        # Measured in one round trip: the log is redrawn each quarter, and a box taken
        # in two steps can catch it detached (Playwright then returns None).
        top = page.locator(".mesoscape-story").evaluate("e => e.getBoundingClientRect().top")
        assert top + 80 < height, f"the log starts at {top:.0f} px, below the fold"
        for path, ready in (
            ("", CLOCK),
            ("region", "svg.mesoscape-opportunity-chart"),
            ("workshop", ".mesoscape-workshop-jobs"),
            ("compare", "text=Run comparison"),
        ):
            page.goto(app_url + path, wait_until="domcontentloaded")
            expect(page.locator(ready).first).to_be_visible()
            expect(page.locator(".solara-loader")).to_be_hidden()  # its animation is wide
            wide = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(shots / f"page-{path or 'explore'}-{width}.png"))
            assert wide <= width, f"/{path} is {wide} px wide at {width} px"
    finally:
        context.close()
