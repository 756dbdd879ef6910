"""Charts as inline SVG text: fast to build every quarter, crisp on a projector, fully offline.

Matplotlib needed ~0.5 s per PNG on a loaded 2-core machine, so a Step could not feel
instant. These functions build small SVG documents as strings (a few milliseconds even for
thousands of firms); the browser draws them. Every piece of text that goes into a chart is
escaped here, so callers may pass industry or district names as they are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"
AXIS_COLOUR = "#444"
GRID_COLOUR = "#e3e3e3"
MARKER_COLOUR = "#b2182b"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering ``[lo, hi]`` (1, 2, 2.5 or 5 times 10^k apart)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step + 1e-9) * step
    last = math.ceil(hi / step - 1e-9) * step
    count = int(round((last - first) / step))
    return [round(first + i * step, 10) for i in range(count + 1)]


def _fmt(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if float(v).is_integer():
        return f"{v:.0f}"
    return f"{v:.3g}"


@dataclass(frozen=True)
class Series:
    """One named line (or stacked layer) of a chart."""

    label: str
    values: Sequence[float]
    colour: str
    dashed: bool = False


@dataclass(frozen=True)
class Frame:
    """The plotting area of a chart and its data ranges; maps data to pixels."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x0: float
    x1: float
    y0: float
    y1: float

    def px(self, x: float) -> float:
        """Pixel column of data ``x``."""
        span = (self.x1 - self.x0) or 1.0
        return self.left + (x - self.x0) / span * (self.width - self.left - self.right)

    def py(self, y: float) -> float:
        """Pixel row of data ``y``."""
        span = (self.y1 - self.y0) or 1.0
        return (
            self.height
            - self.bottom
            - (y - self.y0) / span * (self.height - self.top - self.bottom)
        )


def _open(width: int, height: int, css_class: str, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" style="{FONT};max-width:100%;height:auto">',
        f'<text x="8" y="18" font-size="15" font-weight="600">{escape(title)}</text>',
    ]


def _axes(
    f: Frame, xlabel: str, ylabel: str, yticks: list[float], xticks: list[float]
) -> list[str]:
    out = []
    for t in yticks:
        y = f.py(t)
        out.append(
            f'<line x1="{f.left}" x2="{f.width - f.right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}"/>'
            f'<text x="{f.left - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="{AXIS_COLOUR}">{_fmt(t)}</text>'
        )
    base = f.height - f.bottom
    for t in xticks:
        x = f.px(t)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 4}" stroke="{AXIS_COLOUR}"/>'
            f'<text x="{x:.1f}" y="{base + 17}" font-size="12" text-anchor="middle" '
            f'fill="{AXIS_COLOUR}">{_fmt(t)}</text>'
        )
    out.append(
        f'<line x1="{f.left}" x2="{f.width - f.right}" y1="{base}" y2="{base}" '
        f'stroke="{AXIS_COLOUR}"/>'
        f'<line x1="{f.left}" x2="{f.left}" y1="{f.top}" y2="{base}" stroke="{AXIS_COLOUR}"/>'
        f'<text x="{(f.left + f.width - f.right) / 2:.1f}" y="{f.height - 6}" font-size="13" '
        f'text-anchor="middle">{escape(xlabel)}</text>'
        f'<text transform="translate(14 {(f.top + base) / 2:.1f}) rotate(-90)" font-size="13" '
        f'text-anchor="middle">{escape(ylabel)}</text>'
    )
    return out


def _markers(f: Frame, markers: Sequence[tuple[float, str]], labels: bool) -> list[str]:
    out = []
    for n, (step, label) in enumerate(markers):
        if not f.x0 <= step <= f.x1:
            continue
        x = f.px(step)
        out.append(
            f'<line class="event-marker" x1="{x:.1f}" x2="{x:.1f}" y1="{f.top}" '
            f'y2="{f.height - f.bottom}" stroke="{MARKER_COLOUR}" stroke-dasharray="4 3"/>'
        )
        if labels:
            y = f.top + 12 + 13 * (n % 3)
            out.append(
                f'<text x="{x + 3:.1f}" y="{y}" font-size="11" fill="{MARKER_COLOUR}" '
                f'stroke="white" stroke-width="3" paint-order="stroke">{escape(label)}</text>'
            )
    return out


def _legend(series: Sequence[Series], x: float, y: float, row: int = 17) -> list[str]:
    out = []
    for n, s in enumerate(series):
        yy = y + n * row
        dash = ' stroke-dasharray="5 3"' if s.dashed else ""
        out.append(
            f'<line x1="{x}" x2="{x + 18}" y1="{yy - 4}" y2="{yy - 4}" stroke="{s.colour}" '
            f'stroke-width="6"{dash}/><text x="{x + 24}" y="{yy}" font-size="12">'
            f"{escape(s.label)}</text>"
        )
    return out


def line_chart(
    steps: Sequence[float],
    series: Sequence[Series],
    *,
    title: str,
    ylabel: str,
    xlabel: str = "quarter (4 per year)",
    horizon: float | None = None,
    markers: Sequence[tuple[float, str]] = (),
    marker_labels: bool = True,
    stacked: bool = False,
    ymin: float | None = 0.0,
    width: int = 640,
    height: int = 300,
    legend_width: int = 190,
    css_class: str = "mesoscape-chart",
    overlays: Sequence[Series] = (),
) -> str:
    """A line chart (or stacked areas) over quarters, with event markers and a legend.

    Args:
        steps: the x values (quarters), shared by every series.
        series: the lines, or the layers from the bottom up when ``stacked``.
        title: shown at the top left.
        ylabel: the y axis label, with its unit.
        xlabel: the x axis label.
        horizon: the last quarter of the run; the x axis reaches it.
        markers: ``(quarter, label)`` event markers drawn as dashed vertical lines.
        marker_labels: write the marker labels next to the lines.
        stacked: draw the series as stacked areas.
        ymin: lower end of the y axis (None: from the data).
        width: SVG width in user units.
        height: SVG height in user units.
        legend_width: room on the right for the legend (0: no legend).
        css_class: the class of the ``<svg>`` element.
        overlays: thin grey lines drawn underneath (e.g. earlier runs), with their own x.

    Returns:
        The SVG document as text.
    """
    xs = list(steps)
    layers = [list(map(float, s.values)) for s in series]
    tops = layers
    if stacked and layers:
        tops, acc = [], [0.0] * len(xs)
        for vals in layers:
            acc = [a + v for a, v in zip(acc, vals, strict=True)]
            tops.append(acc)
    values = [v for vals in tops for v in vals if math.isfinite(v)]
    values += [v for s in overlays for v in s.values if math.isfinite(v)]
    lo = ymin if ymin is not None else min(values, default=0.0)
    hi = max(values, default=1.0)
    if hi <= lo:
        hi = lo + 1.0
    yticks = nice_ticks(lo, hi * 1.05)
    x_hi = max(horizon or 0.0, max(xs, default=0.0), 4.0)
    xticks = nice_ticks(0.0, x_hi, 6)
    f = Frame(width, height, 62, legend_width + 12, 30, 42, 0.0, x_hi, yticks[0], yticks[-1])
    out = _open(width, height, css_class, title)
    out += _axes(f, xlabel, ylabel, yticks, xticks)
    for s in overlays:
        pts = " ".join(
            f"{f.px(x):.1f},{f.py(v):.1f}" for x, v in enumerate(s.values) if math.isfinite(v)
        )
        out.append(f'<polyline points="{pts}" fill="none" stroke="{s.colour}" stroke-width="1.5"/>')
    if stacked:
        below = [0.0] * len(xs)
        for s, top in zip(series, tops, strict=True):
            upper = " ".join(f"{f.px(x):.1f},{f.py(v):.1f}" for x, v in zip(xs, top, strict=True))
            lower = " ".join(
                f"{f.px(x):.1f},{f.py(v):.1f}"
                for x, v in reversed(list(zip(xs, below, strict=True)))
            )
            out.append(
                f'<polygon points="{upper} {lower}" fill="{s.colour}" fill-opacity="0.9">'
                f"<title>{escape(s.label)}</title></polygon>"
            )
            below = top
    else:
        for s, vals in zip(series, layers, strict=True):
            pts = " ".join(
                f"{f.px(x):.1f},{f.py(v):.1f}"
                for x, v in zip(xs, vals, strict=True)
                if math.isfinite(v)
            )
            dash = ' stroke-dasharray="6 4"' if s.dashed else ""
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{s.colour}" '
                f'stroke-width="2.5"{dash}/>'
            )
    out += _markers(f, markers, marker_labels)
    if legend_width:
        shown = list(reversed(series)) if stacked else list(series)
        out += _legend(shown, width - legend_width, f.top + 10)
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class Point:
    """A labelled point of a scatter chart."""

    x: float
    y: float
    label: str
    colour: str = "#888"
    size: float = 6.0
    highlight: bool = False


def scatter_chart(
    points: Sequence[Point],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    width: int = 720,
    height: int = 460,
    legend: Sequence[Series] = (),
    css_class: str = "mesoscape-scatter",
) -> str:
    """A scatter chart with a text label by every highlighted point.

    Args:
        points: the points; highlighted ones are drawn larger, outlined and labelled.
        title: shown at the top left.
        xlabel: the x axis label, with its unit.
        ylabel: the y axis label, with its unit.
        width: SVG width in user units.
        height: SVG height in user units.
        legend: entries of a legend at the top right.
        css_class: the class of the ``<svg>`` element.

    Returns:
        The SVG document as text.
    """
    xs = [p.x for p in points] or [0.0, 1.0]
    ys = [p.y for p in points] or [0.0, 1.0]
    xt = nice_ticks(min(xs), max(xs) + 1e-9)
    yt = nice_ticks(min(ys), max(ys) + 1e-9)
    f = Frame(width, height, 62, 20, 30 + 18 * len(legend), 42, xt[0], xt[-1], yt[0], yt[-1])
    out = _open(width, height, css_class, title)
    out += _axes(f, xlabel, ylabel, yt, xt)
    placed: list[tuple[float, float]] = []  # labels written so far, to keep them apart
    labels: list[str] = []  # drawn after every dot, so that no dot hides a label
    for p in sorted(points, key=lambda p: p.highlight):
        ring = ' stroke="#111" stroke-width="2"' if p.highlight else ' stroke="white"'
        out.append(
            f'<circle cx="{f.px(p.x):.1f}" cy="{f.py(p.y):.1f}" r="{p.size:.1f}" '
            f'fill="{p.colour}"{ring}><title>{escape(p.label)}</title></circle>'
        )
        if p.highlight:  # labels of points in the right half go to their left: never cut off
            left = f.px(p.x) > (f.left + f.width - f.right) / 2
            x = f.px(p.x) - p.size - 3 if left else f.px(p.x) + p.size + 3
            y = f.py(p.y) + 4
            while any(abs(y - y0) < 14 and abs(x - x0) < 160 for x0, y0 in placed):
                y += 14  # below a label already there
            placed.append((x, y))
            if y != f.py(p.y) + 4:  # moved down: a leader line says whose label it is
                labels.append(
                    f'<line x1="{x:.1f}" y1="{y - 4:.1f}" x2="{f.px(p.x):.1f}" '
                    f'y2="{f.py(p.y):.1f}" stroke="#555" stroke-width="1"/>'
                )
            labels.append(
                f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" '
                f'text-anchor="{"end" if left else "start"}" '
                f'stroke="white" stroke-width="3" paint-order="stroke">{escape(p.label)}</text>'
            )
    out += labels
    for n, s in enumerate(legend):
        y = 40 + 18 * n
        out.append(
            f'<circle cx="{f.left + 8}" cy="{y - 4}" r="6" fill="{s.colour}" '
            f'stroke="{"#111" if s.dashed else "white"}" stroke-width="2"/>'
            f'<text x="{f.left + 20}" y="{y}" font-size="12">{escape(s.label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class Band:
    """A median line with a shaded interval, over the same x as its chart."""

    label: str
    median: Sequence[float]
    lo: Sequence[float]
    hi: Sequence[float]
    colour: str


def band_chart(
    steps: Sequence[float],
    bands: Sequence[Band],
    *,
    title: str,
    ylabel: str,
    xlabel: str = "quarter (4 per year)",
    zero_line: bool = False,
    width: int = 640,
    height: int = 300,
    css_class: str = "mesoscape-band-chart",
) -> str:
    """Medians with shaded intervals (e.g. across replications), one band per scenario."""
    xs = list(steps)
    values = [v for b in bands for v in (*b.lo, *b.hi) if math.isfinite(v)] or [0.0, 1.0]
    lo, hi = min(values), max(values)
    if zero_line:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    yt = nice_ticks(lo, hi if hi > lo else lo + 1.0)
    x_hi = max(max(xs, default=0.0), 4.0)
    f = Frame(width, height, 62, 202, 30, 42, 0.0, x_hi, yt[0], yt[-1])
    out = _open(width, height, css_class, title)
    out += _axes(f, xlabel, ylabel, yt, nice_ticks(0.0, x_hi, 6))
    if zero_line:
        out.append(
            f'<line x1="{f.left}" x2="{f.width - f.right}" y1="{f.py(0):.1f}" '
            f'y2="{f.py(0):.1f}" stroke="#333" stroke-dasharray="2 2"/>'
        )
    for b in bands:
        upper = " ".join(f"{f.px(x):.1f},{f.py(v):.1f}" for x, v in zip(xs, b.hi, strict=True))
        lower = " ".join(
            f"{f.px(x):.1f},{f.py(v):.1f}" for x, v in reversed(list(zip(xs, b.lo, strict=True)))
        )
        mid = " ".join(f"{f.px(x):.1f},{f.py(v):.1f}" for x, v in zip(xs, b.median, strict=True))
        out.append(
            f'<polygon points="{upper} {lower}" fill="{b.colour}" fill-opacity="0.2"/>'
            f'<polyline points="{mid}" fill="none" stroke="{b.colour}" stroke-width="2.5"/>'
        )
    out += _legend([Series(b.label, [], b.colour) for b in bands], width - 190, f.top + 10)
    out.append("</svg>")
    return "".join(out)
