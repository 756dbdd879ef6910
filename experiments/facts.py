"""The stylized facts a credible regional-economy model reproduces (DESIGN §2.12), as statistics.

Pure functions of simulated (or observed) data: firm sizes, a firm panel, firm spells, the
``district_industries`` and ``employment_by_industry`` tables. Each ``fact_*`` function
takes one input per replication (or per seed pair), measures the statistic with the
literature's method, and returns a :class:`FactResult`: per measure the value (the mean
over replications, or a statistic of the pooled replications), a 95% bootstrap interval
over replications, the reference value and its source, the band, and PASS/FAIL. A measure
that cannot be computed (too little data) has value ``None`` and fails.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from experiments import estimators as est
from experiments.estimators import bootstrap_interval

SHOCK_YEARS = (5, 10)  # years after the decline's onset over which job losses are compared


@dataclass(frozen=True)
class Band:
    """An interval of allowed values, open or closed at each end; None: unbounded."""

    low: float | None = None
    high: float | None = None
    strict: bool = False

    def contains(self, x: float | None) -> bool:
        """Whether ``x`` lies in the band (None never does)."""
        if x is None or not math.isfinite(x):
            return False
        above = self.low is None or (x > self.low if self.strict else x >= self.low)
        below = self.high is None or (x < self.high if self.strict else x <= self.high)
        return above and below

    def __str__(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"{'>' if self.strict else '≥'} {self.low:g}"
        if self.high is not None:
            return f"{'<' if self.strict else '≤'} {self.high:g}"
        return "any"


@dataclass(frozen=True)
class Measure:
    """One statistic of a fact; ``band`` None means reported, not judged."""

    name: str
    value: float | None
    interval: tuple[float, float] | None
    reference: str
    band: Band | None = None

    @property
    def passed(self) -> bool | None:
        """True/False against the band; None if the measure is only reported."""
        return None if self.band is None else self.band.contains(self.value)


@dataclass(frozen=True)
class FactResult:
    """A fact's measures, source, sample size and notes; PASS if every judged measure is in band."""

    key: str
    title: str
    source: str
    measures: tuple[Measure, ...]
    n: int
    notes: tuple[str, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def passed(self) -> bool:
        """True if there is a judged measure and all judged measures are in their bands."""
        judged = [m.passed for m in self.measures if m.band is not None]
        return bool(judged) and all(judged)

    @property
    def verdict(self) -> str:
        """``"PASS"`` or ``"FAIL"``."""
        return "PASS" if self.passed else "FAIL"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (without the plot data)."""
        return {
            "key": self.key,
            "title": self.title,
            "source": self.source,
            "verdict": self.verdict,
            "n": self.n,
            "notes": list(self.notes),
            "measures": [
                {
                    "name": m.name,
                    "value": m.value,
                    "interval": list(m.interval) if m.interval else None,
                    "reference": m.reference,
                    "band": None if m.band is None else str(m.band),
                    "passed": m.passed,
                }
                for m in self.measures
            ],
        }


# --------------------------------------------------------------------------- the six facts


def _mean(values: Sequence[float | None]) -> float | None:
    kept = [float(v) for v in values if v is not None and math.isfinite(v)]
    return float(np.mean(kept)) if kept else None


def _measure_mean(
    name: str, per_rep: Sequence[float | None], reference: str, band: Band | None
) -> Measure:
    """A measure whose value is the mean over replications, with its bootstrap interval."""
    kept = [v for v in per_rep if v is not None and math.isfinite(v)]
    return Measure(name, _mean(kept), bootstrap_interval(kept, _mean), reference, band)


def _missing(kind: str, n_missing: int, n_total: int) -> tuple[str, ...]:
    if n_missing == 0:
        return ()
    return (f"{n_missing} of {n_total} replications had too little data for the {kind}.",)


def fact_firm_size(sizes: Sequence[np.ndarray], top: float = 0.1) -> FactResult:
    """Fact 1: a Pareto tail of firm sizes (Hill exponent on the top decile), vs a lognormal.

    Args:
        sizes: per replication, the employment of every firm at the end of the run.
        top: share of the largest firms in the tail.
    """
    alphas = [est.hill(s, top) for s in sizes]
    tests = [est.tail_lognormal_test(s, top) for s in sizes]
    zs = [t[0] if t else None for t in tests]
    lognormal_wins = sum(1 for t in tests if t and t[0] < 0 and t[1] < 0.05)
    notes = (
        "Vuong z: positive favours the Pareto tail, negative the (truncated) lognormal; "
        f"the lognormal is preferred at 5% in {lognormal_wins} of {len(sizes)} replications.",
        *_missing("tail", alphas.count(None), len(sizes)),
    )
    return FactResult(
        key="firm_size",
        title="Firm size distribution: a heavy (Pareto) tail",
        source="Axtell (2001), Zipf distribution of U.S. firm sizes, Science 293: 1818-1820",
        measures=(
            _measure_mean("Hill tail exponent (top decile)", alphas, "1.06", Band(0.8, 1.3)),
            _measure_mean("Pareto vs lognormal tail, Vuong z", zs, "reported", None),
        ),
        n=int(sum(len(s) for s in sizes)),
        notes=notes,
        detail={"sizes": [np.asarray(s, dtype=float) for s in sizes], "alpha": _mean(alphas)},
    )


def fact_growth(growth: Sequence[pd.DataFrame]) -> FactResult:
    """Fact 2: tent-shaped growth rates (Subbotin b) and volatility falling with size (beta).

    Args:
        growth: per replication, :func:`estimators.annual_growth` of its firm panel.
    """
    fits = [est.subbotin_fit(g["growth"].to_numpy()) for g in growth]
    b = [f[0] if f else None for f in fits]
    beta = [est.size_variance_slope(g["size"].to_numpy(), g["growth"].to_numpy()) for g in growth]
    return FactResult(
        key="growth",
        title="Firm growth rates: tent-shaped, less volatile for larger firms",
        source=(
            "Stanley et al. (1996), Scaling behaviour in the growth of companies, Nature 379; "
            "Bottazzi & Secchi (2006), Explaining the distribution of firm growth rates, "
            "RAND J. Econ. 37; Amaral et al. (1997), Scaling behavior in economics, "
            "J. Phys. I France 7"
        ),
        measures=(
            _measure_mean("Subbotin shape b", b, "about 1 (Laplace)", Band(high=1.5)),
            _measure_mean("beta in sd(g) ~ size^-beta", beta, "0.15-0.2", Band(0.1, 0.35)),
        ),
        n=int(sum(len(g) for g in growth)),
        notes=(
            "Annual log employment growth of surviving firms, demeaned by industry and year.",
            *_missing("fit", b.count(None), len(growth)),
        ),
        detail={"growth": pd.concat(list(growth), ignore_index=True) if growth else None},
    )


def _survival_curve(spells: Sequence[pd.DataFrame], ends: Sequence[int]) -> pd.DataFrame:
    """Pooled share of new firms alive by age (quarters), cohort-based."""
    longest = max((int(e) for e in ends), default=0)
    ages = np.arange(0, longest + 1)
    alive = np.zeros(len(ages))
    eligible = np.zeros(len(ages))
    for sp, end in zip(spells, ends, strict=True):
        new = sp[sp["born"] > 0]
        born, last = new["born"].to_numpy(), new["last_seen"].to_numpy()
        for i, age in enumerate(ages):
            ok = born + age <= end
            eligible[i] += ok.sum()
            alive[i] += (last[ok] >= born[ok] + age).sum()
    share = np.divide(alive, eligible, out=np.full(len(ages), np.nan), where=eligible > 0)
    return pd.DataFrame({"age": ages, "share": share, "firms": eligible})


def fact_survival(spells: Sequence[pd.DataFrame], ends: Sequence[int]) -> FactResult:
    """Fact 3: survival of new firms after two and four years, cohort-based.

    Args:
        spells: per replication, :func:`experiments.panel.firm_spells`.
        ends: per replication, the final quarter of the run.
    """
    rates = [est.survival(sp, end) for sp, end in zip(spells, ends, strict=True)]
    two, four = ([r[a] for r in rates] for a in est.SURVIVAL_AGES)
    new = sum(int((sp["born"] > 0).sum()) for sp in spells)
    return FactResult(
        key="survival",
        title="Survival of new firms",
        source=(
            "Knaup (2005), Survival and longevity in the Business Employment Dynamics data, "
            "Monthly Labor Review 128(5)"
        ),
        measures=(
            _measure_mean("alive after 2 years", two, "0.66", Band(0.55, 0.80)),
            _measure_mean("alive after 4 years", four, "0.44", Band(0.35, 0.55)),
        ),
        n=new,
        notes=(
            "New firms are all firms born after quarter 0 (start-ups and spin-offs); a cohort "
            "counts at an age only if the run lasted that long after its birth.",
            *_missing("4-year survival", four.count(None), len(spells)),
        ),
        detail={"curve": _survival_curve(spells, ends)},
    )


def fact_relatedness(transitions: Sequence[pd.DataFrame]) -> FactResult:
    """Fact 4: entry rises and exit falls with relatedness density, entry more strongly.

    Args:
        transitions: per replication, :func:`estimators.rca_transitions` of its
            ``district_industries`` table.
    """

    def slopes(t: pd.DataFrame, kind: str) -> float | None:
        part = t[t["kind"] == kind]
        return est.logit_slope(part["z"].to_numpy(), part["event"].to_numpy())

    entry = [slopes(t, "entry") for t in transitions]
    exit_ = [slopes(t, "exit") for t in transitions]
    gaps = [
        abs(a) - abs(b) if a is not None and b is not None else None
        for a, b in zip(entry, exit_, strict=True)
    ]
    pooled = pd.concat(list(transitions), ignore_index=True) if transitions else None
    counts = {k: int((pooled["kind"] == k).sum()) if pooled is not None else 0 for k in ("entry",)}
    return FactResult(
        key="relatedness",
        title="Relatedness: districts enter related industries, and exit unrelated ones",
        source=(
            "Neffke, Henning & Boschma (2011), How do regions diversify over time?, Economic "
            "Geography 87(3); Boschma, Balland & Kogler (2015), Industrial and Corporate Change 24"
        ),
        measures=(
            _measure_mean("entry logit slope per sd of density", entry, "> 0", Band(0, None, True)),
            _measure_mean("exit logit slope per sd of density", exit_, "< 0", Band(None, 0, True)),
            _measure_mean("|entry slope| - |exit slope|", gaps, "> 0", Band(0, None, True)),
        ),
        n=int(len(pooled)) if pooled is not None else 0,
        notes=(
            f"Entry: RCA < 1 at the start of a {est.ENTRY_WINDOW}-quarter window and >= 1 at "
            "its end; exit: RCA >= 1 then < 1. Density in sd over all candidates of a run; "
            f"{counts['entry']} entry candidates in all.",
            *_missing("entry or exit logit", gaps.count(None), len(transitions)),
        ),
        detail={"transitions": pooled},
    )


def fact_shakeout(histories: Sequence[pd.DataFrame]) -> FactResult:
    """Fact 5: emerging industries shake out (firms fall >= 50% while output keeps up).

    Args:
        histories: per replication, :func:`estimators.industry_histories` of its emerging
            industries.
    """

    def share(groups: list[pd.DataFrame]) -> float | None:
        n = sum(len(h) for h in groups)
        return sum(int(h["shakeout"].sum()) for h in groups) / n if n else None

    value = share(list(histories))
    n = sum(len(h) for h in histories)
    return FactResult(
        key="shakeout",
        title="Shakeout: emerging industries' firm counts fall while output keeps growing",
        source=(
            "Klepper & Simons (1997), Technological extinctions of industrial firms, "
            "Industrial and Corporate Change 6(2)"
        ),
        measures=(
            Measure(
                "share of emerging industries (>= 10 firms) that shake out",
                value,
                bootstrap_interval(list(histories), share),
                "most industries in the sample",
                Band(0.5, None),
            ),
        ),
        n=n,
        notes=(
            "Shakeout: the firm count falls to half its peak or less, and output over the last "
            "year is at or above output in the year from the peak. Pooled over replications.",
            *(() if n else ("No emerging industry reached 10 firms.",)),
        ),
        detail={"histories": pd.concat(list(histories), ignore_index=True) if n else None},
    )


def fact_regional_shock(
    losses: Sequence[pd.DataFrame], onset: int, years: tuple[int, int] = SHOCK_YEARS
) -> FactResult:
    """Fact 6: total jobs lost exceed the direct loss 5-10 years after a decline (paired).

    Args:
        losses: per seed, :func:`estimators.job_losses` of the shocked run vs its baseline.
        onset: the quarter the decline starts.
        years: the window, in years after the onset.
    """
    lo, hi = onset + 4 * years[0], onset + 4 * years[1]

    def ratio(groups: list[pd.DataFrame]) -> float | None:
        w = [g[(g["step"] >= lo) & (g["step"] <= hi)] for g in groups]
        direct = sum(float(x["direct"].sum()) for x in w)
        return sum(float(x["total"].sum()) for x in w) / direct if direct > 0 else None

    groups = list(losses)
    window = [g[(g["step"] >= lo) & (g["step"] <= hi)] for g in groups]
    total = [float(x["total"].mean()) if len(x) else None for x in window]
    direct = [float(x["direct"].mean()) if len(x) else None for x in window]
    return FactResult(
        key="regional_shock",
        title="Regional shock: a local multiplier on lost jobs",
        source=(
            "Gathmann, Helm & Schönberg (2020), Spillover effects of mass layoffs, "
            "J. Eur. Econ. Assoc. 18(1)"
        ),
        measures=(
            Measure(
                f"total / direct jobs lost, years {years[0]}-{years[1]} after the decline",
                ratio(groups),
                bootstrap_interval(groups, ratio),
                "> 1 (losses spill over to other local firms)",
                Band(1.0, None, True),
            ),
            _measure_mean("direct jobs lost (mean per quarter)", direct, "reported", None),
            _measure_mean("total jobs lost (mean per quarter)", total, "reported", None),
        ),
        n=len(groups),
        notes=(
            f"Paired by seed: shocked run minus its baseline, quarters {lo}-{hi}; direct = "
            "the industries the decline and closure hit.",
            *(() if any(len(x) for x in window) else ("The runs end before the window.",)),
        ),
        detail={"losses": groups, "window": (lo, hi), "onset": onset},
    )
