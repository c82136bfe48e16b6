"""Backtest: replay past quarters from what was known the day before each started.

For each of the last ``periods`` complete quarters before the as-of date, a win model is trained
as of the day before the quarter (features and labels from that day's snapshots only), the open
pipeline of that day is forecast for the quarter, and the forecast is compared with what those
deals actually won in the quarter. Reported per period: P10/P50/P90, actual, whether the actual
fell inside P10-P90, the P50 error, and the win model's Brier score and calibration error on those
deals' eventual outcomes. Overall: ``coverage_p10_p90`` (should be near 0.8) and ``mape_p50``.

Only the pipeline open at the start is forecast; deals created and won inside the quarter are
reported separately (``actual_new``) and are not part of the comparison.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.deals import metrics
from revintel.deals import model as win_model
from revintel.deals.data import DealFrames, load_frames
from revintel.deals.scoring import visible_ids, won_between
from revintel.errors import InvalidRequest
from revintel.forecast.rollup import period_probabilities, resolve_period
from revintel.forecast.simulate import expected, simulate
from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.semantic.time import Period


def past_quarters(as_of: dt.date, n: int, fiscal_start_month: int = 1) -> list[Period]:
    """The ``n`` most recent complete quarters ending on or before ``as_of``, oldest first."""
    q = resolve_period("this quarter", as_of, fiscal_start_month)
    if q.end > as_of:
        q = resolve_period("last quarter", as_of, fiscal_start_month)
    out = [q]
    while len(out) < n:
        out.append(resolve_period("last quarter", out[-1].start, fiscal_start_month))
    return out[::-1]


def _period_row(
    rt: Runtime,
    frames: DealFrames,
    period: Period,
    ids: set[str] | None,
    sim: tuple[int, int],
    known_by: dt.date,
) -> dict[str, Any]:
    """One replayed quarter: forecast as of the day before it, against what it actually won."""
    scenarios, seed = sim
    day_before = period.start - dt.timedelta(days=1)
    model = win_model.train(rt, day_before, frames=frames, save=False)
    deals = win_model.score(model, frames, day_before)
    if ids is not None:
        deals = deals[deals["opportunity_id"].isin(ids)].reset_index(drop=True)
    probs = deals["p_win"].to_numpy(float) * period_probabilities(model, deals, period, day_before)
    amounts = deals["amount"].fillna(0).to_numpy(float)
    p10, p50, p90 = (
        simulate(amounts, probs, scenarios, seed, shock_sd=model.card.period_shock_sd).quantiles().ravel()
    )
    won = won_between(frames, period.start, period.end)
    if ids is not None:
        won = won[won["opportunity_id"].isin(ids)]
    from_pipeline = won[won["opportunity_id"].isin(set(deals["opportunity_id"]))]
    actual = float(from_pipeline["amount"].sum())
    closed = deals[
        deals["final_status"].isin(["won", "lost"]) & (deals["final_close"] <= pd.Timestamp(known_by))
    ]
    quality = metrics.summary(
        closed["p_win"].to_numpy(),
        (closed["final_status"] == "won").to_numpy(int),
        reference_rate=model.card.metrics.get("reference_rate"),
    )
    return {
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "as_of": day_before.isoformat(),
        "deals": len(deals),
        "expected": expected(amounts, probs),
        "p10": float(p10),
        "p50": float(p50),
        "p90": float(p90),
        "actual": actual,
        "actual_new": float(won["amount"].sum()) - actual,
        "covered": bool(p10 <= actual <= p90),
        "ape_p50": abs(p50 - actual) / actual if actual > 0 else None,
        "brier": quality["brier"],
        "base_rate_brier": quality["base_rate_brier"],
        "ece": quality["ece"],
        "auc": quality["auc"],
        "n_scored": len(closed),
        "calibration": model.card.calibration,
    }


def backtest(
    rt: Runtime,
    scope: Scope,
    periods: int = 4,
    as_of: dt.date | None = None,
    scenarios: int = 4_000,
    seed: int = 0,
    use_cache: bool = True,
) -> dict[str, Any]:
    """Replay the last ``periods`` complete quarters before ``as_of`` and score the forecasts.

    Models are trained on every deal (a system job); forecasts and actuals are restricted to the
    deals ``scope`` may see. Results are cached per data fingerprint, scope and as-of date.
    """
    as_of = as_of or rt.as_of()
    key = json.dumps(
        [win_model.fingerprint(rt), scope.to_dict(), str(as_of), periods, scenarios, seed],
        sort_keys=True,
        default=str,
    )
    path = rt.settings.home / "models" / "backtest" / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"
    if use_cache and path.exists():
        return json.loads(path.read_text())
    frames = load_frames(rt, Scope.everything())
    ids = None if scope.unrestricted else visible_ids(rt, scope)
    rows, skipped = [], []
    for period in past_quarters(as_of, periods, rt.settings.fiscal_year_start_month):
        try:
            rows.append(_period_row(rt, frames, period, ids, (scenarios, seed), as_of))
        except InvalidRequest as exc:
            skipped.append({"period": period.label, "reason": exc.message})
    apes = [r["ape_p50"] for r in rows if r["ape_p50"] is not None]
    out = {
        "as_of": as_of.isoformat(),
        "periods": len(rows),
        "coverage_p10_p90": float(np.mean([r["covered"] for r in rows])) if rows else None,
        "mape_p50": float(np.mean(apes)) if apes else None,
        "brier": float(np.nanmean([r["brier"] for r in rows])) if rows else None,
        "rows": rows,
        "skipped": skipped,
        "scope": scope.to_dict(),
    }
    out = json.loads(json.dumps(out, default=float).replace("NaN", "null"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out))
    return out
