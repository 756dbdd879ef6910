"""Debian's Chromium as every browser test and benchmark starts it (one home for its flags).

Never Playwright's own browser build: ``/usr/bin/chromium``, headless, without background
networking, component updates or first-run pages, so nothing leaves the machine.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
