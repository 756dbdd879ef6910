"""The comparison's HTML report: self-contained, readable offline (issue 6 acceptance 1)."""

from __future__ import annotations

import base64
import re
import threading

import pytest

from experiments.compare import compare
from experiments.report import load_comparison, report_html
from experiments.store import StoreError
from scenarios.schema import IndustryDecline, PolicyParams
from tests.app.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import small_scenario


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    decline = IndustryDecline(
        type="industry_decline", step=4, industry="engine_components", fraction=0.5
    )
    policy = PolicyParams(targeting="bottom_up", budget=30.0)
    c = compare(
        [
            small_scenario(name="base", steps=12, events=[decline]),
            small_scenario(name="policy", steps=12, events=[decline], policy=policy),
        ],
        replications=3,
        workers=1,
    )
    out = tmp_path_factory.mktemp("report") / "cmp"
    c.save(out)
    return c, out


def test_the_report_is_self_contained(saved):
    c, out = saved
    page = (out / "report.html").read_text(encoding="utf-8")
    # nothing is fetched: no script, no stylesheet link, no src/href/url() outside the file
    assert "<script" not in page.lower() and "<link" not in page.lower()
    for ref in re.findall(r'(?:src|href)\s*=\s*"?([^" >]+)', page):
        assert ref.startswith("data:image/png;base64,"), ref
    assert "url(" not in page and "@import" not in page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 12
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    for needed in ("base", "policy", "Seeds: 1, 2, 3", "mesoscape replay", "--replications 3",
                   "better in", "Student&#x27;s t", c.versions["mesa"]):  # fmt: skip
        assert needed in page, needed


def test_a_saved_comparison_loads_back_the_same(saved):
    c, out = saved
    back = load_comparison(out)
    assert back.table() == c.table()
    assert report_html(back, str(out)) == (out / "report.html").read_text(encoding="utf-8")
    (out / "extra.txt").write_text("x")
    try:
        with pytest.raises(StoreError, match="extra.txt: not part of the saved result"):
            load_comparison(out)
    finally:
        (out / "extra.txt").unlink()


@pytest.mark.browser
def test_the_report_renders_in_chromium_with_the_network_blocked(saved, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    _, out = saved
    outside: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    found: dict = {}

    def look() -> None:  # in a thread of its own: another test's Playwright may hold the loop
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport={"width": 1100, "height": 1400})
                context.route("**/*", route)
                page = context.new_page()
                page.goto((out / "report.html").resolve().as_uri())
                page.wait_for_load_state("load")
                found["widths"] = page.eval_on_selector_all(
                    "img", "els => els.map(e => e.complete ? e.naturalWidth : 0)"
                )
                found["heading"] = page.inner_text("h1")
                found["rows"] = page.eval_on_selector_all("table tr", "els => els.length")
                page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
            finally:
                browser.close()

    worker = threading.Thread(target=look)
    worker.start()
    worker.join()
    widths, heading, rows = found["widths"], found["heading"], found["rows"]
    assert outside == []
    assert len(widths) == 12 and min(widths) > 0  # every plot decoded
    assert heading == "policy compared with base"
    assert rows > 15
    assert (tmp_path / "report.png").stat().st_size > 10_000
