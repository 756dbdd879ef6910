"""The stylized-facts report: one plot per fact, Markdown, self-contained HTML and JSON.

Written atomically: everything goes to a temporary folder next to the target, which is
then renamed into place (an older report there is replaced only once the new one is
complete). Nothing written depends on the clock, so the same run gives the same files.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from experiments.facts import FactResult, Measure  # noqa: E402

if TYPE_CHECKING:
    from experiments.validate import ValidationReport

POLICY_INTRO = (
    "Each check pairs two scenarios seed by seed ({n} seeds, common random numbers) and "
    "passes when the 95% interval of the mean paired difference lies on the expected side "
    "of zero; a failure says whether the model or the expectation is judged wrong "
    "(experiments/policy_story.py)."
)

PLOT_TITLE = {
    "firm_size": "Firm sizes at the end of the run: complementary CDF",
    "growth": "Annual growth rates (demeaned) and volatility by size",
    "survival": "Share of new firms alive by age",
    "relatedness": "Entry and exit rates by relatedness density",
    "shakeout": "Emerging industries: firm count and output, relative to the firm-count peak",
    "regional_shock": "Jobs lost against the paired baseline",
}


def _plot_firm_size(f: FactResult, ax: list) -> None:
    for sizes in f.detail["sizes"]:
        x = np.sort(sizes[sizes > 0])[::-1]
        ax[0].loglog(x, np.arange(1, len(x) + 1) / len(x), lw=0.8, alpha=0.6)
    alpha = f.detail.get("alpha")
    if alpha and f.detail["sizes"]:
        x = np.sort(np.concatenate(f.detail["sizes"]))[::-1]
        x = x[x > 0]
        xmin = x[int(0.1 * len(x))] if len(x) > 10 else x[-1]
        grid = np.geomspace(xmin, x[0], 20)
        ax[0].loglog(grid, 0.1 * (grid / xmin) ** -alpha, "k--", label=f"Pareto, alpha={alpha:.2f}")
        ax[0].legend()
    ax[0].set(xlabel="employment", ylabel="P(size >= x)")


def _plot_growth(f: FactResult, ax: list) -> None:
    g = f.detail["growth"]
    if g is None or g.empty:
        return
    values = g["growth"].to_numpy()
    lim = np.quantile(np.abs(values), 0.995)
    ax[0].hist(values, bins=80, range=(-lim, lim), density=True, log=True, color="C0")
    ax[0].set(xlabel="demeaned annual log growth", ylabel="density (log scale)")
    logs = np.log(g["size"].to_numpy())
    order = np.argsort(logs)
    xs, ys = [], []
    for chunk in np.array_split(order, 10):
        if len(chunk) >= 10:
            xs.append(np.exp(logs[chunk].mean()))
            ys.append(values[chunk].std())
    ax[1].loglog(xs, ys, "o-")
    ax[1].set(xlabel="size (employment)", ylabel="sd of growth")


def _plot_survival(f: FactResult, ax: list) -> None:
    c = f.detail["curve"]
    ax[0].plot(c["age"] / 4.0, c["share"], label="simulated")
    ax[0].plot([2, 4], [0.66, 0.44], "ks", label="Knaup (2005)")
    ax[0].vlines([2, 4], [0.55, 0.35], [0.80, 0.55], colors="k", lw=3, alpha=0.3)
    ax[0].set(xlabel="age (years)", ylabel="share alive", ylim=(0, 1.02))
    ax[0].legend()


def _plot_relatedness(f: FactResult, ax: list) -> None:
    t = f.detail["transitions"]
    if t is None or t.empty:
        return
    for kind, colour in (("entry", "C2"), ("exit", "C3")):
        part = t[t["kind"] == kind]
        if len(part) < 10:
            continue
        order = np.argsort(part["z"].to_numpy())
        xs, ys = [], []
        for chunk in np.array_split(order, 8):
            if len(chunk):
                xs.append(part["z"].to_numpy()[chunk].mean())
                ys.append(part["event"].to_numpy()[chunk].mean())
        ax[0].plot(xs, ys, "o-", color=colour, label=f"{kind} rate")
    ax[0].set(xlabel="relatedness density (sd)", ylabel="share of candidates")
    ax[0].legend()


def _plot_shakeout(f: FactResult, ax: list) -> None:
    h = f.detail["histories"]
    if h is None or h.empty:
        return
    ax[0].bar(np.arange(len(h)), h["min_after"] / h["peak_firms"], color="C0", label="fewest firms")
    ratio = h["output_end"] / h["output_peak"].where(h["output_peak"] > 0)
    ax[0].plot(np.arange(len(h)), ratio, "kd", label="output end / output at peak")
    ax[0].axhline(0.5, color="C0", ls=":")
    ax[0].axhline(1.0, color="k", ls=":")
    ax[0].set_xticks(np.arange(len(h)), h["industry"], rotation=70, fontsize=6)
    ax[0].set(ylabel="relative to the firm-count peak")
    ax[0].legend(fontsize=7)


def _plot_regional_shock(f: FactResult, ax: list) -> None:
    for g in f.detail["losses"]:
        ax[0].plot(g["step"], g["total"], color="C3", lw=0.7, alpha=0.6)
        ax[0].plot(g["step"], g["direct"], color="C0", lw=0.7, alpha=0.6)
    ax[0].plot([], [], color="C3", label="total")
    ax[0].plot([], [], color="C0", label="direct (shocked industries)")
    lo, hi = f.detail["window"]
    ax[0].axvspan(lo, hi, color="0.9")
    ax[0].set(xlabel="quarter", ylabel="jobs lost vs baseline")
    ax[0].legend()


PLOTS: dict[str, tuple[int, Callable[[FactResult, list], None]]] = {
    "firm_size": (1, _plot_firm_size),
    "growth": (2, _plot_growth),
    "survival": (1, _plot_survival),
    "relatedness": (1, _plot_relatedness),
    "shakeout": (1, _plot_shakeout),
    "regional_shock": (1, _plot_regional_shock),
}


def plot_png(fact: FactResult) -> bytes:
    """The fact's plot as PNG bytes (no timestamp in the file)."""
    panels, draw = PLOTS[fact.key]
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 3.6), squeeze=False)
    try:
        draw(fact, list(axes[0]))
        fig.suptitle(PLOT_TITLE[fact.key], fontsize=9)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
        return buf.getvalue()
    finally:
        plt.close(fig)


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3g}"


def _value(m: Measure) -> str:
    if m.interval is None or m.value is None:
        return _num(m.value)
    return f"{_num(m.value)} [{_num(m.interval[0])}, {_num(m.interval[1])}]"


def _verdict(m: Measure) -> str:
    return "reported" if m.passed is None else ("PASS" if m.passed else "FAIL")


def _header(report: ValidationReport) -> list[str]:
    runs = ", ".join(f"{k}: {v}" for k, v in report.scenarios.items())
    seeds = f"{report.seeds[0]}-{report.seeds[-1]}" if report.seeds else "none"
    passed = sum(f.passed for f in report.facts if f.key in report.required)
    return [
        f"Region **{report.region}**; scenarios ({runs}); {len(report.seeds)} replications "
        f"(seeds {seeds}), {report.steps} quarters each.",
        f"Overall: **{'PASS' if report.passed else 'FAIL'}** ({passed} of "
        f"{len(report.required)} required facts pass). Intervals: 95% bootstrap over "
        "replications. Regenerate with "
        f"`mesoscape validate --region {report.region} --replications {len(report.seeds)}"
        f" --steps {report.steps}`.",
    ]


def markdown(report: ValidationReport, figures: dict[str, str]) -> str:
    """The report as Markdown, linking the figure files named in ``figures``."""
    lines = ["# Mesoscape: stylized facts", "", *_header(report), ""]
    lines += ["| fact | verdict | required |", "| --- | --- | --- |"]
    for f in report.facts:
        lines.append(f"| {f.title} | {f.verdict} | {'yes' if f.key in report.required else 'no'} |")
    for i, f in enumerate(report.facts, 1):
        lines += ["", f"## {i}. {f.title}: {f.verdict}", "", f"Source: {f.source}.", ""]
        lines += ["| measure | simulated [95% CI] | reference | band | verdict |"]
        lines += ["| --- | --- | --- | --- | --- |"]
        for m in f.measures:
            band = "-" if m.band is None else str(m.band)
            lines.append(f"| {m.name} | {_value(m)} | {m.reference} | {band} | {_verdict(m)} |")
        lines += ["", f"Observations: {f.n}. " + " ".join(f.notes), ""]
        lines.append(f"![{f.title}]({figures[f.key]})")
    lines += ["", "## Policy-story checks", "", POLICY_INTRO.format(n=len(report.seeds)), ""]
    if report.policy_checks:
        lines += ["| check | verdict | measured (paired by seed) |", "| --- | --- | --- |"]
        for c in report.policy_checks:
            lines.append(f"| {c.name} | **{c.status}** | {c.detail} |")
    else:
        lines.append("- none defined for this region (the policy scenarios are heartland's)")
    return "\n".join(lines) + "\n"


def _md_to_html_inline(text: str) -> str:
    out = html.escape(text)
    for mark, tag in (("**", "b"), ("`", "code")):
        parts = out.split(mark)
        out = "".join(p if i % 2 == 0 else f"<{tag}>{p}</{tag}>" for i, p in enumerate(parts))
    return out


def html_page(report: ValidationReport, pngs: dict[str, bytes]) -> str:
    """The report as one self-contained HTML page (figures embedded as base64 PNG)."""
    esc = html.escape
    body = ["<h1>Mesoscape: stylized facts</h1>"]
    body += [f"<p>{_md_to_html_inline(p)}</p>" for p in _header(report)]
    for i, f in enumerate(report.facts, 1):
        cls = "pass" if f.passed else "fail"
        body.append(f'<h2>{i}. {esc(f.title)}: <span class="{cls}">{f.verdict}</span></h2>')
        body.append(f"<p>Source: {esc(f.source)}.</p><table><tr><th>measure</th>")
        body.append(
            "<th>simulated [95% CI]</th><th>reference</th><th>band</th><th>verdict</th></tr>"
        )
        for m in f.measures:
            band = "-" if m.band is None else str(m.band)
            body.append(
                f"<tr><td>{esc(m.name)}</td><td>{esc(_value(m))}</td><td>{esc(m.reference)}</td>"
                f"<td>{esc(band)}</td><td>{_verdict(m)}</td></tr>"
            )
        body.append(f"</table><p>Observations: {f.n}. {esc(' '.join(f.notes))}</p>")
        data = base64.b64encode(pngs[f.key]).decode("ascii")
        body.append(f'<img alt="{esc(f.title)}" src="data:image/png;base64,{data}">')
    body.append("<h2>Policy-story checks</h2>")
    body.append(f"<p>{esc(POLICY_INTRO.format(n=len(report.seeds)))}</p>")
    if report.policy_checks:
        body.append("<table><tr><th>check</th><th>verdict</th><th>measured</th></tr>")
        for c in report.policy_checks:
            cls = {"PASS": "pass", "FAIL": "fail"}.get(c.status, "")
            body.append(
                f'<tr><td>{esc(c.name)}</td><td class="{cls}"><b>{esc(c.status)}</b></td>'
                f"<td>{esc(c.detail)}</td></tr>"
            )
        body.append("</table>")
    else:
        body.append("<p>None defined for this region (the policy scenarios are heartland's).</p>")
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}"
        ".pass{color:#060}.fail{color:#b00}img{max-width:100%}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Mesoscape stylized facts: {esc(report.region)}</title><style>{style}</style>"
        "</head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def write_report(report: ValidationReport, out: Path) -> Path:
    """Write ``report.md``, ``report.html``, ``report.json`` and ``fig_*.png`` into ``out``.

    The files go to a temporary sibling folder first, which then replaces ``out``.

    Returns:
        ``out``.

    Raises:
        OSError: ``out`` cannot be written (e.g. it is a file, or not writable).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        pngs = {f.key: plot_png(f) for f in report.facts}
        figures = {key: f"fig_{key}.png" for key in pngs}
        for key, data in pngs.items():
            (tmp / figures[key]).write_bytes(data)
        (tmp / "report.md").write_text(markdown(report, figures), encoding="utf-8")
        (tmp / "report.html").write_text(html_page(report, pngs), encoding="utf-8")
        summary = json.dumps(report.to_dict(), indent=2, default=float)
        (tmp / "report.json").write_text(summary + "\n", encoding="utf-8")
        if out.exists():
            out.rename(old)
        try:
            tmp.rename(out)
        except OSError:
            if old.exists():
                old.rename(out)  # keep the previous report
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return out
