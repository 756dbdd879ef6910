"""The Compare page: a baseline and alternatives, N replications in the background.

The replications run through ``experiments.compare`` (the same API as ``mesoscape
compare``) in a thread of this session, with a progress bar and a Cancel button. The page
shows bands over time, the paired differences against the baseline, the outcome table with
intervals and "better in k of n futures", and downloads (CSV, PNG, scenario TOML, the HTML
report). Only built-in scenarios, the session's uploads and its own edited scenario can be
chosen; replications and quarters are checked as the CLI checks them.
"""

from __future__ import annotations

import html
import importlib
import io
import threading
from dataclasses import dataclass

import reacton.ipyvuetify as v
import solara

from app_pages import sharing, ui
from app_pages.session import Session
from app_pages.svg import Band, band_chart
from scenarios import scenario_to_toml

EDITED = "edited"  # the key of "the scenario on Explore, with its edited levers"
MAX_REPLICATIONS = 100
MAX_LINK_BYTES = 30_000_000  # a download carried in its link: bigger files are not offered
COLOURS = ["#333333", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
INDICATORS = [("employment", "Jobs", "workers"), ("unemployment_rate", "Unemployment", "share")]


def load_compare():
    """``(compare, Cancelled)`` from ``experiments.compare``, or None while it is missing."""
    try:
        module = importlib.import_module("experiments.compare")
    except ImportError:
        return None
    return module.compare, getattr(module, "Cancelled", RuntimeError)


def check_count(label: str, text: object, lo: int, hi: int) -> tuple[int | None, str]:
    """A whole number from ``lo`` to ``hi`` typed in the page, or a one-line message."""
    try:
        value = int(str(text).strip())
    except ValueError:
        return None, f"{label}: {str(text)[:40]!r} is not a whole number; allowed: {lo} to {hi}"
    if not lo <= value <= hi:
        return None, f"{label}: {value} is out of range; allowed: {lo} to {hi}"
    return value, ""


def offered(session: Session) -> dict[str, str]:
    """Scenario keys the page offers: built-ins, uploads and the edited Explore scenario."""
    out = {EDITED: f"My Explore scenario, with its levers ({session.applied.name})"}
    out.update(session.choices())
    return out


def scenario_of(session: Session, key: str):
    """The scenario object for an offered key (never a path)."""
    if key == EDITED:
        return session.applied
    if key in session.uploads:
        return session.uploads[key][0]
    return sharing.builtin(key)


@dataclass
class Job:
    """One comparison run of this session."""

    cancel: threading.Event
    total_reps: int = 1
    steps: int | None = None
    done: int = 0
    total: int = 0
    result: object = None
    problem: str = ""


def _fmt(value: float) -> str:
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _share(unit: str) -> bool:
    """Shares (unemployment rate, share of jobs) read as per cent, differences in points."""
    return str(unit).startswith("share")


def _level(value: float, unit: str) -> str:
    return f"{100 * value:.2f}%" if _share(unit) else _fmt(value)


def _diff(value: float, unit: str) -> str:
    return f"{100 * value:+.2f} pp" if _share(unit) else _fmt(value)


def outcome_table(comparison) -> str:
    """The differences table as escaped HTML rows."""
    d = comparison.differences
    head = (
        "<tr><th>alternative</th><th>outcome</th><th>baseline</th><th>alternative</th>"
        "<th>difference (95% interval)</th><th>in how many futures</th></tr>"
    )
    rows = []
    for r in d.itertuples(index=False):
        unit = f" [{r.unit}]" if getattr(r, "unit", "") else ""
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(c))}</td>"
                for c in (
                    r.alternative,
                    f"{r.label}{unit}",
                    _level(r.baseline_mean, r.unit),
                    _level(r.alternative_mean, r.unit),
                    f"{_diff(r.mean_difference, r.unit)} "
                    f"({_diff(r.ci_low, r.unit)} to {_diff(r.ci_high, r.unit)})",
                    r.statement,
                )
            )
            + "</tr>"
        )
    return f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody>"


def _bands(df, group: str, scale: float, label, offset: int) -> tuple[list, list[Band]]:
    """One ``Band`` per value of ``group`` in a bands frame (step, median, lo, hi)."""
    bands, steps = [], []
    for n, (name, part) in enumerate(df.groupby(group, sort=False)):
        part = part.sort_values("step")
        steps = part["step"].tolist()
        values = [(part[c] * scale).tolist() for c in ("median", "lo", "hi")]
        bands.append(Band(label(name), *values, COLOURS[(n + offset) % len(COLOURS)]))
    return steps, bands


def bands_svg(comparison, indicator: str, title: str, unit: str) -> str:
    """Median and interval over the replications, one band per scenario."""
    scale = 100.0 if unit == "share" else 1.0
    steps, bands = _bands(comparison.bands(indicator), "scenario", scale, str, 0)
    ylabel = "per cent of labour force" if unit == "share" else unit
    return band_chart(steps, bands, title=title, ylabel=ylabel, css_class="mesoscape-band-chart")


def paired_svg(comparison, indicator: str, title: str, unit: str) -> str:
    """The paired difference (alternative minus baseline, same seed) over time."""
    scale = 100.0 if unit == "share" else 1.0
    df = comparison.paired_bands(indicator)
    steps, bands = _bands(df, "alternative", scale, str, 1)
    ylabel = "percentage points" if unit == "share" else unit
    return band_chart(
        steps, bands, title=title, ylabel=ylabel, zero_line=True, css_class="mesoscape-paired-chart"
    )


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    return buffer.getvalue()


def download_files(comparison, scenarios: list) -> list[tuple[str, str, str | bytes, str]]:
    """``(label, filename, data, mime type)`` of every download of a comparison."""
    csv = "text/csv"
    files = [
        ("Differences (CSV)", "differences.csv", comparison.differences.to_csv(index=False), csv),
        ("Outcomes per run (CSV)", "outcomes.csv", comparison.outcomes.to_csv(index=False), csv),
        ("Time series (CSV)", "series.csv", comparison.series.to_csv(index=False), csv),
        ("Report (HTML)", "report.html", comparison.report_html(), "text/html"),
    ]
    figures = comparison.figures()
    for name in list(figures)[:4]:
        files.append((f"{name} (PNG)", f"{name}.png", _png(figures[name]), "image/png"))
    for scenario in scenarios:
        toml = scenario_to_toml(scenario)
        files.append((f"{scenario.name}.toml", f"{scenario.name}.toml", toml, "text/plain"))
    return files


@solara.component
def Downloads(comparison, scenarios: list) -> None:
    """CSV, PNG, scenario TOML and the HTML report of a comparison, prepared on request."""
    asked, set_asked = solara.use_state(False)

    def prepare():
        return download_files(comparison, scenarios) if asked else None

    prepared = solara.use_thread(prepare, dependencies=[asked, id(comparison)])
    if not asked:
        solara.Button(
            "Prepare the downloads (CSV, PNG, scenario TOML, HTML report)",
            on_click=lambda: set_asked(True),
            outlined=True,
        )
        return
    if prepared.state == solara.ResultState.ERROR:
        ui.messages([f"The downloads could not be prepared: {str(prepared.error)[:200]}"])
        return
    if prepared.value is None:
        ui.text("p", "Preparing the downloads…", "mesoscape-hint")
        return
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}, classes=["mesoscape-downloads"]):
        for label, filename, data, mime in prepared.value:
            size = len(data.encode("utf-8") if isinstance(data, str) else data)
            if size > MAX_LINK_BYTES:
                ui.text(
                    "span",
                    f"{filename}: {size / 1e6:.0f} MB, too large for a browser download; "
                    "run `mesoscape compare` to save it",
                    "mesoscape-hint",
                )
                continue
            ui.download_link(label, filename, data, mime)


@solara.component
def ComparePage() -> None:
    """Choose scenarios, run replications in the background, read the differences."""
    session = ui.use_session()
    choices = offered(session)
    texts = {v: k for k, v in choices.items()}
    baseline, set_baseline = solara.use_state(choices.get("decline_no_policy", next(iter(texts))))
    alternatives, set_alternatives = solara.use_state([choices[EDITED]])
    reps_text, set_reps_text = solara.use_state("10")
    steps_text, set_steps_text = solara.use_state(str(session.applied.steps))
    problems, set_problems = solara.use_state([])
    job, set_job = solara.use_state(None)
    _tick, set_tick = solara.use_state(0)
    runner = load_compare()

    def work() -> None:
        if job is None or job.result is not None or job.problem:
            return
        compare, cancelled = runner
        keys = [texts[baseline]] + [texts[a] for a in alternatives]

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total
            set_tick(lambda t: t + 1)

        try:
            job.result = compare(
                [scenario_of(session, k) for k in keys],
                replications=job.total_reps,
                steps=job.steps,
                progress=progress,
                cancel=job.cancel,
            )
        except cancelled:
            job.problem = "Cancelled: no results were kept."
        except Exception as exc:  # noqa: BLE001 - shown inline, never as a traceback
            job.problem = f"The comparison stopped: {str(exc).splitlines()[0][:200]}"
        set_tick(lambda t: t + 1)

    solara.use_thread(work, dependencies=[id(job)], intrusive_cancel=False)

    def start() -> None:
        lines = []
        reps, p1 = check_count("Replications", reps_text, 1, MAX_REPLICATIONS)
        steps, p2 = check_count("Quarters", steps_text, 1, 2000)
        lines += [p for p in (p1, p2) if p]
        if baseline not in texts:
            lines.append("Baseline: choose one of the scenarios offered")
        bad = [a for a in alternatives if a not in texts]
        if bad or not alternatives:
            lines.append("Alternatives: choose one or more of the scenarios offered")
        set_problems(lines)
        if lines:
            return
        new = Job(threading.Event())
        new.total_reps, new.steps = reps, steps
        set_job(new)

    running = job is not None and job.result is None and not job.problem
    solara.Title("Mesoscape · Compare")
    solara.Style(ui.CSS)
    with solara.Column(classes=["mesoscape-app"], style={"padding": "0", "gap": "0"}):
        ui.Nav("Compare")
        with solara.Column(style={"padding": "8px 16px", "gap": "6px"}):
            if runner is None:
                ui.messages(
                    [
                        "Comparisons are not available in this installation "
                        "(experiments.compare is missing)."
                    ]
                )
                return
            ui.text(
                "p",
                "Each replication runs the baseline and every alternative with the same "
                "seed, so differences come from the policy, not from luck.",
                "mesoscape-hint",
            )
            with solara.Row(style={"flex-wrap": "wrap", "gap": "12px", "align-items": "center"}):
                with solara.Div(style={"min-width": "380px", "flex": "1 1 380px"}):
                    solara.Select(
                        "Baseline", values=list(texts), value=baseline, on_value=set_baseline
                    )
                with solara.Div(style={"min-width": "380px", "flex": "1 1 380px"}):
                    solara.SelectMultiple(
                        "Alternatives",
                        values=alternatives,
                        all_values=list(texts),
                        on_value=set_alternatives,
                    )
            with solara.Row(style={"flex-wrap": "wrap", "gap": "12px", "align-items": "center"}):
                with solara.Div(style={"width": "150px"}):
                    solara.InputText("Replications", value=reps_text, on_value=set_reps_text)
                with solara.Div(style={"width": "150px"}):
                    solara.InputText("Quarters", value=steps_text, on_value=set_steps_text)
                solara.Button("Run comparison", on_click=start, color="primary", disabled=running)
                if running:
                    solara.Button("Cancel", on_click=job.cancel.set, outlined=True)
            ui.messages(problems)
            if running:
                pct = 100.0 * job.done / job.total if job.total else 0.0
                # Vuetify 3 reads model_value (solara.ProgressLinear sets value: stays at 0)
                with solara.Div(classes=["mesoscape-progress-bar"]):
                    v.ProgressLinear(model_value=pct, indeterminate=not job.total, color="primary")
                ui.text(
                    "p",
                    f"Running: {job.done} of {job.total or '…'} runs done",
                    "mesoscape-progress",
                )
            if job is not None and job.problem:
                ui.messages([job.problem])
            if job is not None and job.result is not None:
                result = job.result
                ui.text("h2", f"Results: {len(result.seeds)} replications")
                solara.HTML(
                    tag="table",
                    unsafe_innerHTML=outcome_table(result),
                    classes=["mesoscape-table", "mesoscape-outcomes"],
                )
                with solara.Div(
                    classes=["mesoscape-grid"],
                    style={"grid-template-columns": "repeat(2, minmax(0, 1fr))"},
                ):
                    for column, title, unit in INDICATORS:
                        band_title = f"{title}: median and 10–90 % band over the futures"
                        ui.svg(bands_svg(result, column, band_title, unit))
                        paired_title = f"{title}: alternative − baseline, same seed"
                        ui.svg(paired_svg(result, column, paired_title, unit))
                Downloads(result, list(result.scenarios))
