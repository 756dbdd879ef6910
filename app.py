"""Mesoscape in the browser: ``mesoscape app`` serves this file (``app_pages.server``).

Pages: Explore (``/``), Compare, Region and Workshop, each in ``app_pages``. The layout gives
every browser session its own ``Session`` (scenario, levers, seed, uploads and model), shared
by the pages of that session only. The app binds to localhost, sends no telemetry, loads no
asset from the internet and refuses foreign Origin/Host headers (see ``app_pages.server``).
"""

import logging

import solara

from app_pages.compare import ComparePage
from app_pages.explore import ExplorePage
from app_pages.region import RegionPage
from app_pages.session import Session
from app_pages.ui import CSS, SessionContext, text
from app_pages.workshop import WorkshopPage


@solara.component
def Layout(children=()):  # noqa: B006 - solara's layout signature
    """Provide this browser session's own state to every page."""
    session = solara.use_memo(Session, dependencies=[])
    SessionContext.provide(session)
    error, clear = solara.use_exception()
    with solara.Column(style={"padding": "0", "min-height": "100vh"}) as main:
        if error is not None:  # a bug: logged on the server, never shown as a traceback
            logging.getLogger("mesoscape.app").error("page failed", exc_info=error)
            solara.Style(CSS)
            text(
                "div", "Something went wrong on this page; it has been logged.", "mesoscape-message"
            )
            solara.Button("Try again", on_click=clear, color="primary")
        else:
            solara.Column(children=list(children), style={"padding": "0"})
    return main


routes = [
    solara.Route(path="/", component=ExplorePage, label="Explore", layout=Layout),
    solara.Route(path="compare", component=ComparePage, label="Compare"),
    solara.Route(path="region", component=RegionPage, label="Region"),
    solara.Route(path="workshop", component=WorkshopPage, label="Workshop"),
]
