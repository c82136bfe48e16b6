"""The quarter week by week: cumulative expected revenue with its P10-P90 band and the actuals so far.

Each point is the revenue booked from the start of the period to the end of that week. It comes from
the same simulation as the period forecast (:func:`revintel.forecast.rollup.forecast`): every open
deal draws once per scenario, and its time-to-close distribution says by which week a win lands
(P(win) x P(close by the end of week s | win)), so a deal won by week s stays won after it. The
in-period component (deals not yet created) is spread over the weeks by when such deals closed in the
analog quarters. Wins already booked are the actuals; they are the floor of every later week. The last
week *is* the period forecast: its P10/P50/P90 and expected value are the forecast's own.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.forecast import bands

if TYPE_CHECKING:
    from revintel.deals.model import WinModel
    from revintel.semantic.time import Period

WEEK = dt.timedelta(days=7)


def week_ends(period: Period) -> list[dt.date]:
    """The last day of each week of ``period`` counted from its first day (the last one ends the period)."""
    ends = []
    end = period.start + WEEK - dt.timedelta(days=1)
    while end < period.end:
        ends.append(end)
        end += WEEK
    return [*ends, period.end]


def step_probabilities(
    model: WinModel, deals: pd.DataFrame, period: Period, as_of: dt.date, ends: list[dt.date]
) -> np.ndarray:
    """Per open deal and week, P(close inside the period by that week's end | win) (deals x weeks).

    The last column equals :func:`revintel.deals.horizon.period_probabilities` (same first day, same
    last day), so the last week is the period.
    """
    out = np.zeros((len(deals), len(ends)))
    if deals.empty:
        return out
    first = max((period.start - as_of).days, 1)
    lasts = [(end - as_of).days for end in ends]
    live = [k for k, last in enumerate(lasts) if last >= first]
    if live:
        out[:, live] = model.timing.prob_by(deals, first, [lasts[k] for k in live])
    return np.maximum.accumulate(out, axis=1)


def inperiod_shape(history: pd.DataFrame, period: Period, ends: list[dt.date]) -> np.ndarray:
    """Share of the in-period component booked by each week's end, from when deals created and won in
    the analog quarters closed (days into their quarter); the last week holds all of it."""
    days = np.asarray([(e - period.start).days for e in ends], float)
    if history.empty or "day" not in history or history["amount"].sum() <= 0:
        return np.ones(len(ends))
    order = history.sort_values("day")
    cum = order["amount"].cumsum().to_numpy(float) / float(order["amount"].sum())
    idx = np.searchsorted(order["day"].to_numpy(float), days, side="right")
    shape = np.where(idx > 0, cum[np.maximum(idx - 1, 0)], 0.0)
    shape[-1] = 1.0
    return np.maximum.accumulate(shape)


def points(
    ends: list[dt.date],
    as_of: dt.date,
    won: pd.DataFrame,
    cumulative: np.ndarray,
    expected_open: np.ndarray,
    inperiod_mean: float,
    shape: np.ndarray,
    band: float | None,
    total: Any,
) -> list[dict[str, Any]]:
    """One dict per week: ``week_end``, ``expected``, ``p10``, ``p50``, ``p90`` (cumulative, the band
    stretched like the forecast's) and ``actual`` (booked by the week's end, or to the as-of date in the
    week it falls in; None for weeks not begun yet).

    ``cumulative`` is scenarios x weeks (open deals and in-period draws), ``expected_open`` the
    expected value of the open deals by each week, ``total`` the period forecast's total row.
    """
    closes = pd.to_datetime(won["close_date"]) if len(won) else pd.Series(dtype="datetime64[ns]")
    amounts = won["amount"].to_numpy(float) if len(won) else np.zeros(0)
    out = []
    for k, end in enumerate(ends):
        booked = float(amounts[(closes <= pd.Timestamp(min(end, as_of))).to_numpy()].sum())
        if k == len(ends) - 1:  # the last week is the period forecast itself
            exp_v, p10, p50, p90 = total.expected, total.p10, total.p50, total.p90
        else:
            col = cumulative[:, k] + booked
            p10, p50, p90 = (float(x) for x in np.quantile(col, (0.1, 0.5, 0.9)))
            p10, p90 = bands.widen(p10, p50, p90, band, booked)
            exp_v = booked + float(expected_open[k]) + inperiod_mean * float(shape[k])
        out.append(
            {
                "week_end": end.isoformat(),
                "expected": exp_v,
                "p10": p10,
                "p50": p50,
                "p90": p90,
                "actual": booked if end - WEEK < as_of else None,  # weeks begun by the as-of date
            }
        )
    # revenue booked to date never falls: Monte Carlo noise, the small-deal normal tail or the band's
    # stretch could make one week's quantile exceed a later one; each is capped by the later weeks
    for key in ("expected", "p10", "p50", "p90"):
        capped = np.minimum.accumulate(np.asarray([w[key] for w in out], float)[::-1])[::-1]
        for w, v in zip(out, capped, strict=True):
            w[key] = float(v) if w is not out[-1] else w[key]
    return out
