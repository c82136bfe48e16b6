"""Reading conversations and turns, always through :meth:`SemanticLayer.scoped_table`.

:class:`CallData` (``rt.calls``) holds what is worth keeping between requests: the BM25 index
(per data version, also on disk) and the in-scope conversation masks (per scope, filters and data
version). Conversations belong to the ``pipeline`` domain: a scope without it sees none.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import numpy as np
import pyarrow as pa

from revintel.conversations.index import CallIndex
from revintel.errors import Forbidden
from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

DOMAIN = "pipeline"
CONV_COLUMNS = [
    "conversation_id",
    "account_id",
    "account",
    "opportunity_id",
    "rep",
    "region",
    "channel",
    "occurred_at",
    "subject",
]
_MASKS = 64
_METAS = 16


def check_domain(scope: Scope) -> None:
    """Conversations are pipeline data: refuse a scope without the pipeline domain."""
    if DOMAIN not in scope.domains:
        raise Forbidden(
            "conversations are outside your role's data domains",
            hint="ask an administrator for a role that includes pipeline data",
        )


def conversations(
    rt: Runtime,
    scope: Scope,
    *,
    account: str | None = None,
    deal: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    columns: list[str] | None = None,
) -> ibis.Table:
    """The conversations ``scope`` may see, filtered; the one way every reader gets them."""
    check_domain(scope)
    cols = list(columns or CONV_COLUMNS)
    cols += ["account_id", "account"] if account else []
    cols += ["opportunity_id"] if deal else []
    cols += ["occurred_at"] if since or until else []
    t = rt.semantic.scoped_table("conversations", scope, columns=cols)
    if account:
        t = t.filter((t.account_id == account) | (t.account.lower() == account.lower()))
    if deal:
        t = t.filter(t.opportunity_id == deal)
    if since:
        t = t.filter(t.occurred_at >= dt.datetime.combine(since, dt.time.min))
    if until:
        t = t.filter(t.occurred_at <= dt.datetime.combine(until, dt.time.max))
    return t


def turns_table(rt: Runtime, scope: Scope, columns: list[str] | None = None) -> ibis.Table:
    """The turns of the conversations ``scope`` may see."""
    check_domain(scope)
    cols = columns or [
        "conversation_id",
        "turn_index",
        "speaker",
        "role",
        "start_seconds",
        "end_seconds",
        "text",
    ]
    return rt.semantic.scoped_table("conversation_turns", scope, columns=cols)


def turns_of(rt: Runtime, scope: Scope, conversation_ids: list[str]) -> dict[tuple[str, int], dict[str, Any]]:
    """(conversation id, turn index) -> turn, for the given conversations inside ``scope``."""
    if not conversation_ids:
        return {}
    t = turns_table(rt, scope)
    t = t.filter(t.conversation_id.isin(conversation_ids))
    rows = rt.warehouse.execute(
        t.select("conversation_id", "turn_index", "speaker", "role", "start_seconds", "end_seconds", "text")
    )
    return {(r["conversation_id"], int(r["turn_index"])): r for r in records(rows)}


def records(frame: Any) -> list[dict[str, Any]]:
    """DataFrame rows as dicts with ``None`` for missing values and Python datetimes."""
    out = []
    for r in frame.to_dict("records"):
        row: dict[str, Any] = {}
        for k, v in r.items():
            if v is None or (isinstance(v, float) and v != v) or v is getattr(v, "NaT", object()):
                row[k] = None
            elif hasattr(v, "to_pydatetime"):
                row[k] = None if str(v) == "NaT" else v.to_pydatetime()
            else:
                row[k] = v.item() if hasattr(v, "item") else v
        out.append(row)
    return out


class CallData:
    """The BM25 index, in-scope masks and in-scope conversation details of one runtime (``rt.calls``)."""

    def __init__(self, rt: Runtime):
        self.rt = rt
        self._lock = threading.Lock()
        self._index: tuple[str, CallIndex] | None = None
        self._masks: OrderedDict[tuple[Any, ...], tuple[np.ndarray, int]] = OrderedDict()
        self._metas: OrderedDict[tuple[Any, ...], ScopedMeta] = OrderedDict()
        self._memo: dict[str, tuple[str, Any]] = {}

    def memo(self, name: str, build: Callable[[], Any]) -> Any:
        """``build()``, computed once per data version (system-wide results such as tracker hits)."""
        version = self.rt.semantic.data_version()
        with self._lock:
            hit = self._memo.get(name)
            if hit and hit[0] == version:
                return hit[1]
        value = build()
        with self._lock:
            self._memo[name] = (version, value)
        return value

    def cache_dir(self) -> Path:
        """``<home>/cache/calls/<data version>``: where system-wide results are kept between processes."""
        return Path(self.rt.settings.home) / "cache" / "calls" / self.rt.semantic.data_version()

    def index(self, version: str | None = None) -> CallIndex:
        """The index for the current data version (memory, else disk, else built now)."""
        version = version or self.rt.semantic.data_version()
        with self._lock:
            if self._index and self._index[0] == version:
                return self._index[1]
            folder = Path(self.rt.settings.home) / "cache" / "calls" / version / "index"
            idx = CallIndex.load(folder)
            if idx is None or idx.docs is None:
                idx = self._build()
                folder.parent.mkdir(parents=True, exist_ok=True)
                idx.save(folder)
            self._index = (version, idx)
            self._masks.clear()
            self._metas.clear()
            return idx

    def _build(self) -> CallIndex:
        cols = ["conversation_id", "turn_index", "role", "speaker", "start_seconds", "text"]
        t = self.rt.semantic.scoped_table("conversation_turns", Scope.everything(), columns=cols)
        arrow = self.rt.warehouse.to_arrow(t.select(*cols).order_by(["conversation_id", "turn_index"]))
        texts = [s or "" for s in arrow.column("text").to_pylist()]
        return CallIndex.build(
            arrow.column("conversation_id").to_pylist(),
            arrow.column("turn_index").to_pylist(),
            arrow.column("role").to_pylist(),
            texts,
            arrow.select(["speaker", "start_seconds", "text"]),
        )

    def scoped_meta(self, index: CallIndex, scope: Scope, version: str | None = None) -> ScopedMeta:
        """Account, deal, rep, region, date and title of every conversation ``scope`` may see.

        Read once per scope and data version through :func:`conversations` (so the compiler applies
        the scope) and kept beside the index: a search then looks its hits up instead of querying.
        """
        key = (version or self.rt.semantic.data_version(), scope)
        with self._lock:
            if key in self._metas:
                self._metas.move_to_end(key)
                return self._metas[key]
        arrow = self.rt.warehouse.to_arrow(conversations(self.rt, scope).select(*CONV_COLUMNS))
        rows = _positions(index, arrow.column("conversation_id").to_pylist())
        meta = ScopedMeta(rows, arrow.select(CONV_COLUMNS[1:]).combine_chunks())
        with self._lock:
            self._metas[key] = meta
            while len(self._metas) > _METAS:
                self._metas.popitem(last=False)
        return meta

    def allowed(
        self,
        index: CallIndex,
        scope: Scope,
        *,
        account: str | None = None,
        deal: str | None = None,
        since: dt.date | None = None,
        version: str | None = None,
    ) -> tuple[np.ndarray, int]:
        """(mask over the index's conversations, how many) of those ``scope`` may see, filtered."""
        version = version or self.rt.semantic.data_version()
        if not (account or deal or since):
            meta = self.scoped_meta(index, scope, version)
            mask = meta.rows >= 0
            return mask, int(mask.sum())
        key = (version, scope, account, deal, since)
        with self._lock:
            if key in self._masks:
                self._masks.move_to_end(key)
                return self._masks[key]
        t = conversations(
            self.rt, scope, account=account, deal=deal, since=since, columns=["conversation_id"]
        )
        ids = self.rt.warehouse.to_arrow(t.select("conversation_id")).column("conversation_id").to_pylist()
        mask = _positions(index, ids) >= 0
        with self._lock:
            self._masks[key] = (mask, len(ids))
            while len(self._masks) > _MASKS:
                self._masks.popitem(last=False)
        return mask, len(ids)


@dataclass(frozen=True)
class ScopedMeta:
    """Per index conversation code: its row in ``columns`` (-1: outside the scope)."""

    rows: np.ndarray
    columns: pa.Table  # kept as Arrow: a few MB per scope at 100,000 conversations

    def of(self, code: int) -> dict[str, Any] | None:
        """The conversation's account, deal, rep, region, channel, date and title; ``None`` outside."""
        return self.many([code])[0]

    def many(self, codes: list[int]) -> list[dict[str, Any] | None]:
        """:meth:`of` for several conversation codes, read in one take."""
        rows = [int(self.rows[c]) for c in codes]
        found = (
            self.columns.take([r for r in rows if r >= 0]).to_pylist() if any(r >= 0 for r in rows) else []
        )
        it = iter(found)
        return [next(it) if r >= 0 else None for r in rows]


def _positions(index: CallIndex, ids: list[str]) -> np.ndarray:
    """Per index conversation code: where it is in ``ids`` (-1: absent)."""
    rows = np.full(len(index.conversations), -1, dtype=np.int64)
    if ids and len(index.conversations):
        wanted = np.asarray(ids, dtype=str)
        pos = np.minimum(np.searchsorted(index.conversations, wanted), len(index.conversations) - 1)
        hit = index.conversations[pos] == wanted
        rows[pos[hit]] = np.flatnonzero(hit)
    return rows
