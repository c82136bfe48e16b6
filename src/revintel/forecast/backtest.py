"""Backtest: replay past quarters from what was known the day before each started.

For every complete quarter the history allows (up to ``periods``), a win model is trained as of
the day before the quarter, and the forecast is rebuilt as it would have been made then: the open
pipeline (P(win) x P(close in the quarter | win) per deal) plus the in-period component (deals
created and won inside the quarter, from the four quarters before it). It is compared with what
the quarter actually booked (every deal won in it).

Per quarter: P10-P90 and the nine deciles, the actual, whether it fell inside, PIT, CRPS and the
interval score; the two naive forecasts a RevOps analyst would otherwise use — the CRM-weighted
pipeline (amount x CRM probability of open deals expected to close in the quarter) and last
quarter's actual — with their errors; and the win model's Brier score and calibration error on
those deals' outcomes. Bands are calibrated in time order: each quarter's range is stretched
around its median by the factor that would have put 80% of the *earlier* quarters' actuals
inside P10-P90 (``band_scale``; 1 until three earlier quarters exist), so no quarter's band is
tuned on its own outcome. Overall: coverage per quantile (raw and calibrated), the PIT
histogram, mean CRPS and interval score beside the naive forecasts', and the band scale the live
forecast applies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.deals import metrics
from revintel.deals import model as win_model
from revintel.deals.data import DealFrames, load_frames
from revintel.deals.horizon import period_probabilities, resolve_period
from revintel.deals.scoring import visible_ids, won_between
from revintel.errors import InvalidRequest
from revintel.forecast import BACKTEST_PERIODS, bands, inperiod
from revintel.forecast import scoring as rules
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


@dataclass
class Replay:
    """One past quarter replayed over every deal (a system job, shared by every scope).

    Attributes:
        period: the quarter.
        deals: the pipeline open the day before it, one row per deal: ``opportunity_id``,
            ``amount``, ``p_win``, ``p_period`` (P(close in the quarter | win)), ``final_status``
            and ``final_close``.
        won: deals won with a close date in the quarter (``opportunity_id``, ``amount``).
        new: the in-period history known the day before (:func:`inperiod.history`).
        prev: deals won in the quarter before (the naive "last quarter's actual").
        card: what the per-scope evaluation needs of that day's model (``period_shock_sd``,
            ``calibration``, ``reference_rate``).
    """

    period: Period
    deals: pd.DataFrame
    won: pd.DataFrame
    card: dict[str, Any]
    new: pd.DataFrame
    prev: pd.DataFrame


_REPLAY_COLUMNS = (
    "opportunity_id",
    "amount",
    "p_win",
    "p_period",
    "final_status",
    "final_close",
    "close_date",
    "crm_probability",
)
_FORMAT = "v2"  # bump when the stored replay changes shape
_replays: dict[str, Replay] = {}
_replays_lock = threading.Lock()


def _previous(period: Period) -> tuple[dt.date, dt.date]:
    end = period.start - dt.timedelta(days=1)
    return dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


def replay(rt: Runtime, frames: DealFrames | None, period: Period) -> Replay:
    """The quarter ``period`` replayed over every deal: a model trained the day before, its scores.

    Cached per data fingerprint and quarter in memory and under ``<home>/models/backtest/``, so
    every scope (and a restarted process) derives its backtest from the same replay by filtering.

    Raises:
        InvalidRequest: too little history before the quarter to train a model.
    """
    day_before = period.start - dt.timedelta(days=1)
    raw = f"{_FORMAT}|{win_model.fingerprint(rt)}|{period.start}|{period.end}"
    key = hashlib.sha256(raw.encode()).hexdigest()[:16]
    with _replays_lock:
        hit = _replays.get(key)
    if hit is not None:
        return hit
    folder = rt.settings.home / "models" / "backtest" / "replays"
    path = folder / f"{key}.json"
    names = ("deals", "won", "new", "prev")
    if path.exists():
        saved = json.loads(path.read_text())
        if "skipped" in saved:
            raise InvalidRequest(saved["skipped"])
        tables = {n: pd.read_parquet(folder / f"{key}-{n}.parquet") for n in names}
        out = Replay(period, tables["deals"], tables["won"], saved["card"], tables["new"], tables["prev"])
    else:
        frames = frames if frames is not None else load_frames(rt, Scope.everything())
        folder.mkdir(parents=True, exist_ok=True)
        try:
            model = win_model.train(rt, day_before, frames=frames, save=False)
        except InvalidRequest as exc:
            path.write_text(json.dumps({"skipped": exc.message}))
            raise
        deals = win_model.score(model, frames, day_before).reset_index(drop=True)
        deals["p_period"] = period_probabilities(model, deals, period, day_before)
        deals = deals[list(_REPLAY_COLUMNS)]
        cols = ["opportunity_id", "amount"]
        won = won_between(frames, period.start, period.end)[cols].reset_index(drop=True)
        prev = won_between(frames, *_previous(period))[cols].reset_index(drop=True)
        new = inperiod.history(frames.opps, period, day_before)
        card = {
            "period_shock_sd": model.card.period_shock_sd,
            "calibration": model.card.calibration,
            "reference_rate": model.card.metrics.get("reference_rate"),
            "selected": model.card.selected,
            "in_period_windows": int(new.attrs.get("windows", 0)),
        }
        new = new[["opportunity_id", "amount", "k"]].reset_index(drop=True)
        for n, t in zip(names, (deals, won, new, prev), strict=True):
            t.to_parquet(folder / f"{key}-{n}.parquet", index=False)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"card": card}, default=float))
        tmp.replace(path)
        out = Replay(period, deals, won, card, new, prev)
    with _replays_lock:
        _replays[key] = out
    return out


def _scenarios(rep: Replay, deals: pd.DataFrame, new: pd.DataFrame, sim: tuple[int, int]) -> np.ndarray:
    """The quarter's revenue scenarios as forecast the day before: open pipeline + in-period component."""
    scenarios, seed = sim
    probs = deals["p_win"].to_numpy(float) * deals["p_period"].to_numpy(float)
    amounts = deals["amount"].fillna(0).to_numpy(float)
    ids = deals["opportunity_id"].astype(str).tolist()
    totals = simulate(amounts, probs, scenarios, seed, shock_sd=rep.card["period_shock_sd"], keys=ids).totals[
        :, 0
    ]
    comp = inperiod.components(new, None, rep.card.get("in_period_windows", 0)).get("total")
    return totals + (comp.draws(scenarios, seed, "total") if comp else 0.0)


def _naive(rep: Replay, deals: pd.DataFrame, prev: pd.DataFrame) -> dict[str, float | None]:
    """The two naive forecasts: CRM-weighted pipeline due in the quarter, and last quarter's actual."""
    close = pd.to_datetime(deals["close_date"])
    due = (close >= pd.Timestamp(rep.period.start)) & (close <= pd.Timestamp(rep.period.end))
    crm = deals["crm_probability"].astype(float)
    weighted = (
        None if crm.isna().mean() > 0.5 else float((deals["amount"].fillna(0) * crm.fillna(0))[due].sum())
    )
    return {"crm_weighted_pipeline": weighted, "last_quarter_actual": float(prev["amount"].sum())}


def _period_row(
    rep: Replay, ids: set[str] | None, sim: tuple[int, int], known_by: dt.date
) -> tuple[dict[str, Any], np.ndarray]:
    """One replayed quarter within a scope: the forecast as of the day before, against what it booked."""
    period = rep.period
    day_before = period.start - dt.timedelta(days=1)
    deals, won, new, prev = rep.deals, rep.won, rep.new, rep.prev
    if ids is not None:
        deals = deals[deals["opportunity_id"].isin(ids)].reset_index(drop=True)
        won, new, prev = (t[t["opportunity_id"].isin(ids)] for t in (won, new, prev))
    samples = _scenarios(rep, deals, new, sim)
    probs = deals["p_win"].to_numpy(float) * deals["p_period"].to_numpy(float)
    amounts = deals["amount"].fillna(0).to_numpy(float)
    from_pipeline = float(won.loc[won["opportunity_id"].isin(set(deals["opportunity_id"])), "amount"].sum())
    actual = float(won["amount"].sum())
    closed = deals[
        deals["final_status"].isin(["won", "lost"]) & (deals["final_close"] <= pd.Timestamp(known_by))
    ]
    quality = metrics.summary(
        closed["p_win"].to_numpy(),
        (closed["final_status"] == "won").to_numpy(int),
        reference_rate=rep.card.get("reference_rate"),
    )
    comp = inperiod.components(new, None, rep.card.get("in_period_windows", 0)).get("total")
    row = {
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "as_of": day_before.isoformat(),
        "deals": len(deals),
        "expected": expected(amounts, probs) + (comp.mean if comp else 0.0),
        "expected_pipeline": expected(amounts, probs),
        "expected_in_period": comp.mean if comp else 0.0,
        "actual": actual,
        "actual_pipeline": from_pipeline,
        "actual_new": actual - from_pipeline,
        "naive": _naive(rep, deals, prev),
        "brier": quality["brier"],
        "base_rate_brier": quality["base_rate_brier"],
        "ece": quality["ece"],
        "auc": quality["auc"],
        "n_scored": len(closed),
        "calibration": rep.card["calibration"],
        "win_model": rep.card.get("selected", "model"),
    }
    return row, samples


def replays(rt: Runtime, periods: int = 4, as_of: dt.date | None = None) -> tuple[list[Replay], list[dict]]:
    """The last ``periods`` quarters before ``as_of`` replayed over every deal, and those skipped."""
    as_of = as_of or rt.as_of()
    frames: DealFrames | None = None
    out, skipped = [], []
    for period in past_quarters(as_of, periods, rt.settings.fiscal_year_start_month):
        try:
            out.append(replay(rt, frames, period))
        except InvalidRequest as exc:
            skipped.append({"period": period.label, "reason": exc.message})
    return out, skipped


DEFAULT_PERIODS = BACKTEST_PERIODS


def _score_quarters(rows: list[dict[str, Any]], samples: list[np.ndarray]) -> float:
    """Fill each row's ranges, coverage and scores; bands stretched by what earlier quarters needed.

    Returns the band scale that all the quarters together call for (what the live forecast uses).
    """
    required: list[float] = []
    for row, raw in zip(rows, samples, strict=True):
        scale = rules.band_scale(required)
        cal = rules.stretch(raw, scale)
        y = row["actual"]
        qs = np.quantile(cal, rules.QUANTILES)
        raw_p10, raw_p90 = np.quantile(raw, (0.1, 0.9))
        row.update(
            {
                "band_scale": scale,
                "p10": float(qs[0]),
                "p50": float(qs[4]),
                "p90": float(qs[-1]),
                "quantiles": {
                    f"p{round(q * 100)}": float(v) for q, v in zip(rules.QUANTILES, qs, strict=True)
                },
                "raw_p10": float(raw_p10),
                "raw_p90": float(raw_p90),
                "covered": bool(qs[0] <= y <= qs[-1]),
                "covered_raw": bool(raw_p10 <= y <= raw_p90),
                "pit": rules.pit(cal, y),
                "crps": rules.crps(cal, y),
                "interval_score": rules.interval_score(float(qs[0]), float(qs[-1]), y),
                "ape_p50": abs(float(qs[4]) - y) / y if y > 0 else None,
            }
        )
        required.append(rules.required_scale(raw, y))
    return rules.band_scale(required)


def _naive_summary(rows: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """MAPE, CRPS (the absolute error of a point forecast) and, from the third quarter on, an interval
    score for a naive forecast whose P10-P90 come from its own earlier errors (actual / forecast)."""
    pts = [(r["naive"][name], r["actual"]) for r in rows]
    if any(f is None for f, _ in pts) or not pts:
        return None
    ratios: list[float] = []
    scores, model_scores = [], []
    for (f, y), r in zip(pts, rows, strict=True):
        if len(ratios) >= 3 and f > 0:
            lo, hi = np.quantile(ratios, (0.1, 0.9))
            scores.append(rules.interval_score(f * lo, f * hi, y))
            model_scores.append(r["interval_score"])
        if f > 0:
            ratios.append(y / f)
    apes = [abs(f - y) / y for f, y in pts if y > 0]
    return {
        "mape": float(np.mean(apes)) if apes else None,
        "crps": float(np.mean([abs(f - y) for f, y in pts])),
        "interval_score": float(np.mean(scores)) if scores else None,
        "model_interval_score_same_quarters": float(np.mean(model_scores)) if model_scores else None,
        "quarters": len(pts),
    }


def _summary(rows: list[dict[str, Any]], band: float) -> dict[str, Any]:
    pit = [r["pit"] for r in rows]
    coverage = {
        f"p{round(q * 100)}": float(
            np.mean([r["actual"] <= r["quantiles"][f"p{round(q * 100)}"] for r in rows])
        )
        for q in rules.QUANTILES
    }
    apes = [r["ape_p50"] for r in rows if r["ape_p50"] is not None]
    return {
        "quarters": len(rows),
        "coverage_p10_p90": float(np.mean([r["covered"] for r in rows])),
        "coverage_p10_p90_raw": float(np.mean([r["covered_raw"] for r in rows])),
        "coverage": coverage,
        "mape_p50": float(np.mean(apes)) if apes else None,
        "pit": {
            "values": pit,
            "histogram": rules.pit_histogram(pit),
            "sd": float(np.std(pit)),
            "uniform_sd": 0.2887,
        },
        "crps": float(np.mean([r["crps"] for r in rows])),
        "interval_score": float(np.mean([r["interval_score"] for r in rows])),
        "band_scale": band,
        "baselines": {n: _naive_summary(rows, n) for n in ("crm_weighted_pipeline", "last_quarter_actual")},
    }


def backtest(
    rt: Runtime,
    scope: Scope,
    periods: int = DEFAULT_PERIODS,
    as_of: dt.date | None = None,
    scenarios: int = 4_000,
    seed: int = 0,
    use_cache: bool = True,
) -> dict[str, Any]:
    """Replay up to ``periods`` complete quarters before ``as_of`` and score the forecasts.

    Models are trained on every deal (a system job); forecasts and actuals are restricted to the
    deals ``scope`` may see. Results are cached per data fingerprint, scope and as-of date.

    Returns:
        ``rows`` (one per quarter, oldest first) and the summary: ``quarters``,
        ``coverage_p10_p90`` (calibrated bands; ``_raw`` before), ``coverage`` per decile, ``pit``
        (values, histogram), ``crps``, ``interval_score``, ``mape_p50``, ``band_scale`` and
        ``baselines`` (the naive forecasts' MAPE, CRPS and interval score).
    """
    as_of = as_of or rt.as_of()
    key = json.dumps(
        [_FORMAT, win_model.fingerprint(rt), scope.to_dict(), str(as_of), periods, scenarios, seed],
        sort_keys=True,
        default=str,
    )
    path = rt.settings.home / "models" / "backtest" / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"
    if use_cache and path.exists():
        kept = json.loads(path.read_text())
        if periods == BACKTEST_PERIODS and not bands.lookup(rt, scope, as_of)[0]:
            bands.save(rt, scope, as_of, kept.get("band_scale"), kept["periods"])
        return kept
    reps, skipped = replays(rt, periods, as_of)
    ids = None if scope.unrestricted else visible_ids(rt, scope)
    done = [_period_row(rep, ids, (scenarios, seed), as_of) for rep in reps]
    rows = [r for r, _ in done]
    band = _score_quarters(rows, [s for _, s in done]) if rows else 1.0
    if periods == BACKTEST_PERIODS:  # the live ranges follow the standard protocol only
        bands.save(rt, scope, as_of, band, len(rows))
    out = {
        "as_of": as_of.isoformat(),
        "periods": len(rows),
        **(_summary(rows, band) if rows else {"quarters": 0, "coverage_p10_p90": None, "mape_p50": None}),
        "brier": float(np.nanmean([r["brier"] for r in rows])) if rows else None,
        "rows": rows,
        "skipped": skipped,
        "scope": scope.to_dict(),
    }
    out = json.loads(json.dumps(out, default=float).replace("NaN", "null"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out))
    return out
