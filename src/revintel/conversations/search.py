"""Search every call and email the caller may see: ranked snippets with the moment and the deal.

``search(rt, scope, "pricing concerns", account=..., deal=..., since=..., speaker="customer")``
scores every turn with BM25, zeroes the turns outside the conversations
:meth:`SemanticLayer.scoped_table` returns for ``scope`` (and the filters), and returns the best
turns with their conversation, offset, speaker, account, deal and a link to the moment. The
conversation details come from the same scoped read (kept per scope and data version), the turn
text from the index: no query runs per search once a scope has been seen.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import TYPE_CHECKING, Any

from revintel.conversations.data import CONV_COLUMNS, conversations
from revintel.conversations.index import ROLES
from revintel.conversations.safety import flag_text
from revintel.conversations.text import lemma, words
from revintel.errors import InvalidRequest

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

SNIPPET = 240


def link(conversation_id: str, start: float | None) -> str:
    """The page of a conversation, at the moment a turn starts."""
    return f"/calls/{conversation_id}" + (f"#t={int(start)}" if start is not None else "")


def snippet(text: str, query: str, width: int = SNIPPET) -> str:
    """The part of ``text`` around the first query word it contains, at most ``width`` characters."""
    if len(text) <= width:
        return text
    wanted = {lemma(w) for w in words(query)}
    at = 0
    for m in re.finditer(r"[A-Za-z0-9']+", text):
        if lemma(m.group(0).lower()) in wanted:
            at = m.start()
            break
    start = max(0, min(at - width // 3, len(text) - width))
    body = text[start : start + width].strip()
    return ("…" if start > 0 else "") + body + ("…" if start + width < len(text) else "")


def search(
    rt: Runtime,
    scope: Scope,
    query: str,
    *,
    account: str | None = None,
    deal: str | None = None,
    since: dt.date | None = None,
    speaker: str | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """Ranked snippets for ``query`` among the conversations in ``scope``.

    Args:
        rt: Runtime.
        scope: The caller's scope (row filters applied through the semantic layer).
        query: Words or a phrase.
        account: Account name or id.
        deal: Opportunity id.
        since: Only conversations on or after this day.
        speaker: ``rep`` or ``customer``: only turns by that side.
        limit: How many snippets.

    Raises:
        InvalidRequest: empty query or unknown speaker role.
    """
    if not query or not query.strip():
        raise InvalidRequest("give words to search for", hint='e.g. revintel calls search "pricing concerns"')
    if speaker is not None and speaker not in ROLES[:2]:
        raise InvalidRequest(f"unknown speaker {speaker!r}", hint="rep or customer")
    started = time.perf_counter()
    intel = rt.calls
    version = rt.semantic.data_version()
    index = intel.index(version)
    allowed, n_allowed = intel.allowed(index, scope, account=account, deal=deal, since=since, version=version)
    meta = intel.scoped_meta(index, scope, version)
    top = index.top(index.scores(query, allowed, speaker), limit)
    hits = []
    infos = meta.many([int(index.doc_conv[i]) for i, _ in top])
    for (i, score), info in zip(top, infos, strict=True):
        code = int(index.doc_conv[i])
        if info is None or not allowed[code]:  # outside the scope or the filters: never shown
            continue
        cid = str(index.conversations[code])
        turn = index.turn(i)
        text = turn["text"] or ""
        hits.append(
            {
                "conversation_id": cid,
                "turn_index": int(index.doc_turn[i]),
                "score": round(score, 3),
                "offset_seconds": turn["start_seconds"],
                "speaker": turn["speaker"],
                "role": ROLES[int(index.doc_role[i])],
                "snippet": snippet(text, query),
                "flagged": bool(flag_text(text)),
                **info,
                "link": link(cid, turn["start_seconds"]),
            }
        )
    return {
        "query": query,
        "filters": {"account": account, "deal": deal, "since": since, "speaker": speaker},
        "conversations_searched": n_allowed,
        "results": hits,
        "seconds": round(time.perf_counter() - started, 4),
    }


__all__ = ["CONV_COLUMNS", "conversations", "link", "search", "snippet"]
