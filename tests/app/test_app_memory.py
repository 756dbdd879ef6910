"""Five sessions each play 50 quarters; their models are freed after the cull time (acc. 4).

The server runs with ``--cull 10s``. Its resident memory is read from /proc: warm (after
one session has played and been culled, so imports and caches are loaded), while five
sessions hold their models, and after their pages closed and the server logged that it
freed them, with the number of models still in memory (0). The figures are printed (run
with ``-s``). Memory must fall by at least a fifth of the rise: what is left is held by the
allocator, not by the sessions' models (see ``KEPT_AT_MOST``).
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
FREED_WITHIN = 60.0  # seconds after the pages close: the cull time and the release period
# Of the rise above the warm figure, what may stay after the sessions are freed. Measured
# (2-core machine, Python 3.12, glibc): 64-71 % stays although the server counts no model
# left in memory: freed small objects stay in the allocator's partly used arenas even after
# malloc_trim. Without the cull nothing is freed (100 % stays).
KEPT_AT_MOST = 0.8


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB."""
    with open(f"/proc/{pid}/status") as status:
        kb = int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))
    return kb / 1024


def _quarter(page) -> int:
    return int(re.search(r"quarter (\d+) of", page.locator(".mesoscape-clock").inner_text())[1])


def _play(browser, url: str, sessions: int, quarters: int) -> list:
    """Open ``sessions`` contexts and play each to ``quarters``; return the contexts."""
    from playwright.sync_api import expect

    contexts, pages = [], []
    for _ in range(sessions):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        contexts.append(context)
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        expect(page.locator(".mesoscape-clock")).to_be_visible()
        pages.append(page)
    for page in pages:  # all play at once
        page.get_by_role("button", name="Play").click()
    deadline = time.monotonic() + 600
    while min(_quarter(p) for p in pages) < quarters:
        assert time.monotonic() < deadline, f"sessions did not reach {quarters} quarters"
        time.sleep(1)
    for page in pages:
        body = page.locator("body").inner_text()
        assert "Traceback" not in body and "Something went wrong" not in body
    return contexts


def _wait_freed(log, times: int) -> str:
    """Wait until the server has logged ``times`` releases down to no open session.

    Returns:
        The server's last release line, e.g. ``sessions: 0 open (5 freed); models ...: 0``.
    """
    deadline = time.monotonic() + FREED_WITHIN
    marker = "sessions: 0 open"
    while (text := log.read_text(errors="replace")).count(marker) < times:
        assert time.monotonic() < deadline, "the server did not free the closed sessions"
        time.sleep(1)
    return text[text.rindex(marker) :].splitlines()[0]


def test_five_sessions_play_fifty_quarters_and_memory_falls_after_the_cull(solara_server, browser):
    url = solara_server(APP_FILE, cull=CULL)
    key = (APP_FILE.resolve(), CULL)
    pid, log = solara_server.procs[key][0].pid, solara_server.logs[key]
    start = rss_mb(pid)
    for context in _play(browser, url, 1, 10):  # warm-up: imports, caches, first arenas
        context.close()
    _wait_freed(log, 1)
    warm = rss_mb(pid)
    contexts = _play(browser, url, SESSIONS, QUARTERS)
    during = rss_mb(pid)
    for context in contexts:
        context.close()
    released = _wait_freed(log, 2)
    after = rss_mb(pid)
    print(
        f"\nserver memory: start {start:.0f} MB, warm {warm:.0f} MB, during {during:.0f} MB "
        f"({SESSIONS} sessions at quarter {QUARTERS}+), after the cull {after:.0f} MB "
        f"({(after - warm) / (during - warm):.0%} of the rise kept); server: {released}"
    )
    assert released.endswith("models in memory: 0"), released
    assert during > warm + 10, "five sessions should hold their models"
    assert after < warm + KEPT_AT_MOST * (during - warm), "memory did not fall after the cull"
