"""Deals over HTTP: the win model card, the risk list, one deal, training.

Routes are thin: they check the caller may drill into pipeline data, then call the domain with
the caller's scope (``CurrentUser.scope``); nothing here can widen it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from revintel.api.auth import User
from revintel.api.deps import CurrentUser, RuntimeDep
from revintel.appdb import audit
from revintel.errors import Forbidden
from revintel.runtime import Runtime
from revintel.scope import DRILL, Scope

router = APIRouter(tags=["deals"])

AsOfParam = Annotated[
    dt.date | None, Query(description="Treat this date as today (default: the data's as-of).")
]


def pipeline_scope(user: User) -> Scope:
    """The caller's scope, if their role may open deal-level pipeline data."""
    scope = user.scope
    if "pipeline" not in scope.domains or not scope.allows(DRILL):
        raise Forbidden(
            f"your role ({user.role}) cannot open deal-level pipeline data",
            hint="the dashboard shows your summary",
            details={"permission": DRILL, "domain": "pipeline"},
        )
    return scope


def audited_risk_list(
    rt: Runtime,
    user: User,
    scope: Scope,
    as_of: dt.date | None,
    top: int,
    filters: dict[str, Any],
    target: str,
) -> dict[str, Any]:
    """The risk list within ``scope``, recorded in the audit log (shared by this API and the Deals page)."""
    from revintel.deals.risk import risk_list

    out = risk_list(rt, scope, as_of, top, filters)
    audit.record(
        rt.appdb,
        actor=user.id,
        action="query",
        scope=scope,
        target=target,
        detail={k: v for k, v in filters.items() if v not in (None, "")},
        rows=len(out["deals"]),
    )
    return out


@router.get("/api/deals/model")
def model_card(rt: RuntimeDep, user: CurrentUser, as_of: AsOfParam = None) -> dict[str, Any]:
    """The win model's card for the as-of date (trained on first use): window, features, metrics."""
    from revintel.deals import model

    pipeline_scope(user)
    return model.ensure(rt, as_of).card.to_dict()


@router.post("/api/deals/train")
def train(rt: RuntimeDep, user: CurrentUser, as_of: AsOfParam = None) -> dict[str, Any]:
    """Train a new model version as of a date; returns its card."""
    from revintel.deals import model

    scope = pipeline_scope(user)
    card = model.train(rt, as_of).card
    audit.record(
        rt.appdb,
        actor=user.id,
        action="train",
        scope=scope,
        target="deals/model",
        detail={"version": card.version, "as_of": card.as_of},
    )
    return card.to_dict()


@router.get("/api/deals/risk")
def risk(
    rt: RuntimeDep,
    user: CurrentUser,
    top: Annotated[int, Query(ge=1, le=1000, description="How many deals.")] = 20,
    region: str | None = None,
    stage: str | None = None,
    rep: str | None = None,
    team: str | None = None,
    min_risk: Annotated[float | None, Query(ge=0, le=100)] = None,
    as_of: AsOfParam = None,
) -> dict[str, Any]:
    """Open deals in the caller's scope by expected loss, with drivers and next actions."""
    scope = pipeline_scope(user)
    filters = {"region": region, "stage": stage, "rep": rep, "team": team, "min_risk": min_risk}
    out = audited_risk_list(rt, user, scope, as_of, top, filters, "deals/risk")
    return {**out, "scope": scope.to_dict()}


@router.get("/api/deals/{deal_id}")
def deal(deal_id: str, rt: RuntimeDep, user: CurrentUser, as_of: AsOfParam = None) -> dict[str, Any]:
    """One deal (404 when it is not in the caller's scope)."""
    from revintel.deals.detail import deal_detail

    scope = pipeline_scope(user)
    out = deal_detail(rt, scope, deal_id, as_of)
    audit.record(rt.appdb, actor=user.id, action="query", scope=scope, target=f"deals/{deal_id}", rows=1)
    return out
