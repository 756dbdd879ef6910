"""Estimators behind the stylized facts: tails, growth-rate shapes, survival, logits.

Pure functions of numpy arrays and pandas frames (no model, no Mesa), each tested on
synthetic data with a known answer (tests/experiments/test_facts.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

BOOTSTRAP_DRAWS = 1000
SURVIVAL_AGES = (8, 16)  # quarters: two and four years
ENTRY_WINDOW = 20  # quarters over which RCA crossing 1 counts as entry / exit


def bootstrap_interval(
    groups: Sequence[Any],
    statistic: Callable[[list[Any]], float | None],
    level: float = 0.95,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of ``statistic`` over resampled groups (replications).

    Returns:
        ``(low, high)``; ``(v, v)`` for a single group; None if the statistic of the
        original groups is None.
    """
    groups = list(groups)
    point = statistic(groups) if groups else None
    if point is None:
        return None
    if len(groups) == 1:
        return (float(point), float(point))
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(draws):
        pick = rng.integers(0, len(groups), len(groups))
        v = statistic([groups[i] for i in pick])
        if v is not None and math.isfinite(v):
            values.append(v)
    if not values:
        return None
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return (float(low), float(high))


def hill(sizes: np.ndarray, top: float = 0.1) -> float | None:
    """Hill estimator of the Pareto tail exponent on the largest ``top`` share of sizes.

    ``alpha = k / sum_{i<=k} ln(x_(i) / x_(k+1))`` over the ``k`` largest positive values
    (``P(X > x) ~ x^-alpha``). None with fewer than 10 tail values or a flat tail.
    """
    x = np.sort(np.asarray(sizes, dtype=float)[np.asarray(sizes) > 0])[::-1]
    k = int(top * len(x))
    if k < 10 or len(x) <= k:
        return None
    logs = np.log(x[:k]) - math.log(x[k])
    return float(k / logs.sum()) if logs.sum() > 0 else None


def tail_lognormal_test(sizes: np.ndarray, top: float = 0.1) -> tuple[float, float] | None:
    """Vuong likelihood-ratio test of a Pareto against a lognormal tail (Clauset et al. 2009).

    Both are fitted by maximum likelihood on the ``top`` share of sizes above the threshold
    ``x_(k+1)``: the Pareto by the Hill exponent, the lognormal truncated at the threshold.

    Returns:
        ``(z, p)``: the normalised log-likelihood ratio (positive favours the Pareto, negative
        the lognormal) and its two-sided p-value; None if :func:`hill` is None.
    """
    alpha = hill(sizes, top)
    if alpha is None:
        return None
    x = np.sort(np.asarray(sizes, dtype=float)[np.asarray(sizes) > 0])[::-1]
    k = int(top * len(x))
    xmin, tail = x[k], x[:k]
    logx, lmin = np.log(tail), math.log(xmin)
    ll_pareto = math.log(alpha) + alpha * lmin - (alpha + 1.0) * logx

    def lognormal_ll(params: np.ndarray) -> np.ndarray:
        mu, sigma = params[0], math.exp(params[1])
        z = (logx - mu) / sigma
        return (
            -logx
            - math.log(sigma)
            - 0.5 * math.log(2 * math.pi)
            - 0.5 * z * z
            - (stats.norm.logsf((lmin - mu) / sigma))
        )

    start = np.array([logx.mean(), math.log(max(logx.std(), 1e-3))])
    fit = optimize.minimize(lambda p: -lognormal_ll(p).sum(), start, method="Nelder-Mead")
    diff = ll_pareto - lognormal_ll(fit.x)
    sd = diff.std()
    if sd <= 0:
        return (0.0, 1.0)
    z = float(diff.sum() / (sd * math.sqrt(k)))
    return (z, float(special.erfc(abs(z) / math.sqrt(2.0))))


def subbotin_fit(x: np.ndarray) -> tuple[float, float, float] | None:
    """Maximum-likelihood exponential power (Subbotin) fit: ``(b, a, mu)``.

    Density ``exp(-|x - mu|^b / a^b) * b / (2 a Gamma(1/b))``: ``b = 2`` is Gaussian,
    ``b = 1`` Laplace (tent-shaped). ``a`` is profiled out; ``b`` is searched in [0.2, 10].
    None with fewer than 20 values or no spread.
    """
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 20 or np.ptp(x) == 0:
        return None
    n = len(x)

    def scale(b: float, mu: float) -> float:
        return float((b * np.mean(np.abs(x - mu) ** b)) ** (1.0 / b))

    def nll(params: np.ndarray) -> float:
        b = float(np.clip(math.exp(params[0]), 0.2, 10.0))
        a = max(scale(b, params[1]), 1e-300)
        return -n * (math.log(b) - math.log(2 * a) - special.gammaln(1.0 / b) - 1.0 / b)

    fit = optimize.minimize(nll, np.array([0.0, float(np.median(x))]), method="Nelder-Mead")
    b = float(np.clip(math.exp(fit.x[0]), 0.2, 10.0))
    return b, scale(b, fit.x[1]), float(fit.x[1])


def annual_growth(panel: pd.DataFrame, min_group: int = 3) -> pd.DataFrame:
    """Annual log employment growth of surviving firms, demeaned by industry and year.

    Firms alive at quarters ``q`` and ``q + 4`` for ``q`` a multiple of 4 (non-overlapping
    years). Industry-year groups with fewer than ``min_group`` firms are dropped.

    Returns:
        Columns ``firm, industry, quarter, size`` (employment at ``q``), ``growth``.
    """
    p = panel[(panel["quarter"] % 4 == 0) & (panel["employment"] > 0)]
    start = p[["firm", "industry", "quarter", "employment"]].rename(columns={"employment": "size"})
    later = p[["firm", "quarter", "employment"]].assign(quarter=p["quarter"] - 4)
    pairs = start.merge(later, on=["firm", "quarter"])
    pairs["growth"] = np.log(pairs["employment"] / pairs["size"])
    group = pairs.groupby(["industry", "quarter"], observed=True)["growth"]
    pairs = pairs[group.transform("size") >= min_group].copy()
    pairs["growth"] -= pairs.groupby(["industry", "quarter"], observed=True)["growth"].transform(
        "mean"
    )
    return pairs[["firm", "industry", "quarter", "size", "growth"]].reset_index(drop=True)


def size_variance_slope(size: np.ndarray, growth: np.ndarray, bins: int = 10) -> float | None:
    """``beta`` in ``sd(growth | size) ~ size^-beta`` (Amaral et al. 1997).

    Equal-count bins of log size; the OLS slope of log sd on mean log size is ``-beta``.
    None with fewer than three bins of at least 10 firms.
    """
    logs, g = np.log(np.asarray(size, dtype=float)), np.asarray(growth, dtype=float)
    if len(logs) < 30:
        return None
    order = np.argsort(logs, kind="stable")
    xs, ys = [], []
    for chunk in np.array_split(order, bins):
        if len(chunk) >= 10 and g[chunk].std() > 0:
            xs.append(logs[chunk].mean())
            ys.append(math.log(g[chunk].std()))
    if len(xs) < 3 or np.ptp(xs) == 0:
        return None
    return float(-np.polyfit(xs, ys, 1)[0])


def survival(spells: pd.DataFrame, end: int, ages: Sequence[int] = SURVIVAL_AGES) -> dict:
    """Share of new firms (born after quarter 0) still alive ``age`` quarters after birth.

    Cohort-based: only firms born at least ``age`` quarters before ``end`` count.

    Returns:
        ``{age: share or None}`` (None if no firm is old enough to count).
    """
    new = spells[spells["born"] > 0]
    out: dict[int, float | None] = {}
    for age in ages:
        eligible = new[new["born"] + age <= end]
        alive = eligible["last_seen"] >= eligible["born"] + age
        out[int(age)] = float(alive.mean()) if len(eligible) else None
    return out


def logit_slope(x: np.ndarray, y: np.ndarray, iterations: int = 50) -> float | None:
    """Slope of a logit ``P(y = 1) = 1 / (1 + exp(-(c + s x)))`` by Newton-Raphson.

    None if ``y`` has no variation, ``x`` none, or the fit does not converge (separation).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(y) < 10 or y.min() == y.max() or np.ptp(x) == 0:
        return None
    design = np.column_stack([np.ones_like(x), x])
    beta = np.array([math.log(y.mean() / (1 - y.mean())), 0.0])
    for _ in range(iterations):
        prob = special.expit(design @ beta)
        w = np.maximum(prob * (1 - prob), 1e-12)
        hess = design.T @ (design * w[:, None]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, design.T @ (y - prob))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            return float(beta[1]) if abs(beta[1]) < 50 else None
    return None


def rca_transitions(table: pd.DataFrame, window: int = ENTRY_WINDOW) -> pd.DataFrame:
    """District-industry entries and exits over non-overlapping windows of ``window`` quarters.

    From a ``district_industries`` table (step, district, industry, rca, density): for
    each start ``t = 0, window, 2 window, ...`` with ``t + window`` observed, a pair with
    RCA < 1 at ``t`` is an entry candidate (``event`` = RCA >= 1 at ``t + window``), a pair
    with RCA >= 1 an exit candidate (``event`` = RCA < 1 at ``t + window``).

    Returns:
        Columns ``kind`` ("entry"/"exit"), ``density`` (at ``t``), ``z`` (density in
        standard deviations over all candidates), ``event`` (0/1), ``step``.
    """
    last = int(table["step"].max())
    starts = [t for t in range(0, last - window + 1, window)]
    cols = ["district", "industry"]
    rows = []
    for t in starts:
        a = table[table["step"] == t][[*cols, "rca", "density"]]
        b = table[table["step"] == t + window][[*cols, "rca"]].rename(columns={"rca": "rca_end"})
        m = a.merge(b, on=cols)
        entry = m["rca"] < 1.0
        event = np.where(entry, m["rca_end"] >= 1.0, m["rca_end"] < 1.0)
        rows.append(
            pd.DataFrame(
                {
                    "kind": np.where(entry, "entry", "exit"),
                    "density": m["density"].to_numpy(dtype=float),
                    "event": event.astype(int),
                    "step": t,
                }
            )
        )
    out = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame({"kind": [], "density": [], "event": [], "step": []})
    )
    sd = out["density"].std(ddof=0) if len(out) else 0.0
    out["z"] = (out["density"] - out["density"].mean()) / sd if sd > 0 else 0.0
    return out


def industry_histories(
    table: pd.DataFrame, industries: Sequence[str], min_firms: int = 10
) -> pd.DataFrame:
    """Firm-count and output histories of the given industries that reach ``min_firms`` firms.

    From an ``employment_by_industry`` table (step, industry, firms, value_added). Output at
    the peak is the mean value added over the four quarters from the first firm-count peak,
    output at the end the mean over the last four quarters.

    Returns:
        One row per qualifying industry: ``industry, peak_step, peak_firms, min_after``
        (fewest firms from the peak on), ``output_peak, output_end, shakeout`` (firms fell
        to half the peak or less and ``output_end >= output_peak``).
    """
    rows = []
    for key in industries:
        s = table[table["industry"] == key].sort_values("step")
        firms, va = s["firms"].to_numpy(dtype=float), s["value_added"].to_numpy(dtype=float)
        if len(firms) == 0 or firms.max() < min_firms:
            continue
        p = int(np.argmax(firms))
        out_peak, out_end = float(va[p : p + 4].mean()), float(va[-4:].mean())
        fell = firms[p:].min() <= 0.5 * firms[p]
        rows.append(
            {
                "industry": key,
                "peak_step": int(s["step"].iloc[p]),
                "peak_firms": float(firms[p]),
                "min_after": float(firms[p:].min()),
                "output_peak": out_peak,
                "output_end": out_end,
                "shakeout": bool(fell and out_end >= out_peak),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "industry",
            "peak_step",
            "peak_firms",
            "min_after",
            "output_peak",
            "output_end",
            "shakeout",
        ],
    )


def job_losses(shocked: pd.DataFrame, base: pd.DataFrame, direct: Sequence[str]) -> pd.DataFrame:
    """Jobs lost per quarter in a shocked run against its paired baseline (same seed).

    Args:
        shocked: ``employment_by_industry`` table of the shocked run.
        base: the same table of the baseline run.
        direct: the industries hit by the shock.

    Returns:
        Columns ``step, total`` (baseline minus shocked employment, all industries) and
        ``direct`` (the same, shock industries only).
    """

    def sums(t: pd.DataFrame) -> pd.DataFrame:
        hit = t["industry"].isin(list(direct))
        return pd.DataFrame(
            {
                "total": t.groupby("step")["employment"].sum(),
                "direct": t[hit].groupby("step")["employment"].sum(),
            }
        ).fillna(0.0)

    s, b = sums(shocked), sums(base)
    joined = b.add_suffix("_base").join(s.add_suffix("_shock"), how="inner")
    return pd.DataFrame(
        {
            "step": joined.index.to_numpy(),
            "total": (joined["total_base"] - joined["total_shock"]).to_numpy(),
            "direct": (joined["direct_base"] - joined["direct_shock"]).to_numpy(),
        }
    )
