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
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from revintel.conversations.data import conversations, records
from revintel.conversations.dates import find_due
from revintel.conversations.trackers import Trackers, load_trackers, match_turn
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

    # the phrases and the code that reads them: a change to either is a different set of hits
    h = hashlib.sha256(BUILTIN.read_bytes())
    for module in ("trackers.py", "money.py", "dates.py", "text.py"):
        h.update(BUILTIN.with_name(module).read_bytes())
    if rt.settings.trackers_file:
        h.update(rt.settings.trackers_file.read_bytes())
    return h.hexdigest()[:12]


_TURN_COLUMNS = ("conversation_id", "turn_index", "start_seconds", "role")
_MATCH_FIELDS = ("kind", "name", "phrase", "sentence", "amount", "currency", "due", "due_date")


def compute_hits(turns: pa.Table, trackers: Trackers) -> pa.Table:
    """Tracker hits of ``turns`` (conversation_id, turn_index, start_seconds, role, text, occurred_at).

    Each distinct (role, text) is matched once, so a text said again by the same side ("Thanks.", a
    template line) costs nothing; the hits are then spread over its turns by index (Arrow ``take``)
    and only the due dates of next steps are resolved again against each call's day.
    """
    turns = turns.filter(pc.fill_null(pc.greater(pc.utf8_length(turns.column("text")), 0), False))
    roles = pc.fill_null(turns.column("role"), "unknown")
    said = pc.dictionary_encode(pc.binary_join_element_wise(roles, turns.column("text"), "\x1f"))
    said = said.combine_chunks() if isinstance(said, pa.ChunkedArray) else said
    found: list[tuple[Any, ...]] = []
    counts = np.zeros(len(said.dictionary), dtype=np.int64)
    for d, key in enumerate(said.dictionary.to_pylist()):
        role, text = key.split("\x1f", 1)
        ms = match_turn(text, role, trackers)
        counts[d] = len(ms)
        found.extend(tuple(getattr(m, f) for f in _MATCH_FIELDS) for m in ms)
    offsets = np.cumsum(counts) - counts
    idx = said.indices.to_numpy(zero_copy_only=False)
    per_turn = counts[idx]
    turn_of_hit = np.repeat(np.arange(len(idx)), per_turn)
    first = np.repeat(np.cumsum(per_turn) - per_turn, per_turn)
    hit_of = offsets[idx][turn_of_hit] + (np.arange(len(turn_of_hit)) - first)
    cols: dict[str, Any] = {c: turns.column(c).take(turn_of_hit) for c in _TURN_COLUMNS}
    columns = list(zip(*found, strict=True)) if found else [() for _ in _MATCH_FIELDS]
    by_field = dict(zip(_MATCH_FIELDS, columns, strict=True))
    picked = {f: [by_field[f][h] for h in hit_of.tolist()] for f in _MATCH_FIELDS}
    steps = [i for i, k in enumerate(picked["kind"]) if k == "next_step"]
    if steps:
        when = turns.column("occurred_at").take(turn_of_hit[steps]).to_pylist()
        for i, at in zip(steps, when, strict=True):
            if at is not None:
                picked["due"][i], picked["due_date"][i] = find_due(picked["sentence"][i], at.date())
    cols.update(picked)
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
        table = compute_hits(a, trackers_for(rt))
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
