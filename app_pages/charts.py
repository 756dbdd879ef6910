"""The app's charts of a region model, as SVG text (``app_pages.svg``), from ``app_pages.view``.

An industry keeps one colour everywhere (map, charts, every quarter, every page): the
colour is given by its catalogue position. The stacked employment chart keeps a stable
order (catalogue order) and shows the industries that were ever among the largest, the rest
as "other industries" on top.
"""

from __future__ import annotations

from html import escape

import numpy as np

from app_pages import view
from app_pages.svg import FONT, Point, Series, line_chart, scatter_chart
from model import RegionModel

TOP = 9
OTHER = "#c7c7c7"
LOCAL = "#d2b48c"
PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#9edae5",
    "#393b79", "#637939", "#8c6d31", "#843c39",
]  # fmt: skip
INSTITUTIONS = {  # kind: (label, colour, SVG shape)
    "training_institute": ("Training institute", "#1f4e9e", "square"),
    "technology_centre": ("Technology centre", "#b2182b", "triangle"),
    "business_association": ("Business association", "#6a3d9a", "diamond"),
    "development_agency": ("Development agency", "#006d2c", "square"),
    "university": ("University", "#8c510a", "circle"),
}


def short(name: str, width: int = 28) -> str:
    """An industry name without its parenthetical, cut to ``width`` characters."""
    cut = name.split(" (")[0]
    return cut if len(cut) <= width else cut[: width - 1] + "…"


def colours(model: RegionModel) -> list[str]:
    """One colour per industry, by catalogue position; local services a quiet tan."""
    keys = view.industry_keys(model)
    local = {i.key for i in model.params.catalogue.industries if i.local_services}
    return [LOCAL if k in local else PALETTE[n % len(PALETTE)] for n, k in enumerate(keys)]


def employment_chart(model: RegionModel, *, width: int = 580, height: int = 320, **kw) -> str:
    """Workers by industry, stacked in a stable order, with event markers."""
    quarters, workers = view.employment_history(model)
    names, cols = view.industry_names(model), colours(model)
    peak = workers.max(axis=0) if len(quarters) else np.zeros(len(names))
    shown = sorted(int(k) for k in np.argsort(-peak, kind="stable")[:TOP] if peak[k] > 0)
    series = [Series(short(names[k], 24), workers[:, k] / 1000, cols[k]) for k in shown]
    rest = np.delete(workers, shown, axis=1).sum(axis=1) / 1000
    series.append(Series("other industries", rest, OTHER))
    return line_chart(
        quarters.tolist(),
        series,
        stacked=True,
        title="Jobs by industry",
        ylabel="workers (thousands)",
        horizon=view.horizon(model),
        markers=view.markers(model),
        width=width,
        height=height,
        legend_width=210,
        css_class="mesoscape-chart mesoscape-employment-chart",
        **kw,
    )


def indicator_chart(
    model: RegionModel,
    columns: list[tuple[str, str, str, float]],
    *,
    title: str,
    ylabel: str,
    css_class: str,
    width: int = 560,
    height: int = 260,
    overlays: list[tuple[str, list[float]]] | None = None,
    **kw,
) -> str:
    """Lines of model indicators over time: ``columns`` are (indicator, label, colour, scale)."""
    hist = view.history(model)
    series = [
        Series(label, (hist[col] * scale).to_numpy(), colour)
        for col, label, colour, scale in columns
        if col in hist
    ]
    return line_chart(
        list(hist.index),
        series,
        title=title,
        ylabel=ylabel,
        horizon=view.horizon(model),
        markers=view.markers(model),
        width=width,
        height=height,
        css_class=f"mesoscape-chart {css_class}",
        overlays=[Series(label, values, "#bbbbbb") for label, values in (overlays or [])],
        **kw,
    )


def unemployment_chart(model: RegionModel, **kw) -> str:
    """The unemployment rate in per cent."""
    return indicator_chart(
        model,
        [("unemployment_rate", "unemployment rate", "#222222", 100.0)],
        title="Unemployment",
        ylabel="unemployed (% of labour force)",
        css_class="mesoscape-unemployment-chart",
        legend_width=150,
        **kw,
    )


def structure_chart(model: RegionModel, **kw) -> str:
    """Diversity (entropy of employment shares) and employment-weighted complexity."""
    return indicator_chart(
        model,
        [
            ("diversity", "diversity (entropy)", "#1f77b4", 1.0),
            ("complexity", "complexity (weighted)", "#d62728", 1.0),
        ],
        title="Diversity and complexity",
        ylabel="index (no unit)",
        css_class="mesoscape-structure-chart",
        ymin=None,
        legend_width=170,
        **kw,
    )


def dynamics_chart(model: RegionModel, **kw) -> str:
    """Firm births and deaths per quarter, and discoveries so far."""
    return indicator_chart(
        model,
        [
            ("births", "firm births", "#2ca02c", 1.0),
            ("deaths", "firm deaths", "#7f7f7f", 1.0),
            ("discoveries", "discoveries (total)", "#ff7f0e", 1.0),
        ],
        title="Births, deaths and discoveries",
        ylabel="firms per quarter / count",
        css_class="mesoscape-dynamics-chart",
        legend_width=170,
        **kw,
    )


def _shape(shape: str, x: float, y: float, r: float, colour: str) -> str:
    if shape == "square":
        return (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
            f'fill="{colour}" stroke="white" stroke-width="1.5"/>'
        )
    if shape == "triangle":
        pts = (
            f"{x:.1f},{y - r * 1.2:.1f} {x - r * 1.1:.1f},{y + r:.1f} {x + r * 1.1:.1f},{y + r:.1f}"
        )
        return f'<polygon points="{pts}" fill="{colour}" stroke="white" stroke-width="1.5"/>'
    if shape == "diamond":
        pts = (
            f"{x:.1f},{y - r * 1.3:.1f} {x + r:.1f},{y:.1f} "
            f"{x:.1f},{y + r * 1.3:.1f} {x - r:.1f},{y:.1f}"
        )
        return f'<polygon points="{pts}" fill="{colour}" stroke="white" stroke-width="1.5"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}" stroke="white"/>'


def _dots(
    cx: np.ndarray, cy: np.ndarray, radius: np.ndarray, industry: np.ndarray, cols: list[str]
) -> str:
    """Firm dots as a few SVG paths, one per industry and dot size, not one element each.

    The map is redrawn every quarter: thousands of ``<circle>`` elements cost the browser
    far more to parse, style and lay out than the same dots as round-capped zero-length
    strokes in a few dozen paths. Radii are rounded to half pixels; within an industry the
    larger dots are drawn first, so small firms stay visible on top.
    """
    half = np.maximum(np.rint(radius * 2.0).astype(int), 1)  # radius in half pixels
    out = ['<g fill="none" stroke-linecap="round" stroke-opacity="0.75">']
    for k in np.unique(industry).tolist():
        mine = industry == k
        for size in np.unique(half[mine])[::-1].tolist():
            rows = np.flatnonzero(mine & (half == size)).tolist()
            moves = "".join(f"M{cx[i]} {cy[i]}h0" for i in rows)
            out.append(f'<path d="{moves}" stroke="{cols[k]}" stroke-width="{size}"/>')
    out.append("</g>")
    return "".join(out)


def region_map(model: RegionModel, *, size: int = 560, legend_width: int = 230) -> str:
    """Firms (coloured by industry, sized by workers), districts and institutions' reach."""
    d = view.map_data(model)
    scale = size / max(d.width, d.height)
    w, h = d.width * scale, d.height * scale
    cols = colours(model)
    names = view.industry_names(model)
    total = 28 + h + 8
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mesoscape-region-map" '
        f'viewBox="0 0 {w + legend_width:.0f} {total:.0f}" width="100%" role="img" '
        f'aria-label="Region map" style="{FONT};max-width:100%;height:auto">',
        f'<text x="4" y="18" font-size="15" font-weight="600">Region map · {len(d.x):,} firms'
        "</text>",
        f'<g transform="translate(0 28)"><clipPath id="mesoscape-map-clip"><rect '
        f'width="{w:.1f}" height="{h:.1f}"/></clipPath><rect width="{w:.1f}" height="{h:.1f}" '
        'fill="#f6f7f4" stroke="#ccc"/><g clip-path="url(#mesoscape-map-clip)">',
    ]

    def px(x: float) -> float:
        return (x + 0.5) * scale

    def py(y: float) -> float:
        return h - (y + 0.5) * scale

    for cx, cy in d.district_xy:
        out.append(
            f'<circle cx="{px(cx):.1f}" cy="{py(cy):.1f}" r="{6 * scale:.1f}" fill="#e6e9f2" '
            'opacity="0.8"/>'
        )
    # Firms sit on integer cells: a fixed offset per firm keeps firms on one cell visible.
    n = np.arange(len(d.x), dtype=float)
    jx = d.x + ((n * 0.6180339887) % 1.0 - 0.5) * 0.9
    jy = d.y + ((n * 0.7548776662) % 1.0 - 0.5) * 0.9
    radius = (0.12 + 0.05 * np.sqrt(np.maximum(d.employment, 0.0))) * scale
    out.append(
        _dots(np.rint(px(jx)).astype(int), np.rint(py(jy)).astype(int), radius, d.industry, cols)
    )
    by_district: dict[int, list[tuple[str, float]]] = {}
    for kind, district, r in d.institutions:
        by_district.setdefault(district, []).append((kind, r))
    for district, insts in by_district.items():
        cx, cy = d.district_xy[district]
        for j, (kind, r) in enumerate(insts):
            label, colour, shape = INSTITUTIONS.get(kind, (kind, "#333", "circle"))
            out.append(
                f'<circle cx="{px(cx):.1f}" cy="{py(cy):.1f}" r="{r * scale:.1f}" fill="none" '
                f'stroke="{colour}" stroke-dasharray="5 4" opacity="0.6"/>'
            )
            angle = 2 * np.pi * j / max(len(insts), 1) - np.pi / 2
            off = 1.6 * scale if len(insts) > 1 else 0.0
            out.append(
                _shape(shape, px(cx) + off * np.cos(angle), py(cy) + off * np.sin(angle), 6, colour)
            )
    out.append("</g>")  # the clipped part: firms and reach stay inside the map
    for name, (cx, cy) in zip(d.district_names, d.district_xy, strict=True):
        out.append(
            f'<text x="{px(cx):.1f}" y="{py(cy) - 3.2 * scale - 6:.1f}" font-size="14" '
            f'font-weight="700" text-anchor="middle" stroke="white" stroke-width="4" '
            f'paint-order="stroke">{escape(name)}</text>'
        )
    out.append("</g>")
    emp = view.employment_by_industry(model)
    top = [int(k) for k in np.argsort(-emp, kind="stable")[:8] if emp[k] > 0]
    x0, y = w + 12, 46
    out.append(f'<text x="{x0}" y="{y - 10}" font-size="12" font-weight="600">Firms</text>')
    for k in top:
        y += 17
        out.append(
            f'<circle cx="{x0 + 6}" cy="{y - 4}" r="5" fill="{cols[k]}"/>'
            f'<text x="{x0 + 16}" y="{y}" font-size="12">{escape(short(names[k], 26))}</text>'
        )
    y += 17
    out.append(
        f'<circle cx="{x0 + 6}" cy="{y - 4}" r="5" fill="{OTHER}"/>'
        f'<text x="{x0 + 16}" y="{y}" font-size="12">other (dot size ~ workers)</text>'
    )
    y += 28
    out.append(
        f'<text x="{x0}" y="{y}" font-size="12" font-weight="600">Institutions (dashed: reach)'
        "</text>"
    )
    for kind in dict.fromkeys(k for k, _d, _r in d.institutions):
        y += 18
        label, colour, shape = INSTITUTIONS.get(kind, (kind, "#333", "circle"))
        out.append(_shape(shape, x0 + 6, y - 4, 5, colour))
        out.append(f'<text x="{x0 + 16}" y="{y}" font-size="12">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def opportunity_chart(model: RegionModel, strategy: str) -> str:
    """Relatedness density against complexity gain; the strategy's picks highlighted."""
    opp = view.opportunity(model, targets=model.params.policy.targets)
    picked = set(opp.picks.get(strategy, []))
    cols = dict(zip(view.industry_keys(model), colours(model), strict=True))
    points = [
        Point(
            float(x),
            float(y),
            short(name),
            cols[key],
            5.0 + 1.2 * float(np.sqrt(max(e, 0.0) / 100.0)),
            key in picked,
        )
        for key, name, x, y, e in zip(
            opp.keys, opp.names, opp.density, opp.gain, opp.employment, strict=True
        )
    ]
    return scatter_chart(
        points,
        title="Opportunities: how close, and how much more complex (dot size ~ jobs)",
        xlabel="relatedness density (share of what it needs the region already has, 0 to 1)",
        ylabel="complexity gain (vs region)",
        legend=[Series(f"picked by {strategy.replace('_', ' ')} (outlined)", [], "#ffffff", True)],
        css_class="mesoscape-opportunity-chart",
    )
