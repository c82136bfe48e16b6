"""The forecast for a period and a breakdown: P10/P50/P90, expected, quota and submitted calls.

Revenue in the period = what is already won in it (closed on or before the as-of date) plus,
for each open deal, its amount with probability P(win) x P(close inside the period | win): the
calibrated win model gives the first, the empirical time-to-close the second. The ranges come
from one seeded simulation in which every breakdown row and the total share the same scenarios,
and every deal draws from its own stream (common random numbers), so a region's range is the
same on the CFO's breakdown and on that region's lead's page.
Beside the model: quota for the period (where quotas exist for the dimension) and the latest
commit / best case / pipeline the reps submitted on or before the as-of date.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.deals import model as win_model
from revintel.deals.data import DIMENSIONS, derived
from revintel.deals.horizon import period_probabilities, resolve_period
from revintel.deals.scoring import finite, open_deals, won_between
from revintel.errors import Forbidden, InvalidRequest
from revintel.forecast import bands, inperiod
from revintel.forecast import weekly as weeks
from revintel.forecast.simulate import Scenarios, expected, simulate
from revintel.memo import remember
from revintel.scope import Scope
from revintel.text import nearest

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.semantic.time import Period


@dataclass
class ForecastRow:
    """One row of a forecast: the total, or one value of the breakdown dimension."""

    key: str
    deals: int
    pipeline: float
    won_to_date: float
    expected: float
    p10: float
    p50: float
    p90: float
    quota: float | None = None
    gap_to_quota: float | None = None
    commit: float | None = None
    best_case: float | None = None
    submitted_pipeline: float | None = None
    in_period: float = 0.0


@dataclass
class Forecast:
    """A period forecast with its rows, total and provenance."""

    period: dict[str, str]
    as_of: str
    by: str | None
    total: ForecastRow
    rows: list[ForecastRow]
    scenarios: int
    seed: int
    model: dict[str, Any]
    scope: dict[str, Any] = field(default_factory=dict)
    weekly: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_dimension(by: str | None) -> None:
    if by is not None and by not in DIMENSIONS:
        raise InvalidRequest(
            f"cannot break the forecast down by {by!r}",
            hint=nearest(by, DIMENSIONS) or "one of: " + ", ".join(DIMENSIONS),
            details={"value": by, "expected": ", ".join(DIMENSIONS)},
        )


def _keys(frame: pd.DataFrame, by: str | None) -> pd.Series:
    if by is None:
        return pd.Series("total", index=frame.index)
    if by not in frame.columns:
        return pd.Series("(unknown)", index=frame.index)
    return frame[by].fillna("(unknown)").astype(str)


def _beside(rt: Runtime, scope: Scope, period: Period, as_of: dt.date, by: str | None) -> dict[str, dict]:
    """Quota and the latest submitted calls per key (only dimensions the quota tables carry)."""
    out: dict[str, dict] = {}
    try:
        q = derived(rt, "quotas", scope)
        s = derived(rt, "forecast_submissions", scope)
    except Forbidden:  # e.g. a service-line scope: quotas are per rep, not per capability
        return out
    if len(q) and (by is None or by in q.columns):
        q = q[
            (pd.to_datetime(q["period_start"]) >= pd.Timestamp(period.start))
            & (pd.to_datetime(q["period_end"]) <= pd.Timestamp(period.end))
        ]
        for k, v in q.groupby(_keys(q, by))["amount"].sum().items():
            out.setdefault(str(k), {})["quota"] = float(v)
    if len(s) and (by is None or by in s.columns):
        ps = pd.to_datetime(s["period_start"])
        s = s[
            (ps >= pd.Timestamp(period.start))
            & (ps <= pd.Timestamp(period.end))
            & (pd.to_datetime(s["submitted_on"]) <= pd.Timestamp(as_of))
        ]
        s = s.sort_values("submitted_on").groupby(["rep_id", "period_start"]).tail(1)
        cols = {
            "commit_amount": "commit",
            "best_case_amount": "best_case",
            "pipeline_amount": "submitted_pipeline",
        }
        for k, grp in s.groupby(_keys(s, by)):
            for src, dst in cols.items():
                out.setdefault(str(k), {})[dst] = float(grp[src].sum())
    return out


def forecast(
    rt: Runtime,
    scope: Scope,
    period: str | Period | None = None,
    by: str | None = None,
    as_of: dt.date | None = None,
    scenarios: int = 10_000,
    seed: int = 0,
    weekly: bool = False,
) -> Forecast:
    """Forecast revenue for ``period`` within ``scope``, optionally broken down ``by`` a dimension.

    With ``weekly``, the result also holds the period week by week (:mod:`revintel.forecast.weekly`):
    cumulative expected revenue, its P10-P90 band and the actuals so far, from the same scenarios;
    the last week is the total.

    The result is kept beside the runtime per data version, models, band scale, scope and
    parameters (:mod:`revintel.memo`): the precomputation fills every persona's Forecast page once
    per load, and the page, the API, the brief and Ask then read the same figures.

    Raises:
        InvalidRequest: unknown dimension or unreadable period.
    """
    check_dimension(by)
    as_of = as_of or rt.as_of()
    per = (
        period
        if not isinstance(period, str | type(None))
        else resolve_period(period, as_of, rt.settings.fiscal_year_start_month)
    )
    band = bands.calibrated(rt, scope, as_of)
    key = (repr(scope.to_dict()), per.start, per.end, per.label, by, as_of, scenarios, seed, weekly, band)
    kept = remember(
        rt, "forecast", key, lambda: _forecast(rt, scope, per, by, as_of, (scenarios, seed), weekly, band)
    )
    return copy.deepcopy(kept)  # callers may change what they were given; the kept one stays as computed


def _forecast(
    rt: Runtime,
    scope: Scope,
    per: Period,
    by: str | None,
    as_of: dt.date,
    sim: tuple[int, int],
    weekly: bool,
    band: float | None,
) -> Forecast:
    scenarios, seed = sim
    model = win_model.ensure(rt, as_of)
    deals = open_deals(rt, scope, as_of)
    probs = deals["p_win"].to_numpy(float) * period_probabilities(model, deals, per, as_of)
    amounts = deals["amount"].fillna(0.0).to_numpy(float)
    opps = derived(rt, "opportunities", scope)
    won = won_between(opps, per.start, min(per.end, as_of))
    new = (
        inperiod.history(opps, per, as_of)
        if per.end > as_of
        else inperiod.history(opps.iloc[0:0], per, as_of)
    )
    ends = weeks.week_ends(per) if weekly else []
    steps = (
        deals["p_win"].to_numpy(float)[:, None] * weeks.step_probabilities(model, deals, per, as_of, ends)
        if weekly
        else None
    )
    shape = weeks.inperiod_shape(new, per, ends) if weekly else None
    rows, sims = _breakdown(
        deals, won, new, amounts, probs, by, (scenarios, seed, model.card.period_shock_sd), steps, shape
    )
    for r in rows:
        r.p10, r.p90 = bands.widen(r.p10, r.p50, r.p90, band, r.won_to_date)
    beside = _beside(rt, scope, per, as_of, by)
    for r in rows:
        _set_beside(r, beside.get(r.key, {}))
    done = float(won["amount"].sum())
    total = _row(
        "total",
        len(deals),
        amounts,
        probs,
        done,
        sims.totals.sum(axis=1) + done,
        _beside(rt, scope, per, as_of, None).get("total", {}),
        sum(r.in_period for r in rows),
    )
    total.p10, total.p90 = bands.widen(total.p10, total.p50, total.p90, band, total.won_to_date)
    rows.sort(key=lambda r: -r.expected)
    by_week: list[dict[str, Any]] = []
    if steps is not None and shape is not None and sims.cumulative is not None:
        open_by_week = amounts @ steps if len(amounts) else np.zeros(len(ends))
        by_week = weeks.points(
            ends, as_of, won, sims.cumulative, open_by_week, total.in_period, shape, band, total
        )
    return Forecast(
        period={"start": per.start.isoformat(), "end": per.end.isoformat(), "label": per.label},
        as_of=as_of.isoformat(),
        by=by,
        total=total,
        rows=rows if by else [total],
        scenarios=scenarios,
        seed=seed,
        model={
            "version": model.card.version,
            "words": model.card.describe(),
            "calibration": model.card.calibration,
            "brier": model.card.metrics.get("brier"),
            "auc": model.card.metrics.get("auc"),
            "period_shock_sd": model.card.period_shock_sd,
            "selected": model.card.selected,
            "band_scale": band,
        },
        scope=scope.to_dict(),
        weekly=by_week,
    )


def _breakdown(
    deals: pd.DataFrame,
    won: pd.DataFrame,
    new: pd.DataFrame,
    amounts: np.ndarray,
    probs: np.ndarray,
    by: str | None,
    sim: tuple[int, int, float],
    steps: np.ndarray | None = None,
    shape: np.ndarray | None = None,
) -> tuple[list[ForecastRow], Scenarios]:
    """One simulation shared by every row of the breakdown (rows add up to the total per scenario).

    ``new`` is the in-period history (:func:`revintel.forecast.inperiod.history`): each row's
    scenarios add its segment's draws of deals yet to be created and won in the period, and the
    totals are the sum of the rows.
    """
    scenarios, seed, shock = sim
    keys, won_keys = _keys(deals, by), _keys(won, by)
    comps = inperiod.components(new, _keys(new, by) if by else None)
    labels = sorted(set(keys) | set(won_keys) | set(comps)) if by else ["total"]
    codes = pd.Categorical(keys, categories=labels).codes if by else None
    ids = deals["opportunity_id"].astype(str).tolist() if "opportunity_id" in deals else None
    sims = simulate(amounts, probs, scenarios, seed, groups=codes, shock_sd=shock, keys=ids, steps=steps)
    if sims.totals.shape[1] < len(labels):  # segments with wins or in-period history but no open deal
        pad = np.zeros((scenarios, len(labels) - sims.totals.shape[1]))
        sims.totals = np.hstack([sims.totals, pad])
    won_by = won.groupby(won_keys)["amount"].sum()
    rows = []
    for i, label in enumerate(labels):
        m = (keys == label).to_numpy()
        done = float(won_by.get(label, 0.0))
        comp = comps.get(label)
        drawn = comp.draws(scenarios, seed, label) if comp else np.zeros(scenarios)
        sims.totals[:, i] += drawn
        if sims.cumulative is not None and shape is not None:  # spread over the weeks it closes in
            sims.cumulative += drawn[:, None] * shape[None, :]
        col = sims.totals[:, i] + done
        rows.append(
            _row(label, int(m.sum()), amounts[m], probs[m], done, col, {}, comp.mean if comp else 0.0)
        )
    return rows, sims


def _set_beside(row: ForecastRow, beside: dict) -> None:
    quota = beside.get("quota")
    row.quota = finite(quota)
    row.gap_to_quota = None if quota is None else float(quota - row.p50)
    row.commit, row.best_case = beside.get("commit"), beside.get("best_case")
    row.submitted_pipeline = beside.get("submitted_pipeline")


def _row(
    label: str,
    n: int,
    amounts: np.ndarray,
    probs: np.ndarray,
    done: float,
    col: np.ndarray,
    beside: dict,
    in_period: float = 0.0,
) -> ForecastRow:
    p10, p50, p90 = (float(x) for x in np.quantile(col, (0.1, 0.5, 0.9)))
    quota = beside.get("quota")
    return ForecastRow(
        key=label,
        deals=n,
        pipeline=float(amounts.sum()),
        won_to_date=done,
        expected=done + expected(amounts, probs) + in_period,
        in_period=in_period,
        p10=p10,
        p50=p50,
        p90=p90,
        quota=finite(quota),
        gap_to_quota=None if quota is None else float(quota - p50),
        commit=beside.get("commit"),
        best_case=beside.get("best_case"),
        submitted_pipeline=beside.get("submitted_pipeline"),
    )
