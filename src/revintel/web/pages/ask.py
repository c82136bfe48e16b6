"""``/ask``: the Ask page — chat with charts, SQL, definitions, conversations and feedback.

The page is a shell: questions go to ``POST /api/ask/stream`` (server-sent events: understood ->
query -> answer) from ``static/ask.js``, which draws each answer's chart with Plotly from the
answer's table and chart spec (data, never code). Earlier conversations are listed from the app
database and a conversation's turns are rendered from their stored answers.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revintel.appdb import conversations as convdb
from revintel.ask.suggest import CANONICAL
from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.http.params import query_text
from revintel.scope import DRILL
from revintel.services import authz
from revintel.web.nav import NavItem, register
from revintel.web.templating import render

router = APIRouter(include_in_schema=False)
register(NavItem("Ask", "/ask", section="Overview", permission=DRILL, icon="?", order=20))

#: the four prompt chips: (label, question) — each lands on one of the demo's planted signals
CHIPS = (
    ("December dip", CANONICAL[0]),
    ("Rate vs volume (APAC)", CANONICAL[1]),
    ("Biggest budget-gap contributor", CANONICAL[2]),
    ("Budget vs actuals YTD", CANONICAL[3]),
)


@router.get("/ask", response_class=HTMLResponse)
def ask_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """The chat; ``?c=<id>`` reopens one of the caller's conversations."""
    authz.drill(user)
    cid = query_text(request, "c", 64)
    current: dict[str, Any] | None = convdb.get(rt.appdb, user.id, cid) if cid else None
    ctx = {
        "title": "Ask",
        "use_charts": True,
        "chips": CHIPS,
        "conversations": convdb.list_for(rt.appdb, user.id),
        "current": current,
        "turns": [
            {"id": t["id"], "question": t["question"], "answer": t["answer"], "feedback": t["feedback"]}
            for t in (current or {}).get("turns", [])
        ],
    }
    return render(request, "ask.html", ctx)
