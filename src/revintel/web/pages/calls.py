"""Pages: Calls (search), one conversation, Competitive intel, and the deal copilot.

Each page calls the same audited services as the CLI and the API (:mod:`revintel.services.calls`)
under the caller's scope narrowed by the global filters.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import plotly.graph_objects as go
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.http.params import query_date, query_int, query_text
from revintel.scope import DRILL, Scope
from revintel.services import calls as svc
from revintel.services.identity import User
from revintel.web.charts import to_json
from revintel.web.filters import note_unapplied, page_scope
from revintel.web.nav import NavItem, register
from revintel.web.templating import render

router = APIRouter(include_in_schema=False)
register(NavItem("Calls", "/calls", section="Pipeline", permission=DRILL, domain="pipeline", order=33))
register(
    NavItem(
        "Competitive intel",
        "/calls/competitors",
        section="Pipeline",
        permission=DRILL,
        domain="pipeline",
        order=34,
    )
)
QUESTIONS = (
    "Summarize the last 5 calls",
    "What objections did the customer raise?",
    "What are the next best actions?",
    "Draft a follow-up email in an executive tone",
)


def _page_scope(request: Request, user: User) -> Scope:
    """The caller's scope narrowed by the global filters; calls carry no capability, so a capability
    *filter* is left out here and the page says so (a scope bound to a capability is still refused)."""
    base = svc.calls_scope(user)
    scope = page_scope(request, base)
    if "capability" in scope.filters and "capability" not in base.filters:
        note_unapplied(
            request,
            "Calls and emails are recorded per region, team and rep, not per capability: "
            "the capability filter is not applied to them.",
        )
        scope = dataclasses.replace(scope, rows=tuple((d, v) for d, v in scope.rows if d != "capability"))
    return scope


@router.get("/calls", response_class=HTMLResponse)
def calls_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """Search every call and email in scope; each result links to its moment."""
    scope = _page_scope(request, user)
    q = query_text(request, "q")
    speaker = query_text(request, "speaker")
    speaker = speaker if speaker in ("rep", "customer") else None
    account, deal, since = (
        query_text(request, "account"),
        query_text(request, "deal"),
        query_date(request, "since"),
    )
    filters = {"account": account, "deal": deal, "since": since}
    out = None
    if q:
        out = svc.audited_search(
            rt,
            user,
            scope,
            q,
            speaker=speaker,
            limit=query_int(request, "limit", 20, 1, 100),
            target="page/calls",
            account=account,
            deal=deal,
            since=since,
        )
    return render(
        request,
        "calls.html",
        {
            "title": "Calls",
            "q": q or "",
            "speaker": speaker or "",
            "r": out,
            "f": {k: v or "" for k, v in filters.items()},
        },
    )


def _heatmap(rows: list[dict[str, Any]], quarter: str | None) -> str | None:
    cells = [r for r in rows if r["quarter"] == quarter]
    if not cells:
        return None
    comps = sorted({r["competitor"] for r in cells})
    regions = sorted({r["region"] for r in cells})
    z = [
        [next((r["per_100"] for r in cells if r["competitor"] == c and r["region"] == g), 0) for g in regions]
        for c in comps
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=regions,
            y=comps,
            colorscale="Blues",
            hovertemplate="%{y} in %{x}: %{z:.1f} per 100 calls<extra></extra>",
        )
    )
    fig.update_layout(margin={"l": 140, "r": 10, "t": 10, "b": 30})
    return to_json(fig)


@router.get("/calls/competitors", response_class=HTMLResponse)
def competitors_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """Competitive intel: mentions per 100 calls by region and quarter, surges, win rates, objections."""
    scope = _page_scope(request, user)
    out = svc.audited_competitors(
        rt, user, scope, since=query_date(request, "since"), target="page/calls/competitors"
    )
    quarters = sorted({r["quarter"] for r in out["by_region"]})
    latest = quarters[-1] if quarters else None
    return render(
        request,
        "competitors.html",
        {
            "title": "Competitive intel",
            "r": out,
            "quarter": latest,
            "heat": _heatmap(out["by_region"], latest),
            "latest": [r for r in out["heatmap"] if r["quarter"] == latest and r["mentions"]],
        },
    )


@router.get("/calls/copilot", response_class=HTMLResponse)
def copilot_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """The deal copilot for ``?deal=`` (or ``?account=``): ``?q=`` one of the four questions (or any)."""
    scope = _page_scope(request, user)
    deal, account = query_text(request, "deal"), query_text(request, "account")
    q = query_text(request, "q") or QUESTIONS[0]
    tone = query_text(request, "tone")
    tone = tone if tone in ("executive", "friendly", "concise") else None
    out = (  # no deal or account yet: the page asks for one instead of refusing
        svc.audited_copilot(
            rt, user, scope, q, deal=deal, account=account, tone=tone, target="page/calls/copilot"
        )
        if deal or account
        else None
    )
    return render(
        request,
        "copilot.html",
        {
            "title": "Deal copilot",
            "o": out,
            "q": q,
            "deal": deal or "",
            "account": account or "",
            "questions": QUESTIONS,
        },
    )


@router.get("/calls/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    conversation_id: str, request: Request, user: CurrentUser, rt: RuntimeDep
) -> HTMLResponse:
    """One conversation: every turn with speaker, role and time; tracker hits; statistics."""
    scope = _page_scope(request, user)
    d = svc.audited_conversation(rt, user, scope, conversation_id)
    marks: dict[int, list[str]] = {}
    for h in d["trackers"]:
        marks.setdefault(h["turn_index"], []).append(h["name"] if h["kind"] != "next_step" else "next step")
    return render(request, "call.html", {"title": d["subject"] or conversation_id, "d": d, "marks": marks})
