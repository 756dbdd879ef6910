"""Pieces every page uses: the session context, the navigation bar, text and messages.

Text is written as escaped HTML (``solara.Markdown`` would load KaTeX from the internet).
"""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Callable

import solara

from app_pages import PUBLIC_URL_ENV
from app_pages.session import Session

SessionContext = solara.create_context(None)
PAGES = [
    ("/", "Explore"),
    ("/compare", "Compare"),
    ("/region", "Region"),
    ("/workshop", "Workshop"),
]

CSS = """
.mesoscape-app { font-size: 15px; padding-bottom: 32px !important; }
.mesoscape-app h1 { font-size: 1.5em; margin: 0; }
.mesoscape-app h2 { font-size: 1.2em; margin: 4px 0; }
.mesoscape-nav a { text-decoration: none; }
.mesoscape-log { margin: 0; padding-left: 18px; overflow-y: auto; }
.mesoscape-log li { margin-bottom: 3px; }
.mesoscape-message { color: #8b0000; background: #fdecea; border-left: 4px solid #b00020;
  padding: 6px 10px; margin: 4px 0; white-space: pre-wrap; }
.mesoscape-grid { display: grid; gap: 10px; }
.mesoscape-card { background: white; border: 1px solid #e2e2e2; border-radius: 6px;
  padding: 6px; }
.mesoscape-hint { color: #555; font-size: 0.92em; margin: 2px 0; }
.mesoscape-download { display: inline-block; padding: 6px 12px; border: 1px solid #1f4e9e;
  border-radius: 4px; color: #1f4e9e; text-decoration: none; margin: 2px 0; }
.mesoscape-download:hover { background: #eef3fb; }
.mesoscape-presenter { font-size: 22px; }
.mesoscape-presenter .mesoscape-log { font-size: 20px; }
table.mesoscape-table { border-collapse: collapse; font-size: 0.95em; }
table.mesoscape-table td, table.mesoscape-table th { border-bottom: 1px solid #ddd;
  padding: 3px 8px; text-align: right; }
table.mesoscape-table td:first-child, table.mesoscape-table th:first-child { text-align: left; }
table.mesoscape-outcomes td:nth-child(2), table.mesoscape-outcomes th:nth-child(2) {
  text-align: left; }
"""


def use_session() -> Session:
    """This browser session's state (provided by the layout)."""
    session = solara.use_context(SessionContext)
    if session is None:  # a page rendered on its own (tests)
        session = solara.use_memo(Session, dependencies=[])
    return session


def locked(render: Callable[[Session], None]) -> None:
    """Render a page with this session's state, under its lock (Play never steps meanwhile)."""
    session = use_session()
    with session.lock:
        render(session)


def text(tag: str, content: str, css_class: str = "", style: str = "") -> None:
    """One HTML element holding escaped text."""
    solara.HTML(
        tag=tag,
        unsafe_innerHTML=html.escape(content),
        classes=[css_class] if css_class else [],
        style=style,
    )


def messages(lines: list[str], css_class: str = "mesoscape-message") -> None:
    """Inline problems, one line each (nothing if there are none)."""
    if lines:
        text("div", "\n".join(lines), css_class)


def svg(markup: str, css_class: str = "mesoscape-card", style: str = "") -> None:
    """An SVG chart from ``app_pages.svg`` (already escaped there)."""
    solara.HTML(tag="div", unsafe_innerHTML=markup, classes=[css_class], style=style)


def story_items(lines: list[str], empty: str = "") -> str:
    """The plain-language log as escaped ``<li>`` items."""
    return "".join(f"<li>{html.escape(line)}</li>" for line in lines) or (
        f"<li>{html.escape(empty or 'Nothing has happened yet: press Step or Play.')}</li>"
    )


def story_list(lines: list[str], css_class: str, style: str = "", empty: str = "") -> None:
    """The plain-language log as a list."""
    solara.HTML(
        tag="ul",
        unsafe_innerHTML=story_items(lines, empty),
        classes=["mesoscape-log", css_class],
        style=style,
    )


def block(markup: str, css_class: str, style: str = "") -> None:
    """Several pieces of already escaped markup in one element: one update, one message.

    What changes every quarter is sent as few widgets as possible: each widget whose
    content changes costs the server a message of its own.
    """
    solara.HTML(tag="div", unsafe_innerHTML=markup, classes=[css_class], style=style)


def download_link(label: str, filename: str, data: str | bytes, mime: str) -> None:
    """A link that saves ``data`` as ``filename``: the bytes travel inside the link itself.

    (``solara.FileDownload`` does not mount with this Vuetify 3 front end; a ``data:`` link
    needs no script, no server route and no network.)
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    href = f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"
    solara.HTML(
        tag="a",
        unsafe_innerHTML=html.escape(label),
        attributes={"href": href, "download": filename, "role": "button"},
        classes=["mesoscape-download"],
    )


def public_url(path: str) -> str:
    """The full address of ``path`` as the app is served (relative if not known)."""
    base = os.environ.get(PUBLIC_URL_ENV, "").rstrip("/")
    return f"{base}{path}"


@solara.component
def Nav(current: str) -> None:
    """The page title bar with links to every page."""
    with solara.Row(
        classes=["mesoscape-nav"],
        style={
            "align-items": "center",
            "gap": "6px",
            "padding": "4px 16px",
            "background": "#24344d",
            "color": "white",
        },
    ):
        solara.HTML(
            tag="h1", unsafe_innerHTML="Mesoscape", style="color: white; margin-right: 18px"
        )
        for path, label in PAGES:
            with solara.Link(path):
                solara.Button(
                    label,
                    text=True,
                    style={
                        "color": "white",
                        "font-weight": "700" if label == current else "400",
                        "border-bottom": "3px solid #ffcc33" if label == current else "none",
                    },
                )
        solara.HTML(
            tag="span",
            unsafe_innerHTML="A regional economy, simulated quarter by quarter",
            style="margin-left: auto; opacity: 0.85",
        )


def button(label: str, on_click: Callable[[], None], **kw) -> None:
    """A button (a thin wrapper, so every page's buttons look alike)."""
    solara.Button(label, on_click=on_click, **kw)


@solara.component
def Section(title: str, children=(), open_: bool = False) -> None:  # noqa: B006
    """A titled block that opens and closes (``solara.Details`` fails with this Vuetify)."""
    is_open, set_open = solara.use_state(open_)
    with solara.Column(style={"gap": "2px"}) as main:
        solara.Button(
            ("▾ " if is_open else "▸ ") + title,
            on_click=lambda: set_open(not is_open),
            text=True,
            classes=["mesoscape-section"],
            style={"justify-content": "flex-start", "font-weight": "600", "text-transform": "none"},
        )
        if is_open:
            solara.Column(children=list(children), style={"gap": "0", "padding": "0 4px"})
    return main
