"""Compose the daily brief for a persona and date, from the services that own the numbers.

Every section calls its owner (KPI engine, forecast roll-up, deal risk, conversations, customers)
with the persona's scope and turns the result into document items; nothing here computes a
metric. A section whose service is missing, whose domain the role may not see, or whose data is
absent says so in a note instead of failing the whole brief.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from revintel.appdb.base import AppDB, utcnow
from revintel.briefs import sections as sec
from revintel.briefs.narrative import polish as polish_text
from revintel.errors import RevintelError
from revintel.export.document import Document, Figure, Section
from revintel.scope import Persona, Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

log = logging.getLogger("revintel.briefs")
ProgressFn = Callable[[str, float], None]
Builder = Callable[[sec.Ctx], Section]

#: (section id, title, metric domain the role needs, builder)
SECTIONS: tuple[tuple[str, str, str | None, Builder], ...] = (
    ("kpis", "KPIs vs budget and prior year", None, sec.kpis),
    ("pipeline", "Pipeline health", "pipeline", sec.pipeline),
    ("forecast", "Forecast vs quota", "pipeline", sec.forecast),
    ("slipped", "Deals that slipped", "pipeline", sec.slipped),
    ("risks", "Top at-risk deals", "pipeline", sec.risks),
    ("wins_losses", "Key wins and losses", "pipeline", sec.wins_losses),
    ("competitors", "Competitor mentions", "pipeline", sec.competitors),
    ("churn", "Churn alerts", "customers", sec.churn),
)


def _build(ctx: sec.Ctx, sid: str, title: str, domain: str | None, builder: Builder) -> Section:
    if domain and domain not in ctx.scope.domains:
        return Section(sid, title, note=f"Not part of your role's metric domains ({domain}).")
    try:
        out = builder(ctx)
    except sec.Unavailable as exc:
        return Section(sid, title, note=str(exc))
    except RevintelError as exc:
        return Section(sid, title, note=f"Could not be computed: {exc.message}")
    except Exception as exc:  # boundary: one failing service must not take the whole brief down
        log.exception("brief section %s failed", sid)
        return Section(
            sid,
            title,
            note=f"Could not be computed (internal error: {type(exc).__name__}); see the server log.",
        )
    return replace(out, id=sid, title=title)


def compose_brief(
    rt: Runtime,
    scope: Scope,
    day: dt.date | None = None,
    *,
    persona: Persona | None = None,
    polish: bool = True,
    progress: ProgressFn | None = None,
) -> Document:
    """The daily brief for ``scope`` on ``day`` (default: the data's as-of date).

    Args:
        rt: The runtime (warehouse, semantic layer, services).
        scope: The reader's row scope; every section is computed within it.
        day: The brief's date; numbers are as of this date.
        persona: Names the reader in the title (defaults to the scope's persona).
        polish: Let a configured LLM polish the wording (numbers are checked, never changed).
        progress: Called with (step, fraction) as sections complete.
    """
    day = day or rt.as_of()
    ctx = sec.Ctx(rt, scope, day)
    sections: list[Section] = []
    for n, (sid, title, domain, builder) in enumerate(SECTIONS):
        if progress:
            progress(f"Brief: {title}", n / (len(SECTIONS) + 1))
        sections.append(_build(ctx, sid, title, domain, builder))
    sections.append(sec.actions(sections))
    who = persona.title if persona else (scope.persona or scope.role)
    doc = Document(
        kind="brief",
        title="Daily brief",
        subtitle=f"{who} · {day.isoformat()}",
        persona=scope.persona,
        scope=scope.describe(),
        as_of=day,
        generated_at=utcnow(),
        headline=headline(sections),
        sections=sections,
        link=f"{rt.settings.public_url.rstrip('/')}/briefs" if rt.settings.public_url else None,
    )
    if polish and rt.settings.llm_base_url:
        if progress:
            progress("Brief: polishing the wording", len(SECTIONS) / (len(SECTIONS) + 1))
        doc = polish_text(doc, rt.settings).document
    if progress:
        progress("Brief: done", 1.0)
    return doc


def headline(sections: list[Section]) -> list[Figure]:
    """Up to four headline numbers: the first figure of the first items of the main sections."""
    by_id = {s.id: s for s in sections}
    out: list[Figure] = []
    for sid in ("kpis", "forecast", "pipeline", "risks"):
        s = by_id.get(sid)
        if s and s.items and s.items[0].figures:
            out.append(s.items[0].figures[0])
    return out


def save_brief(db: AppDB, doc: Document, *, created_by: str) -> int:
    """Store a composed brief for the "past briefs" list; returns its id."""
    from revintel.appdb.schedules import BriefRecord

    with db.session() as s:
        row = BriefRecord(
            persona=doc.persona or created_by,
            brief_date=doc.as_of or dt.date.today(),
            created_by=created_by,
            title=f"{doc.title} · {doc.subtitle}",
            document=doc.to_dict(),
        )
        s.add(row)
        s.flush()
        return row.id


def past_briefs(db: AppDB, persona: str | None, limit: int = 30) -> list[dict[str, Any]]:
    """Stored briefs for one persona (``None`` = all), newest first, without their documents."""
    from sqlalchemy import select

    from revintel.appdb.schedules import BriefRecord

    q = select(BriefRecord).order_by(BriefRecord.id.desc()).limit(limit)
    if persona:
        q = q.where(BriefRecord.persona == persona)
    with db.session() as s:
        return [
            {
                "id": r.id,
                "persona": r.persona,
                "date": r.brief_date.isoformat(),
                "title": r.title,
                "created_at": r.created_at.isoformat(),
                "created_by": r.created_by,
            }
            for r in s.scalars(q)
        ]


def load_brief(db: AppDB, brief_id: int, persona: str | None) -> Document:
    """One stored brief; a reader bound to a persona only sees that persona's briefs."""
    from revintel.appdb.schedules import BriefRecord
    from revintel.errors import NotFound

    with db.session() as s:
        row = s.get(BriefRecord, brief_id)
        if row is None or (persona and row.persona != persona):
            raise NotFound(f"no stored brief with id {brief_id}")
        return Document.from_dict(row.document)


def has_module(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        return False
    return True
