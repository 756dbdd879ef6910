"""The Explore page: choose a region and scenario, set the levers, play the region, watch it.

Layout: the controls on one line; the levers on the left; the map with the story log beside
it (visible without scrolling); the four live charts below. Lever edits take effect on
Reset (the page says so). Play runs in a thread of this session only; Step and Play share
the session's lock, so a click never interleaves with a running quarter.
"""

from __future__ import annotations

import threading
import time
import urllib.parse

import solara

from app_pages import charts, levers, sharing, ui, view
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


def use_player(session: Session, bump) -> tuple[bool, callable, callable, str, callable, bool]:
    """Play / pause / step for ``session``; returns the state and its setters."""
    playing, set_playing = solara.use_state(False)
    speed, set_speed = solara.use_state(DEFAULT_SPEED)
    steps_asked, set_steps_asked = solara.use_state(0)

    def play(cancel: threading.Event) -> None:
        if not playing:
            return
        rate = SPEEDS.get(speed, 4.0)
        interval = 1.0 / rate if rate > 0 else 0.0
        session.player += 1  # a newer Play loop of this session stops older ones
        mine = session.player
        while not cancel.is_set() and not _closed() and session.player == mine:
            started = time.monotonic()
            if session.step(1) == 0 or session.at_end():
                bump()
                set_playing(False)
                return
            bump()
            wait = interval - (time.monotonic() - started)
            cancel.wait(max(wait, 0.01))

    solara.use_thread(play, dependencies=[playing, speed, id(session)], intrusive_cancel=False)

    def step_once() -> None:
        if steps_asked:
            session.step(1)
            bump()

    stepping = solara.use_thread(step_once, dependencies=[steps_asked], intrusive_cancel=False)
    busy = stepping.state in (solara.ResultState.STARTING, solara.ResultState.RUNNING)
    return playing, set_playing, speed, set_speed, lambda: set_steps_asked(lambda n: n + 1), busy


@solara.component
def LeverPanel(session: Session, on_change, version: object = None) -> None:
    """The levers, grouped as a policy team thinks, with units and allowed ranges."""
    problems, set_problems = solara.use_state({})
    ui.text("h2", "Levers")
    ui.text(
        "p",
        "Changes take effect when you press Reset. Ranges come from the scenario schema.",
        "mesoscape-hint",
    )
    for group, items in levers.GROUPS:
        with ui.Section(group, open_=group == "Budget and instruments"):
            for path, *_ in items:
                lever = levers.LEVERS[path]
                value = session.values.get(path)

                def on_value(v, path=path) -> None:
                    problem = session.set_lever(path, v)
                    set_problems(lambda p: {**p, path: problem})
                    on_change()

                if lever.kind == "choice":
                    solara.Select(
                        lever.label,
                        values=list(lever.choices),
                        value=value,
                        on_value=on_value,
                        dense=True,
                    )
                else:
                    shown = f"{value:g}" if isinstance(value, float) else str(value)
                    ui.text(
                        "div",
                        f"{lever.label}: {shown} {lever.unit}",
                        "mesoscape-lever",
                        "font-size: 0.9em; margin-top: 4px",
                    )
                    if lever.kind == "int":
                        solara.SliderInt(
                            "",
                            value=int(value),
                            min=int(lever.lo or 0),
                            max=int(lever.slider_hi or lever.hi or 100),
                            on_value=on_value,
                        )
                    else:
                        top = float(lever.slider_hi or lever.hi or 1.0)
                        solara.SliderFloat(
                            "",
                            value=float(value),
                            min=float(lever.lo or 0.0),
                            max=top,
                            step=0.01 if top <= 1 else (0.05 if top <= 10 else 1.0),
                            on_value=on_value,
                        )
                if problems.get(path):
                    ui.messages([problems[path]])


def scenario_select(session: Session, on_change) -> None:
    """Choose a scenario by its description (not its id)."""
    choices = session.choices()
    by_text = {desc or key: key for key, desc in choices.items()}
    current = choices.get(session.scenario_key) or session.scenario_key

    def pick(text: str) -> None:
        session.message = session.choose_scenario(by_text.get(text, text)) or ""
        on_change()

    with solara.Div(style={"min-width": "420px", "flex": "1 1 420px"}):
        solara.Select("Region and scenario", values=list(by_text), value=current, on_value=pick)


@solara.component
def UploadBox(on_file) -> None:
    """A "choose a file" field for one scenario ``.toml`` file (read in a thread)."""
    from ipyvuetify.extra import FileInput

    info, set_info = solara.use_state([])
    field = FileInput.element(
        accept=".toml",
        multiple=False,
        label="Upload a scenario (.toml)",
        on_file_info=set_info,
        show_progress=False,
    )

    widget = solara.use_ref(None)

    def find_widget() -> None:
        widget.current = solara.get_widget(field)

    solara.use_effect(find_widget, [])

    def read() -> None:
        if info and widget.current is not None:
            files = widget.current.get_files(timeout=30)
            if files:
                on_file(files[0])

    solara.use_thread(read, dependencies=[repr(info)], intrusive_cancel=False)


@solara.component
def ShareBox(session: Session, page: str, on_change, version: object = None) -> None:
    """The shareable link, the scenario download and the upload."""
    with session.lock:  # the Play thread never steps the model while it is drawn
        _sharebox(session, page, on_change, version)


def _sharebox(session, page, on_change, version) -> None:
    upload_problems, set_upload_problems = solara.use_state([])
    token = sharing.encode(session.link_view())
    link = ui.public_url(f"{page}?view={urllib.parse.quote(token)}")
    with ui.Section("Share, download, upload"):
        ui.text(
            "p", "A link to exactly this view (scenario, levers, seed, quarter):", "mesoscape-hint"
        )
        solara.InputText("Link to this view", value=link, classes=["mesoscape-share-link"])
        solara.FileDownload(
            session.scenario_toml(),
            filename=f"{session.applied.name}.toml",
            label="Download this scenario (TOML)",
        )

        def on_file(info: dict) -> None:
            set_upload_problems(session.read_upload(info))
            on_change()

        UploadBox(on_file)
        ui.messages(upload_problems)


@solara.component
def ExplorePage() -> None:
    """Controls, levers, the map and story log, and the live charts."""
    session = ui.use_session()
    with session.lock:  # the Play thread never steps the model while it is drawn
        _explorepage(session)


def _explorepage(session) -> None:
    revision, set_revision = solara.use_state(0)
    seed_text, set_seed_text = solara.use_state(str(session.seed))
    seed_problem, set_seed_problem = solara.use_state("")
    reset_problems, set_reset_problems = solara.use_state([])
    link_problem, set_link_problem = solara.use_state("")
    router = solara.use_router()

    def bump() -> None:
        set_revision(lambda r: r + 1)

    def open_link() -> None:
        query = urllib.parse.parse_qs(router.search or "")
        if "view" in query:
            set_link_problem(session.open_view(query["view"][0]) or "")
            set_seed_text(str(session.seed))
            bump()

    solara.use_effect(open_link, [router.search])
    playing, set_playing, speed, set_speed, step, busy = use_player(session, bump)
    model = session.model
    q = view.quarter(model)
    drawn = [id(model), q, revision]
    region_map = solara.use_memo(
        lambda: charts.region_map(model, size=430, legend_width=215), dependencies=drawn
    )
    chart_svgs = solara.use_memo(
        lambda: [
            charts.employment_chart(model),
            charts.unemployment_chart(model),
            charts.structure_chart(model),
            charts.dynamics_chart(model),
        ],
        dependencies=drawn,
    )

    def on_seed(value: str) -> None:
        set_seed_text(value)
        set_seed_problem(session.set_seed(value) or "")

    def reset() -> None:
        set_playing(False)
        set_reset_problems(session.reset())
        bump()

    solara.Title("Mesoscape · Explore")
    solara.Style(ui.CSS)
    with solara.Column(classes=["mesoscape-app"], style={"padding": "0", "gap": "0"}):
        ui.Nav("Explore")
        with solara.Column(style={"padding": "6px 16px", "gap": "4px"}):
            if link_problem:
                ui.messages([link_problem])
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "10px"}):
                scenario_select(session, bump)
                with solara.Div(style={"width": "110px"}):
                    solara.InputText("Seed", value=seed_text, on_value=on_seed)
                solara.Button(
                    "Pause" if playing else "Play",
                    on_click=lambda: set_playing(not playing),
                    color="primary",
                    disabled=session.at_end() and not playing,
                    style={"min-width": "90px"},
                )
                solara.Button(
                    "Step", on_click=step, color="primary", disabled=playing or session.at_end()
                )
                solara.Button("Reset", on_click=reset, outlined=True)
                with solara.Div(style={"width": "170px"}):
                    solara.Select(
                        "Speed", values=list(SPEEDS), value=speed, on_value=set_speed, dense=True
                    )
                ui.text(
                    "span",
                    view.clock(model),
                    "mesoscape-clock",
                    "font-size: 1.15em; font-weight: 600",
                )
                if busy or playing:
                    solara.ProgressLinear(True, style={"width": "60px"})
                    ui.text("span", "running…", "mesoscape-busy")
            ui.messages([m for m in (seed_problem, session.message, *reset_problems) if m])
            if session.at_end():
                ui.text(
                    "div",
                    f"The run has reached its horizon ({view.horizon(model)} quarters, "
                    f"{view.horizon(model) // 4} years). Press Reset to start again.",
                    "mesoscape-message mesoscape-horizon",
                )
            elif session.pending():
                ui.text(
                    "div",
                    "You changed the scenario, a lever or the seed: press Reset to apply.",
                    "mesoscape-hint mesoscape-pending",
                    "background: #fff8e1; padding: 4px 8px",
                )
            ui.text("p", session.describe_run(), "mesoscape-applied", "margin: 0")
            ind = view.indicators(model)
            ui.text(
                "p",
                f"{ind['employment']:,.0f} jobs · unemployment {ind['unemployment_rate']:.1%} · "
                f"{ind['firms']:,.0f} firms · {ind['discoveries']:,.0f} discoveries",
                "mesoscape-status",
                "margin: 0; font-size: 1.05em",
            )
            with solara.Row(style={"gap": "12px", "align-items": "flex-start"}):
                with solara.Column(style={"width": "300px", "flex": "0 0 300px", "gap": "2px"}):
                    LeverPanel(session, bump, (revision, id(model)))
                    ShareBox(session, "/", bump, (revision, id(model), q))
                with solara.Column(style={"flex": "1 1 600px", "min-width": "0", "gap": "8px"}):
                    with solara.Div(
                        classes=["mesoscape-grid"],
                        style={"grid-template-columns": "minmax(0, 1.25fr) minmax(0, 1fr)"},
                    ):
                        ui.svg(region_map)
                        with solara.Div(classes=["mesoscape-card"], style={"min-width": "0"}):
                            ui.text("h2", "What happened")
                            ui.story_list(
                                view.story_lines(model, LOG_LINES),
                                "mesoscape-story",
                                "max-height: 360px",
                            )
                    with solara.Div(
                        classes=["mesoscape-grid"],
                        style={"grid-template-columns": "repeat(auto-fit, minmax(420px, 1fr))"},
                    ):
                        for markup in chart_svgs:
                            ui.svg(markup)
