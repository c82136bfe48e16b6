"""Trackers run over every turn once per data version; counts are then cut to the caller's scope.

:func:`hits` runs :func:`match_turn` over all turns (a system job, cached in memory and as Parquet
under ``<home>/cache/calls/<version>/``); :func:`tracker_summary` and :func:`by_conversation` keep
only the conversations :func:`revintel.conversations.data.conversations` returns for the scope, so
counts never include a conversation the caller may not see.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter, defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from revintel.conversations.data import conversations, records
from revintel.conversations.dates import find_due
from revintel.conversations.trackers import Match, Trackers, load_trackers, match_turn
from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

HIT_SCHEMA = pa.schema(
    [
        ("conversation_id", pa.string()),
        ("turn_index", pa.int64()),
        ("start_seconds", pa.float64()),
        ("role", pa.string()),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("phrase", pa.string()),
        ("sentence", pa.string()),
        ("amount", pa.float64()),
        ("currency", pa.string()),
        ("due", pa.string()),
        ("due_date", pa.date32()),
    ]
)


def trackers_for(rt: Runtime) -> Trackers:
    return load_trackers(rt.settings.trackers_file)


def _fingerprint(rt: Runtime) -> str:
    from revintel.conversations.trackers import BUILTIN

    h = hashlib.sha256(BUILTIN.read_bytes())
    if rt.settings.trackers_file:
        h.update(rt.settings.trackers_file.read_bytes())
    return h.hexdigest()[:12]


def compute_hits(
    conversation_ids: list[str],
    turn_index: list[int],
    starts: list[float | None],
    roles: list[str | None],
    texts: list[str | None],
    days: list[dt.date | None],
    trackers: Trackers,
) -> pa.Table:
    """Tracker hits of turns given as parallel lists.

    A text said again by the same side ("Thanks.", a template line) is matched once; only the due
    dates of its next steps are resolved again against each call's day.
    """
    cols: dict[str, list[Any]] = {f.name: [] for f in HIT_SCHEMA}
    seen: dict[tuple[str, str], list[Match]] = {}
    for cid, ti, start, role, text, day in zip(
        conversation_ids, turn_index, starts, roles, texts, days, strict=True
    ):
        if not text:
            continue
        said = role or "unknown"
        found = seen.get((text, said))
        if found is None:
            found = seen[(text, said)] = match_turn(text, said, trackers)
        for m in found:
            if m.kind == "next_step" and day is not None:
                due, due_date = find_due(m.sentence, day)
                m = replace(m, due=due, due_date=due_date)
            for k, v in (
                ("conversation_id", cid),
                ("turn_index", ti),
                ("start_seconds", start),
                ("role", role),
                ("kind", m.kind),
                ("name", m.name),
                ("phrase", m.phrase),
                ("sentence", m.sentence),
                ("amount", m.amount),
                ("currency", m.currency),
                ("due", m.due),
                ("due_date", m.due_date),
            ):
                cols[k].append(v)
    return pa.Table.from_pydict(cols, schema=HIT_SCHEMA)


def hits(rt: Runtime) -> pa.Table:
    """Every tracker hit in every turn (system-wide; callers cut it to a scope)."""

    def build() -> pa.Table:
        path = rt.calls.cache_dir() / f"hits-{_fingerprint(rt)}.parquet"
        if path.exists():
            return pq.read_table(path)
        started = time.perf_counter()
        t = rt.semantic.scoped_table(
            "conversation_turns",
            Scope.everything(),
            columns=["conversation_id", "turn_index", "start_seconds", "role", "text", "occurred_at"],
        )
        a = rt.warehouse.to_arrow(
            t.select("conversation_id", "turn_index", "start_seconds", "role", "text", "occurred_at")
        )
        days = [d.date() if d else None for d in a.column("occurred_at").to_pylist()]
        table = compute_hits(
            a.column("conversation_id").to_pylist(),
            a.column("turn_index").to_pylist(),
            a.column("start_seconds").to_pylist(),
            a.column("role").to_pylist(),
            a.column("text").to_pylist(),
            days,
            trackers_for(rt),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        pq.write_table(
            table.replace_schema_metadata({"seconds": f"{time.perf_counter() - started:.3f}"}), tmp
        )
        tmp.rename(path)
        return table

    result: pa.Table = rt.calls.memo(f"hits-{_fingerprint(rt)}", build)
    return result


def scoped_hits(
    rt: Runtime,
    scope: Scope,
    *,
    account: str | None = None,
    deal: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """(hits, conversation id -> conversation) for the conversations ``scope`` may see."""
    t = conversations(rt, scope, account=account, deal=deal, since=since, until=until)
    convs = {r["conversation_id"]: r for r in records(rt.warehouse.execute(t))}
    table = hits(rt)
    if not convs or table.num_rows == 0:
        return [], convs
    import pyarrow.compute as pc

    keep = pc.is_in(table.column("conversation_id"), value_set=pa.array(list(convs), pa.string()))
    return table.filter(keep).to_pylist(), convs


def tracker_summary(rt: Runtime, scope: Scope, **filters: Any) -> dict[str, Any]:
    """Counts per tracker: conversations and mentions, objections by speaker role, pricing ranges."""
    rows, convs = scoped_hits(rt, scope, **filters)
    conv_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    mentions: Counter[tuple[str, str]] = Counter()
    roles: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    prices: dict[str, list[float]] = defaultdict(list)
    for h in rows:
        key = (h["kind"], h["name"])
        conv_of[key].add(h["conversation_id"])
        mentions[key] += 1
        roles[key][h["role"] or "unknown"] += 1
        if h["kind"] == "pricing" and h["amount"] is not None:
            prices[h["currency"]].append(h["amount"])
    trackers = trackers_for(rt)
    labels = {c.name: c.label for c in trackers.objections} | {s.name: s.label for s in trackers.smart}

    def items(kind: str) -> list[dict[str, Any]]:
        out = [
            {
                "name": name,
                "label": labels.get(name, name),
                "conversations": len(conv_of[(k, name)]),
                "mentions": mentions[(k, name)],
                "by_role": dict(roles[(k, name)]),
            }
            for (k, name) in conv_of
            if k == kind
        ]
        return sorted(out, key=lambda r: (-r["conversations"], r["name"]))

    return {
        "conversations": len(convs),
        "competitors": items("competitor"),
        "objections": items("objection"),
        "risks": items("risk"),
        "next_steps": items("next_step"),
        "smart": items("smart"),
        "pricing": [
            {
                "currency": cur,
                "mentions": len(v),
                "min": min(v),
                "median": sorted(v)[len(v) // 2],
                "max": max(v),
            }
            for cur, v in sorted(prices.items())
        ],
        "filters": {k: v for k, v in filters.items() if v is not None},
    }


def by_conversation(rt: Runtime, scope: Scope, **filters: Any) -> dict[str, Any]:
    """For each conversation in scope: competitors (normalised), objections with the speaker role,
    pricing amounts, risks and next steps (with their due dates)."""
    rows, convs = scoped_hits(rt, scope, **filters)
    per: dict[str, dict[str, Any]] = {}
    for cid in sorted(convs, key=lambda c: (convs[c]["occurred_at"] or dt.datetime.min, c), reverse=True):
        c = convs[cid]
        per[cid] = {
            "conversation_id": cid,
            "account": c.get("account"),
            "opportunity_id": c.get("opportunity_id"),
            "occurred_at": c.get("occurred_at"),
            "competitors": [],
            "objections": [],
            "pricing": [],
            "risks": [],
            "next_steps": [],
            "smart": [],
        }
    for h in rows:
        p = per[h["conversation_id"]]
        if h["kind"] == "competitor" and h["name"] not in p["competitors"]:
            p["competitors"].append(h["name"])
        elif h["kind"] == "objection":
            item = {"category": h["name"], "role": h["role"]}
            if item not in p["objections"]:
                p["objections"].append(item)
        elif h["kind"] == "pricing":
            p["pricing"].append({"amount": h["amount"], "currency": h["currency"], "text": h["phrase"]})
        elif h["kind"] == "risk":
            p["risks"].append(h["sentence"])
        elif h["kind"] == "next_step":
            p["next_steps"].append({"text": h["sentence"], "due": h["due"], "due_date": h["due_date"]})
        elif h["kind"] == "smart" and h["name"] not in p["smart"]:
            p["smart"].append(h["name"])
    return {
        "conversations": list(per.values()),
        "filters": {k: v for k, v in filters.items() if v is not None},
    }
