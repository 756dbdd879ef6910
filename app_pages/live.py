"""What changes every quarter: the player (Play / Pause / Step / speed) and the live views.

A quarter re-renders only the components of this module. Each reads the session's
``tick`` and ``epoch`` reactive values (``Session.ticked`` / ``Session.changed``), so the
levers, the share box and the scenario choice are not rebuilt on every quarter: that
reconciliation was most of the server's work per step. Every component draws its part
under the session's lock, so the Play thread never steps the model while it is drawn.
Play runs in a thread of this session only; Step and Play share the lock, so a click never
interleaves with a running quarter.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import reacton.core
import solara

from app_pages import charts, ui, view
from app_pages.session import Session

SPEEDS = {"1 quarter/s": 1.0, "2 quarters/s": 2.0, "4 quarters/s": 4.0, "as fast as possible": 0.0}
DEFAULT_SPEED = "4 quarters/s"
LOG_LINES = 40


def _closed() -> bool:
    """True once this session's kernel is closed or no browser page is connected to it."""
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
    except Exception:  # noqa: BLE001 - not under a solara server (tests): never closed
        return False
    if context.closed_event.is_set():
        return True
    status = getattr(context, "page_status", None)
    return bool(status) and kernel_context.PageStatus.CONNECTED not in status.values()


def use_player(session: Session, speed: str) -> Callable[[], None]:
    """Play (``session.playing``) at ``speed`` in a thread; returns the Step handler."""
    playing = session.playing.value
    context = reacton.core.get_render_context()

    def ticked() -> None:
        with context:  # one render pass for every live view, not one each
            session.ticked()

    def play(cancel: threading.Event) -> None:
        if not playing:
            return
        rate = SPEEDS.get(speed, 4.0)
        interval = 1.0 / rate if rate > 0 else 0.0
        session.player += 1  # a newer Play loop of this session stops older ones
        mine = session.player
        while not cancel.is_set() and not _closed() and session.player == mine:
            started = time.monotonic()
            done = session.step(1)
            if done == 0 or session.at_end():
                with context:
                    session.playing.value = False
                    session.ticked()
                return
            ticked()
            wait = interval - (time.monotonic() - started)
            cancel.wait(max(wait, 0.01))

    solara.use_thread(play, dependencies=[playing, speed, id(session)], intrusive_cancel=False)

    def step_once() -> None:
        # In the click's own handler: its render is batched with the click's, and a quarter
        # (~10-20 ms) is too short for a thread and its three extra renders to pay off.
        session.step(1)
        session.ticked()

    return step_once


def pause(session: Session) -> None:
    """Stop Play once the quarter in progress is done: the page then shows the final quarter."""
    with session.lock:  # waits for a quarter in progress
        session.player += 1  # the Play loop stops before its next quarter
        session.playing.value = False
        session.ticked()


@solara.component
def Player(session: Session, large: bool = False, children=()) -> None:  # noqa: B006
    """Play / Pause, Step, then ``children`` (e.g. Reset), the speed, the clock, busy.

    It redraws when Play starts or stops, at the horizon and on a rebuild, not every
    quarter: only its ``Clock`` follows the quarters.
    """
    session.finished.value, session.epoch.value  # noqa: B018 - subscribe
    speed, set_speed = solara.use_state(DEFAULT_SPEED)
    step = use_player(session, speed)
    playing, at_end = session.playing.value, session.finished.value
    size = {"x_large": True} if large else {}
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "10px"}):
        solara.Button(
            "Pause" if playing else "Play",
            on_click=lambda: pause(session) if playing else session.playing.set(True),
            color="primary",
            disabled=at_end and not playing,
            style={"min-width": "90px"},
            ripple=False,  # clicked again and again: no animation to repaint every time
            **size,
        )
        solara.Button(
            "Step", on_click=step, color="primary", disabled=playing or at_end, ripple=False, **size
        )
        for child in children:
            solara.display(child)
        with solara.Div(style={"width": "200px" if large else "170px"}):
            solara.Select("Speed", values=list(SPEEDS), value=speed, on_value=set_speed, dense=True)
        Clock(session, large)
        if playing:
            solara.ProgressLinear(True, style={"width": "60px"})
            ui.text("span", "running…", "mesoscape-busy")


@solara.component
def Clock(session: Session, large: bool = False) -> None:
    """The year, quarter and horizon, redrawn every quarter."""
    session.tick.value, session.epoch.value  # noqa: B018 - subscribe
    with session.lock:
        clock = view.clock(session.model)
    ui.text(
        "span",
        clock,
        "mesoscape-clock",
        f"font-size: {'1.4em; font-weight: 700' if large else '1.15em; font-weight: 600'}",
    )


@solara.component
def Notices(session: Session) -> None:
    """The horizon or "press Reset" notice, the run in one line and this quarter's figures."""
    session.tick.value, session.epoch.value  # noqa: B018 - subscribe
    with session.lock:
        model = session.model
        # One notice element whatever the state: a conditional sibling shifts the children
        # and the browser could keep a stale copy of the line after it.
        notice, css, style = "", "mesoscape-notice", "display: none"
        if session.at_end():
            notice = (
                f"The run has reached its horizon ({view.horizon(model)} quarters, "
                f"{view.horizon(model) // 4} years). Press Reset to start again."
            )
            css, style = "mesoscape-notice mesoscape-message mesoscape-horizon", ""
        elif session.pending():
            notice = "You changed the scenario, a lever or the seed: press Reset to apply."
            css = "mesoscape-notice mesoscape-hint mesoscape-pending"
            style = "background: #fff8e1; padding: 4px 8px"
        ui.text("div", notice, css, style)
        ui.text("p", session.describe_run(), "mesoscape-applied", "margin: 0")
        ind = view.indicators(model)
        ui.text(
            "p",
            f"{ind['employment']:,.0f} jobs · unemployment {ind['unemployment_rate']:.1%} · "
            f"{ind['firms']:,.0f} firms · {view.discovery_count(model):,} discoveries so far",
            "mesoscape-status",
            "margin: 0; font-size: 1.05em",
        )


def use_drawn(session: Session, draw: Callable[[], object]) -> object:
    """``draw()`` under the session's lock, again only when the quarter or the model changed."""
    tick, epoch = session.tick.value, session.epoch.value

    def locked() -> object:
        with session.lock:
            return draw()

    return solara.use_memo(locked, dependencies=[tick, epoch, id(session.model)])


@solara.component
def MapAndLog(session: Session) -> None:
    """The region map with the story log beside it."""
    drawn = use_drawn(
        session,
        lambda: (
            charts.region_map(session.model, size=430, legend_width=215),
            view.story_lines(session.model, LOG_LINES),
        ),
    )
    region_map, lines = drawn
    ui.block(
        f'<div class="mesoscape-card">{region_map}</div>'
        '<div class="mesoscape-card" style="min-width: 0"><h2>What happened</h2>'
        '<ul class="mesoscape-log mesoscape-story" style="max-height: 360px">'
        f"{ui.story_items(lines)}</ul></div>",
        "mesoscape-grid",
        "grid-template-columns: minmax(0, 1.25fr) minmax(0, 1fr)",
    )


@solara.component
def LiveCharts(session: Session) -> None:
    """Jobs by industry, unemployment, diversity and complexity, discoveries and births."""
    svgs = use_drawn(
        session,
        lambda: [
            charts.employment_chart(session.model),
            charts.unemployment_chart(session.model),
            charts.structure_chart(session.model),
            charts.dynamics_chart(session.model),
        ],
    )
    ui.block(
        "".join(f'<div class="mesoscape-card">{markup}</div>' for markup in svgs),
        "mesoscape-grid",
        "grid-template-columns: repeat(auto-fit, minmax(420px, 1fr))",
    )
