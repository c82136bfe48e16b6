"""Answer a deal-copilot question: summary, objections, next best actions, follow-up email, or a
cited search of the deal's calls; abstain when no call supports an answer.

``copilot(rt, scope, question, deal=..., llm=...)`` reads the question, runs the matching part of
:mod:`revintel.conversations.copilot`, and returns a dict with ``intent``, ``answer`` (text),
the structured result and its citations. A question that carries instructions is flagged and no
LLM is called. ``llm`` is a callable ``(system, user) -> text`` (the OpenAI-compatible provider's
``complete``); only facts from unflagged, in-scope quotes are sent to it, and its rewrite is
kept only when grounded. ``on_llm(snippet_ids)`` is called before each LLM call (the audit hook).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from revintel.conversations import copilot as cp
from revintel.conversations.followup import REWRITE_PROMPT, TONES, draft_email, ungrounded
from revintel.conversations.safety import flag_text
from revintel.conversations.search import search
from revintel.errors import ProviderError

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

INTENTS = ("summary", "objections", "actions", "email", "search")
_RULES = (
    ("email", re.compile(r"\b(e-?mail|follow[- ]?up|draft|write)\b", re.I)),
    ("objections", re.compile(r"\b(objections?|concerns?|push ?back|worries|hesitations?)\b", re.I)),
    (
        "actions",
        re.compile(r"\b(next best|actions?|what should|recommend|how (do|can) we win|next moves?)\b", re.I),
    ),
    ("summary", re.compile(r"\b(summari[sz]e|summary|recap|overview|what happened|last \d+ calls?)\b", re.I)),
)
_LAST_N = re.compile(r"\blast (\d{1,2})\b", re.I)


def read_intent(question: str) -> tuple[str, int | None, str | None]:
    """(intent, number of calls asked for, tone) of a copilot question."""
    intent = next((name for name, rx in _RULES if rx.search(question)), "search")
    m = _LAST_N.search(question)
    tone = next((t for t in TONES if t in question.lower()), None)
    return intent, int(m.group(1)) if m else None, tone


LLM = Callable[[str, str], str]


def copilot(
    rt: Runtime,
    scope: Scope,
    question: str,
    *,
    deal: str | None = None,
    account: str | None = None,
    n: int | None = None,
    tone: str | None = None,
    llm: LLM | None = None,
    on_llm: Callable[[list[str]], None] | None = None,
    deal_actions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Answer one copilot question about a deal or an account, with citations (or abstain)."""
    intent, asked_n, asked_tone = read_intent(question)
    flags = flag_text(question)
    out: dict[str, Any] = {"question": question, "intent": intent, "deal": deal, "account": account}
    if flags:
        out["question_flagged"] = flags
        out["notes"] = ["The question contains instructions; it was not sent to any model."]
        llm = None
    dc = cp.load_calls(rt, scope, deal=deal, account=account, n=n or asked_n or 5)
    out["calls"] = [c["conversation_id"] for c in dc.calls]
    if intent == "summary":
        res = cp.summarize(rt, dc)
        out.update(result=res, answer=res["rollup"]["text"])
    elif intent == "objections":
        res = cp.objections(rt, dc)
        lines = [f"{g['label']}: raised {g['raised']} time(s), {g['open']} open." for g in res["objections"]]
        out.update(result=res, answer=" ".join(lines) or "No objection was raised in these calls.")
    elif intent == "actions":
        res = cp.next_best_actions(rt, scope, dc, deal_actions)
        out.update(
            result=res, answer=" ".join(f"{i + 1}. {a['action']}" for i, a in enumerate(res["actions"]))
        )
    elif intent == "email":
        out.update(_email(rt, dc, tone or asked_tone or "executive", llm, on_llm))
    else:
        out.update(_search(rt, scope, question, deal, account))
    return out


def _email(
    rt: Runtime, dc: cp.DealCalls, tone: str, llm: LLM | None, on_llm: Callable[[list[str]], None] | None
) -> dict[str, Any]:
    draft = draft_email(rt, dc, tone)
    res: dict[str, Any] = {"draft": draft.to_dict(), "llm": {"used": False}}
    text = draft.body
    if llm is not None and draft.facts:
        ids = [f.quote["id"] for f in draft.facts]
        if on_llm:
            on_llm(ids)
        payload = json.dumps(
            {"tone": tone, "facts": [{"id": f.id, "text": f.text} for f in draft.facts], "draft": draft.body}
        )
        try:
            rewrite = llm(REWRITE_PROMPT.format(tone=tone), payload)
        except ProviderError as exc:
            res["llm"] = {"used": False, "error": str(exc), "snippets": ids}
        else:
            reasons = ungrounded(rewrite, draft.facts, draft)
            if reasons:
                res["llm"] = {"used": False, "rejected": True, "reasons": reasons, "snippets": ids}
            else:
                res["llm"] = {"used": True, "snippets": ids}
                text = rewrite
    return {"result": res, "answer": text}


def _search(
    rt: Runtime, scope: Scope, question: str, deal: str | None, account: str | None
) -> dict[str, Any]:
    hits = search(rt, scope, question, deal=deal, account=account, limit=5)["results"]
    usable = [h for h in hits if not h["flagged"]]
    if not usable:
        return {
            "abstained": True,
            "answer": None,
            "result": {
                "reason": "no snippet in this deal's calls supports an answer",
                "flagged": [h["link"] for h in hits],
            },
        }
    top = usable[0]
    return {
        "answer": f"“{top['snippet']}” ({top['speaker']}, {str(top['occurred_at'])[:10]})",
        "result": {"snippets": usable, "flagged": [h["link"] for h in hits if h["flagged"]]},
    }
