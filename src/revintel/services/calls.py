"""Conversations: search, trackers, call statistics, competitive intel and the deal copilot,
authorised (DRILL + the pipeline domain) and audited. Every LLM call is audit-logged with the ids
of the snippets it was given."""

from __future__ import annotations

import datetime as dt
from typing import Any

from revintel.runtime import Runtime
from revintel.scope import Scope
from revintel.services import authz
from revintel.services.audited import audited
from revintel.services.identity import User


def calls_scope(user: User) -> Scope:
    """The caller's scope, if their role may open call-level pipeline data."""
    return authz.drill(user, "pipeline")


def audited_search(
    rt: Runtime,
    user: User,
    scope: Scope,
    query: str,
    *,
    account: str | None = None,
    deal: str | None = None,
    since: dt.date | None = None,
    speaker: str | None = None,
    limit: int = 10,
    target: str = "calls/search",
) -> dict[str, Any]:
    """Ranked snippets for ``query`` inside ``scope``."""
    from revintel.conversations.search import search

    calls_scope(user)
    out = search(rt, scope, query, account=account, deal=deal, since=since, speaker=speaker, limit=limit)
    detail = {"query": query, "account": account, "deal": deal, "since": since, "speaker": speaker}
    audited(rt.appdb, user, "query", target, scope=scope, detail=detail, rows=len(out["results"]))
    return out


def audited_trackers(
    rt: Runtime,
    user: User,
    scope: Scope,
    *,
    by: str | None = None,
    target: str = "calls/trackers",
    **filters: Any,
) -> dict[str, Any]:
    """Tracker counts (or per conversation with ``by='conversation'``) inside ``scope``."""
    from revintel.conversations.tracking import by_conversation, tracker_summary

    calls_scope(user)
    out = (
        by_conversation(rt, scope, **filters)
        if by == "conversation"
        else tracker_summary(rt, scope, **filters)
    )
    audited(rt.appdb, user, "query", target, scope=scope, detail={"by": by, **filters})
    return out


def audited_stats(
    rt: Runtime, user: User, scope: Scope, *, target: str = "calls/stats", **filters: Any
) -> dict[str, Any]:
    """Call statistics inside ``scope``."""
    from revintel.conversations.stats import stats_report

    calls_scope(user)
    out = stats_report(rt, scope, **filters)
    audited(rt.appdb, user, "query", target, scope=scope, detail=filters, rows=out["conversations"])
    return out


def audited_competitors(
    rt: Runtime, user: User, scope: Scope, *, since: dt.date | None = None, target: str = "calls/competitors"
) -> dict[str, Any]:
    """Competitive intel inside ``scope``."""
    from revintel.conversations.competitive import competitive_intel

    calls_scope(user)
    out = competitive_intel(rt, scope, since=since)
    audited(rt.appdb, user, "query", target, scope=scope, detail={"since": since}, rows=out["conversations"])
    return out


def audited_conversation(rt: Runtime, user: User, scope: Scope, conversation_id: str) -> dict[str, Any]:
    """One conversation with its turns and tracker hits (404 outside the scope)."""
    from revintel.conversations.detail import conversation_detail

    calls_scope(user)
    out = conversation_detail(rt, scope, conversation_id)
    audited(rt.appdb, user, "query", f"calls/{conversation_id}", scope=scope, rows=len(out["turns"]))
    return out


def audited_copilot(
    rt: Runtime,
    user: User,
    scope: Scope,
    question: str,
    *,
    deal: str | None = None,
    account: str | None = None,
    n: int | None = None,
    tone: str | None = None,
    use_llm: bool = False,
    target: str = "calls/copilot",
) -> dict[str, Any]:
    """A deal-copilot answer inside ``scope``; with ``use_llm`` and a configured OpenAI-compatible
    endpoint, the follow-up email may be rewritten (and is kept only when grounded)."""
    from revintel.conversations.answer import copilot, read_intent

    calls_scope(user)
    llm = None
    if use_llm:
        from revintel.ask.providers.openai_compat import OpenAICompatProvider

        provider = OpenAICompatProvider(rt.settings)
        llm = provider.complete if provider.configured() else None

    def on_llm(snippets: list[str]) -> None:
        audited(
            rt.appdb,
            user,
            "llm",
            target,
            scope=scope,
            detail={"deal": deal, "account": account, "snippets": snippets},
        )

    deal_actions = None
    if deal and read_intent(question)[0] == "actions":
        deal_actions = _deal_actions(rt, scope, deal)
    out = copilot(
        rt,
        scope,
        question,
        deal=deal,
        account=account,
        n=n,
        tone=tone,
        llm=llm,
        on_llm=on_llm,
        deal_actions=deal_actions,
    )
    if use_llm and llm is None:
        out.setdefault("notes", []).append("No LLM is configured; the grounded draft is shown.")
    audited(
        rt.appdb,
        user,
        "query",
        target,
        scope=scope,
        detail={"question": question, "deal": deal, "account": account, "intent": out["intent"]},
        outcome="abstained" if out.get("abstained") else "ok",
    )
    return out


def _deal_actions(rt: Runtime, scope: Scope, deal: str) -> list[dict[str, Any]]:
    """The deal's next actions from its risk drivers (empty when the deal is closed or not visible)."""
    from revintel.deals.detail import deal_detail
    from revintel.errors import NotFound

    try:
        detail = deal_detail(rt, scope, deal)
    except NotFound:
        return []
    return [a if isinstance(a, dict) else {"action": str(a)} for a in detail.get("next_actions") or []]
