"""One conversation: its metadata, turns (with role, offset and flags), tracker hits and statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from revintel.conversations.data import CONV_COLUMNS, conversations, records, turns_table
from revintel.conversations.safety import flag_text
from revintel.conversations.stats import call_stats
from revintel.conversations.tracking import scoped_hits
from revintel.errors import NotFound

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope


def conversation_detail(rt: Runtime, scope: Scope, conversation_id: str) -> dict[str, Any]:
    """Everything the conversation page shows, for a conversation the scope may see.

    Raises:
        NotFound: no such conversation, or outside the scope (not told apart).
    """
    t = conversations(
        rt,
        scope,
        columns=[*CONV_COLUMNS, "participants", "duration_seconds"],
    )
    rows = records(rt.warehouse.execute(t.filter(t.conversation_id == conversation_id)))
    if not rows:
        raise NotFound(f"no conversation {conversation_id!r} in your scope", hint="search calls to find one")
    tt = turns_table(rt, scope)
    turns = records(
        rt.warehouse.execute(
            tt.filter(tt.conversation_id == conversation_id)
            .select("turn_index", "speaker", "role", "start_seconds", "end_seconds", "text")
            .order_by("turn_index")
        )
    )
    for turn in turns:
        turn["flagged"] = bool(flag_text(turn["text"] or ""))
    hits, _ = scoped_hits(rt, scope)
    mine = [h for h in hits if h["conversation_id"] == conversation_id]
    return {**rows[0], "turns": turns, "trackers": mine, "stats": call_stats(turns)}
