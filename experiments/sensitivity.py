"""Sensitivity of a sweep's outcomes to its parameters, and the sweep's report.

* ``sobol`` sweeps: first-order and total-order Sobol indices with 95% confidence
  intervals (SALib ``sobol.analyze``, bootstrap over the Saltelli sample).
* ``morris`` sweeps: Morris elementary effects, ``mu*`` (mean absolute effect, with its
  95% bootstrap interval) and ``sigma`` (spread: interactions or non-linearity)
  (SALib ``morris.analyze``). An effect is the outcome's change per unit of the
  parameter's range scaled to [0, 1]: about the change across the whole range.
* ``grid`` and ``latin_hypercube`` sweeps: Spearman rank correlation of each parameter
  with each outcome (a screening, not a variance decomposition).

Each outcome is first averaged over the replications of a design point (the seeds are
common to every point), so the indices describe the expected outcome. A design point
without a successful run leaves the indices of that outcome uncomputed (said in the
report). :func:`write_report` writes ``report.md``, a self-contained ``report.html``
(images embedded) and one PNG per outcome into the sweep directory.

``ishigami`` is the classic test function with known Sobol indices, for checking the
plumbing (``sweep(..., target=ishigami)``).
"""

from __future__ import annotations

import base64
import html
import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.designs import salib_problem
from experiments.parts import load_results
from experiments.sweep_file import SweepSpec

#: exact Sobol indices of the Ishigami function with a = 7, b = 0.1 on [-pi, pi]^3
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(params: dict[str, float], seed: int = 0) -> dict[str, float]:
    """The Ishigami function (a = 7, b = 0.1) of ``x1, x2, x3``; `seed` is ignored."""
    x1, x2, x3 = params["x1"], params["x2"], params["x3"]
    return {"y": math.sin(x1) + 7.0 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)}


# --------------------------------------------------------------------------- analysis


def _load(directory: Path) -> tuple[SweepSpec, pd.DataFrame, pd.DataFrame]:
    meta = json.loads((directory / "sweep.json").read_text(encoding="utf-8"))
    spec = SweepSpec.model_validate(meta["sweep"], strict=False)
    design = pd.read_parquet(directory / "design.parquet")
    results = load_results(directory)
    return spec, design, results


def point_means(design: pd.DataFrame, results: pd.DataFrame, outcome: str) -> np.ndarray:
    """One value per design point: the outcome's mean over the point's successful runs.

    Args:
        design: the sweep's ``design.parquet`` (point, replication, run_id, ...).
        results: :func:`~experiments.parts.load_results` of the sweep.
        outcome: the outcome column.

    Returns:
        An array in design-point order; NaN where a point has no successful run.
    """
    ok = results[results["status"] == "ok"]
    if outcome not in ok.columns:
        return np.full(int(design["point"].max()) + 1, np.nan)
    values = ok.set_index("run_id")[outcome]
    per_run = design[["point", "run_id"]].assign(y=design["run_id"].map(values))
    means = per_run.groupby("point")["y"].mean()
    return means.reindex(range(int(design["point"].max()) + 1)).to_numpy(dtype=float)


def _design_x(spec: SweepSpec, design: pd.DataFrame) -> np.ndarray:
    """The points as SALib sampled them, in point order, from ``design.parquet``."""
    cols = [f"salib[{j}]" for j in range(len(spec.parameters))]
    return design.drop_duplicates("point").sort_values("point")[cols].to_numpy(dtype=float)


def analyse(directory: str | Path, outcome: str) -> pd.DataFrame:
    """Sensitivity indices of one outcome of a stored sweep, one row per parameter.

    Columns: ``sobol``: S1, S1_conf, ST, ST_conf; ``morris``: mu_star, mu_star_conf,
    sigma, mu; otherwise: spearman (rank correlation with the outcome).

    Args:
        directory: the sweep directory.
        outcome: an outcome column of the results.

    Returns:
        The table (index: parameter); ``attrs["method"]`` names the method.

    Raises:
        ValueError: the outcome is missing at some design point (failed runs).
    """
    directory = Path(directory)
    spec, design, results = _load(directory)
    return _analyse(spec, design, results, outcome)


def _analyse(
    spec: SweepSpec, design: pd.DataFrame, results: pd.DataFrame, outcome: str
) -> pd.DataFrame:
    names = list(spec.parameters)
    y = point_means(design, results, outcome)
    missing = int(np.isnan(y).sum())
    if missing and (spec.design in ("sobol", "morris") or missing == len(y)):
        raise ValueError(f"{missing} of {len(y)} design points have no successful run")
    problem = salib_problem(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if spec.design == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=spec.second_order, seed=spec.seed)
            table = pd.DataFrame(
                {k: res[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}, index=names
            )
            method = "Sobol indices (first and total order, 95% intervals)"
        elif spec.design == "morris":
            from SALib.analyze import morris

            x = _design_x(spec, design)
            res = morris.analyze(problem, x, y, num_levels=spec.levels or 4, seed=spec.seed)
            table = pd.DataFrame(
                {
                    k: np.asarray(res[k], dtype=float)
                    for k in ("mu_star", "mu_star_conf", "sigma", "mu")
                },
                index=names,
            )
            method = "Morris elementary effects (mu*, 95% interval, sigma)"
        else:
            keep = ~np.isnan(y)  # points without a successful run are left out
            ranked = pd.DataFrame(_design_x(spec, design)[keep], columns=names).rank()
            yr = pd.Series(y[keep]).rank()
            corr = [float(ranked[n].corr(yr)) if ranked[n].nunique() > 1 else np.nan for n in names]
            table = pd.DataFrame({"spearman": corr}, index=names)
            method = "Spearman rank correlation with the outcome"
            if missing:
                method += f" ({missing} points without a successful run left out)"
    table.index.name = "parameter"
    table.attrs["method"] = method
    return table


# --------------------------------------------------------------------------- plots


def plot(table: pd.DataFrame, outcome: str, path: str | Path) -> Path:
    """A PNG of one outcome's sensitivity table (bars with intervals, or mu* vs sigma).

    Args:
        table: from :func:`analyse`.
        outcome: the outcome's name (title).
        path: the PNG to write.

    Returns:
        The path.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from experiments.outcomes import OUTCOMES

    known = OUTCOMES.get(outcome)
    label = f"{known.label} ({known.unit})" if known else outcome
    names = list(table.index)
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(names) + 2.2), dpi=100)
    pos = np.arange(len(names))
    if "S1" in table:
        h = 0.38
        ax.barh(pos - h / 2, table["S1"], h, xerr=table["S1_conf"], label="first order (S1)")
        ax.barh(pos + h / 2, table["ST"], h, xerr=table["ST_conf"], label="total order (ST)")
        ax.set_xlabel("share of the outcome's variance (with 95% interval)")
        ax.legend(loc="lower right")
        ax.set_title(f"Sobol indices: {label}")
    elif "mu_star" in table:
        ax.remove()
        ax = fig.add_subplot(1, 1, 1)
        ax.errorbar(
            table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o", capsize=3
        )
        for n, x, yv in zip(names, table["mu_star"], table["sigma"], strict=True):
            ax.annotate(n, (x, yv), textcoords="offset points", xytext=(5, 4), fontsize=8)
        ax.set_xlabel("mu* (mean absolute effect of moving across the whole range, outcome units)")
        ax.set_ylabel("sigma (spread of the effects)")
        ax.set_title(f"Morris screening: {label}")
        ax.grid(alpha=0.3)
    else:
        ax.barh(pos, table["spearman"].fillna(0.0))
        ax.set_xlim(-1, 1)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlabel("Spearman rank correlation with the outcome")
        ax.set_title(f"Rank correlation: {label}")
    if "mu_star" not in table:
        ax.set_yticks(pos, names)
        ax.invert_yaxis()
    fig.tight_layout()
    path = Path(path)
    tmp = path.with_name(f".tmp-{path.name}")
    fig.savefig(tmp, format="png")
    tmp.replace(path)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- report


def _md_table(frame: pd.DataFrame, floatfmt: str = "{:.4g}") -> str:
    cols = [frame.index.name or "", *map(str, frame.columns)]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for idx, row in frame.iterrows():
        cells = [str(idx)]
        for v in row:
            if isinstance(v, float):
                cells.append("" if math.isnan(v) else floatfmt.format(v))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _html_table(frame: pd.DataFrame) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "" if math.isnan(v) else f"{v:.4g}"
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [frame.index.name or "", *frame])
    body = "".join(
        "<tr><th>"
        + html.escape(str(i))
        + "</th>"
        + "".join(f"<td>{cell(v)}</td>" for v in r)
        + "</tr>"
        for i, r in frame.iterrows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_report(directory: str | Path) -> list[Path]:
    """Write the sweep's report: ``report.md``, ``report.html`` and a PNG per outcome.

    Args:
        directory: the sweep directory.

    Returns:
        The files written.
    """
    directory = Path(directory)
    spec, design, results = _load(directory)
    meta = json.loads((directory / "sweep.json").read_text(encoding="utf-8"))
    outcomes = list(spec.outcomes) or list(results.attrs.get("outcomes", []))
    n_ok = int((results["status"] == "ok").sum()) if not results.empty else 0
    n_failed = len(results) - n_ok
    blocks: list[tuple[str, Any]] = [
        ("h1", f"Sweep {spec.name}"),
        ("p", spec.description or ""),
        (
            "p",
            f"Base scenario: {spec.base}. Design: {spec.design}, {spec.points()} points x "
            f"{spec.replications} replications (seeds {spec.first_seed} to "
            f"{spec.first_seed + spec.replications - 1}); "
            + (f"{spec.steps} quarters per run" if spec.steps else "the scenario's steps")
            + f"; design seed {spec.seed}. Distinct runs stored: {len(results)} "
            f"({n_ok} ok, {n_failed} failed); design points that coincide share their runs.",
        ),
        ("p", f"Reproduce: mesoscape sweep {meta.get('file', 'SWEEP_FILE')} --out {directory}"),
    ]
    ptable = pd.DataFrame(
        {
            "varies as": [
                f"range {p.range[0]:g} to {p.range[1]:g}" if p.range else f"levels {p.levels}"
                for p in spec.parameters.values()
            ]
        },
        index=pd.Index(list(spec.parameters), name="parameter"),
    )
    blocks += [("h2", "Parameters"), ("table", ptable)]
    ok = results[results["status"] == "ok"] if not results.empty else results
    present = [o for o in outcomes if o in ok.columns]
    if present:
        stats = ok[present].agg(["mean", "std", "min", "max"]).T
        stats.index.name = "outcome"
        blocks += [("h2", "Outcomes over all successful runs"), ("table", stats)]
    written: list[Path] = []
    blocks.append(("h2", "Sensitivity"))
    for outcome in outcomes:
        try:
            table = _analyse(spec, design, results, outcome)
        except ValueError as exc:
            blocks.append(("p", f"{outcome}: not computed ({exc})."))
            continue
        png = plot(table, outcome, directory / f"sensitivity_{outcome}.png")
        written.append(png)
        blocks += [
            ("h3", f"{outcome}: {table.attrs['method']}"),
            ("table", table),
            ("img", png),
        ]
    if n_failed:
        failed = results[results["status"] == "failed"]
        show = failed[["run_id", "seed", *spec.parameters, "error"]].head(20).set_index("run_id")
        blocks += [("h2", f"Failed runs ({n_failed}; first 20)"), ("table", show)]
    md, body = [], []
    for kind, value in blocks:
        if kind.startswith("h"):
            level = int(kind[1])
            md.append("#" * level + " " + value)
            body.append(f"<{kind}>{html.escape(value)}</{kind}>")
        elif kind == "p" and value:
            md.append(value)
            body.append(f"<p>{html.escape(value)}</p>")
        elif kind == "table":
            md.append(_md_table(value))
            body.append(_html_table(value))
        elif kind == "img":
            md.append(f"![{value.stem}]({value.name})")
            data = base64.b64encode(value.read_bytes()).decode()
            body.append(f'<img alt="{value.stem}" src="data:image/png;base64,{data}">')
    md_path = directory / "report.md"
    _write_atomic(md_path, "\n\n".join(md) + "\n")
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:.25em .6em;text-align:right}th{background:#f4f4f4}img{max-width:100%}"
    )
    page = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Sweep "
        f"{html.escape(spec.name)}</title><style>{style}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
    html_path = directory / "report.html"
    _write_atomic(html_path, page)
    return [md_path, html_path, *written]
