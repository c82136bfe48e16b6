"""A transparent customer health score (0-100), its trend, early-warning rules and churn alerts.

Health is a weighted mean of four component scores, each 0-100 and each a formula a customer-success
manager can say out loud:

* **usage** = 60 x min(active users per seat / 0.8, 1) + 40 x clip(0.5 + users' 6-month change, 0, 1)
  (full marks at 80% of seats in use and usage growing 50%; an account that lost half its users
  scores 0 on the trend part);
* **support** = 100 x (0.5 + mean ticket sentiment in 90 days / 2) - 10 per high or urgent ticket in 90
  days (no tickets: 80);
* **engagement** = 100 when an executive joined a call or meeting in the last 30 days, falling
  linearly to 0 at 180 days (never: 0);
* **commercial** = 40 + 30 x min(months as a customer / 36, 1) + 30 if the customer has expanded.

Default weights (``REVINTEL_HEALTH_WEIGHTS``): usage 0.35, support 0.25, engagement 0.20,
commercial 0.20. The trend compares the score with the same formula 90 days earlier and names the
component that moved it most.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.errors import ConfigError

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

DEFAULT_WEIGHTS = {"usage": 0.35, "support": 0.25, "engagement": 0.20, "commercial": 0.20}
COMPONENTS = tuple(DEFAULT_WEIGHTS)
TREND_DAYS = 90
#: Alert rules: usage down more than this in ~60 days, this many negative tickets in a row, and no
#: executive on a call or meeting for this many days (checked for renewals in the next 90 days).
USAGE_DROP_60D = 0.20
NEGATIVE_RUN = 3
EXEC_DAYS = 21
EXEC_RENEWAL_DAYS = 90
#: A churn probability at or above this raises an alert on its own.
ALERT_P = 0.5


def weights(text: str | None) -> dict[str, float]:
    """Parse ``usage=0.35,support=0.25,...`` (missing components keep their default; sum rescaled to 1).

    Raises:
        ConfigError: an unknown component or a weight that is not a non-negative number.
    """
    out = dict(DEFAULT_WEIGHTS)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in out:
            raise ConfigError(
                f"REVINTEL_HEALTH_WEIGHTS names an unknown component {name!r}",
                hint=f"use {', '.join(COMPONENTS)}",
            )
        try:
            w = float(value)
        except ValueError:
            w = -1.0
        if w < 0:
            raise ConfigError(
                f"REVINTEL_HEALTH_WEIGHTS: {name} has weight {value.strip()!r}",
                hint="expected a number >= 0, e.g. usage=0.4",
            )
        out[name] = w
    total = sum(out.values())
    if total <= 0:
        raise ConfigError(
            "REVINTEL_HEALTH_WEIGHTS: the weights add up to 0", hint="give one a positive weight"
        )
    return {k: v / total for k, v in out.items()}


def components(f: pd.DataFrame) -> pd.DataFrame:
    """The four component scores (0-100) for feature rows ``f``."""
    ups = f["users_per_seat"].astype(float)
    trend = f["users_trend_6m"].astype(float).fillna(0)
    usage = 60 * np.minimum(ups / 0.8, 1).fillna(0.5) + 40 * np.clip(0.5 + trend, 0, 1)
    sent = f["sentiment_90d"].astype(float)
    support = np.clip(100 * (0.5 + sent / 2) - 10 * f["urgent_90d"].fillna(0), 0, 100).where(
        sent.notna(), 80.0
    )
    days = f["days_since_exec"].astype(float)
    engagement = np.clip(100 * (180 - days) / 150, 0, 100).fillna(0.0)
    commercial = (
        40 + 30 * np.minimum(f["tenure_months"].fillna(0) / 36, 1) + 30 * (f["expansions"].fillna(0) > 0)
    )
    return pd.DataFrame(
        {"usage": usage, "support": support, "engagement": engagement, "commercial": commercial},
        index=f.index,
    ).round(1)


def score(comp: pd.DataFrame, w: dict[str, float]) -> pd.Series:
    """The weighted health score 0-100."""
    return sum(comp[k] * w[k] for k in COMPONENTS).round(0)


def trend(now: pd.DataFrame, then: pd.DataFrame, w: dict[str, float]) -> pd.DataFrame:
    """Score change over :data:`TREND_DAYS` and the component whose weighted change moved it most."""
    moved = pd.DataFrame({k: (now[k] - then[k]) * w[k] for k in COMPONENTS}, index=now.index)
    top = moved.abs().idxmax(axis=1)
    return pd.DataFrame(
        {
            "health_change": (score(now, w) - score(then, w)),
            "moved_by": top,
            "moved_points": np.round(_pick(moved, top), 1),
        },
        index=now.index,
    )


def _pick(frame: pd.DataFrame, cols: pd.Series) -> np.ndarray:
    """``frame.loc[i, cols[i]]`` for every row, vectorised."""
    if frame.empty:
        return np.zeros(0)
    j = frame.columns.get_indexer(cols.fillna(frame.columns[0]))
    return frame.to_numpy()[np.arange(len(frame)), j]


def rules_all(f: pd.DataFrame) -> list[list[str]]:
    """:func:`rules` for every row of ``f`` (only rows where a rule can fire are looked at one by one;
    the others share one empty list: treat the lists as read-only)."""
    t = f["users_trend_2m"].astype(float)
    run = f["negative_run"].astype(float).fillna(0)
    near = f["days_left"].astype(float) <= EXEC_RENEWAL_DAYS
    may = ((t <= -USAGE_DROP_60D) | (run >= NEGATIVE_RUN) | near).to_numpy()
    none: list[str] = []
    out = [none] * len(f)
    cols = ["users_trend_2m", "negative_run", "days_left", "days_since_exec"]
    for i, r in zip(np.flatnonzero(may), f[cols].iloc[may].to_dict("records"), strict=True):
        out[i] = rules(r)
    return out


def rules(row: dict[str, Any]) -> list[str]:
    """The early-warning rules that fire for one scored customer, in words."""
    out = []
    t = row.get("users_trend_2m")
    if t is not None and t == t and t <= -USAGE_DROP_60D:
        out.append(f"active users down {100 * -t:.0f}% in 60 days")
    run = row.get("negative_run") or 0
    if run >= NEGATIVE_RUN:
        out.append(f"{int(run)} negative support tickets in a row")
    days = row.get("days_left")
    if days is not None and days == days and days <= EXEC_RENEWAL_DAYS:
        ex = row.get("days_since_exec")
        if ex is None or ex != ex or ex > EXEC_DAYS:
            since = "ever" if ex is None or ex != ex else f"in {int(ex)} days"
            out.append(f"no executive on a call or meeting {since}, renewal within {max(1, int(days))} days")
    return out


def churn_alerts(rt: Runtime, scope: Scope, as_of: dt.date | None = None) -> dict[str, Any]:
    """Churn alerts for the brief: live customers whose rules fire or whose churn risk is high.

    Ranked by ARR at risk (P(churn) x ARR). Each alert carries its reasons; the result carries the
    source description. Customers the scope cannot see never appear.
    """
    from revintel.customers.scoring import scored

    frame = scored(rt, scope)
    alerts = []
    for r in frame.to_dict("records"):
        reasons = list(r["rules"])
        warning = r["p_churn"] >= ALERT_P or any(not x.startswith("no executive") for x in reasons)
        if not warning:
            continue
        reasons.insert(0, f"churn risk {100 * r['p_churn']:.0f}% at renewal")
        alerts.append(
            {
                "account_id": r["account_id"],
                "account": r["account"],
                "arr": float(r["arr"]),
                "renewal_date": r["renewal_date"].date().isoformat() if pd.notna(r["renewal_date"]) else None,
                "p_churn": round(float(r["p_churn"]), 3),
                "arr_at_risk": round(float(r["arr_at_risk"]), 2),
                "health": int(r["health"]),
                "reason": "; ".join(reasons),
                "signals": len(reasons),
            }
        )
    alerts.sort(key=lambda a: (-a["arr_at_risk"], -a["signals"], str(a["account_id"])))
    return {
        "alerts": alerts,
        "sql": None,
        "source": "churn model (calibrated P(churn) at next renewal) and early-warning rules: usage down "
        f"{int(100 * USAGE_DROP_60D)}%+ in 60 days, {NEGATIVE_RUN}+ negative tickets in a row, no executive "
        f"contact in {EXEC_DAYS} days before a renewal within {EXEC_RENEWAL_DAYS} days",
    }
