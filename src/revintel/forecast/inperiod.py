"""The in-period component: revenue from deals not yet created on the as-of date that will be
created and won inside the period.

The open pipeline does not hold them, yet they are a real share of a quarter's bookings (maven:
about half; the demo: 13-38%). They are estimated from history, per segment: for each of the
last :data:`LOOKBACK` complete quarters before the as-of date, the same window is replayed — deals
created after the same offset into that quarter as the as-of date is into the period, and won
by its end — and their amounts summed per segment. The forecast draws the component from a
lognormal with the mean of those quarters and their spread (widened for the few quarters seen),
independently of the pipeline's deals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from revintel.deals.data import DIMENSIONS
from revintel.semantic.time import Period

LOOKBACK = 4
MIN_QUARTERS = 2


def _quarter_before(start: dt.date) -> tuple[dt.date, dt.date]:
    end = start - dt.timedelta(days=1)
    q0 = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return q0, end


def analog_windows(
    period: Period, as_of: dt.date, lookback: int = LOOKBACK
) -> list[tuple[dt.date, dt.date, dt.date]]:
    """(created after, window start, window end) for the last ``lookback`` quarters ending by ``as_of``.

    The offset of the as-of date into the period is carried over: with the as-of date before the
    period, every deal created in an analog quarter counts; halfway through, only those created
    in its second half.
    """
    offset = (as_of - period.start).days  # negative when the period has not started
    out: list[tuple[dt.date, dt.date, dt.date]] = []
    start = period.start
    while len(out) < lookback:
        qs, qe = _quarter_before(start)
        start = qs
        if qe > as_of:
            continue
        out.append((qs + dt.timedelta(days=offset), qs, qe))
    return out


def history(opps: pd.DataFrame, period: Period, as_of: dt.date, lookback: int = LOOKBACK) -> pd.DataFrame:
    """Deals created and won inside each analog window: ``opportunity_id``, ``amount``, ``k`` (0 = the
    latest quarter), ``day`` (days into its quarter it closed) and the dimension columns ``opps`` carries.

    Only deals won by ``as_of`` are used (a later win is not known yet); ``attrs["windows"]`` is the
    number of analog quarters the data covers.
    """
    o = opps.copy()
    for c in ("created_date", "engage_date", "close_date"):
        if c in o:
            o[c] = pd.to_datetime(o[c])
    created = o["created_date"].fillna(o["engage_date"]) if "engage_date" in o else o["created_date"]
    won = o["status"].eq("won") & (o["close_date"] <= pd.Timestamp(as_of))
    first = created.min()
    windows = [
        w for w in analog_windows(period, as_of, lookback) if pd.notna(first) and pd.Timestamp(w[1]) >= first
    ]
    parts = []
    for k, (after, qs, qe) in enumerate(windows):
        sel = won & (created > pd.Timestamp(after)) & (o["close_date"] >= pd.Timestamp(qs))
        sel &= o["close_date"] <= pd.Timestamp(qe)
        part = o.loc[sel, ["opportunity_id", "amount", *[d for d in DIMENSIONS if d in o.columns]]]
        day = (o.loc[sel, "close_date"] - pd.Timestamp(qs)).dt.days  # when in its quarter it closed
        parts.append(part.assign(k=k, amount=part["amount"].fillna(0.0).astype(float), day=day))
    cols = {
        "opportunity_id": pd.Series(dtype=str),
        "amount": pd.Series(dtype=float),
        "k": pd.Series(dtype=int),
        "day": pd.Series(dtype=int),
    }
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(cols)
    out.attrs["windows"] = len(windows)
    return out


_STREAM = 0x1A9E  # the in-period factor's stream, shared by every segment


@dataclass
class Component:
    """The in-period component of one segment: its mean, log-scale spread and the quarters behind it."""

    mean: float
    sigma: float
    values: list[float]

    def draws(self, n: int, seed: int, label: str) -> np.ndarray:
        """``n`` scenario values (mean preserved), from a stream seeded by ``seed`` alone: every
        segment shares one in-period factor per scenario, so a segment draws the same whichever
        view shows it -- a row of the CFO's breakdown (label ``EMEA``) or the EMEA lead's own
        forecast (label ``total``). ``label`` is kept for callers; it no longer picks the stream."""
        if self.mean <= 0:
            return np.zeros(n)
        rng = np.random.default_rng([seed, _STREAM])
        return self.mean * np.exp(self.sigma * rng.standard_normal(n) - self.sigma**2 / 2)


def estimate(values: list[float]) -> Component:
    """A lognormal component from past quarters' values (``values[0]`` the latest)."""
    v = np.asarray(values, float)
    if len(v) < MIN_QUARTERS or v.sum() <= 0:
        return Component(float(v.mean()) if len(v) else 0.0, 0.0, [float(x) for x in v])
    pos = np.maximum(v, 0.05 * v[v > 0].mean())
    sigma = float(np.std(np.log(pos), ddof=1) * np.sqrt(1 + 1 / len(v)))
    return Component(float(v.mean()), min(sigma, 1.5), [float(x) for x in v])


def components(
    hist: pd.DataFrame, keys: pd.Series | None, windows: int | None = None
) -> dict[str, Component]:
    """Per segment (``keys``: a label per row of ``hist``, or ``None`` for the total) the component.

    ``windows`` is how many analog quarters ``hist`` covers (default ``hist.attrs["windows"]``): a
    quarter in which a segment won nothing counts as 0, not as missing.
    """
    n = windows if windows is not None else int(hist.attrs.get("windows", 0))
    if hist.empty or n == 0:
        return {}
    labels = keys if keys is not None else pd.Series("total", index=hist.index)
    out = {}
    for label, grp in hist.groupby(labels):
        per_k = grp.groupby("k")["amount"].sum().reindex(range(n), fill_value=0.0)
        out[str(label)] = estimate(per_k.tolist())
    return out
