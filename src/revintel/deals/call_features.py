"""Conversation statistics as win-model features, and whether they earn their place.

:func:`add_call_features` gives each deal open on a date ``T`` what its calls said *before* ``T``
(nothing dated after ``T`` is read):

* ``call_sentiment``: mean customer sentiment (VADER) of its last three calls;
* ``call_talk_ratio``: mean rep share of speaking time of its last three calls;
* ``call_next_step_share``: share of its last three calls where a next step was agreed;
* ``call_objections``: objections raised per call, over all its calls so far;
* ``call_competitor``: a competitor was named on one of its calls (1/0);
* ``call_risk``: a risk phrase ("put on hold", "going with") was said on one of its calls (1/0).

A deal with no call before ``T`` has them missing (LightGBM treats missing as its own branch).

:func:`evaluate` follows the models protocol (:mod:`revintel.deals.protocol`): the same train,
calibration and test windows, labels and leakage checks as ``deals train``; one booster is fitted
on the audited deal features and one on those plus the call features, each calibrated on the
calibration window, and both are scored on the later test window. The call features are worth
serving only if they lower the test Brier score beyond chance (the 95% interval of the change,
resampling deals, lies below 0) without lowering the AUC; the verdict says which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.deals import calibration, leakage, protocol
from revintel.deals.features import CATEGORICAL, FEATURES, label_horizon, labelled_snapshots, prepare_history

if TYPE_CHECKING:
    from revintel.deals.data import DealFrames
    from revintel.runtime import Runtime
    from revintel.scope import Scope

CALL_FEATURES = (
    "call_sentiment",
    "call_talk_ratio",
    "call_next_step_share",
    "call_objections",
    "call_competitor",
    "call_risk",
)
LAST = 3


def call_frame(rt: Runtime, scope: Scope) -> pd.DataFrame:
    """One row per conversation in ``scope`` with a deal: its date and what the trackers and stats found."""
    from revintel.conversations.data import conversations
    from revintel.conversations.stats import all_stats
    from revintel.conversations.tracking import hits

    t = conversations(rt, scope, columns=["conversation_id", "opportunity_id", "occurred_at"])
    calls = rt.warehouse.execute(t.filter(t.opportunity_id.notnull()))
    stats = all_stats(rt)
    table = hits(rt).select(["conversation_id", "kind"]).to_pandas()
    counts = table.groupby(["conversation_id", "kind"]).size().unstack(fill_value=0)
    ids = calls["conversation_id"]

    def count(kind: str) -> pd.Series:
        col = counts[kind] if kind in counts else pd.Series(dtype=float)
        return ids.map(col).fillna(0).astype(float)

    return pd.DataFrame(
        {
            "conversation_id": ids,
            "opportunity_id": calls["opportunity_id"],
            "occurred_at": pd.to_datetime(calls["occurred_at"]),
            "sentiment": [stats.get(c, {}).get("customer_sentiment") for c in ids],
            "talk_ratio": [stats.get(c, {}).get("talk_ratio") for c in ids],
            "next_step": count("next_step").gt(0).astype(float),
            "objections": count("objection"),
            "competitor": count("competitor").gt(0).astype(float),
            "risk": count("risk").gt(0).astype(float),
        }
    ).astype({"sentiment": float, "talk_ratio": float})


def add_call_features(rows: pd.DataFrame, calls: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """``rows`` (deals open on ``when``) with :data:`CALL_FEATURES` from their calls dated up to ``when``."""
    out = rows.copy()
    past = calls[calls["occurred_at"] <= pd.Timestamp(when)].sort_values("occurred_at")
    if past.empty:
        for c in CALL_FEATURES:
            out[c] = np.nan
        return out
    g = past.groupby("opportunity_id")
    last = past.groupby("opportunity_id").tail(LAST).groupby("opportunity_id")
    per = pd.DataFrame(
        {
            "call_sentiment": last["sentiment"].mean(),
            "call_talk_ratio": last["talk_ratio"].mean(),
            "call_next_step_share": last["next_step"].mean(),
            "call_objections": g["objections"].mean(),
            "call_competitor": g["competitor"].max(),
            "call_risk": g["risk"].max(),
        }
    )
    for c in CALL_FEATURES:
        out[c] = out["opportunity_id"].map(per[c]).astype(float)
    return out


def _with_calls(rows: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    parts = [add_call_features(r, calls, when) for when, r in rows.groupby("snapshot", sort=True)]
    return (
        pd.concat(parts, ignore_index=True) if parts else rows.assign(**dict.fromkeys(CALL_FEATURES, np.nan))
    )


def _fit_and_score(
    tr: pd.DataFrame, ca: pd.DataFrame, te: pd.DataFrame, features: list[str]
) -> tuple[dict[str, Any], np.ndarray]:
    from revintel.deals.model import WinModel, _card_stub, _fit_booster

    categories = {c: sorted(map(str, tr[c].dropna().unique())) for c in CATEGORICAL if c in features}
    model = WinModel(
        _fit_booster(tr, categories, features),
        calibration.Calibrator("identity"),
        _card_stub(categories, features),
    )
    cal, _, _ = calibration.choose(
        model.margin(ca), ca["won"].to_numpy(), groups=ca["opportunity_id"].to_numpy()
    )
    model.calibrator = cal
    p = model.calibrated(te)
    rate = float(pd.concat([tr, ca])["won"].mean())
    s = protocol.scores(p, te, rate)
    return {k: s[k] for k in ("auc", "brier", "brier_skill", "log_loss") if k in s}, p


def brier_change_interval(
    rows: pd.DataFrame, p0: np.ndarray, p1: np.ndarray, draws: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """95% interval of the Brier change ``p1`` vs ``p0``, resampling deals (their snapshots together)."""
    y = rows["won"].to_numpy(float)
    diff = (np.asarray(p1) - y) ** 2 - (np.asarray(p0) - y) ** 2
    codes, deals = pd.factorize(rows["opportunity_id"])
    sums = np.bincount(codes, weights=diff, minlength=len(deals))
    counts = np.bincount(codes, minlength=len(deals)).astype(float)
    if len(deals) < 2:
        return float("-inf"), float("inf")
    pick = np.random.default_rng(seed).integers(0, len(deals), (draws, len(deals)))
    boot = sums[pick].sum(axis=1) / counts[pick].sum(axis=1)
    return float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975))


def evaluate(
    rt: Runtime, scope: Scope, as_of: pd.Timestamp, frames: DealFrames | None = None
) -> dict[str, Any]:
    """Test-window AUC and Brier of the win model without and with the call features (see module doc)."""
    from revintel.deals.data import load_frames
    from revintel.deals.model import settle_days

    frames = frames or load_frames(rt, scope)
    as_of = pd.Timestamp(as_of)
    prepared = prepare_history(frames.history)
    w = protocol.windows(frames, as_of, settle_days(frames, as_of))
    horizon = label_horizon(frames, as_of)
    calls = call_frame(rt, scope)
    tr, ca, te = (
        _with_calls(labelled_snapshots(frames, dates, cut, prepared, horizon), calls)
        for dates, cut in ((w.train, w.s1), (w.calibration, w.s2), (w.test, as_of))
    )
    fit_rows = pd.concat([tr, ca], ignore_index=True)
    base, findings = leakage.audit(fit_rows, frames, w.calibration[-1], FEATURES, prepared)
    call_findings = leakage.missingness(fit_rows, list(CALL_FEATURES)) + leakage.values(
        fit_rows, list(CALL_FEATURES)
    )
    flagged = {f.column for f in call_findings}
    kept = [c for c in CALL_FEATURES if c not in flagged]
    for rows in (tr, ca, te):
        for c in CATEGORICAL:
            rows[c] = rows[c].astype("string")
    without, p0 = _fit_and_score(tr, ca, te, list(base))
    with_calls, p1 = _fit_and_score(tr, ca, te, [*base, *kept])
    lo, hi = brier_change_interval(te, p0, p1)
    helps = bool(hi < 0 and with_calls["auc"] >= without["auc"])
    return {
        "as_of": str(as_of.date()),
        "windows": w.describe(as_of),
        "rows": {"train": len(tr), "calibration": len(ca), "test": len(te)},
        "test_deals_with_calls": float(te["call_sentiment"].notna().mean()) if len(te) else 0.0,
        "call_features": kept,
        "call_features_dropped_by_leakage_audit": sorted(flagged),
        "without_calls": without,
        "with_calls": with_calls,
        "brier_change": round(with_calls["brier"] - without["brier"], 5),
        "brier_change_95ci": [round(lo, 5), round(hi, 5)],
        "auc_change": round(with_calls["auc"] - without["auc"], 4),
        "verdict": "keep: the call features lower the test Brier score beyond chance"
        if helps
        else "leave out: no test-window gain beyond chance (the 95% interval of the Brier change "
        "includes 0, or the AUC fell)",
        "helps": helps,
        "n_deal_findings": len(findings),
    }
