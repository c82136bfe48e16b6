"""Deals over HTTP: the win model card, the risk list, people on deals, one deal, training.

Routes are thin: :mod:`revintel.services.deals` checks the caller's permissions and runs the
domain under the caller's scope (narrowed by ``?region=``/``?capability=``, never widened).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.services import deals as svc
from revintel.web.filters import GlobalFilters

router = APIRouter(tags=["deals"])

AsOfParam = Annotated[
    dt.date | None,
    Query(
        description="Treat this date as today (default: the data's as-of); 1900-01-01 to 2999-12-31.",
        ge=dt.date(1900, 1, 1),
        le=dt.date(2999, 12, 31),
    ),
]


@router.get("/api/deals/model")
def model_card(rt: RuntimeDep, user: CurrentUser, as_of: AsOfParam = None) -> dict[str, Any]:
    """The win model's card for the as-of date (trained on first use): window, features, metrics.

    Firm-wide statistics: only for roles with the ``analytics`` permission.
    """
    return svc.model_card(rt, user, as_of)


@router.post("/api/deals/train")
def train(rt: RuntimeDep, user: CurrentUser, as_of: AsOfParam = None) -> dict[str, Any]:
    """Train a new model version as of a date; returns its card (``analytics`` permission)."""
    return svc.train(rt, user, as_of)


@router.get("/api/deals/risk")
def risk(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    top: Annotated[int, Query(ge=1, le=1000, description="How many deals.")] = 20,
    region: str | None = None,
    stage: str | None = None,
    rep: str | None = None,
    team: str | None = None,
    min_risk: Annotated[float | None, Query(ge=0, le=100)] = None,
    as_of: AsOfParam = None,
) -> Response:
    """Open deals in the caller's scope by expected loss, with drivers and next actions."""
    scope = GlobalFilters.from_request(request).apply(svc.pipeline_scope(user))
    filters = {"region": region, "stage": stage, "rep": rep, "team": team, "min_risk": min_risk}
    body = svc.audited_risk_json(rt, user, scope, as_of, top, filters, "deals/risk")
    return Response(body, media_type="application/json")  # encoded once per data version and scope


@router.get("/api/deals/people")
def people(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    by: Annotated[str, Query(description="role, title or seniority.")] = "role",
    period: Annotated[
        str | None, Query(description="Deals closed in this period (default: all time).")
    ] = None,
) -> dict[str, Any]:
    """People on deals: buying roles, titles or seniority on won vs lost deals, with their win rates."""
    scope = GlobalFilters.from_request(request).apply(svc.pipeline_scope(user))
    out = svc.audited_buying_group(rt, user, scope, period, by, "deals/people")
    return {**out, "scope": scope.to_dict()}


@router.get("/api/deals/{deal_id}")
def deal(
    deal_id: str, request: Request, rt: RuntimeDep, user: CurrentUser, as_of: AsOfParam = None
) -> dict[str, Any]:
    """One deal (404 when it is not in the caller's scope)."""
    scope = GlobalFilters.from_request(request).apply(svc.pipeline_scope(user))
    return svc.audited_deal(rt, user, scope, deal_id, as_of, f"deals/{deal_id}")
