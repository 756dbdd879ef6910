"""Minimal Solara page used to prove the browser stack works fully offline.

Run by ``tests/app/test_offline_page.py`` through ``solara run``; it exercises the same
front-end pieces the real app uses (Vuetify widgets, the websocket round trip, and a
matplotlib figure rendered the way Mesa's ``SolaraViz`` does it: PNG via FigureMatplotlib).
"""

import matplotlib

matplotlib.use("Agg")

import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

n_points = solara.reactive(10)


@solara.component
def Page():
    """Title, a slider and a matplotlib line plot that follows the slider."""
    solara.Title("Mesoscape probe")
    # Not solara.Markdown: it always loads KaTeX from the CDN, and solara-assets 1.58.2
    # does not ship KaTeX, so Markdown cannot render fully offline.
    solara.HTML(tag="h1", unsafe_innerHTML="Mesoscape probe")
    solara.SliderInt("Points", value=n_points, min=2, max=50)
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    xs = list(range(n_points.value))
    ax.plot(xs, [x * x for x in xs], marker="o")
    ax.set_title(f"{n_points.value} points")
    solara.FigureMatplotlib(fig, format="png")
