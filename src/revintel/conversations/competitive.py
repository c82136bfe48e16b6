"""Competitive intelligence from the calls in scope.

* **Heatmap**: conversations mentioning each competitor per 100 conversations, by region x
  industry (sector) x quarter, with the change from the previous quarter; plus the region x quarter
  roll-up, where a surge is easiest to see.
* **Win rate with and without** each competitor: closed deals whose conversations name it vs the
  others, with 95% Wilson intervals.
* **Objections by stage** (the deal's stage on the day of the call) and the win rate of closed
  deals where each objection was raised.
* **Price points** mentioned in the same turn as each competitor.
* **Feature gaps**: the customers' missing-feature sentences, clustered (TF-IDF over word keys,
  agglomerative, cosine).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from revintel.conversations.data import check_domain, conversations, records
from revintel.conversations.tracking import scoped_hits

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

Z = 1.96


def quarter(day: dt.date | dt.datetime) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def previous_quarter(q: str) -> str:
    year, n = int(q[:4]), int(q[-1])
    return f"{year - 1}-Q4" if n == 1 else f"{year}-Q{n - 1}"


def wilson(successes: int, n: int) -> tuple[float | None, float | None]:
    """95% Wilson score interval of a proportion."""
    if n == 0:
        return None, None
    p = successes / n
    centre = p + Z * Z / (2 * n)
    margin = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    denom = 1 + Z * Z / n
    return round(max(0.0, (centre - margin) / denom), 3), round(min(1.0, (centre + margin) / denom), 3)


def _rate(won: int, n: int) -> dict[str, Any]:
    lo, hi = wilson(won, n)
    return {"deals": n, "won": won, "win_rate": round(won / n, 3) if n else None, "ci_low": lo, "ci_high": hi}


def _heat(
    convs: dict[str, dict[str, Any]], mentions: dict[str, set[str]], keys: tuple[str, ...]
) -> list[dict[str, Any]]:
    calls: Counter[tuple[Any, ...]] = Counter()
    for c in convs.values():
        calls[(*(c[k] for k in keys), quarter(c["occurred_at"]))] += 1
    cells = []
    for name, ids in sorted(mentions.items()):
        hit: Counter[tuple[Any, ...]] = Counter()
        for cid in ids:
            c = convs[cid]
            hit[(*(c[k] for k in keys), quarter(c["occurred_at"]))] += 1
        for cell, n in calls.items():
            per = 100 * hit[cell] / n
            prev_cell = (*cell[:-1], previous_quarter(cell[-1]))
            prev_n = calls.get(prev_cell, 0)
            prev = 100 * hit[prev_cell] / prev_n if prev_n else None
            row = {"competitor": name, **dict(zip(keys, cell[:-1], strict=True)), "quarter": cell[-1]}
            row.update(
                calls=n,
                mentions=hit[cell],
                prev_calls=prev_n,
                prev_mentions=hit[prev_cell],
                per_100=round(per, 1),
                prev_per_100=None if prev is None else round(prev, 1),
                change=None if prev is None else round(per - prev, 1),
            )
            cells.append(row)
    cells.sort(key=lambda r: (r["competitor"], *(str(r[k]) for k in keys), r["quarter"]))
    return cells


def _deals(rt: Runtime, scope: Scope) -> dict[str, dict[str, Any]]:
    t = rt.semantic.scoped_table("opportunities", scope, columns=["opportunity_id", "status", "stage"])
    return {
        r["opportunity_id"]: r
        for r in records(rt.warehouse.execute(t.select("opportunity_id", "status", "stage")))
    }


def _stage_on(
    rt: Runtime, scope: Scope, opp_days: set[tuple[str, dt.date]]
) -> dict[tuple[str, dt.date], str]:
    """The stage each deal was in on each day (from the history snapshots)."""
    if not opp_days:
        return {}
    opps = sorted({o for o, _ in opp_days})
    t = rt.semantic.scoped_table(
        "opportunity_history", scope, columns=["opportunity_id", "snapshot_date", "stage"]
    )
    t = t.filter(t.opportunity_id.isin(opps)).select("opportunity_id", "snapshot_date", "stage")
    hist: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for r in records(rt.warehouse.execute(t)):
        day = r["snapshot_date"].date() if isinstance(r["snapshot_date"], dt.datetime) else r["snapshot_date"]
        hist[r["opportunity_id"]].append((day, r["stage"]))
    out = {}
    for o, day in opp_days:
        snaps = sorted(hist.get(o, []))
        before = [s for d, s in snaps if d <= day]
        out[(o, day)] = before[-1] if before else (snaps[0][1] if snaps else "Unknown")
    return out


def competitive_intel(rt: Runtime, scope: Scope, *, since: dt.date | None = None) -> dict[str, Any]:
    """The heatmap, win rates, objections by stage, price points and feature gaps for ``scope``."""
    check_domain(scope)
    t = conversations(
        rt,
        scope,
        since=since,
        columns=["conversation_id", "opportunity_id", "region", "sector", "occurred_at"],
    )
    convs = {r["conversation_id"]: r for r in records(rt.warehouse.execute(t))}
    rows, _ = scoped_hits(rt, scope, since=since)
    rows = [h for h in rows if h["conversation_id"] in convs]
    mentions: dict[str, set[str]] = defaultdict(set)
    for h in rows:
        if h["kind"] == "competitor":
            mentions[h["name"]].add(h["conversation_id"])
    deals = _deals(rt, scope)
    closed = {o: d["status"] == "won" for o, d in deals.items() if d["status"] in ("won", "lost")}
    return {
        "conversations": len(convs),
        "heatmap": _heat(convs, mentions, ("region", "sector")),
        "by_region": _heat(convs, mentions, ("region",)),
        "win_rates": _win_rates(convs, mentions, closed),
        "objections_by_stage": _objections_by_stage(rt, scope, convs, rows, closed),
        "price_points": _price_points(rows),
        "feature_gaps": feature_gaps(
            [h["sentence"] for h in rows if h["kind"] == "objection" and h["name"] == "missing_feature"]
        ),
        "surges": surges(_heat(convs, mentions, ("region",))),
    }


def _win_rates(
    convs: dict[str, dict[str, Any]], mentions: dict[str, set[str]], closed: dict[str, bool]
) -> list[dict[str, Any]]:
    out = []
    talked = {c["opportunity_id"] for c in convs.values() if c["opportunity_id"] in closed}
    for name, ids in sorted(mentions.items()):
        with_ = {convs[c]["opportunity_id"] for c in ids if convs[c]["opportunity_id"] in closed}
        without = talked - with_
        out.append(
            {
                "competitor": name,
                "with": _rate(sum(closed[o] for o in with_), len(with_)),
                "without": _rate(sum(closed[o] for o in without), len(without)),
            }
        )
    return out


def _objections_by_stage(
    rt: Runtime,
    scope: Scope,
    convs: dict[str, dict[str, Any]],
    rows: list[dict[str, Any]],
    closed: dict[str, bool],
) -> dict[str, Any]:
    raised = [
        (
            h["name"],
            convs[h["conversation_id"]]["opportunity_id"],
            convs[h["conversation_id"]]["occurred_at"].date(),
        )
        for h in rows
        if h["kind"] == "objection" and convs[h["conversation_id"]]["opportunity_id"]
    ]
    stage = _stage_on(rt, scope, {(o, d) for _, o, d in raised})
    by_stage: dict[str, Counter[str]] = defaultdict(Counter)
    deals_with: dict[str, set[str]] = defaultdict(set)
    for name, o, d in raised:
        by_stage[stage.get((o, d), "Unknown")][name] += 1
        deals_with[name].add(o)
    all_closed = {c["opportunity_id"] for c in convs.values() if c["opportunity_id"] in closed}
    return {
        "by_stage": {s: dict(c.most_common()) for s, c in sorted(by_stage.items())},
        "win_rate_when_raised": {
            name: _rate(sum(closed[o] for o in ds if o in closed), sum(1 for o in ds if o in closed))
            for name, ds in sorted(deals_with.items())
        },
        "overall": _rate(sum(closed[o] for o in all_closed), len(all_closed)),
    }


def _price_points(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_turn: dict[tuple[str, int], dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for h in rows:
        if h["kind"] in ("competitor", "pricing"):
            by_turn[(h["conversation_id"], h["turn_index"])][h["kind"]].append(h)
    points: dict[tuple[str, str], list[float]] = defaultdict(list)
    for found in by_turn.values():
        for comp in {c["name"] for c in found.get("competitor", [])}:
            for p in found.get("pricing", []):
                points[(comp, p["currency"])].append(p["amount"])
    out = []
    for (comp, cur), v in sorted(points.items()):
        v.sort()
        out.append(
            {
                "competitor": comp,
                "currency": cur,
                "mentions": len(v),
                "min": v[0],
                "median": v[len(v) // 2],
                "max": v[-1],
            }
        )
    return out


def surges(by_region: list[dict[str, Any]], z_min: float = 3.0) -> list[dict[str, Any]]:
    """Cells where mentions per 100 calls at least doubled from the previous quarter and the rise is
    significant (two-proportion z-test, z >= ``z_min``)."""
    found = []
    for r in by_region:
        n1, n0 = r["calls"], r["prev_calls"]
        if not n0 or r["prev_per_100"] is None or r["per_100"] < 2 * r["prev_per_100"] or not r["mentions"]:
            continue
        pooled = (r["mentions"] + r["prev_mentions"]) / (n1 + n0)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        z = (r["mentions"] / n1 - r["prev_mentions"] / n0) / se if se else 0.0
        if z >= z_min:
            found.append({**r, "z": round(z, 2)})
    return sorted(found, key=lambda r: -r["z"])


def feature_gaps(sentences_: list[str], max_sentences: int = 2000) -> list[dict[str, Any]]:
    """Missing-feature sentences grouped into clusters, each with its top words and examples."""
    counts = Counter(s.strip() for s in sentences_ if s and s.strip())
    unique = [s for s, _ in counts.most_common(max_sentences)]
    if not unique:
        return []
    if len(unique) == 1:
        return [{"theme": unique[0][:60], "mentions": counts[unique[0]], "examples": unique}]
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    from revintel.conversations.trackers import keys

    vec = TfidfVectorizer(analyzer=lambda s: [k for k in keys(s) if len(k) > 2], min_df=1)
    x = vec.fit_transform(unique).toarray()
    if not x.any():
        return []
    labels = AgglomerativeClustering(
        n_clusters=None, distance_threshold=0.85, metric="cosine", linkage="average"
    ).fit_predict(x + 1e-9)
    vocab = vec.get_feature_names_out()
    out: list[dict[str, Any]] = []
    for label in sorted(set(labels)):
        members = [i for i, lab in enumerate(labels) if lab == label]
        weights = x[members].sum(axis=0)
        top = [str(vocab[i]) for i in weights.argsort()[::-1][:3] if weights[i] > 0]
        out.append(
            {
                "theme": ", ".join(top),
                "mentions": sum(counts[unique[i]] for i in members),
                "examples": [unique[i] for i in members[:3]],
            }
        )
    out.sort(key=lambda r: -r["mentions"])
    return out


def competitor_trends(rt: Runtime, scope: Scope, *, as_of: dt.date) -> dict[str, Any]:
    """For the brief: per competitor, conversations naming it (tracker hits, aliases normalised) in the
    quarter to ``as_of`` vs the average of the four quarters before, the surges, and the SQL of the
    scoped conversation read."""
    q0 = dt.date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    lo_month = q0.year * 12 + q0.month - 1 - 12
    lo = dt.date(lo_month // 12, lo_month % 12 + 1, 1)
    t = conversations(rt, scope, since=lo, until=as_of, columns=["conversation_id", "region", "occurred_at"])
    convs = {r["conversation_id"]: r for r in records(rt.warehouse.execute(t))}
    rows, _ = scoped_hits(rt, scope, since=lo, until=as_of)
    now: dict[str, set[str]] = defaultdict(set)
    before: dict[str, set[str]] = defaultdict(set)
    for h in rows:
        c = convs.get(h["conversation_id"])
        if h["kind"] != "competitor" or c is None:
            continue
        (now if c["occurred_at"].date() >= q0 else before)[h["name"]].add(h["conversation_id"])
    out = []
    for name in sorted(set(now) | set(before)):
        avg = len(before[name]) / 4
        out.append(
            {
                "competitor": name,
                "mentions": len(now[name]),
                "prior_avg": round(avg, 1),
                "change": len(now[name]) - avg,
            }
        )
    by_region = _heat(convs, {**now}, ("region",))
    current = [s for s in surges(by_region) if s["quarter"] == quarter(as_of)]
    return {
        "competitors": out,
        "period": f"{quarter(q0)} to {as_of.isoformat()}",
        "surges": current,
        "sql": rt.warehouse.compile(t),
    }
