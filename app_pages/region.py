"""The Region page: the industrial structure, the districts and the opportunity chart.

The opportunity chart is the view bottom-up targeting uses: each industry's relatedness
density (how much of what it needs the region already has) against its complexity gain,
with the industries a chosen strategy would pick highlighted (``model.targeting``).
"""

from __future__ import annotations

import html

import solara

from app_pages import charts, ui, view

STRATEGIES = {
    "balanced_portfolio": "Balanced portfolio: density and complexity gain weighed together",
    "low_hanging_fruit": "Low-hanging fruit: the closest industries first",
    "long_jumps": "Long jumps: the largest complexity gain, even if far",
    "top_down": "Top-down: the scenario's priority list, whatever the fit",
}


def _table(rows: list[list[str]], header: list[str], css_class: str) -> None:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    solara.HTML(
        tag="table",
        unsafe_innerHTML=f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>",
        classes=["mesoscape-table", css_class],
    )


@solara.component
def RegionPage() -> None:
    """Structure, districts and the opportunity chart of the session's region now."""
    ui.locked(_regionpage)


def _regionpage(session) -> None:
    strategy, set_strategy = solara.use_state("balanced_portfolio")
    model = session.model
    opp = view.opportunity(model, targets=model.params.policy.targets)
    offered = {k: v for k, v in STRATEGIES.items() if k in opp.picks}
    if strategy not in offered:
        strategy = "balanced_portfolio"
    emp = view.employment_by_industry(model)
    names = view.industry_names(model)
    total = max(float(emp.sum()), 1.0)
    order = [int(k) for k in emp.argsort()[::-1] if emp[k] > 0]
    solara.Title("Mesoscape · Region")
    solara.Style(ui.CSS)
    with solara.Column(classes=["mesoscape-app"], style={"padding": "0", "gap": "0"}):
        ui.Nav("Region")
        with solara.Column(style={"padding": "8px 16px", "gap": "6px"}):
            ui.text(
                "p",
                f"{model.params.region.name}: {model.params.region.description} "
                f"({view.clock(model)}; change it on Explore)",
                "mesoscape-hint",
            )
            with solara.Div(
                classes=["mesoscape-grid"],
                style={"grid-template-columns": "minmax(0, 1.4fr) minmax(0, 1fr)"},
            ):
                with solara.Div(classes=["mesoscape-card"]):
                    with solara.Div(style={"max-width": "560px"}):
                        solara.Select(
                            "Targeting strategy",
                            values=list(offered.values()),
                            value=offered[strategy],
                            on_value=lambda t: set_strategy(
                                next(
                                    (k for k, v in offered.items() if v == t), "balanced_portfolio"
                                )
                            ),
                        )
                    ui.svg(charts.opportunity_chart(model, strategy), "")
                    picks = ", ".join(
                        names[view.industry_keys(model).index(k)]
                        for k in opp.picks.get(strategy, [])
                    )
                    ui.text(
                        "p", f"This strategy would pick: {picks or 'nothing'}.", "mesoscape-picks"
                    )
                with solara.Column(style={"gap": "8px"}):
                    ui.svg(charts.region_map(model, size=420))
                    ui.text("h2", "Districts")
                    districts = view.districts_table(model)
                    _table(
                        [
                            [
                                str(r.district),
                                f"{r.employment:,.0f}",
                                f"{r.diversity:.2f}",
                                f"{r.complexity:.2f}",
                            ]
                            for r in districts.itertuples()
                        ],
                        ["district", "jobs", "diversity", "complexity"],
                        "mesoscape-districts",
                    )
            ui.text("h2", "Industrial structure")
            _table(
                [[names[k], f"{emp[k]:,.0f}", f"{emp[k] / total:.1%}"] for k in order],
                ["industry", "jobs", "share of jobs"],
                "mesoscape-structure",
            )
