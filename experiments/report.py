"""A comparison's text table, its self-contained HTML report and its saved folder.

The HTML report is one file a policy team can e-mail: what was compared, the table of
differences with intervals and "better in k of n futures", the plots (embedded as base64
PNG), the seeds, the versions and the commands that reproduce it. It loads nothing from
anywhere: no script, no stylesheet, no font, no image outside the file.

A saved comparison folder (``save_comparison``, written atomically by
``experiments.store``) holds::

    table.txt  differences.csv  outcomes.csv  series.parquet  series.csv
    bands.csv  paired_bands.csv                       <- data (``replay`` re-checks these)
    figures/*.png  report.html                        <- drawn from the data
    scenarios/0-<baseline>.toml  scenarios/1-<...>.toml  provenance.json  manifest.json
"""

from __future__ import annotations

import base64
import html
import json
import math
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from experiments.intervals import MIN_BOOTSTRAP, SKEW_LIMIT
from experiments.outcomes import OUTCOMES, PAIRED_OUTCOMES, Outcome
from experiments.plots import INDICATORS, png_bytes
from experiments.store import write_json, write_result
from scenarios import load_scenario, scenario_to_toml

if TYPE_CHECKING:
    from experiments.compare import Comparison

#: the data files of a saved comparison, compared byte for byte by ``replay``
DATA_FILES = (
    "table.txt",
    "differences.csv",
    "outcomes.csv",
    "series.parquet",
    "series.csv",
    "bands.csv",
    "paired_bands.csv",
)
INTERVAL_RULE = (
    "95% intervals: Student's t over the paired differences (alternative minus baseline, "
    f"seed by seed); where those differences are skewed (|skewness| > {SKEW_LIMIT:g}, with "
    f"{MIN_BOOTSTRAP} or more seeds) a percentile bootstrap of their mean (4,000 resamples, "
    "fixed seed: the same runs give the same interval), marked *. Cost per job: extra policy "
    "spending / extra jobs at the end, ratio of the means, bootstrap interval."
)


# --------------------------------------------------------------------------- numbers


def fmt_value(o: Outcome | None, value: float) -> str:
    """An outcome's value as tables show it."""
    if value is None or not math.isfinite(value):
        return "n/a"
    return (o.fmt if o else "{:,.4g}").format(value)


def fmt_difference(o: Outcome | None, value: float) -> str:
    """A difference with its sign; shares as percentage points."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if o is not None and o.unit.startswith("share"):
        return f"{value * 100:+.2f} pp"
    spec = (o.fmt if o else "{:,.4g}").replace("{:", "{:+", 1)
    return spec.format(value)


def _interval(o: Outcome | None, row: pd.Series) -> str:
    if not (math.isfinite(row["ci_low"]) and math.isfinite(row["ci_high"])):
        return "no interval"
    star = "*" if row["method"] == "bootstrap" else ""
    lo, hi = fmt_difference(o, row["ci_low"]), fmt_difference(o, row["ci_high"])
    return f"[{lo}, {hi}]{star}"


def _header(c: Comparison) -> str:
    n = len(c.seeds)
    seeds = f"seeds {c.seeds[0]}-{c.seeds[-1]}" if n > 1 else f"seed {c.seeds[0]}"
    years = c.steps / 4
    return (
        f"{', '.join(c.alternatives)} vs {c.baseline} (baseline): {n} futures ({seeds}), "
        f"{c.steps} quarters ({years:g} years) each"
    )


# --------------------------------------------------------------------------- text


def text_table(c: Comparison) -> str:
    """The table the CLI prints: one block per alternative."""
    lines = [_header(c), ""]
    for alt in c.alternatives:
        d = c.differences[c.differences["alternative"] == alt]
        rows = [("Outcome", c.baseline, alt, "difference [95% interval]", "in how many futures")]
        for _, r in d.iterrows():
            o = OUTCOMES.get(r["outcome"])
            label = str(r["label"])
            base = "" if r["outcome"] in PAIRED_OUTCOMES else fmt_value(o, r["baseline_mean"])
            diff = fmt_difference(o, r["mean_difference"])
            rows.append(
                (
                    label,
                    base,
                    fmt_value(o, r["alternative_mean"]),
                    f"{diff} {_interval(o, r)}",
                    r["statement"],
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        for k, row in enumerate(rows):
            cells = [row[0].ljust(widths[0]), *(row[i].rjust(widths[i]) for i in (1, 2))]
            cells += [row[3].ljust(widths[3]), row[4]]
            lines.append("  ".join(cells).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append("")
    lines.append("Means over the futures; difference = alternative - baseline in the same future.")
    lines += textwrap.wrap(INTERVAL_RULE, width=100)
    return "\n".join(lines)


# --------------------------------------------------------------------------- HTML

CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:62em;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;
border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{padding:.3em .6em;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th{background:#f3f5f8}.better{color:#1a6b2f}.worse{color:#a32020}.muted{color:#666}
figure{margin:1.2em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.88em;color:#555}code,pre{background:#f5f5f5;padding:.1em .3em}
pre{padding:.6em;overflow-x:auto}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _img(fig: Any) -> str:
    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    return f'<img alt="" src="data:image/png;base64,{data}">'


def _scenario_rows(c: Comparison) -> str:
    rows = []
    for i, (name, s) in enumerate(zip(c.names, c.scenarios, strict=True)):
        events = "; ".join(f"Q{e.step} {e.type.replace('_', ' ')}" for e in s.events) or "none"
        p = s.policy
        policy = f"{p.targeting.replace('_', ' ')}, budget {p.budget:g} per quarter"
        if p.targeting == "none" or p.budget == 0:
            policy = "no regional policy"
        role = "baseline" if i == 0 else "alternative"
        rows.append(
            f"<tr><td><b>{_e(name)}</b><br><span class=muted>{role}</span></td>"
            f"<td>{_e(s.description)}</td><td>{_e(s.region.name)}</td><td>{_e(policy)}</td>"
            f"<td>{_e(events)}</td></tr>"
        )
    head = "<tr><th>Scenario</th><th>What it is</th><th>Region</th><th>Policy</th>"
    return f"<table>{head}<th>Events</th></tr>{''.join(rows)}</table>"


def _colour(c: Comparison, r: pd.Series) -> str:
    """CSS class of a row: clearly better (3 in 4 futures or more), clearly worse, or none."""
    if r["outcome"] in PAIRED_OUTCOMES:
        return "better" if r["better"] >= 0.75 * r["n"] else ""
    if r["better"] >= 0.75 * r["n"]:
        return "better"
    return "worse" if _worse(c, r) >= 0.75 * r["n"] else ""


def _worse(c: Comparison, r: pd.Series) -> int:
    """In how many futures an alternative did worse than the baseline on a run outcome."""
    o = OUTCOMES[r["outcome"]]
    d = c.values(r["alternative"], r["outcome"]) - c.values(c.baseline, r["outcome"])
    return sum(bool(o.better(-x)) for x in d if x != 0)


def _in_short(c: Comparison, alt: str) -> str:
    """The outcomes whose 95% interval excludes zero, in plain words."""
    d = c.differences[(c.differences["alternative"] == alt)]
    clear = d[(d["ci_low"] > 0) | (d["ci_high"] < 0)]
    clear = clear[clear["outcome"].isin(list(c.outcomes["outcome"].unique()))]
    items = []
    for _, r in clear.iterrows():
        o = OUTCOMES.get(r["outcome"])
        if r["outcome"] in PAIRED_OUTCOMES or (o is not None and o.direction == "neutral"):
            continue
        statement = r["statement"]
        if o is not None and not o.better(r["mean_difference"]):
            statement = f"worse in {_worse(c, r)} of {r['n']} futures"
        items.append(
            f"<li>{_e(r['label'])}: <b>{_e(fmt_difference(o, r['mean_difference']))}</b> "
            f"{_e(_interval(o, r))}, {_e(statement)}</li>"
        )
    if not items:
        return (
            "<p><b>In short:</b> no outcome differs clearly (every 95% interval includes "
            "zero); more replications may tell.</p>"
        )
    return (
        f"<p><b>In short:</b> the clear differences (95% interval excludes zero) of "
        f"{_e(alt)} against {_e(c.baseline)}:</p><ul>{''.join(items)}</ul>"
    )


def _difference_table(c: Comparison, alt: str) -> str:
    d = c.differences[c.differences["alternative"] == alt]
    rows = []
    for _, r in d.iterrows():
        o = OUTCOMES.get(r["outcome"])
        base = "—" if r["outcome"] in PAIRED_OUTCOMES else fmt_value(o, r["baseline_mean"])
        cls = _colour(c, r)
        if o is not None and o.direction == "neutral":
            cls = "muted"
        rows.append(
            f"<tr><td>{_e(r['label'])} <span class=muted>({_e(r['unit'])})</span></td>"
            f"<td class=num>{_e(base)}</td><td class=num>{_e(fmt_value(o, r['alternative_mean']))}"
            f"</td><td class=num><b>{_e(fmt_difference(o, r['mean_difference']))}</b></td>"
            f"<td class=num>{_e(_interval(o, r))}</td><td class={cls}>{_e(r['statement'])}</td>"
            "</tr>"
        )
    head = (
        f"<tr><th>Outcome</th><th>{_e(c.baseline)}</th><th>{_e(alt)}</th><th>Difference</th>"
        "<th>95% interval</th><th>In how many futures</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _paired_vs_independent(c: Comparison) -> str:
    ind = c.independent()
    ratio = ind["width_ratio"].dropna()
    if ratio.empty:
        return ""
    jobs = ind[ind["outcome"] == "jobs_end"]["width_ratio"].dropna()
    first = f" (jobs at the end: {jobs.iloc[0]:.0%})" if len(jobs) else ""
    return (
        "<p>Why paired: on these same runs, the paired interval of an outcome is on median "
        f"<b>{ratio.median():.0%}</b> of the width of the interval computed as if the runs "
        f"were independent (Welch){first}. Every future is run under every scenario, so the "
        "luck they share cancels out of the difference.</p>"
    )


def reproduce_commands(c: Comparison, folder: str = "DIR") -> list[str]:
    """Commands that reproduce the comparison: from built-in names if they match, else files."""
    n = len(c.seeds)
    args = []
    for i, (name, s) in enumerate(zip(c.names, c.scenarios, strict=True)):
        args.append(name if _is_builtin(name, s) else f"{folder}/scenarios/{i}-{name}.toml")
    command = f"mesoscape compare {' '.join(args)} --replications {n} --steps {c.steps}"
    return [command, f"mesoscape replay {folder}"]


def _is_builtin(name: str, scenario: Any) -> bool:
    from experiments.run import with_steps

    try:
        return with_steps(load_scenario(name), scenario.steps) == scenario
    except Exception:  # noqa: BLE001 - not a built-in name (or not loadable): use the file
        return False


def report_html(c: Comparison, folder: str = "DIR", figures: dict[str, Any] | None = None) -> str:
    """The self-contained HTML report of a comparison.

    Args:
        c: the comparison.
        folder: the folder it is saved in, for the commands that reproduce it.
        figures: its figures if already drawn (``c.figures()``).
    """
    figs = c.figures() if figures is None else figures
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        '<meta name=viewport content="width=device-width, initial-scale=1">',
        f"<title>Mesoscape comparison: {_e(' vs '.join(c.names))}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{_e(', '.join(c.alternatives))} compared with {_e(c.baseline)}</h1>",
        f"<p class=muted>{_e(_header(c))}</p>",
        "<h2>What was compared</h2>",
        _scenario_rows(c),
        f"<p>Each of the {len(c.seeds)} futures (random seeds {c.seeds[0]} to {c.seeds[-1]}) "
        "was run under every scenario: the same demand noise, innovations and entrepreneurs "
        "wherever the scenarios do not change them. A difference is the alternative minus "
        "the baseline <i>in the same future</i>; the table gives its mean over the futures, "
        "a 95% interval for that mean, and in how many futures the alternative did better.</p>",
    ]
    for alt in c.alternatives:
        parts += [
            f"<h2>{_e(alt)} against {_e(c.baseline)}</h2>",
            _in_short(c, alt),
            _difference_table(c, alt),
        ]
    parts += [
        f"<p class=muted>{_e(INTERVAL_RULE)}</p>",
        _shock_note(c),
        _paired_vs_independent(c),
        "<h2>Over time: each scenario</h2>",
    ]
    for name, fig in figs.items():
        if name.startswith("bands_"):
            parts.append(_figure(fig, name.removeprefix("bands_"), "bands"))
    parts.append("<h2>Over time: the difference each alternative makes</h2>")
    for name, fig in figs.items():
        if name.startswith("difference_"):
            parts.append(_figure(fig, name.removeprefix("difference_"), "difference"))
    parts += _reproduce_section(c, folder)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _shock_note(c: Comparison) -> str:
    if c.shock_step is None:
        return ""
    return (
        f"<p class=muted>The shock outcomes are measured from quarter {c.shock_step} (the "
        "first industry decline, plant closure or technology shift) against the baseline's "
        "jobs in the same future: the deepest shortfall, the quarters until jobs are back "
        "within 1% of the baseline (the rest of the run if never), and the mean shortfall "
        "over the last four quarters.</p>"
    )


def _figure(fig: Any, indicator: str, kind: str) -> str:
    title = INDICATORS.get(indicator, (indicator, "", False))[0]
    caption = (
        f"{title}: the median future of each scenario, the middle half and 8 in 10 futures."
        if kind == "bands"
        else f"{title}: alternative minus baseline in the same future, quarter by quarter "
        "(the policy's impulse response). Above zero: more than the baseline."
    )
    return f"<figure>{_img(fig)}<figcaption>{_e(caption)}</figcaption></figure>"


def _reproduce_section(c: Comparison, folder: str) -> list[str]:
    commands = reproduce_commands(c, folder)
    versions = ", ".join(f"{k} {v}" for k, v in c.versions.items())
    return [
        "<h2>Reproduce it</h2>",
        "<p>The same scenarios and seeds give identical results on any machine and any "
        "number of workers. From the saved folder, re-run and check it:</p>",
        f"<pre>{_e(commands[1])}</pre><p>or run the comparison again:</p>",
        f"<pre>{_e(commands[0])}</pre>",
        f"<p class=muted>Seeds: {_e(', '.join(map(str, c.seeds)))}. Versions: {_e(versions)}.</p>",
    ]


# --------------------------------------------------------------------------- saving


def write_comparison_data(c: Comparison, folder: Path, done: Callable[[str], None]) -> None:
    """Write the data files of a comparison (``DATA_FILES``) into ``folder``."""
    (folder / "table.txt").write_text(c.table() + "\n", encoding="utf-8")
    done("table.txt")
    c.differences.to_csv(folder / "differences.csv", index=False, float_format="%.10g")
    done("differences.csv")
    c.outcomes.to_csv(folder / "outcomes.csv", index=False, float_format="%.10g")
    done("outcomes.csv")
    c.series.to_parquet(folder / "series.parquet", index=False)
    done("series.parquet")
    c.series.to_csv(folder / "series.csv", index=False, float_format="%.10g")
    done("series.csv")
    from experiments.compare import HEADLINE

    bands = [c.bands(i).assign(indicator=i) for i in HEADLINE]
    pd.concat(bands).to_csv(folder / "bands.csv", index=False, float_format="%.10g")
    done("bands.csv")
    paired = [c.paired_bands(i).assign(indicator=i) for i in HEADLINE]
    pd.concat(paired).to_csv(folder / "paired_bands.csv", index=False, float_format="%.10g")
    done("paired_bands.csv")


def comparison_identity(c: Comparison) -> dict[str, Any]:
    """What a saved comparison is, for its manifest."""
    return {
        "kind": "comparison",
        "scenarios": list(c.names),
        "seeds": list(c.seeds),
        "steps": c.steps,
        "versions": dict(c.versions),
    }


def save_comparison(c: Comparison, out_dir: str | Path, force: bool = False) -> Path:
    """Save a comparison's data, figures, report, scenario files and provenance atomically."""
    out = Path(out_dir)

    def write(folder: Path, checkpoint: Callable[[str], None]) -> None:
        write_comparison_data(c, folder, checkpoint)
        (folder / "scenarios").mkdir()
        files = []
        for i, (name, s) in enumerate(zip(c.names, c.scenarios, strict=True)):
            rel = f"scenarios/{i}-{name}.toml"
            (folder / rel).write_text(scenario_to_toml(s), encoding="utf-8")
            files.append(rel)
        checkpoint("scenarios")
        (folder / "figures").mkdir()
        figures = c.figures()
        for name, fig in figures.items():
            (folder / "figures" / f"{name}.png").write_bytes(png_bytes(fig))
        checkpoint("figures")
        page = report_html(c, str(out), figures)
        (folder / "report.html").write_text(page, encoding="utf-8")
        checkpoint("report.html")
        provenance = {
            **comparison_identity(c),
            "replications": len(c.seeds),
            "scenario_files": files,
            "shock_step": c.shock_step,
            "reproduce": reproduce_commands(c, str(out)),
        }
        write_json(folder / "provenance.json", provenance)
        checkpoint("provenance.json")

    return write_result(out, write, comparison_identity(c), force=force)


def load_comparison(folder: str | Path) -> Comparison:
    """Read a saved comparison back (after checking it against its manifest).

    The differences, bands and plots are recomputed from the saved runs' outcomes and series,
    exactly as ``compare`` made them.

    Raises:
        StoreError: the manifest is missing or does not verify, or it is not a comparison.
    """
    from experiments.compare import build_comparison
    from experiments.outcomes import RUN_OUTCOMES
    from experiments.store import verify

    folder = Path(folder)
    verify(folder, kind="comparison")
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    scenarios = [load_scenario(folder / f) for f in provenance["scenario_files"]]
    names, seeds = provenance["scenarios"], provenance["seeds"]
    series = pd.read_parquet(folder / "series.parquet")
    outcomes = pd.read_csv(folder / "outcomes.csv")
    runs = []
    for name in names:
        for seed in seeds:
            o = outcomes[(outcomes["scenario"] == name) & (outcomes["seed"] == seed)]
            values = dict(zip(o["outcome"], o["value"], strict=True))
            s = series[(series["scenario"] == name) & (series["seed"] == seed)]
            runs.append(
                {
                    "outcomes": {k: float(values[k]) for k in RUN_OUTCOMES},
                    "series": s.drop(columns=["scenario", "seed"]).reset_index(drop=True),
                }
            )
    return build_comparison(scenarios, list(seeds), runs)
