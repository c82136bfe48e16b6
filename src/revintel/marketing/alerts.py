"""Pipeline anomaly alerts: daily series checked for a drop against their own seasonal baseline.

Each series (pipeline created, deals created, lead-to-MQL conversion, close-date slippage) is
built per day for every region and segment (tier); conversion is by daily cohort (the share of
the day's new leads that were MQLs within 21 days), so its last 21 days are left out as
immature. The weekly pattern is removed with a robust STL decomposition (``statsmodels``,
period 7, ``robust=True``: outliers do not bend the baseline); change points of the seasonally
adjusted series come from ``ruptures`` (kernel change point detection with a linear kernel, i.e.
least-squares segmentation solved exactly by PELT, penalty ``3·log(n)·σ²`` with ``σ`` a robust
MAD noise scale), each moved to the day that best splits the raw events (a local
maximum-likelihood step). Every change point in the lookback window after which the series
stayed the wrong way (down for creation and conversion, up for slippage) by at least
``min_change`` for ``min_days`` or more, against the 90 days before it, is a candidate; the one
whose test on the underlying events gives the smallest p-value is the alert when ``p < alpha``
(1e-5: about forty series times their candidate change points, Bonferroni at 1%). The tests:
events per day compared as a conditional binomial (Poisson rates) for counts and amounts, a
two-proportion test for conversion. Amounts are tested on their deal counts, so one large deal
is not a trend.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from revintel.marketing.data import MarketingFrames

HISTORY_DAYS = 365
LOOKBACK_DAYS = 120
MIN_DAYS = 14
MIN_CHANGE = 0.3
MATURITY_DAYS = 21
ALPHA = 1e-5  # ~40 series x their candidate change points, Bonferroni at 1%


@dataclass(frozen=True)
class Series:
    """One daily series: what it measures, the slice, its daily events and which way is bad.

    ``events`` are the daily counts the test uses (deals, pushes, MQLs); ``base`` the daily
    denominator of a conversion (leads); ``amount`` the daily value of a currency series.
    """

    metric: str
    label: str
    dimension: str
    value: str
    events: pd.Series
    base: pd.Series | None = None
    amount: pd.Series | None = None
    bad: str = "down"  # "down" or "up"
    unit: str = "count"

    @property
    def daily(self) -> pd.Series:
        """The value monitored each day (the day's conversion rate for conversions; days without
        a lead take the series' pooled rate)."""
        if self.base is not None:
            pooled = float(self.events.sum() / self.base.sum()) if self.base.sum() else 0.0
            return (self.events / self.base.replace(0, np.nan)).fillna(pooled).clip(upper=1.0)
        return self.amount if self.amount is not None else self.events


@dataclass
class Alert:
    """A sustained change in one slice: when it started, how big it is and what likely drives it."""

    metric: str
    label: str
    dimension: str
    value: str
    start: str
    before: float
    after: float
    change: float
    days: int
    p_value: float
    unit: str
    driver: str | None = None
    evidence: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        """Identity for de-duplication: metric, slice and start date."""
        return f"{self.metric}:{self.dimension}={self.value}:{self.start}"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["key"] = self.key
        return out


def _daily(dates: pd.Series, weights: pd.Series | None, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    idx = pd.date_range(start, end, freq="D")
    d = dates.dt.normalize()
    w = pd.Series(1.0, index=dates.index) if weights is None else weights.astype(float)
    ok = d.between(start, end)
    return w[ok].groupby(d[ok]).sum().reindex(idx, fill_value=0.0)


def build_series(f: MarketingFrames, history_days: int = HISTORY_DAYS) -> list[Series]:
    """Every monitored series, per region and per tier, over the last ``history_days`` days."""
    end = f.as_of.normalize()
    start = end - pd.Timedelta(days=history_days - 1)
    out: list[Series] = []
    opps, leads = f.opps, f.leads
    slices = [("region", v) for v in sorted(opps["region"].dropna().unique())]
    slices += [("tier", v) for v in sorted(opps["tier"].dropna().unique())]
    for dim, val in slices:
        o = opps[opps[dim] == val]
        deals = _daily(o["created_date"], None, start, end)
        amount = _daily(o["created_date"], o["amount"].fillna(0), start, end)
        out.append(
            Series("pipeline_created", "Pipeline created", dim, val, deals, amount=amount, unit="currency")
        )
        out.append(Series("deals_created", "Deals created", dim, val, deals))
        if f.pushes is not None:
            p = f.pushes[f.pushes[dim] == val]
            out.append(
                Series(
                    "slippage",
                    "Close dates pushed",
                    dim,
                    val,
                    _daily(p["pushed_on"], None, start, end),
                    bad="up",
                )
            )
    # conversion by daily cohort: of the leads created that day, how many were MQLs within
    # MATURITY_DAYS; the last MATURITY_DAYS days are not complete yet and are left out
    mature_end = end - pd.Timedelta(days=MATURITY_DAYS)
    for val in sorted(leads["region"].dropna().unique()):
        lr = leads[leads["region"] == val]
        created = _daily(lr["created_date"], None, start, mature_end)
        quick = (lr["mql_date"] - lr["created_date"]).dt.days <= MATURITY_DAYS
        mqls = _daily(lr["created_date"][quick], None, start, mature_end)
        out.append(Series("lead_to_mql", f"Lead-to-MQL conversion ({MATURITY_DAYS} days)", "region", val,
                          mqls, base=created, unit="ratio"))  # fmt: skip
    return out


def _adjusted(y: pd.Series) -> np.ndarray:
    """The series with its robust weekly seasonal component removed (STL)."""
    from statsmodels.tsa.seasonal import STL

    values = y.to_numpy(dtype=float)
    if len(values) < 28 or float(np.std(values)) == 0.0:
        return values
    return values - np.asarray(STL(values, period=7, robust=True).fit().seasonal)


def change_points(x: np.ndarray, min_size: int) -> list[int]:
    """Indices where a new segment begins (exact least-squares segmentation, penalised)."""
    import ruptures as rpt

    d = np.diff(x)
    sigma = 1.4826 * float(np.median(np.abs(d - np.median(d)))) / math.sqrt(2)
    if sigma == 0.0:
        sigma = float(np.std(x)) or 1.0
    algo = rpt.KernelCPD(kernel="linear", min_size=min_size, jump=1).fit(x.reshape(-1, 1))
    return [int(b) for b in algo.predict(pen=3 * math.log(len(x)) * sigma**2) if b < len(x)]


def _p_value(s: Series, before: slice, after: slice) -> float:
    """One-sided p-value that the events after the change are fewer (more) than before."""
    from scipy.stats import binomtest, norm

    ev = s.events.to_numpy(dtype=float)
    if s.base is not None:  # two-proportion z test on conversions
        base = s.base.to_numpy(dtype=float)
        k0, n0, k1, n1 = ev[before].sum(), base[before].sum(), ev[after].sum(), base[after].sum()
        if min(n0, n1) == 0:
            return 1.0
        pooled = (k0 + k1) / (n0 + n1)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1)) or 1e-12
        z = (k1 / n1 - k0 / n0) / se
        return float(norm.cdf(z) if s.bad == "down" else norm.sf(z))
    k0, k1 = int(ev[before].sum()), int(ev[after].sum())
    t0, t1 = before.stop - before.start, after.stop - after.start
    if k0 + k1 == 0:
        return 1.0
    side = "less" if s.bad == "down" else "greater"
    return float(binomtest(k1, k0 + k1, t1 / (t0 + t1), alternative=side).pvalue)


def _refine(s: Series, cp: int, reach: int = 7) -> int:
    """The day near ``cp`` that best splits the raw events into a before and an after level.

    A local maximum-likelihood step: Poisson counts with the series' weekday profile (counts), or
    binomial conversions (rates), one level before the split and one after, over the 90 days
    before and everything after.
    """
    ev = s.events.to_numpy(dtype=float)
    n = len(ev)
    lo, hi = max(1, cp - reach), min(n - 1, cp + reach)
    window = slice(max(0, cp - 90), n)
    if s.base is not None:
        trials = s.base.to_numpy(dtype=float)
    else:
        weekday = s.events.index.day_of_week.to_numpy()
        hist = ev[window]
        prof = np.array(
            [hist[weekday[window] == d].mean() if (weekday[window] == d).any() else 0.0 for d in range(7)]
        )
        trials = prof[weekday] / prof.mean() if prof.mean() > 0 else np.ones(n)

    def loglik(k: np.ndarray, t: np.ndarray) -> float:
        total_k, total_t = k.sum(), t.sum()
        if total_k == 0 or total_t == 0:
            return 0.0
        rate = total_k / total_t
        if s.base is not None:  # binomial
            rate = min(max(rate, 1e-9), 1 - 1e-9)
            return float(total_k * math.log(rate) + (total_t - total_k) * math.log(1 - rate))
        return float(total_k * math.log(rate) - rate * total_t)  # Poisson with exposure t

    start = window.start or 0
    best, best_ll = cp, -math.inf
    for t in range(lo, hi + 1):
        ll = loglik(ev[start:t], trials[start:t]) + loglik(ev[t:], trials[t:])
        if ll > best_ll:
            best, best_ll = t, ll
    return best


def detect(
    s: Series,
    lookback_days: int = LOOKBACK_DAYS,
    min_days: int = MIN_DAYS,
    min_change: float = MIN_CHANGE,
    alpha: float = ALPHA,
) -> Alert | None:
    """An :class:`Alert` when ``s`` moved the bad way and stayed there, else None."""
    y = s.daily
    n = len(y)
    if n < 8 * 7 or float(s.events.sum()) == 0.0:
        return None
    x = _adjusted(y)
    values = y.to_numpy(dtype=float)
    best: Alert | None = None
    for found in change_points(x, min_days):
        cp = _refine(s, found)
        if cp < n - lookback_days or n - cp < min_days:
            continue
        before, after = slice(max(0, cp - 90), cp), slice(cp, n)
        b, a = float(values[before].mean()), float(values[after].mean())
        if b <= 0:
            continue
        change = (a - b) / b
        if (change > -min_change) if s.bad == "down" else (change < min_change):
            continue
        p = _p_value(s, before, after)
        if p < alpha and (best is None or p < best.p_value):
            best = Alert(s.metric, s.label, s.dimension, s.value, y.index[cp].date().isoformat(),
                         b, a, change, n - cp, p, s.unit)  # fmt: skip
    return best


def scan(f: MarketingFrames) -> list[Alert]:
    """Every alert over every monitored series, biggest change first."""
    alerts = [explain(a, f) for s in build_series(f) if (a := detect(s)) is not None]
    return sorted(alerts, key=lambda a: -abs(a.change))


def explain(alert: Alert, f: MarketingFrames) -> Alert:
    """Fill the alert's likely driver: the segment that moved most in the affected slice.

    A conversion alert is decomposed (mix versus rate over channel and lead source) comparing the
    days since the change with as many days before it; a creation or slippage alert names the
    segment (channel of the sourcing campaign, or tier / region) whose daily rate fell (rose) most.
    """
    from revintel.marketing.decompose import mix_rate
    from revintel.marketing.funnel import Window, stage_events

    start = pd.Timestamp(alert.start)
    days = alert.days
    end = start + pd.Timedelta(days=days - 1)
    before = Window(start - pd.Timedelta(days=days), start - pd.Timedelta(days=1), "before")
    after = Window(start, end, "after")
    if alert.metric == "lead_to_mql":
        ev = stage_events(f)
        ev = ev[ev[alert.dimension] == alert.value]
        parts = [mix_rate(ev, before, after, "lead_to_mql", d) for d in ("channel", "lead_source")]
        top = max(parts, key=lambda p: abs(p["segments"][0]["total_effect"]) if p["segments"] else 0.0)
        seg = top["segments"][0]
        effect = "mix" if abs(seg["mix_effect"]) >= abs(seg["rate_effect"]) else "rate"
        alert.driver = (
            f"{top['dimension'].replace('_', ' ')} {seg['segment']}: "
            f"{seg['base_share']:.0%} -> {seg['current_share']:.0%} of new leads, "
            f"converting {seg['base_rate']:.0%} -> {seg['current_rate']:.0%} ({effect} effect)"
        )
        alert.evidence = {"decomposition": parts}
        return alert
    frame = f.pushes if alert.metric == "slippage" else f.opps
    date_col = "pushed_on" if alert.metric == "slippage" else "created_date"
    if frame is None or frame.empty:
        return alert
    sub = frame[frame[alert.dimension] == alert.value]
    other = "tier" if alert.dimension == "region" else "region"
    b = sub[sub[date_col].between(before.start, before.end)].groupby(other).size()
    a = sub[sub[date_col].between(after.start, after.end)].groupby(other).size()
    moved = a.reindex(b.index.union(a.index), fill_value=0) - b.reindex(b.index.union(a.index), fill_value=0)
    if moved.empty:
        return alert
    seg = moved.idxmin() if alert.metric != "slippage" else moved.idxmax()
    alert.driver = (
        f"{other} {seg}: {int(b.get(seg, 0))} -> {int(a.get(seg, 0))} "
        f"{'pushes' if alert.metric == 'slippage' else 'deals'} in {days} days"
    )
    alert.evidence = {"by": other, "before": b.to_dict(), "after": a.to_dict()}
    return alert
