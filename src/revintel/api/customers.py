"""Customers over HTTP: renewal risk, one customer, expansion, the retention forecast, the model card.

Routes are thin: :mod:`revintel.services.customers` checks the caller's permissions and runs the
domain under the caller's scope (narrowed by ``?region=``, never widened).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.services import customers as svc
from revintel.web.filters import GlobalFilters

router = APIRouter(tags=["customers"])


@router.get("/api/customers/risk")
def customer_risk(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    days: Annotated[int, Query(ge=1, le=3650, description="Renewals in the next N days.")] = 90,
    top: Annotated[int, Query(ge=1, le=1000, description="How many customers.")] = 50,
) -> dict[str, Any]:
    """Renewals in the next ``days`` ranked by ARR at risk = P(churn) x ARR, with drivers and alerts."""
    scope = GlobalFilters.from_request(request).apply(svc.customers_scope(user))
    return {**svc.audited_risk(rt, user, scope, days, top, "customers/risk"), "scope": scope.to_dict()}


@router.get("/api/customers/expansion")
def expansion(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    top: Annotated[int, Query(ge=1, le=1000, description="How many customers.")] = 50,
) -> dict[str, Any]:
    """Customers by expected expansion ARR in two quarters, with whitespace products and evidence."""
    scope = GlobalFilters.from_request(request).apply(svc.customers_scope(user))
    return svc.audited_expansion(rt, user, scope, top, "customers/expansion")


@router.get("/api/customers/retention")
def retention(request: Request, rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """Next year's GRR and NRR as P10/P50/P90 with the backtest's coverage."""
    scope = GlobalFilters.from_request(request).apply(svc.customers_scope(user))
    return svc.audited_retention(rt, user, scope, "customers/retention")


@router.get("/api/customers/model")
def churn_model_card(rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """The churn model's card (firm-wide statistics; ``analytics`` permission)."""
    return svc.model_card(rt, user)


@router.get("/api/customers/{account_id}")
def customer(account_id: str, request: Request, rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """One customer (404 when it is not in the caller's scope)."""
    scope = GlobalFilters.from_request(request).apply(svc.customers_scope(user))
    return svc.audited_customer(rt, user, scope, account_id, f"customers/{account_id}")
