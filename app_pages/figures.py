"""Matplotlib figures of a region model, rendered to PNG for the browser app.

Figures are made with ``matplotlib.figure.Figure`` directly, never through pyplot, so no
global figure registry holds them: a figure is garbage once its PNG bytes are taken.
An industry keeps one colour everywhere (map, chart, every quarter); only the top industries
by current employment are coloured, the rest are grey "other industries".
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from matplotlib import patheffects as pe  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

from model import RegionModel  # noqa: E402

TOP_INDUSTRIES = 8
# Inches at 100 dpi; the page shows both side by side, widths in this ratio (text ~11 px).
MAP_FIGSIZE = (7.6, 5.2)
CHART_FIGSIZE = (6.0, 5.2)
FONT = 9  # legends and titles
OTHER_COLOUR = "#c7c7c7"
LOCAL_SERVICES_COLOUR = "#d2b48c"  # local services are everywhere: a quiet background colour
_GREYS = {"#7f7f7f", "#666666", "#c7c7c7"}
_LIGHT = colormaps["tab20"].colors[1::2]  # tab20's even colours are tab10's
#: industry colours, given out by employment at quarter 0: distinct strong colours first
PALETTE: list[str] = [
    hex_
    for rgb in (*colormaps["tab10"].colors, *colormaps["Dark2"].colors, *_LIGHT)
    if (hex_ := matplotlib.colors.to_hex(rgb)) not in _GREYS
]
DISTRICT_SHADES = ListedColormap(
    ["#f1f4f9", "#f7f4ee", "#f0f6f0", "#f6f1f7", "#f7f7ec", "#eef5f5", "#f7efef", "#f3f3f3"]
)
#: institution type: (marker, colour, legend label)
INSTITUTION_STYLE: dict[str, tuple[str, str, str]] = {
    "training_institute": ("s", "#1f4e9e", "Training institute"),
    "technology_centre": ("^", "#b2182b", "Technology centre"),
    "business_association": ("D", "#6a3d9a", "Business association"),
    "development_agency": ("P", "#006d2c", "Development agency"),
    "university": ("*", "#8c510a", "University"),
}


def figure_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def industry_colours(model: RegionModel) -> np.ndarray:
    """A colour per industry, fixed for the whole run (map and chart, every quarter).

    The largest industries at quarter 0 get the most distinct colours; industries absent
    then follow in catalogue order; local services get a quiet background colour.
    """
    sp = model.space
    table = model.datacollector.get_table_dataframe("employment_by_industry")
    first = table[table["step"] == table["step"].min()].set_index("industry")["employment"]
    start = np.array(first.reindex(sp.keys).fillna(0.0), dtype=float)
    start[sp.local_services] = -1.0  # not given a palette colour
    colours = np.empty(sp.size, dtype=object)
    for rank, k in enumerate(np.argsort(-start, kind="stable")):
        colours[k] = PALETTE[rank % len(PALETTE)]
    colours[sp.local_services] = LOCAL_SERVICES_COLOUR
    return colours


def short_name(name: str, width: int = 30) -> str:
    """An industry name without its parenthetical, cut to ``width`` characters."""
    name = re.sub(r"\s*\(.*\)", "", name)
    return name if len(name) <= width else name[: width - 1] + "…"


def top_industries(model: RegionModel, n: int = TOP_INDUSTRIES) -> list[int]:
    """Indices of the ``n`` industries with most workers now (largest first, none empty)."""
    emp = model.employment_by_industry()
    return [int(k) for k in np.argsort(-emp, kind="stable")[:n] if emp[k] > 0]


def region_map_figure(model: RegionModel) -> Figure:
    """Firms (coloured by industry, sized by workers), districts and institutions' reach."""
    m, f = model, model.firms
    width, height = m.params.region.width, m.params.region.height
    fig = Figure(figsize=MAP_FIGSIZE, dpi=100, layout="constrained")
    ax = fig.add_subplot()
    extent = (-0.5, width - 0.5, -0.5, height - 0.5)
    shades = m.district_map.T % DISTRICT_SHADES.N
    ax.imshow(
        shades,
        origin="lower",
        extent=extent,
        cmap=DISTRICT_SHADES,
        vmin=0,
        vmax=DISTRICT_SHADES.N - 1,
    )
    top = top_industries(m)
    colours = industry_colours(m)
    colours[[k for k in range(m.space.size) if k not in top]] = OTHER_COLOUR
    order = np.argsort(np.isin(f.industry, top), kind="stable")  # other industries underneath
    # Firms sit on integer cells; a fixed offset per firm keeps firms sharing a cell visible.
    s = f.serial.astype(float)
    x = f.x + (s * 0.6180339887) % 1.0 - 0.5
    y = f.y + (s * 0.7548776662) % 1.0 - 0.5
    size = 3.0 + 2.0 * np.sqrt(f.employment)
    ax.scatter(x[order], y[order], s=size[order], c=colours[f.industry][order], alpha=0.7, lw=0)
    _draw_institutions(ax, m)
    halo = [pe.withStroke(linewidth=3, foreground="white")]
    for name, (cx, cy) in zip(m.district_names, m.district_xy, strict=True):
        ax.text(
            cx,
            cy + 2.4,
            name,
            ha="center",
            va="bottom",
            fontsize=FONT + 1,
            weight="bold",
            path_effects=halo,
        )
    ax.set(xlim=extent[:2], ylim=extent[2:], aspect="equal", xticks=[], yticks=[])
    ax.set_title(f"{m.params.name} · quarter {m.steps} · {len(f):,} firms", fontsize=FONT + 1)
    firms = [_handle("o", colours[k], short_name(m.space.names[k])) for k in top]
    firms.append(_handle("o", OTHER_COLOUR, "other industries"))
    kinds = dict.fromkeys(i.kind for i in m.institutions.institutions)
    insts = [_handle(*_institution_style(kind)) for kind in kinds]
    for handles, loc, title in (
        (firms, "outside right upper", "Firms (dot area ~ workers)"),
        (insts, "outside right lower", "Institutions (dashed: reach)"),
    ):
        fig.legend(
            handles=handles, loc=loc, title=title, fontsize=FONT, title_fontsize=FONT, frameon=False
        )
    return fig


def _institution_style(kind: str) -> tuple[str, str, str]:
    return INSTITUTION_STYLE.get(kind, ("o", "black", kind.replace("_", " ").capitalize()))


def _handle(marker: str, colour: str, label: str) -> Line2D:
    ms = 11 if marker == "*" else 8
    return Line2D([], [], ls="", marker=marker, ms=ms, color=colour, mec="white", label=label)


def _draw_institutions(ax: Axes, model: RegionModel) -> None:
    """Each institution as a marker by its district centre, with its reach as a circle."""
    by_centre: dict[tuple[float, float], list] = {}
    for inst in model.institutions.institutions:
        by_centre.setdefault(tuple(inst.centre), []).append(inst)
    for (cx, cy), insts in by_centre.items():
        offset = 1.4 if len(insts) > 1 else 0.0  # co-located institutions side by side
        for j, inst in enumerate(insts):
            marker, colour, _ = _institution_style(inst.kind)
            ax.add_patch(
                Circle((cx, cy), inst.radius, fill=False, ec=colour, lw=1, ls="--", alpha=0.6)
            )
            angle = 2 * np.pi * j / len(insts) - np.pi / 2
            ax.plot(
                cx + offset * np.cos(angle),
                cy + offset * np.sin(angle),
                marker=marker,
                ms=13 if marker == "*" else 10,
                color=colour,
                mec="white",
                mew=1.2,
                zorder=5,
            )


def employment_figure(model: RegionModel) -> Figure:
    """Workers by industry over time (top industries stacked), and the unemployment rate."""
    m, sp = model, model.space
    table = m.datacollector.get_table_dataframe("employment_by_industry")
    emp = table.pivot_table(index="step", columns="industry", values="employment", aggfunc="sum")
    top = top_industries(m)
    keys = [sp.keys[k] for k in top]
    series = [emp[key] / 1000 for key in keys] + [emp.drop(columns=keys).sum(axis=1) / 1000]
    colours = [*industry_colours(m)[top], OTHER_COLOUR]
    labels = [short_name(sp.names[k]) for k in top] + ["other industries"]
    rate = m.datacollector.get_model_vars_dataframe()["unemployment_rate"]

    fig = Figure(figsize=CHART_FIGSIZE, dpi=100, layout="constrained")
    ax, ax_u = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    ax.stackplot(emp.index, series, colors=colours, labels=labels, alpha=0.85, lw=0)
    ax.set_ylabel("workers (thousands)")
    ax.set_title(f"Employment by industry · quarter {m.steps}", fontsize=FONT + 1)
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles[::-1], names[::-1], loc="outside right upper", fontsize=FONT, frameon=False)
    ax_u.plot(rate.index, 100 * rate, color="black", lw=1.5, marker="o" if len(rate) < 3 else None)
    ax_u.set(ylabel="unemployed (%)", xlabel="quarter", ylim=(0, 1.15 * max(100 * rate.max(), 1.0)))
    for step, _label in m.events.markers:  # scenario and live events
        for a in (ax, ax_u):
            a.axvline(step, color="#444444", lw=0.8, ls=":")
    ax.set_xlim(0, max(4, m.steps))
    for a in (ax, ax_u):
        a.grid(alpha=0.3)
    return fig
