"""Customers: renewal risk, one customer, expansion and the churn model card, audited and authorised."""

from __future__ import annotations

from typing import Any

from revintel.runtime import Runtime
from revintel.scope import Scope
from revintel.services import authz
from revintel.services.audited import audited
from revintel.services.identity import User
from revintel.services.loaded import require_loaded


def customers_scope(user: User, rt: Runtime | None = None) -> Scope:
    """The caller's scope, if their role may open customer-level data (DRILL + customers); with
    ``rt``, also a 404 when no customer data is loaded."""
    scope = authz.drill(user, "customers")
    if rt is not None:
        require_loaded(rt, "customer", "accounts", "subscriptions")
    return scope


def audited_risk(
    rt: Runtime, user: User, scope: Scope, days: int | None, top: int, target: str
) -> dict[str, Any]:
    """Renewals in the next ``days`` within ``scope``, ranked by ARR at risk, audited."""
    from revintel.customers.views import risk_list

    customers_scope(user, rt)
    out = risk_list(rt, scope, days, top)
    audited(rt.appdb, user, "query", target, scope=scope, detail={"days": days}, rows=len(out["renewals"]))
    return out


def audited_customer(rt: Runtime, user: User, scope: Scope, account_id: str, target: str) -> dict[str, Any]:
    """One customer within ``scope`` (404 outside it), audited."""
    from revintel.customers.views import customer

    customers_scope(user, rt)
    out = customer(rt, scope, account_id)
    audited(rt.appdb, user, "query", target, scope=scope, rows=1)
    return out


def audited_expansion(rt: Runtime, user: User, scope: Scope, top: int, target: str) -> dict[str, Any]:
    """Customers in ``scope`` by expected expansion ARR with whitespace ideas, audited."""
    from revintel.customers.expansion import expansion_list

    customers_scope(user, rt)
    out = expansion_list(rt, scope, top)
    audited(rt.appdb, user, "query", target, scope=scope, rows=len(out["customers"]))
    return out


def audited_retention(rt: Runtime, user: User, scope: Scope, target: str) -> dict[str, Any]:
    """Next year's GRR/NRR P10/P50/P90 for the customers in ``scope``, with the backtest, audited."""
    from revintel.customers.retention import forecast

    customers_scope(user, rt)
    out = forecast(rt, scope)
    audited(rt.appdb, user, "query", target, scope=scope, rows=out["customers"])
    return out


def model_card(rt: Runtime, user: User) -> dict[str, Any]:
    """The churn model's card (firm-wide statistics): only for roles with the analytics permission."""
    from revintel.customers.views import model_card as card

    authz.require(user, authz.ANALYTICS)
    customers_scope(user, rt)
    out = card(rt)
    audited(rt.appdb, user, "query", "customers/model")
    return out


EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_LISTS = ("risk", "expansion")


def audited_export(
    rt: Runtime, user: User, scope: Scope, which: str, fmt: str, target: str, days: int | None = None
) -> bytes:
    """The at-risk or expansion list of the customers in ``scope`` as CSV or XLSX bytes, audited.

    Needs the export permission besides customer-level access.
    """
    from revintel.customers.views import export_table
    from revintel.errors import InvalidRequest
    from revintel.export.spreadsheet import to_csv, to_xlsx

    if which not in EXPORT_LISTS or fmt not in EXPORT_FORMATS:
        raise InvalidRequest(f"no customer export {which}.{fmt}", hint="risk or expansion, as csv or xlsx")
    authz.require(user, authz.EXPORT)
    customers_scope(user, rt)
    columns, rows = export_table(rt, scope, which, days)
    body = to_csv(columns, rows).encode() if fmt == "csv" else to_xlsx(columns, rows, f"customers {which}")
    audited(
        rt.appdb, user, "export", target, scope=scope, detail={"format": fmt, "days": days}, rows=len(rows)
    )
    return body
