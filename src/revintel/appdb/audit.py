"""The audit log: append-only record of who saw and did what.

Every sign-in, query, answer, export, delivery and admin action calls :func:`record`. Rows are
never updated or deleted by the application.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from revintel.appdb.base import AppDB, Base, utcnow
from revintel.scope import Scope


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
    """Append one audit event."""
    with db.session() as s:
        s.add(
            AuditEvent(
                actor=actor,
                action=action,
                outcome=outcome,
                scope=scope.to_dict() if scope else None,
                target=target,
                detail=json.loads(json.dumps(detail, default=str)) if detail else None,
                sql=sql,
                rows=rows,
            )
        )


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
        return [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "outcome": e.outcome,
                "scope": e.scope,
                "target": e.target,
                "detail": e.detail,
                "sql": e.sql,
                "rows": e.rows,
            }
            for e in s.scalars(q)
        ]
