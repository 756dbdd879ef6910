"""The Workshop page: a presenter view for a projector, with live interventions.

Large type, two big charts (jobs and unemployment) and the story log. Interventions are
scenario event objects (``scenarios.schema``) applied with ``model.events.trigger``: each adds
a marker on the charts and a line in the log. "Run again with another seed" keeps the
previous runs as grey lines, to show that the same policy can lead to different futures.
"""

from __future__ import annotations

import solara

from app_pages import live, ui, view
from app_pages.svg import Series, line_chart
from scenarios.schema import (
    BudgetCut,
    DemandBoom,
    ExperimentationFund,
    IndustryDecline,
    NationalSupport,
    PlantClosure,
    StrengthenInstitutions,
)

FUND_PER_QUARTER = ExperimentationFund.model_fields["amount"].default
STRENGTHEN_PER_QUARTER = StrengthenInstitutions.model_fields["amount"].default
INTERVENTIONS = {
    "Decline: demand for the industry falls 50 % over 8 quarters": "decline",
    "Closure: the industry's largest firm closes": "closure",
    "Boom: demand for the industry rises 50 % over 8 quarters": "boom",
    f"Experimentation fund: +{FUND_PER_QUARTER:g} money units a quarter for grants": "fund",
    f"Strengthen institutions: +{STRENGTHEN_PER_QUARTER:g} money units a quarter": "institutions",
    "Budget cut: the policy budget halves": "budget_cut",
    "National support: co-funding 1:1 switched on": "national",
}
NEEDS_INDUSTRY = {"decline", "closure", "boom"}


def make_event(kind: str, industry: str, step: int):
    """The scenario event object of an intervention (validated by the schema)."""
    if kind == "decline":
        return IndustryDecline(type="industry_decline", step=step, industry=industry)
    if kind == "closure":
        return PlantClosure(type="plant_closure", step=step, industry=industry)
    if kind == "boom":
        return DemandBoom(type="demand_boom", step=step, industry=industry)
    if kind == "fund":
        return ExperimentationFund(type="experimentation_fund", step=step)
    if kind == "institutions":
        return StrengthenInstitutions(type="strengthen_institutions", step=step)
    if kind == "budget_cut":
        return BudgetCut(type="budget_cut", step=step)
    if kind == "national":
        return NationalSupport(type="national_support", step=step, on=True, co_funding=1.0)
    raise ValueError(f"intervention: {kind!r} is not offered")


def big_chart(model, column: str, scale: float, title: str, ylabel: str, runs, css: str) -> str:
    """One indicator as a big line chart, earlier runs as grey lines underneath."""
    hist = view.history(model)
    overlays = [
        Series(
            f"seed {r.seed}",
            r.unemployment if column == "unemployment_rate" else r.employment,
            "#bbbbbb",
        )
        for r in runs
    ]
    return line_chart(
        list(hist.index),
        [Series(f"this run (seed {model.seed})", (hist[column] * scale).to_numpy(), "#1f4e9e")],
        title=title,
        ylabel=ylabel,
        horizon=view.horizon(model),
        markers=view.markers(model),
        overlays=overlays,
        width=560,
        height=300,
        legend_width=0,
        css_class=f"mesoscape-chart {css}",
    )


@solara.component
def BigCharts(session) -> None:
    """Jobs and unemployment, large, with the earlier runs underneath; the story log."""
    model = session.model
    drawn = live.use_drawn(
        session,
        lambda: (
            big_chart(
                model,
                "employment",
                1 / 1000,
                "Jobs",
                "workers (thousands)",
                session.runs,
                "mesoscape-workshop-jobs",
            ),
            big_chart(
                model,
                "unemployment_rate",
                100,
                "Unemployment",
                "unemployed (% of labour force)",
                session.runs,
                "mesoscape-workshop-unemployment",
            ),
            view.story_lines(model, 6),
        ),
    )
    jobs, unemployment, lines = drawn
    with solara.Div(
        classes=["mesoscape-grid"],
        style={"grid-template-columns": "minmax(0, 1fr) minmax(0, 1fr)"},
    ):
        ui.svg(jobs)
        ui.svg(unemployment)
    with solara.Div(classes=["mesoscape-card"], style={"min-width": "0"}):
        ui.text("h2", "What happened")
        ui.story_list(lines, "mesoscape-workshop-log", "max-height: 260px")


@solara.component
def WorkshopPage() -> None:
    """Presenter view: play, intervene, run again with another seed."""
    ui.locked(_workshoppage)


def _workshoppage(session) -> None:
    session.epoch.value  # noqa: B018 - subscribe: redrawn when the model is rebuilt
    problem, set_problem = solara.use_state("")
    model = session.model
    keys, names = view.industry_keys(model), view.industry_names(model)
    emp = view.employment_by_industry(model)
    local = {i.key for i in model.params.catalogue.industries if i.local_services}
    offered = [names[k] for k in emp.argsort()[::-1] if keys[k] not in local][:12]
    industry, set_industry = solara.use_state(offered[0])
    action, set_action = solara.use_state(next(iter(INTERVENTIONS)))

    def intervene() -> None:
        kind = INTERVENTIONS.get(action)
        if kind is None or industry not in names:
            set_problem("Choose an intervention and an industry from the lists.")
            return
        key = keys[names.index(industry)]
        with session.lock:
            event = make_event(kind, key, max(view.quarter(session.model), 1))
            view.trigger(session.model, event)
        set_problem("")
        session.ticked()

    def again() -> None:
        session.playing.value = False
        session.seed += 1
        session.reset()
        session.changed()

    solara.Title("Mesoscape · Workshop")
    solara.Style(ui.CSS)
    with solara.Column(
        classes=["mesoscape-app", "mesoscape-presenter"], style={"padding": "0", "gap": "0"}
    ):
        ui.Nav("Workshop")
        with solara.Column(style={"padding": "6px 16px", "gap": "6px"}):
            with live.Player(session, large=True):
                solara.Button(
                    "Run again with another seed", on_click=again, outlined=True, x_large=True
                )
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "12px"}):
                with solara.Div(style={"width": "520px"}):
                    solara.Select(
                        "Intervention",
                        values=list(INTERVENTIONS),
                        value=action,
                        on_value=set_action,
                    )
                with solara.Div(style={"width": "330px"}):
                    solara.Select(
                        "Industry",
                        values=offered,
                        value=industry,
                        on_value=set_industry,
                        disabled=INTERVENTIONS.get(action) not in NEEDS_INDUSTRY,
                    )
                solara.Button("Intervene now", on_click=intervene, color="warning", x_large=True)
            ui.messages([problem] if problem else [])
            BigCharts(session)
            if session.runs:
                ui.text(
                    "p",
                    f"Grey lines: {len(session.runs)} earlier run(s) of this session, "
                    "other seeds — same policy, different futures.",
                    "mesoscape-hint",
                )
