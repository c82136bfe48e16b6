"""The deal copilot: extractive summaries of the last calls, objections, next best actions.

Everything is extracted from the deal's (or account's) conversations in the caller's scope and
cited: every item carries quotes with conversation id, turn, time offset and speaker. A quote
whose text carries instructions (:mod:`revintel.conversations.safety`) is shown as flagged and is
never used as a fact. No supporting call means the copilot abstains.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from revintel.conversations.data import conversations, records, turns_of
from revintel.conversations.safety import flag_text
from revintel.conversations.search import link
from revintel.conversations.stats import call_stats
from revintel.conversations.tracking import scoped_hits, trackers_for
from revintel.errors import InvalidRequest, NotFound

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

EXECUTIVE = re.compile(
    r"\b(chief|ceo|cfo|coo|cto|cio|ciso|cro|vp|vice president|president|svp|evp|head of|director|partner"
    r"|owner)\b",
    re.IGNORECASE,
)
EXEC_DAYS = 30
#: what to do about an open objection, by category (the conversation playbook)
PLAYS = {
    "price_budget": "Build the business case with the economic buyer and offer a phased scope",
    "timing": "Agree a mutual plan with dates that fits the customer's calendar",
    "authority": "Map the decision process and meet the approver",
    "need": "Re-establish the pain and the cost of doing nothing with the sponsor",
    "competitor": "Prepare a competitive comparison and references",
    "security_legal_procurement": "Send the security pack and book a call between the legal teams",
    "missing_feature": "Bring a solutions architect to show the integration or the roadmap",
}


def clock(seconds: float | None) -> str:
    s = int(seconds or 0)
    return f"{s // 60}:{s % 60:02d}"


@dataclass
class Quote:
    """A cited sentence: which call, which turn, when, who."""

    conversation_id: str
    turn_index: int
    offset_seconds: float | None
    speaker: str | None
    role: str | None
    text: str
    occurred_at: dt.datetime | None = None
    flagged: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.conversation_id}#{self.turn_index}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "turn_index": self.turn_index,
            "at": clock(self.offset_seconds),
            "offset_seconds": self.offset_seconds,
            "speaker": self.speaker,
            "role": self.role,
            "text": self.text,
            "date": self.occurred_at.date().isoformat() if self.occurred_at else None,
            "link": link(self.conversation_id, self.offset_seconds),
            "flagged": bool(self.flagged),
        }


@dataclass
class DealCalls:
    """The last calls of a deal or account, their turns and tracker hits (all inside the scope)."""

    deal: str | None
    account: str | None
    calls: list[dict[str, Any]]
    turns: dict[tuple[str, int], dict[str, Any]]
    hits: list[dict[str, Any]]
    as_of: dt.date

    def quote(self, cid: str, turn_index: int, sentence: str | None = None) -> Quote:
        t = self.turns[(cid, turn_index)]
        call = next(c for c in self.calls if c["conversation_id"] == cid)
        text = sentence or t["text"] or ""
        return Quote(
            cid,
            turn_index,
            t["start_seconds"],
            t["speaker"],
            t["role"],
            text,
            call["occurred_at"],
            flag_text(text),
        )

    def call_turns(self, cid: str) -> list[dict[str, Any]]:
        return [t for (c, _), t in sorted(self.turns.items()) if c == cid]


def load_calls(
    rt: Runtime, scope: Scope, *, deal: str | None = None, account: str | None = None, n: int = 5
) -> DealCalls:
    """The last ``n`` conversations of a deal (or account) the scope may see.

    Raises:
        InvalidRequest: neither a deal nor an account given.
        NotFound: no conversation of that deal/account inside the scope (not told apart).
    """
    if not deal and not account:
        raise InvalidRequest("name a deal or an account", hint="--deal O0000123 or --account 'Acme'")
    if n < 1 or n > 50:
        raise InvalidRequest(f"cannot summarise {n} calls", hint="1 to 50")
    t = conversations(rt, scope, deal=deal, account=account)
    t = t.order_by([t.occurred_at.desc(), t.conversation_id]).limit(n)
    calls = records(rt.warehouse.execute(t))
    if not calls:
        what = f"deal {deal}" if deal else f"account {account}"
        raise NotFound(
            f"no conversations for {what} in your scope", hint="see `revintel calls search` for ids"
        )
    ids = [c["conversation_id"] for c in calls]
    hits, _ = scoped_hits(rt, scope, deal=deal, account=account)
    hits = [h for h in hits if h["conversation_id"] in set(ids)]
    return DealCalls(deal, account, calls, turns_of(rt, scope, ids), hits, rt.as_of())


def _label(h: dict[str, Any], labels: dict[str, str]) -> str:
    kind = h["kind"]
    if kind == "objection":
        return f"Objection: {labels.get(h['name'], h['name'])}"
    if kind == "competitor":
        return f"Competitor: {h['name']}"
    if kind == "pricing":
        return f"Pricing: {h['phrase']}"
    if kind == "next_step":
        return "Next step" + (f" ({h['due']})" if h.get("due") else "")
    if kind == "risk":
        return "Risk"
    return labels.get(h["name"], h["name"])


def summarize(rt: Runtime, dc: DealCalls) -> dict[str, Any]:
    """Per call: key moments (each a timestamped quote), objections, competitors, pricing, decision
    process and next steps; and a roll-up over the calls."""
    trackers = trackers_for(rt)
    labels = {c.name: c.label for c in trackers.objections} | {s.name: s.label for s in trackers.smart}
    by_call: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for h in dc.hits:
        by_call[h["conversation_id"]].append(h)
    summaries = []
    for call in dc.calls:
        cid = call["conversation_id"]
        moments, seen = [], set()
        for h in sorted(by_call[cid], key=lambda h: (h["start_seconds"] or 0, h["turn_index"])):
            key = (h["turn_index"], h["sentence"], h["kind"] if h["kind"] != "objection" else h["name"])
            if key in seen:
                continue
            seen.add(key)
            q = dc.quote(cid, h["turn_index"], h["sentence"])
            moments.append({"label": _label(h, labels), "kind": h["kind"], "quote": q.to_dict()})
        stats = call_stats(dc.call_turns(cid))

        def of(kind: str, moments: list[dict[str, Any]] = moments) -> list[dict[str, Any]]:
            return [m for m in moments if m["kind"] == kind]

        summaries.append(
            {
                "conversation_id": cid,
                "occurred_at": call["occurred_at"],
                "subject": call["subject"],
                "channel": call["channel"],
                "rep": call["rep"],
                "key_moments": moments,
                "objections": [m for m in of("objection") if "Authority" not in m["label"]],
                "decision_process": [m for m in of("objection") if "Authority" in m["label"]],
                "competitors": sorted({h["name"] for h in by_call[cid] if h["kind"] == "competitor"}),
                "pricing": of("pricing"),
                "next_steps": of("next_step"),
                "risks": of("risk"),
                "customer_sentiment": stats["customer_sentiment"],
                "talk_ratio": stats["talk_ratio"],
                "flagged": sorted(
                    {m["quote"]["id"] for m in moments if m["quote"]["flagged"]} | _flagged(dc, cid)
                ),
            }
        )
    return {"calls": summaries, "rollup": _rollup(dc, summaries)}


def _flagged(dc: DealCalls, cid: str) -> set[str]:
    return {f"{cid}#{t['turn_index']}" for t in dc.call_turns(cid) if flag_text(t["text"] or "")}


def _rollup(dc: DealCalls, summaries: list[dict[str, Any]]) -> dict[str, Any]:
    comps: dict[str, int] = defaultdict(int)
    for s in summaries:
        for c in s["competitors"]:
            comps[c] += 1
    cats: dict[str, int] = defaultdict(int)
    for s in summaries:
        for m in s["objections"] + s["decision_process"]:
            cats[m["label"].split(": ", 1)[1]] += 1
    dates = [s["occurred_at"] for s in summaries if s["occurred_at"]]
    latest_step = next((s["next_steps"][-1] for s in summaries if s["next_steps"]), None)
    sentiments = [s["customer_sentiment"] for s in reversed(summaries) if s["customer_sentiment"] is not None]
    lines = (
        [f"{len(summaries)} conversation(s) from {min(dates):%Y-%m-%d} to {max(dates):%Y-%m-%d}."]
        if dates
        else []
    )
    if comps:
        lines.append(
            "Competitors named: " + ", ".join(f"{c} ({n} call(s))" for c, n in sorted(comps.items())) + "."
        )
    if cats:
        lines.append(
            "Objections raised: "
            + ", ".join(f"{c} ({n})" for c, n in sorted(cats.items(), key=lambda x: -x[1]))
            + "."
        )
    if latest_step:
        lines.append(f"Latest next step: “{latest_step['quote']['text']}” ({latest_step['quote']['date']}).")
    return {
        "calls": len(summaries),
        "first": min(dates) if dates else None,
        "last": max(dates) if dates else None,
        "competitors": dict(comps),
        "objections": dict(cats),
        "latest_next_step": latest_step,
        "sentiment": sentiments,
        "text": " ".join(lines),
    }


def objections(rt: Runtime, dc: DealCalls) -> dict[str, Any]:
    """Objections grouped by category, each with its quote and whether the rep answered it in the
    same call (a rep turn of substance within the next two turns), and the rep's answer."""
    labels = {c.name: c.label for c in trackers_for(rt).objections}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen = set()
    for h in sorted(dc.hits, key=lambda h: (h["conversation_id"], h["turn_index"])):
        if h["kind"] != "objection" or (h["conversation_id"], h["turn_index"], h["name"]) in seen:
            continue
        seen.add((h["conversation_id"], h["turn_index"], h["name"]))
        answer = _answer(dc, h["conversation_id"], h["turn_index"])
        q = dc.quote(h["conversation_id"], h["turn_index"], h["sentence"])
        groups[h["name"]].append(
            {
                "quote": q.to_dict(),
                "answered": answer is not None,
                "answer": answer.to_dict() if answer else None,
            }
        )
    out: list[dict[str, Any]] = []
    for name, items in groups.items():
        items.sort(key=lambda i: i["quote"]["date"] or "", reverse=True)
        out.append(
            {
                "category": name,
                "label": labels.get(name, name),
                "raised": len(items),
                "open": sum(not i["answered"] for i in items),
                "items": items,
            }
        )
    out.sort(key=lambda g: (-g["open"], -g["raised"], g["category"]))
    return {"objections": out, "open": sum(g["open"] for g in out)}


def _answer(dc: DealCalls, cid: str, turn_index: int) -> Quote | None:
    for k in (turn_index + 1, turn_index + 2):
        t = dc.turns.get((cid, k))
        if t is None:
            return None
        if t["role"] == "rep" and len((t["text"] or "").split()) >= 6:
            return dc.quote(cid, k)
    return None


def _exec_speakers(rt: Runtime, scope: Scope, account_ids: set[str]) -> set[str]:
    if not account_ids:
        return set()
    c = rt.semantic.scoped_table("contacts", scope, columns=["account_id", "name", "title"])
    c = c.filter(c.account_id.isin(sorted(account_ids)))
    return {
        r["name"].lower()
        for r in records(rt.warehouse.execute(c.select("name", "title")))
        if r["name"] and EXECUTIVE.search(r["title"] or "")
    }


def next_best_actions(
    rt: Runtime, scope: Scope, dc: DealCalls, deal_actions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Actions from the conversation signals (open objections, competitors, no next step booked,
    no executive lately, risk phrases) and the deal's risk drivers, each with its evidence."""
    actions: list[dict[str, Any]] = []
    obj = objections(rt, dc)
    for g in obj["objections"]:
        open_items = [i for i in g["items"] if not i["answered"]]
        if open_items:
            actions.append(
                _action(
                    f"{PLAYS.get(g['category'], 'Answer the objection')}.",
                    f"Open {g['label'].lower()} objection, not answered in the call",
                    [open_items[0]["quote"]],
                )
            )
    comps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for h in dc.hits:
        if h["kind"] == "competitor":
            comps[h["name"]].append(h)
    for name, hs in sorted(comps.items(), key=lambda x: -len(x[1])):
        calls = len({h["conversation_id"] for h in hs})
        q = dc.quote(hs[0]["conversation_id"], hs[0]["turn_index"], hs[0]["sentence"]).to_dict()
        actions.append(
            _action(
                f"{PLAYS['competitor']} against {name}.",
                f"{name} named in {calls} of the last {len(dc.calls)} call(s)",
                [q],
            )
        )
    latest = dc.calls[0]
    steps = [
        h for h in dc.hits if h["kind"] == "next_step" and h["conversation_id"] == latest["conversation_id"]
    ]
    future = [h for h in steps if h.get("due_date") and h["due_date"] >= dc.as_of]
    if not steps:
        actions.append(
            _action(
                "Book a next step with a date.",
                f"The last conversation ({latest['occurred_at']:%Y-%m-%d}) ended without a next step",
                [],
            )
        )
    elif not future and all(h.get("due_date") for h in steps):
        q = dc.quote(latest["conversation_id"], steps[-1]["turn_index"], steps[-1]["sentence"]).to_dict()
        actions.append(
            _action(
                "Book a new next step: the agreed one is past due.",
                f"Next step due {steps[-1]['due_date']}",
                [q],
            )
        )
    actions += _exec_action(rt, scope, dc)
    for h in [h for h in dc.hits if h["kind"] == "risk"][:2]:
        q = dc.quote(h["conversation_id"], h["turn_index"], h["sentence"]).to_dict()
        actions.append(
            _action(
                "Confirm the deal is still alive with the sponsor and agree a date.",
                "Risk said by the customer",
                [q],
            )
        )
    for a in deal_actions or []:
        actions.append(
            {
                "action": a.get("action") or str(a),
                "why": a.get("because") or a.get("why") or "the deal's risk drivers",
                "evidence": [],
                "source": "deal risk",
            }
        )
    for a in actions:
        a["flagged"] = any(q.get("flagged") for q in a["evidence"])
    return {"actions": actions}


def _exec_action(rt: Runtime, scope: Scope, dc: DealCalls) -> list[dict[str, Any]]:
    execs = _exec_speakers(rt, scope, {c["account_id"] for c in dc.calls if c.get("account_id")})
    last = None
    for (cid, ti), t in dc.turns.items():
        if t["role"] != "rep" and (t["speaker"] or "").lower() in execs:
            call = next(c for c in dc.calls if c["conversation_id"] == cid)
            if last is None or call["occurred_at"] > last[0]:
                last = (call["occurred_at"], cid, ti)
    if last is None:
        return [
            _action(
                "Bring an executive sponsor (CFO, CEO or VP) into the next call.",
                f"No executive took part in the last {len(dc.calls)} call(s)",
                [],
            )
        ]
    days = (dc.as_of - last[0].date()).days
    if days > EXEC_DAYS:
        return [
            _action(
                "Re-engage the executive sponsor.",
                f"{days} days since an executive took part",
                [dc.quote(last[1], last[2]).to_dict()],
            )
        ]
    return []


def _action(text: str, why: str, evidence: list[dict[str, Any]]) -> dict[str, Any]:
    return {"action": text, "why": why, "evidence": evidence, "source": "conversations"}
