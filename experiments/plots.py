"""Plots of a comparison that a newcomer can read (issue 6).

Two kinds, for each headline indicator (``experiments.compare.HEADLINE``):

* ``bands_<indicator>``: every scenario over time: the median future as a line, the middle
  half of the futures (25-75 %) as a darker band and 8 in 10 futures (10-90 %) as a lighter
  one; the shocks as dashed vertical lines.
* ``difference_<indicator>``: each alternative minus the baseline, seed by seed, over time:
  the policy's impulse response, with the same bands and a zero line.

Figures are built with ``matplotlib.figure.Figure`` (never pyplot): no global state, safe in
the app's threads. ``png_bytes`` renders them without a timestamp or software tag, so the
same comparison gives the same bytes.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

if TYPE_CHECKING:
    from experiments.compare import Comparison

#: indicator: (title, axis unit, percent axis)
INDICATORS: dict[str, tuple[str, str, bool]] = {
    "employment": ("Jobs in the region", "workers", False),
    "unemployment_rate": ("Unemployment rate", "% of the labour force", True),
    "gross_regional_product": ("Gross regional product", "output per quarter", False),
    "productivity": ("Productivity", "value added per worker", False),
    "diversity": ("Diversity of employment", "entropy of industry shares", False),
    "complexity": ("Employment-weighted complexity", "capabilities per job", False),
}
#: scenario colours, baseline first (grey-blue), then distinct strong colours
COLOURS = ["#4d4d4d", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
EVENT_WORDS = {
    "industry_decline": "decline starts",
    "plant_closure": "plant closes",
    "technology_shift": "technology shift",
    "demand_boom": "demand boom",
    "emerging_industry": "new industry born",
    "budget_cut": "budget cut",
    "national_support": "national support",
}
FIGSIZE = (8.0, 4.6)
DPI = 100


def colour(i: int) -> str:
    """The colour of the i-th scenario (0 = baseline)."""
    return COLOURS[i % len(COLOURS)]


def _axis_format(ax: Axes, percent: bool, signed: bool = False) -> None:
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=1))
        if signed:
            ax.yaxis.set_major_formatter(
                FuncFormatter(lambda v, _: "0 pp" if abs(v) < 1e-12 else f"{v * 100:+.1f} pp")
            )
        return
    sign = "+" if signed else ""

    def number(v: float, _: object) -> str:
        if abs(v) >= 1000:
            return f"{v:{sign},.0f}"
        if v == 0:
            return "0"
        return f"{v:{sign}.3g}"

    ax.yaxis.set_major_formatter(FuncFormatter(number))


def _events(ax: Axes, comparison: Comparison) -> None:
    """Dashed lines at the events of the baseline (or any scenario), labelled once each."""
    seen: dict[tuple[int, str], None] = {}
    for s in comparison.scenarios:
        for e in s.events:
            if 0 < e.step <= comparison.steps:
                seen.setdefault((e.step, e.type), None)
    for step, kind in sorted(seen):
        ax.axvline(step, color="#777777", linestyle="--", linewidth=0.9, zorder=1.5)
        ax.text(
            step,
            0.03,
            f"Q{step}: {EVENT_WORDS.get(kind, kind)}",
            transform=ax.get_xaxis_transform(),  # x in quarters, y in axes fraction
            rotation=90,
            va="bottom",
            ha="right",
            fontsize=7.5,
            color="#444444",
            bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.0},
        )


def _x_axis(ax: Axes, steps: int) -> None:
    ax.set_xlim(0, steps)
    ax.set_xlabel("Quarter (4 quarters = 1 year)")
    ax.grid(True, color="#e6e6e6", linewidth=0.7)
    ax.set_axisbelow(True)


def _note(fig: Figure, text: str) -> None:
    """A line of explanation under the plot (space kept free by the layout)."""
    fig.get_layout_engine().set(rect=(0.0, 0.045, 1.0, 0.955))
    fig.text(0.01, 0.012, text, fontsize=7.5, color="#555555", ha="left", va="bottom")


#: the quantile bands drawn around a median line: 8 in 10 futures (light), middle half (dark)
BANDS = ((0.1, 0.9), (0.25, 0.75))


def _band(ax, frames: list, c: str, label: str) -> None:
    """One series' bands (outer, inner: frames with step, lo, hi, median) and its median."""
    for frame, alpha in zip(frames, (0.12, 0.25), strict=True):
        ax.fill_between(frame["step"], frame["lo"], frame["hi"], color=c, alpha=alpha, linewidth=0)
    ax.plot(frames[0]["step"], frames[0]["median"], color=c, linewidth=1.8, label=label)


def bands_figure(comparison: Comparison, indicator: str) -> Figure:
    """Each scenario's median and bands of one indicator over time."""
    title, unit, percent = INDICATORS.get(indicator, (indicator, "", False))
    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    bands = [comparison.bands(indicator, lo, hi) for lo, hi in BANDS]
    for i, name in enumerate(comparison.names):
        role = " (baseline)" if i == 0 else ""
        _band(ax, [b[b["scenario"] == name] for b in bands], colour(i), f"{name}{role}")
    _x_axis(ax, comparison.steps)
    ax.set_ylabel(unit)
    _axis_format(ax, percent)
    ax.set_title(f"{title}: each scenario over {len(comparison.seeds)} futures", fontsize=11)
    _events(ax, comparison)
    ax.legend(loc="best", fontsize=8.5, framealpha=0.9)
    _note(fig, "Line: median future. Dark band: middle half of futures; light band: 8 in 10.")
    return fig


def difference_figure(comparison: Comparison, indicator: str) -> Figure:
    """Each alternative minus the baseline, same seed, over time (the impulse response)."""
    title, unit, percent = INDICATORS.get(indicator, (indicator, "", False))
    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    bands = [comparison.paired_bands(indicator, lo, hi) for lo, hi in BANDS]
    ax.axhline(0.0, color="#222222", linewidth=0.9)
    for i, name in enumerate(comparison.alternatives, start=1):
        label = f"{name} − {comparison.baseline}"
        _band(ax, [b[b["alternative"] == name] for b in bands], colour(i), label)
    _x_axis(ax, comparison.steps)
    ax.set_ylabel(f"difference ({'percentage points' if percent else unit})")
    _axis_format(ax, percent, signed=True)
    ax.set_title(f"{title}: difference to {comparison.baseline}, same futures", fontsize=11)
    _events(ax, comparison)
    ax.legend(loc="best", fontsize=8.5, framealpha=0.9)
    _note(
        fig,
        "Each future (seed) run under both scenarios; line: median difference. "
        "Dark band: middle half; light band: 8 in 10. Above 0: more than the baseline.",
    )
    return fig


def comparison_figures(comparison: Comparison) -> dict[str, Figure]:
    """Every plot of a comparison, by file stem (``bands_employment``, ...)."""
    from experiments.compare import HEADLINE

    figures: dict[str, Figure] = {}
    for indicator in HEADLINE:
        figures[f"bands_{indicator}"] = bands_figure(comparison, indicator)
    for indicator in HEADLINE:
        figures[f"difference_{indicator}"] = difference_figure(comparison, indicator)
    return figures


def png_bytes(fig: Figure) -> bytes:
    """A figure as PNG bytes, without a timestamp or software tag (reproducible)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
