"""Mesoscape in the browser: ``mesoscape app`` serves this file with ``solara run``.

Only the Explore page for now (``app_pages.explore``); further pages (Compare, Region,
Workshop) will be added in ``app_pages`` and routed from here. The app binds to localhost,
sends no telemetry and loads no asset from the internet (see ``experiments.cli.cmd_app``).
"""

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot: figures are PNG images

from app_pages.explore import ExplorePage  # noqa: E402

Page = ExplorePage
