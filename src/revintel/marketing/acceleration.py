"""Does a touch type accelerate deals? Touched deals against matched untouched ones.

For each touch type (a channel, or a campaign), closed deals it touched before they closed are
compared with closed deals it did not touch **in the same stratum**: segment (tier), size band
(amount quartile of all closed deals) and quarter created. The effect is the average over
strata of (touched - untouched), weighted by the touched deals in each stratum (the effect on the
touched), for the win rate and for the cycle time of won deals (days from creation to close).
A 95% interval, Bonferroni-widened for the number of touch types compared, comes from a Poisson
bootstrap (each deal's weight redrawn ~Poisson(1), 500 times, strata kept, the same draws for
every touch type). With fewer than ``min_sample`` matched touched deals, or an interval that
straddles zero, the verdict is "not enough evidence": noise is not ranked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from revintel.marketing import touches as tj
from revintel.marketing.data import MarketingFrames

MIN_SAMPLE = 30
BOOTSTRAP = 500


def _strata(closed: pd.DataFrame) -> pd.Series:
    band = pd.qcut(closed["amount"].rank(method="first"), 4, labels=["S", "M", "L", "XL"])
    quarter = closed["created_date"].dt.to_period("Q").astype(str)
    return closed["tier"].fillna("?").astype(str) + "|" + band.astype(str) + "|" + quarter


def _effect(y: np.ndarray, touched: np.ndarray, stratum: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Touched-minus-untouched mean per stratum, averaged with touched weights; one per row of w."""
    from scipy import sparse

    n_s = int(stratum.max()) + 1
    onehot = sparse.csr_matrix((np.ones(len(y)), (np.arange(len(y)), stratum)), shape=(len(y), n_s))
    wt, wu = w * touched, w * (1 - touched)
    st, su = (onehot.T @ (wt * y).T).T, (onehot.T @ (wu * y).T).T
    nt, nu = (onehot.T @ wt.T).T, (onehot.T @ wu.T).T
    ok = (nt > 0) & (nu > 0)
    diff = np.divide(st, nt, out=np.zeros_like(st), where=ok) - np.divide(
        su, nu, out=np.zeros_like(su), where=ok
    )
    weight = np.where(ok, nt, 0.0)
    total = weight.sum(axis=1)
    return np.divide((diff * weight).sum(axis=1), total, out=np.full(len(w), np.nan), where=total > 0)


def _compare(
    y: np.ndarray, touched: np.ndarray, stratum: np.ndarray, weights: np.ndarray, tests: int
) -> dict[str, Any]:
    codes, _ = pd.factorize(stratum)
    n_t, n_all = np.bincount(codes, touched), np.bincount(codes)
    has_match = ((n_t > 0) & (n_t < n_all))[codes]
    y, touched, codes, weights = y[has_match], touched[has_match], codes[has_match], weights[:, has_match]
    matched = int(touched.sum())
    if matched == 0:
        return {"matched": 0, "effect": None, "low": None, "high": None}
    codes = pd.factorize(codes)[0]
    point = float(_effect(y, touched, codes, np.ones((1, len(y))))[0])
    boot = _effect(y, touched, codes, weights)
    boot = boot[np.isfinite(boot)]
    tail = 2.5 / max(tests, 1)  # Bonferroni over the touch types compared
    low, high = (
        (float(np.percentile(boot, tail)), float(np.percentile(boot, 100 - tail)))
        if len(boot)
        else (None, None)
    )
    return {"matched": matched, "effect": point, "low": low, "high": high}


def _verdict(r: dict[str, Any], min_sample: int, better: str) -> str:
    if r["matched"] < min_sample or r["low"] is None:
        return "not enough evidence"
    if r["low"] > 0:
        return "better" if better == "up" else "worse"
    if r["high"] < 0:
        return "worse" if better == "up" else "better"
    return "not enough evidence"


def _rank(r: dict[str, Any]) -> tuple[bool, float]:
    win: dict[str, Any] = r["win_rate"]
    return (win["verdict"] == "not enough evidence", -(win["effect"] or 0.0))


def acceleration(f: MarketingFrames, by: str = "channel", min_sample: int = MIN_SAMPLE) -> dict[str, Any]:
    """Win rate and cycle time of deals each touch type touched versus matched untouched deals."""
    closed = f.opps[f.opps["status"].isin(["won", "lost"]) & f.opps["close_date"].notna()].copy()
    if closed.empty:
        return {"by": by, "min_sample": min_sample, "rows": []}
    closed["stratum"] = _strata(closed)
    t = tj._touches_per_deal(f).merge(closed[["opportunity_id", "close_date"]], on="opportunity_id")
    t = t[t["touched_at"] <= t["close_date"] + pd.Timedelta(days=1)]
    if by == "campaign":
        t["key"] = t["campaign_id"].map(f.campaigns.set_index("campaign_id")["name"])
    else:
        t["key"] = t["channel"]
    win = closed["status"].eq("won").to_numpy(float)
    days = (closed["close_date"] - closed["created_date"]).dt.days.to_numpy(float)
    won_mask = win > 0
    strata = closed["stratum"].to_numpy()
    rows = []
    keys = sorted(t["key"].dropna().unique())
    # one set of bootstrap weights per deal, shared by every touch type (comparable intervals)
    weights = np.random.default_rng(0).poisson(1.0, (BOOTSTRAP, len(closed))).astype(np.float32)
    for key in keys:
        touched = closed["opportunity_id"].isin(t.loc[t["key"] == key, "opportunity_id"]).to_numpy(float)
        wr = _compare(win, touched, strata, weights, tests=len(keys))
        ct = _compare(
            days[won_mask], touched[won_mask], strata[won_mask], weights[:, won_mask], tests=len(keys)
        )
        rows.append(
            {
                "touch": str(key),
                "touched_deals": int(touched.sum()),
                "win_rate": {**wr, "verdict": _verdict(wr, min_sample, "up")},
                "cycle_days": {**ct, "verdict": _verdict(ct, min_sample, "down")},
            }
        )
    rows.sort(key=_rank)
    return {"by": by, "min_sample": min_sample, "bootstrap": BOOTSTRAP, "rows": rows}
