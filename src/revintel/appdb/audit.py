"""The audit log: an append-only, tamper-evident record of who saw and did what.

Every sign-in, query, answer, export, delivery and admin action calls :func:`record`. Rows are
never updated or deleted by the application. Each row carries a sequence number, the hash of its
predecessor and its own hash: an HMAC-SHA256, keyed by the app's secret key, over the previous
hash and the row's canonical JSON. :func:`verify` recomputes the chain and names the first row
that was altered, deleted or inserted; :func:`export` gives the trail as JSON lines. Appends are
serialised through the one-row ``audit_chain`` head (an UPDATE takes the write lock first, on
SQLite and on Postgres), so concurrent writers, threads or processes, never fork the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import JSON, DateTime, Integer, String, Text, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from revintel.appdb.base import AppDB, Base, utcnow
from revintel.scope import Scope

GENESIS = "0" * 64
_local_lock = threading.Lock()


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(
        String(80), index=True
    )  # signin, query, ask, export, delivery, admin...
    outcome: Mapped[str] = mapped_column(String(40), default="ok")  # ok, denied, error
    scope: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    target: Mapped[str | None] = mapped_column(String(400), nullable=True)
    detail: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    sql: Mapped[str | None] = mapped_column(Text, nullable=True)
    rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True, index=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditChainHead(Base):
    """One row: the sequence number and hash of the newest audit event."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    key_id: Mapped[str] = mapped_column(String(16))


def key_id(key: bytes) -> str:
    """A short public fingerprint of the sealing key (never the key itself)."""
    return hashlib.sha256(b"revintel-audit-key:" + key).hexdigest()[:16]


def _payload(e: AuditEvent) -> dict[str, Any]:
    at = e.at.replace(tzinfo=None) if e.at else None
    return {
        "seq": e.seq,
        "at": at.isoformat(timespec="microseconds") if at else None,
        "actor": e.actor,
        "action": e.action,
        "outcome": e.outcome,
        "scope": e.scope,
        "target": e.target,
        "detail": e.detail,
        "sql": e.sql,
        "rows": e.rows,
    }


def seal(key: bytes, prev_hash: str, payload: dict[str, Any]) -> str:
    """The hash of one event: HMAC-SHA256(key, previous hash + canonical JSON of the event)."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=True)
    return hmac.new(key, (prev_hash + "\n" + body).encode(), hashlib.sha256).hexdigest()


def _with_request(detail: dict[str, Any] | None) -> dict[str, Any] | None:
    """``detail`` plus the current request's id and milliseconds so far (usage analytics read them)."""
    import time

    from revintel.observability.context import current

    ctx = current()
    if not ctx:
        return detail
    out = dict(detail or {})
    out.setdefault("request_id", ctx.get("request_id"))
    if "started" in ctx:
        out.setdefault("elapsed_ms", round((time.perf_counter() - ctx["started"]) * 1000, 1))
    return out


def _plain_json(v: Any) -> Any:
    return json.loads(json.dumps(v, default=str)) if v else None


class Actor(Protocol):
    """Anyone who acts: a signed-in user (``id`` and ``scope``)."""

    @property
    def id(self) -> str: ...

    @property
    def scope(self) -> Scope: ...


def audited(
    db: AppDB,
    who: Actor | str,
    action: str,
    target: str | None = None,
    *,
    scope: Scope | None = None,
    detail: dict[str, Any] | None = None,
    sql: str | None = None,
    rows: int | None = None,
    outcome: str = "ok",
) -> None:
    """The one way application code writes the audit trail: ``who`` did ``action`` on ``target``.

    ``who`` is a user (its id is the actor and its scope the default scope) or an actor id such as
    ``"cli"`` or ``"scheduler"``; empty values in ``detail`` are dropped.
    """
    actor = who if isinstance(who, str) else who.id
    if scope is None and not isinstance(who, str):
        scope = who.scope
    clean = {k: v for k, v in (detail or {}).items() if v not in (None, "")} or None
    record(db, actor=actor, action=action, scope=scope, target=target, detail=clean, sql=sql, rows=rows,
           outcome=outcome)  # fmt: skip


def record(
    db: AppDB,
    *,
    actor: str,
    action: str,
    scope: Scope | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    sql: str | None = None,
    rows: int | None = None,
    outcome: str = "ok",
) -> None:
    """Append one audit event to the chain (inside a request, with its request id and elapsed time).

    The chain's low-level append; application code calls :func:`audited`.
    """
    detail = _with_request(detail)
    fields = {
        "at": utcnow(),
        "actor": actor,
        "action": action,
        "outcome": outcome,
        "scope": _plain_json(scope.to_dict()) if scope else None,
        "target": target,
        "detail": _plain_json(detail),
        "sql": sql,
        "rows": rows,
    }
    with _local_lock:
        for attempt in range(5):
            event = AuditEvent(**fields)  # a new row per try: a failed session leaves the old one detached
            try:
                with db.session() as s:
                    head = _lock_head(s, db.audit_key)
                    event.seq = head.seq + 1
                    event.prev_hash = head.hash
                    event.hash = seal(db.audit_key, head.hash, _payload(event))
                    s.add(event)
                    head.seq, head.hash = event.seq, event.hash
                return
            except IntegrityError:  # another process created the head or took the seq first
                if attempt == 4:
                    raise


def _lock_head(s: Session, key: bytes) -> AuditChainHead:
    """The chain head, write-locked for this transaction (created on first use)."""
    # an UPDATE first: SQLite takes its write lock, Postgres locks the row, before anything is read
    s.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(seq=AuditChainHead.seq))
    head = s.get(AuditChainHead, 1, populate_existing=True)
    if head is None:
        head = AuditChainHead(id=1, seq=0, hash=GENESIS, key_id=key_id(key))
        s.add(head)
        s.flush()
    return head


def events(
    db: AppDB, *, limit: int = 200, actor: str | None = None, action: str | None = None
) -> list[dict[str, Any]]:
    """The newest events first, optionally for one actor or action."""
    q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if actor:
        q = q.where(AuditEvent.actor == actor)
    if action:
        q = q.where(AuditEvent.action == action)
    with db.session() as s:
        return [_as_dict(e) for e in s.scalars(q)]


def _as_dict(e: AuditEvent) -> dict[str, Any]:
    """The event as exported: exactly the sealed fields, plus its id and chain hashes."""
    return {"id": e.id, **_payload(e), "at": e.at.isoformat(), "prev_hash": e.prev_hash, "hash": e.hash}


@dataclass
class Verification:
    """What :func:`verify` found: ``ok``, how many events it checked, and the first break."""

    ok: bool
    checked: int = 0
    legacy: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problem: str | None = None
    kind: str | None = None  # altered | deleted | inserted | key
    at_id: int | None = None
    at_seq: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def verify(db: AppDB) -> Verification:
    """Recompute the chain and name the first altered, deleted or inserted event."""
    with db.session() as s:
        head = s.get(AuditChainHead, 1)
        legacy = s.query(AuditEvent).filter(AuditEvent.seq.is_(None)).count()
        if head is None:
            chained = s.query(AuditEvent).filter(AuditEvent.seq.is_not(None)).count()
            if chained:
                return Verification(
                    False,
                    legacy=legacy,
                    kind="deleted",
                    problem="the chain head is missing: the trail was tampered with",
                )
            return Verification(True, legacy=legacy)
        if head.key_id != key_id(db.audit_key):
            return Verification(
                False,
                legacy=legacy,
                kind="key",
                head_seq=head.seq,
                head_hash=head.hash,
                problem="the audit chain was sealed with a different secret key "
                "(REVINTEL_SECRET_KEY differs from the one in force when it was written)",
            )
        result = Verification(True, legacy=legacy, head_seq=head.seq, head_hash=head.hash)
        first_chained = s.query(func.min(AuditEvent.id)).filter(AuditEvent.seq.is_not(None)).scalar()
        if first_chained is not None:
            stray = s.scalars(
                select(AuditEvent)
                .where(AuditEvent.seq.is_(None), AuditEvent.id > first_chained)
                .order_by(AuditEvent.id)
                .limit(1)
            ).first()
            if stray is not None:
                result.legacy -= (
                    s.query(AuditEvent)
                    .filter(AuditEvent.seq.is_(None), AuditEvent.id > first_chained)
                    .count()
                )
                problem = f"event id {stray.id} was inserted outside the chain"
                return _broken(result, "inserted", stray, problem)
        prev_hash, expected_seq = GENESIS, 1
        q = select(AuditEvent).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq)
        for e in s.scalars(q):
            result.checked += 1
            own = seal(db.audit_key, e.prev_hash or "", _payload(e))
            if e.seq is not None and e.seq > head.seq:
                problem = f"event id {e.id} (seq {e.seq}) lies beyond the chain head"
                return _broken(result, "inserted", e, problem)
            if e.seq != expected_seq:
                if e.seq is not None and e.seq > expected_seq and own == e.hash:
                    return _broken(
                        result,
                        "deleted",
                        e,
                        f"events {expected_seq}..{e.seq - 1} are missing before event id {e.id}",
                    )
                return _broken(
                    result, "inserted", e, f"event id {e.id} has sequence {e.seq}, expected {expected_seq}"
                )
            if own != e.hash:
                if e.prev_hash == prev_hash:
                    return _broken(
                        result,
                        "altered",
                        e,
                        f"event id {e.id} (seq {e.seq}) was altered after it was written",
                    )
                return _broken(
                    result, "inserted", e, f"event id {e.id} (seq {e.seq}) was not written by the application"
                )
            if e.prev_hash != prev_hash:
                return _broken(
                    result,
                    "inserted",
                    e,
                    f"event id {e.id} (seq {e.seq}) does not follow its predecessor: an event was "
                    "inserted or replaced before it",
                )
            prev_hash, expected_seq = e.hash or "", expected_seq + 1
        if expected_seq - 1 != head.seq or prev_hash != head.hash:
            result.ok, result.kind = False, "deleted"
            result.problem = (
                f"the newest events were deleted: the chain ends at sequence {expected_seq - 1}, "
                f"its head says {head.seq}"
            )
        return result


def _broken(result: Verification, kind: str, e: AuditEvent, problem: str) -> Verification:
    result.ok, result.kind, result.problem, result.at_id, result.at_seq = False, kind, problem, e.id, e.seq
    return result


def export(db: AppDB, *, since: dt.datetime | None = None, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every event (oldest first, optionally since a time) as a dict, with its chain hashes."""
    last_id = 0
    while True:
        q = select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        if since is not None:
            q = q.where(AuditEvent.at >= since)
        with db.session() as s:
            rows = list(s.scalars(q))
        if not rows:
            return
        for e in rows:
            yield _as_dict(e)
        last_id = rows[-1].id
