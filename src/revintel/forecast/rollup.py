"""The forecast for a period and a breakdown: P10/P50/P90, expected, quota and submitted calls.

Revenue in the period = what is already won in it (closed on or before the as-of date) plus,
for each open deal, its amount with probability P(win) x P(close inside the period | win): the
calibrated win model gives the first, the empirical time-to-close the second. The ranges come
from one seeded simulation in which every breakdown row and the total share the same scenarios.
Beside the model: quota for the period (where quotas exist for the dimension) and the latest
commit / best case / pipeline the reps submitted on or before the as-of date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.deals import model as win_model
from revintel.deals.data import DIMENSIONS, load_frames, scoped
from revintel.deals.scoring import finite, open_deals, won_between
from revintel.errors import Forbidden, InvalidRequest
from revintel.forecast.simulate import Scenarios, expected, simulate
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_period(text: str | None, as_of: dt.date, fiscal_start_month: int = 1) -> Period:
    """Parse ``text`` as a period; ``None`` is the quarter in progress on the day after ``as_of``.

    Besides the semantic layer's phrases, ``next quarter``, ``next month`` and ``next year`` work.
    """
    from revintel.semantic.time import parse_period

    if text is None:
        return parse_period("this quarter", as_of + dt.timedelta(days=1), fiscal_start_month)
    norm = text.strip().lower()
    if norm.startswith("next "):
        this = parse_period("this " + norm[5:], as_of, fiscal_start_month)
        return parse_period("this " + norm[5:], this.end + dt.timedelta(days=1), fiscal_start_month)
    return parse_period(text, as_of, fiscal_start_month)


def check_dimension(by: str | None) -> None:
    if by is not None and by not in DIMENSIONS:
        raise InvalidRequest(
            f"cannot break the forecast down by {by!r}",
            hint=nearest(by, DIMENSIONS) or "one of: " + ", ".join(DIMENSIONS),
            details={"value": by, "expected": ", ".join(DIMENSIONS)},
        )


def period_probabilities(
    model: win_model.WinModel, deals: pd.DataFrame, period: Period, as_of: dt.date
) -> np.ndarray:
    """P(close inside ``period`` | win) per open deal, from the empirical time-to-close."""
    if period.end <= as_of or deals.empty:
        return np.zeros(len(deals))
    first = max((period.start - as_of).days, 1)
    return model.timing.prob_between(deals, first, (period.end - as_of).days)


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
        q = rt.warehouse.execute(scoped(rt, "quotas", scope))
        s = rt.warehouse.execute(scoped(rt, "forecast_submissions", scope))
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
) -> Forecast:
    """Forecast revenue for ``period`` within ``scope``, optionally broken down ``by`` a dimension.

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
    model = win_model.ensure(rt, as_of)
    deals = open_deals(rt, scope, as_of)
    probs = deals["p_win"].to_numpy(float) * period_probabilities(model, deals, per, as_of)
    amounts = deals["amount"].fillna(0.0).to_numpy(float)
    won = won_between(load_frames(rt, scope), per.start, min(per.end, as_of))
    rows, sims = _breakdown(deals, won, amounts, probs, by, (scenarios, seed, model.card.period_shock_sd))
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
    )
    rows.sort(key=lambda r: -r.expected)
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
            "calibration": model.card.calibration,
            "brier": model.card.metrics.get("brier"),
            "auc": model.card.metrics.get("auc"),
            "period_shock_sd": model.card.period_shock_sd,
        },
        scope=scope.to_dict(),
    )


def _breakdown(
    deals: pd.DataFrame,
    won: pd.DataFrame,
    amounts: np.ndarray,
    probs: np.ndarray,
    by: str | None,
    sim: tuple[int, int, float],
) -> tuple[list[ForecastRow], Scenarios]:
    """One simulation shared by every row of the breakdown (rows add up to the total per scenario)."""
    scenarios, seed, shock = sim
    keys, won_keys = _keys(deals, by), _keys(won, by)
    labels = sorted(set(keys) | set(won_keys)) if by else ["total"]
    codes = pd.Categorical(keys, categories=labels).codes if by else None
    sims = simulate(amounts, probs, scenarios, seed, groups=codes, shock_sd=shock)
    won_by = won.groupby(won_keys)["amount"].sum()
    rows = []
    for i, label in enumerate(labels):
        m = (keys == label).to_numpy()
        done = float(won_by.get(label, 0.0))
        col = sims.totals[:, i] + done if sims.totals.shape[1] > i else np.full(scenarios, done)
        rows.append(_row(label, int(m.sum()), amounts[m], probs[m], done, col, {}))
    return rows, sims


def _set_beside(row: ForecastRow, beside: dict) -> None:
    quota = beside.get("quota")
    row.quota = finite(quota)
    row.gap_to_quota = None if quota is None else float(quota - row.p50)
    row.commit, row.best_case = beside.get("commit"), beside.get("best_case")
    row.submitted_pipeline = beside.get("submitted_pipeline")


def _row(
    label: str, n: int, amounts: np.ndarray, probs: np.ndarray, done: float, col: np.ndarray, beside: dict
) -> ForecastRow:
    p10, p50, p90 = (float(x) for x in np.quantile(col, (0.1, 0.5, 0.9)))
    quota = beside.get("quota")
    return ForecastRow(
        key=label,
        deals=n,
        pipeline=float(amounts.sum()),
        won_to_date=done,
        expected=done + expected(amounts, probs),
        p10=p10,
        p50=p50,
        p90=p90,
        quota=finite(quota),
        gap_to_quota=None if quota is None else float(quota - p50),
        commit=beside.get("commit"),
        best_case=beside.get("best_case"),
        submitted_pipeline=beside.get("submitted_pipeline"),
    )
