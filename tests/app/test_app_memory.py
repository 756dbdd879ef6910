"""Five sessions each play 50 quarters; their models are freed after the cull time (acc. 4).

The server runs with ``--cull 10s``. Its resident memory is read from /proc before the
sessions, while they hold their models, and after their pages closed plus the cull time;
the figures are printed (run with ``-s``) and the last must be below the second.
"""

from __future__ import annotations

import re
import time

import pytest

from experiments.cli import APP_FILE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSIONS = 5
QUARTERS = 50
CULL = "10s"


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB."""
    with open(f"/proc/{pid}/status") as status:
        kb = int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))
    return kb / 1024


def _quarter(page) -> int:
    return int(re.search(r"quarter (\d+) of", page.locator(".mesoscape-clock").inner_text())[1])


def test_five_sessions_play_fifty_quarters_and_memory_falls_after_the_cull(solara_server, browser):
    from playwright.sync_api import expect

    url = solara_server(APP_FILE, cull=CULL)
    pid = solara_server.procs[(APP_FILE.resolve(), CULL)][0].pid
    before = rss_mb(pid)
    contexts, pages = [], []
    try:
        for _ in range(SESSIONS):
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            page.goto(url, wait_until="domcontentloaded")
            expect(page.locator(".mesoscape-clock")).to_be_visible()
            contexts.append(context)
            pages.append(page)
        for page in pages:  # all five play at once
            page.get_by_role("button", name="Play").click()
        deadline = time.monotonic() + 600
        while min(_quarter(p) for p in pages) < QUARTERS:
            assert time.monotonic() < deadline, "sessions did not reach 50 quarters in 10 min"
            time.sleep(1)
        for page in pages:
            body = page.locator("body").inner_text()
            assert "Traceback" not in body and "Something went wrong" not in body
        during = rss_mb(pid)
    finally:
        for context in contexts:
            context.close()
    time.sleep(10 + 20)  # the cull time, and time for the kernels to be closed and collected
    after = rss_mb(pid)
    print(f"\nserver memory: before {before:.0f} MB, during {during:.0f} MB, after {after:.0f} MB")
    assert during > before
    # RSS falls only in part (the allocator keeps some freed pages); without culling it
    # does not fall at all, so a tenth of the rise is the bar
    assert after < during - 0.1 * (during - before), "memory did not fall after the cull"
