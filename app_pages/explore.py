"""The Explore page: choose a region and scenario, set the levers, play the region, watch it.

Layout: the controls on one line; the levers on the left; the map with the story log beside
it (visible without scrolling); the four live charts below. Lever edits take effect on
Reset (the page says so). What changes every quarter is drawn by ``app_pages.live``; this
page itself is redrawn only when the model is rebuilt or an edit is made (``epoch``).
"""

from __future__ import annotations

import urllib.parse

import solara

from app_pages import levers, live, sharing, ui
from app_pages.session import Session


@solara.component
def LeverPanel(session: Session, on_change) -> None:
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
def ShareBox(session: Session, page: str, on_change) -> None:
    """The shareable link, the scenario download and the upload."""
    upload_problems, set_upload_problems = solara.use_state([])

    def on_file(info: dict) -> None:
        set_upload_problems(session.read_upload(info))
        on_change()

    with ui.Section("Share, download, upload"):
        ShareLink(session, page)
        UploadBox(on_file)
        ui.messages(upload_problems)


@solara.component
def ShareLink(session: Session, page: str) -> None:
    """The link to this view and the TOML download (drawn only while the section is open)."""
    session.tick.value, session.epoch.value  # noqa: B018 - the link carries the quarter
    with session.lock:
        token = sharing.encode(session.link_view())
        name, toml = session.applied.name, session.scenario_toml()
    link = ui.public_url(f"{page}?view={urllib.parse.quote(token)}")
    ui.text("p", "A link to exactly this view (scenario, levers, seed, quarter):", "mesoscape-hint")
    solara.InputText("Link to this view", value=link, classes=["mesoscape-share-link"])
    ui.download_link("Download this scenario (TOML)", f"{name}.toml", toml, "text/plain")


@solara.component
def ExplorePage() -> None:
    """Controls, levers, the map and story log, and the live charts."""
    ui.locked(_explorepage)


def _explorepage(session) -> None:
    session.epoch.value  # noqa: B018 - subscribe: redrawn when the model is rebuilt or edited
    seed_text, set_seed_text = solara.use_state(str(session.seed))
    seed_problem, set_seed_problem = solara.use_state("")
    reset_problems, set_reset_problems = solara.use_state([])
    link_problem, set_link_problem = solara.use_state("")
    router = solara.use_router()

    def open_link() -> None:
        query = urllib.parse.parse_qs(router.search or "")
        if "view" in query:
            set_link_problem(session.open_view(query["view"][0]) or "")
            set_seed_text(str(session.seed))
            session.changed()

    solara.use_effect(open_link, [router.search])

    def on_seed(value: str) -> None:
        set_seed_text(value)
        set_seed_problem(session.set_seed(value) or "")
        session.changed()

    def reset() -> None:
        session.playing.value = False
        set_reset_problems(session.reset())
        session.changed()

    solara.Title("Mesoscape · Explore")
    solara.Style(ui.CSS)
    with solara.Column(classes=["mesoscape-app"], style={"padding": "0", "gap": "0"}):
        ui.Nav("Explore")
        with solara.Column(style={"padding": "6px 16px", "gap": "4px"}):
            if link_problem:
                ui.messages([link_problem])
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "10px"}):
                scenario_select(session, session.changed)
                with solara.Div(style={"width": "110px"}):
                    solara.InputText("Seed", value=seed_text, on_value=on_seed)
                with live.Player(session):
                    solara.Button("Reset", on_click=reset, outlined=True)
            ui.messages([m for m in (seed_problem, session.message, *reset_problems) if m])
            live.Notices(session)
            with solara.Row(style={"gap": "12px", "align-items": "flex-start"}):
                with solara.Column(style={"width": "300px", "flex": "0 0 300px", "gap": "2px"}):
                    LeverPanel(session, session.changed)
                    ShareBox(session, "/", session.changed)
                with solara.Column(style={"flex": "1 1 600px", "min-width": "0", "gap": "8px"}):
                    live.MapAndLog(session)
                    live.LiveCharts(session)
