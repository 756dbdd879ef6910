"""A Solara page renders in Debian's Chromium with no request leaving the machine."""

from pathlib import Path

import pytest

PROBE_APP = Path(__file__).with_name("_probe_app.py")

pytestmark = pytest.mark.browser


def test_probe_page_renders_offline(solara_server, offline_page, tmp_path):
    from playwright.sync_api import expect

    url = solara_server(PROBE_APP)
    page = offline_page.page
    screenshot = tmp_path / "probe.png"

    page.goto(url, wait_until="domcontentloaded")
    try:
        expect(page.get_by_role("heading", name="Mesoscape probe")).to_be_visible()
        # The slider's label is rendered by Vuetify, i.e. the widget front end really ran.
        expect(page.get_by_text("Points")).to_be_visible()
        # FigureMatplotlib becomes an ipywidgets Image: an <img> backed by a blob: URL.
        figure = page.locator("img[src^='blob:']").first
        expect(figure).to_be_visible()
        size = figure.evaluate("img => [img.naturalWidth, img.naturalHeight]")
        assert size[0] > 100 and size[1] > 100, f"matplotlib image looks empty: {size}"
        page.wait_for_load_state("networkidle")
    finally:
        page.screenshot(path=str(screenshot), full_page=True)

    offline_page.assert_offline()
    assert page.title() == "Mesoscape probe"


def test_probe_page_reacts_offline(solara_server, offline_page):
    """Moving the slider round-trips through the websocket and redraws the figure."""
    from playwright.sync_api import expect

    page = offline_page.page
    page.goto(solara_server(PROBE_APP), wait_until="domcontentloaded")
    figure = page.locator("img[src^='blob:']").first
    expect(figure).to_be_visible()
    before = figure.get_attribute("src")
    # The ARIA slider is the thumb (zero-size in Vuetify 2), so drive it by keyboard.
    slider = page.get_by_role("slider").first  # unnamed in Vuetify 3
    expect(slider).to_have_attribute("aria-valuenow", "10")
    slider.focus()
    page.keyboard.press("End")
    expect(slider).to_have_attribute("aria-valuenow", "50")
    expect(page.locator("img[src^='blob:']").first).not_to_have_attribute("src", before)
    page.wait_for_load_state("networkidle")
    offline_page.assert_offline()


def test_guards_catch_internet_access(solara_server, offline_page):
    """Negative control: the guards really see and stop traffic that would leave the machine."""
    import urllib.error
    import urllib.request

    from playwright.sync_api import expect

    url = solara_server(PROBE_APP)
    page = offline_page.page
    page.goto(url, wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Mesoscape probe")).to_be_visible()

    # Browser side: a request to another host is aborted by the route and recorded.
    outside = "https://cdn.jsdelivr.net/npm/katex@0.16.9/dist/katex.min.css"
    page.evaluate("url => fetch(url).catch(() => null)", outside)
    assert outside in offline_page.blocked
    assert offline_page.problems(), "assert_offline() would not have failed"
    offline_page.blocked.clear()

    # Server side: an asset missing from solara-assets is not downloaded by the CDN proxy.
    missing = url + "_solara/cdn/katex@0.16.9/dist/katex.min.css"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(missing, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status == 404, f"CDN proxy answered {status} for an asset it must not fetch"
