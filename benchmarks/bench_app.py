"""Browser benchmark of the app: Step click-to-updated-chart and Play quarters per second.

Starts ``mesoscape app`` on a free loopback port, drives Debian's Chromium with Playwright
and prints, for 1 and for 5 concurrent sessions: the median time from a Step click until
the employment chart shows the next quarter and the browser has drawn that frame (20 steps
per session; the change is watched by a DOM mutation observer rather than by polling every
frame, which costs the five browsers CPU of their own), and the quarters per
second Play reaches at its default speed (4 quarters/s) over 10 s. While the sessions step
it also reports the server's CPU time per step and how busy the whole machine was (browser,
server and anything else running), to tell the server's cost from the machine's load.

    uv run python benchmarks/bench_app.py [--steps 20] [--play-seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.app.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - after the path

QUARTER_JS = (
    "() => { const c = document.querySelector('.mesoscape-clock'); "
    "return c ? +c.textContent.match(/quarter (\\d+)/)[1] : -1; }"
)

# Resolves once the page shows quarter ``q`` with its employment chart, watched by a DOM
# mutation observer (polling every frame costs the five browsers CPU of their own), and the
# frame after that change has been drawn: a click's time then includes the browser's style,
# layout and paint of the new charts, not just the DOM update.
SHOWN_JS = f"""(q) => new Promise(resolve => {{
  const quarter = {QUARTER_JS};
  const shown = () => document.querySelector('.mesoscape-employment-chart') && quarter() === q;
  const painted = () => requestAnimationFrame(() => requestAnimationFrame(resolve));
  if (shown()) return painted();
  const watch = new MutationObserver(() => {{
    if (shown()) {{ watch.disconnect(); painted(); }}
  }});
  watch.observe(document.body, {{subtree: true, childList: true, characterData: true}});
}})"""


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> float:
    """CPU seconds the whole machine spent not idle (every process, every core)."""
    with open("/proc/stat") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def _serve() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = "import sys; from experiments.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "app", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(180):
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the app did not start")


async def _open(browser, url):
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    page = await context.new_page()
    await page.goto(url)
    await page.wait_for_selector(".mesoscape-clock")
    return page


async def _steps(page, n: int) -> list[float]:
    times = []
    for _ in range(n):
        q = await page.evaluate(QUARTER_JS)
        start = time.perf_counter()
        await page.get_by_role("button", name="Step").click()
        await page.evaluate(SHOWN_JS, q + 1)
        times.append(time.perf_counter() - start)
    return times


async def _play(page, seconds: float) -> float:
    await page.wait_for_timeout(1000)
    q0, t0 = await page.evaluate(QUARTER_JS), time.perf_counter()
    await page.get_by_role("button", name="Play").click()
    await asyncio.sleep(seconds)
    q1, t1 = await page.evaluate(QUARTER_JS), time.perf_counter()
    await page.get_by_role("button", name="Pause").click(force=True)
    return (q1 - q0) / (t1 - t0)


async def main(steps: int, play_seconds: float) -> None:
    """Run the benchmark and print its figures."""
    from playwright.async_api import async_playwright

    proc, url = _serve()
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            for sessions in (1, 5):
                pages = [await _open(browser, url) for _ in range(sessions)]
                cpu0, busy0, wall0 = _cpu_seconds(proc.pid), _machine_busy(), time.perf_counter()
                step_times = await asyncio.gather(*(_steps(p, steps) for p in pages))
                cpu1, busy1, wall1 = _cpu_seconds(proc.pid), _machine_busy(), time.perf_counter()
                flat = [t for ts in step_times for t in ts]
                pages = [await _open(browser, url) for _ in range(sessions)]
                rates = await asyncio.gather(*(_play(p, play_seconds) for p in pages))
                print(
                    f"{sessions} session(s): Step median {statistics.median(flat):.3f} s "
                    f"(p90 {sorted(flat)[int(0.9 * len(flat)) - 1]:.3f} s, n={len(flat)}); "
                    f"Play {statistics.mean(rates):.1f} quarters/s per session; while stepping: "
                    f"server CPU {1000 * (cpu1 - cpu0) / len(flat):.0f} ms per step "
                    f"({(cpu1 - cpu0) / (wall1 - wall0):.2f} cores), "
                    f"machine busy {(busy1 - busy0) / (wall1 - wall0):.2f} of "
                    f"{os.cpu_count()} cores",
                    flush=True,
                )
            await browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--play-seconds", type=float, default=10.0)
    args = parser.parse_args()
    asyncio.run(main(args.steps, args.play_seconds))
