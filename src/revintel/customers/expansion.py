"""Expansion: the propensity to expand in the next two quarters, whitespace and expected expansion ARR.

* **Propensity.** Every live customer at each quarter start in history is a row; it is labelled 1 when
  an expansion line started in the following 182 days. The features are the churn features (seat
  utilisation, usage growth, tickets, engagement, contract). A logistic regression is fitted on the
  earlier quarters and scored on the latest quarters whose 182 days have passed (time-ordered), beside
  the base rate; then refitted on every row.
* **Whitespace.** Ownership = products on a customer's active subscription lines plus products it bought
  in won deals. For every pair of products, confidence = share of owners of X who also own Y and lift =
  confidence / share of all customers owning Y (association rules over co-ownership, at least
  :data:`MIN_SUPPORT` co-owners and lift above 1). A customer's ideas are the products it lacks
  with the strongest rule from a product it owns.
* **Expected expansion ARR** = P(expand) x the median expansion size (expansion ARR / the customer's ARR
  before it, from history) x the customer's ARR.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.customers import churn
from revintel.customers import estimator as est_mod
from revintel.customers.data import CustomerFrames, load_frames, read
from revintel.customers.features import features, product_list
from revintel.customers.metrics import evaluate
from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

HORIZON_DAYS = 182
TEST_DAYS = 365
MIN_SUPPORT = 5
_cache: dict[tuple, dict[str, Any]] = {}


def quarter_rows(frames: CustomerFrames) -> pd.DataFrame:
    """(account, quarter start) for customers live then, labelled by an expansion in the next 182 days."""
    s = frames.subs
    first = s["start_date"].min()
    quarters = pd.date_range(first.to_period("Q").start_time, frames.as_of, freq="QS")
    exp = s[s["kind"] == "expansion"][["account_id", "start_date"]]
    out = []
    for q in quarters:
        live = s[
            (s["start_date"] < q) & (s["end_date"].isna() | (s["end_date"] >= q)) & (s["kind"] != "expansion")
        ]
        ids = live["account_id"].unique()
        hit = exp[(exp["start_date"] >= q) & (exp["start_date"] < q + pd.Timedelta(days=HORIZON_DAYS))]
        out.append(
            pd.DataFrame(
                {"account_id": ids, "cutoff": q, "expanded": np.isin(ids, hit["account_id"]).astype(int)}
            )
        )
    return (
        pd.concat(out, ignore_index=True)
        if out
        else pd.DataFrame(columns=["account_id", "cutoff", "expanded"])
    )


def expansion_ratios(frames: CustomerFrames) -> np.ndarray:
    """Every historical expansion's ARR as a share of the customer's ARR live when it started."""
    s = frames.subs
    exp = s.loc[s["kind"] == "expansion", ["account_id", "start_date", "arr"]].reset_index(drop=True)
    if exp.empty:
        return np.zeros(0)
    base = s.loc[s["kind"] != "expansion", ["account_id", "start_date", "end_date", "arr"]]
    m = exp.assign(line=exp.index).merge(base, on="account_id", suffixes=("", "_base"))
    live = (m["start_date_base"] <= m["start_date"]) & (
        m["end_date"].isna() | (m["end_date"] >= m["start_date"])
    )
    before = m[live].groupby("line")["arr_base"].sum().reindex(exp.index).fillna(0.0).to_numpy()
    ok = before > 0
    return (exp["arr"].to_numpy(float)[ok] / before[ok]).astype(float)


def expansion_size(frames: CustomerFrames) -> float:
    """Median expansion ARR as a share of the customer's ARR before it (history)."""
    ratios = expansion_ratios(frames)
    return float(np.median(ratios)) if len(ratios) else 0.0


def propensity_model(frames: CustomerFrames) -> dict[str, Any]:
    """Fit and evaluate the expansion propensity (time-ordered); None model when the data cannot tell."""
    if not frames.dated:
        return {"model": None, "card": {"protocol": "none: the data has no dates to learn expansions from"}}
    products = product_list(frames)
    rows = quarter_rows(frames)
    rows = rows[rows["cutoff"] + pd.Timedelta(days=HORIZON_DAYS) <= frames.as_of]
    if rows["expanded"].sum() < 10:
        return {
            "model": None,
            "card": {
                "protocol": f"none: {int(rows['expanded'].sum())} expansions in history, need at least 10"
            },
        }
    f = features(frames, rows, products)
    f["days_to_renewal"], f["lifetime_arr"] = np.nan, f["arr"] * f["tenure_months"] / 12
    design = est_mod.Design.of(f, churn._numeric(f, products))
    split = frames.as_of - pd.Timedelta(days=TEST_DAYS + HORIZON_DAYS)
    train, test = f[f["cutoff"] < split], f[f["cutoff"] >= split]
    y_tr, y_te = train["expanded"].to_numpy(), test["expanded"].to_numpy()
    m = est_mod.fit_cross_calibrated(design, train, y_tr, ("logistic",))
    card = {
        "protocol": "time-ordered: quarters before the test window train, the latest settled quarters test",
        "test": {k: v for k, v in evaluate(m.predict(test), y_te).items() if k != "reliability"},
        "baselines": {
            "base_rate": {
                k: v for k, v in evaluate(np.full(len(y_te), y_tr.mean()), y_te).items() if k != "reliability"
            }
        },
        "rows": {"train": len(train), "test": len(test)},
        "expansion_size": round(expansion_size(frames), 4),
    }
    final = est_mod.fit_cross_calibrated(design, f, f["expanded"].to_numpy(), ("logistic",))
    return {"model": final, "products": products, "card": card}


def ownership(rt: Runtime, frames: CustomerFrames) -> pd.DataFrame:
    """(account_id, product_id) owned: active subscription lines plus products bought in won deals."""
    s = frames.subs
    subs = s[s["status"] == "active"][["account_id", "product_id"]]
    won = read(rt, "opportunities", Scope.everything(), ("account_id", "product_id", "status"))
    won = won[(won["status"] == "won") & won["account_id"].isin(set(s["account_id"]))][
        ["account_id", "product_id"]
    ]
    return pd.concat([subs, won]).dropna().drop_duplicates()


def rules(owned: pd.DataFrame) -> pd.DataFrame:
    """Association rules X -> Y over co-ownership: support (co-owners), confidence and lift."""
    n = owned["account_id"].nunique()
    pairs = owned.merge(owned, on="account_id", suffixes=("_x", "_y"))
    pairs = pairs[pairs["product_id_x"] != pairs["product_id_y"]]
    co = pairs.groupby(["product_id_x", "product_id_y"]).size().rename("support").reset_index()
    have = owned.groupby("product_id").size()
    co["confidence"] = co["support"] / co["product_id_x"].map(have)
    co["lift"] = co["confidence"] / (co["product_id_y"].map(have) / n)
    keep = (co["support"] >= MIN_SUPPORT) & (co["lift"] > 1)
    return co[keep].sort_values(["confidence", "lift"], ascending=False)


def build(rt: Runtime) -> dict[str, Any]:
    """Propensity, size and rules for the current data version (computed once for every scope)."""
    key = (str(rt.settings.home), rt.semantic.data_version())
    if key not in _cache:
        frames = load_frames(rt, Scope.everything())
        fitted = propensity_model(frames)
        owned = ownership(rt, frames)
        _cache[key] = {**fitted, "owned": owned, "rules": rules(owned), "frames": frames}
    return _cache[key]


def expansion_list(rt: Runtime, scope: Scope, top: int = 50) -> dict[str, Any]:
    """Live customers in ``scope`` by expected expansion ARR, with whitespace ideas and evidence."""
    from revintel.customers.scoring import scored

    b = build(rt)
    live = scored(rt, scope)
    if live.empty:
        return {"customers": [], "card": b["card"]}
    if b["model"] is not None:
        rows = live[["account_id"]].assign(cutoff=b["frames"].as_of + pd.Timedelta(days=1))
        f = features(b["frames"], rows, b["products"])
        f["days_to_renewal"], f["lifetime_arr"] = np.nan, f["arr"] * f["tenure_months"] / 12
        p = b["model"].predict(f)
    else:
        p = np.full(len(live), np.nan)
    size = b["card"].get("expansion_size", 0.0)
    names = _product_names(rt)
    out = []
    for i, r in enumerate(live.to_dict("records")):
        ideas = whitespace(b["owned"], b["rules"], r["account_id"], names)
        expected = float(p[i] * size * r["arr"]) if p[i] == p[i] else None
        evidence = []
        if r.get("users_per_seat") == r.get("users_per_seat") and r.get("users_per_seat") is not None:
            evidence.append(f"{100 * r['users_per_seat']:.0f}% of licensed seats in use")
        if r.get("users_trend_6m") == r.get("users_trend_6m") and r.get("users_trend_6m") is not None:
            evidence.append(f"active users {100 * r['users_trend_6m']:+.0f}% over 6 months")
        out.append(
            {
                "account_id": r["account_id"],
                "account": r.get("account"),
                "region": r.get("region"),
                "arr": round(float(r["arr"]), 2),
                "p_expand": None if p[i] != p[i] else round(float(p[i]), 4),
                "expected_expansion_arr": None if expected is None else round(expected, 2),
                "evidence": evidence,
                "whitespace": ideas,
            }
        )
    out.sort(key=lambda o: (-(o["expected_expansion_arr"] or 0), -len(o["whitespace"]), o["account_id"]))
    return {
        "customers": out[:top],
        "card": b["card"],
        "expected_expansion_arr": round(sum(o["expected_expansion_arr"] or 0 for o in out), 2),
    }


def whitespace(
    owned: pd.DataFrame, rules_: pd.DataFrame, account_id: str, names: dict[str, str], top: int = 3
) -> list[dict[str, Any]]:
    """Products ``account_id`` lacks that owners of its products also own, strongest rule first."""
    mine = set(owned.loc[owned["account_id"] == account_id, "product_id"])
    r = rules_[rules_["product_id_x"].isin(mine) & ~rules_["product_id_y"].isin(mine)]
    r = r.drop_duplicates("product_id_y").head(top)
    return [
        {
            "product_id": y,
            "product": names.get(y, y),
            "confidence": round(float(c), 3),
            "lift": round(float(lift), 2),
            "evidence": f"{100 * c:.0f}% of customers who own {names.get(x, x)} also own {names.get(y, y)} "
            f"({lift:.1f}x the overall rate, {int(sup)} customers)",
        }
        for x, y, sup, c, lift in r[
            ["product_id_x", "product_id_y", "support", "confidence", "lift"]
        ].itertuples(index=False)
    ]


def _product_names(rt: Runtime) -> dict[str, str]:
    t = rt.warehouse.execute(rt.warehouse.table("products").select("product_id", "name"))
    return dict(zip(t["product_id"], t["name"], strict=True))
