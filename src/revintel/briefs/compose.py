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

from revintel import format as fmt_mod
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

#: what a reader sees when a section failed unexpectedly (the traceback goes to the log, not the page)
UNAVAILABLE = "This section could not be prepared today; the rest of the brief is complete."

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
    ("marketing", "Marketing and funnel", "marketing", sec.marketing),
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
    except Exception:  # boundary: one failing service must not take the whole brief down
        log.exception("brief section %s failed", sid)
        return Section(sid, title, note=UNAVAILABLE)
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
    with rt.semantic.pinned():  # one data version for the whole brief, read once
        for n, (sid, title, domain, builder) in enumerate(SECTIONS):
            if progress:
                progress(f"Brief: {title}", n / (len(SECTIONS) + 1))
            sections.append(_build(ctx, sid, title, domain, builder))
    sections.append(sec.actions(sections))
    who = persona.title if persona else (scope.persona or scope.role)
    doc = Document(
        kind="brief",
        title="Daily brief",
        subtitle=f"{who} · {fmt_mod.date(day)}",
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
    """The 4-6 key numbers for the title page and the delivery: the largest money KPI and its gap
    to budget, the P50 forecast and quota, open pipeline and expected loss (each taken from the
    section that owns it, so it reads the same there)."""
    by_id = {s.id: s for s in sections}
    out: list[Figure] = []
    kpis = by_id.get("kpis")
    money = [it for it in (kpis.items if kpis else []) if it.figures and it.figures[0].unit == "currency"]
    if money:
        top = max(money, key=lambda it: abs(it.figures[0].value or 0.0))
        out.append(top.figures[0])
        out += [f for f in top.figures if f.label == "Gap to budget"]
    elif kpis and kpis.items and kpis.items[0].figures:
        out.append(kpis.items[0].figures[0])
    wanted = (
        ("forecast", ("P50 forecast", "Quota")),
        ("pipeline", ("Open pipeline", "Expected loss")),
        ("risks", ("Expected loss (top)",)),
    )
    for sid, labels in wanted:
        s = by_id.get(sid)
        figs = [f for it in (s.items[:1] if s else []) for f in it.figures]
        for label in labels:
            f = next((f for f in figs if f.label.startswith(label) and f.value is not None), None)
            if f is not None and len(out) < 6:
                out.append(f)
    return out


def access_of(scope: Scope) -> dict[str, Any]:
    """What a reader must cover to read a brief composed within ``scope`` (stored with the brief)."""
    return {
        "rows": {dim: list(vals) for dim, vals in scope.rows},
        "domains": sorted(scope.domains),
        "drill": scope.allows("drill"),
    }


def covers(scope: Scope, document: dict[str, Any]) -> bool:
    """Whether a reader with ``scope`` may read a stored brief ``document`` (its ``access`` block).

    The reader's domains must include the brief's, every row restriction of the reader must also
    restrict the brief (to a subset of the reader's values), and a brief composed with drill-level
    detail needs a reader who may drill. A brief stored without an access block (older records)
    is readable only by unrestricted readers with every domain and drill rights.
    """
    access = document.get("access")
    if not isinstance(access, dict):
        from revintel.scope import ALL_DOMAINS

        return scope.unrestricted and scope.domains >= ALL_DOMAINS and scope.allows("drill")
    if not set(access.get("domains") or []) <= set(scope.domains):
        return False
    if access.get("drill") and not scope.allows("drill"):
        return False
    brief_rows = {k: set(v) for k, v in (access.get("rows") or {}).items()}
    return all(dim in brief_rows and brief_rows[dim] <= set(vals) for dim, vals in scope.rows)


def save_brief(db: AppDB, doc: Document, *, created_by: str, scope: Scope | None = None) -> int:
    """Store a composed brief for the "past briefs" list; returns its id.

    ``scope``: the scope it was composed within, stored so that only readers whose scope and
    domains cover it may read it later (:func:`revintel.services.briefs.can_read`).
    """
    from revintel.appdb.schedules import BriefRecord

    document = doc.to_dict()
    if scope is not None:
        document["access"] = access_of(scope)
    with db.session() as s:
        row = BriefRecord(
            persona=doc.persona or created_by,
            brief_date=doc.as_of or dt.date.today(),
            created_by=created_by,
            title=f"{doc.title} · {doc.subtitle}",
            document=document,
        )
        s.add(row)
        s.flush()
        return row.id


def load_brief(db: AppDB, brief_id: int, scope: Scope) -> Document:
    """One stored brief, if ``scope`` covers it (:func:`covers`); otherwise, as for a missing id, 404."""
    from revintel.appdb.schedules import BriefRecord
    from revintel.errors import NotFound

    row = None
    if 0 < brief_id < 2**31:
        with db.session() as s:
            row = s.get(BriefRecord, brief_id)
            document = row.document if row is not None else None
    if row is None or document is None or not covers(scope, document):
        raise NotFound(f"no stored brief with id {brief_id}")
    return Document.from_dict(document)


def has_module(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        return False
    return True
