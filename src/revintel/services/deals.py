"""Deals: the risk list, one deal, the win model's card and retraining, audited and authorised."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from revintel.format import finite
from revintel.memo import remember
from revintel.runtime import Runtime
from revintel.scope import Scope
from revintel.services import authz
from revintel.services.audited import audited
from revintel.services.identity import User


def pipeline_scope(user: User) -> Scope:
    """The caller's scope, if their role may open deal-level pipeline data (DRILL + pipeline)."""
    return authz.drill(user, "pipeline")


def audited_risk_list(
    rt: Runtime,
    user: User,
    scope: Scope,
    as_of: dt.date | None,
    top: int,
    filters: dict[str, Any],
    target: str,
) -> dict[str, Any]:
    """The risk list within ``scope`` (the caller's, possibly narrowed), audited.

    Raises:
        Forbidden: the caller may not drill into pipeline data.
    """
    from revintel.deals.risk import risk_list

    pipeline_scope(user)
    out = risk_list(rt, scope, as_of, top, filters)
    audited(rt.appdb, user, "query", target, scope=scope, detail=filters, rows=len(out["deals"]))
    return out


def audited_risk_json(
    rt: Runtime,
    user: User,
    scope: Scope,
    as_of: dt.date | None,
    top: int,
    filters: dict[str, Any],
    target: str,
) -> bytes:
    """The risk list within ``scope`` as the API sends it (JSON with the scope it was read in), audited.

    The encoded answer is kept per data version, models, scope and arguments (:mod:`revintel.memo`),
    so a repeat costs the permission check, one lookup and the audit record; a new load or a
    retraining starts a new entry and another scope never shares one.

    Raises:
        Forbidden: the caller may not drill into pipeline data.
    """
    from revintel.deals.risk import risk_list

    pipeline_scope(user)
    day = as_of or rt.as_of()
    shown = scope.to_dict()

    def encode() -> tuple[bytes, int]:
        out = risk_list(rt, scope, day, top, filters)
        return json_body({**out, "scope": shown}), len(out["deals"])

    key = (repr(shown), day, top, repr(sorted(filters.items())))
    body, rows = remember(rt, "risk list json", key, encode)
    audited(rt.appdb, user, "query", target, scope=scope, detail=filters, rows=rows)
    return body


def json_body(value: Any) -> bytes:
    """``value`` encoded as the API's JSON responses are (UTF-8, compact; NaN and infinities as null,
    as FastAPI's own encoder writes them)."""
    return json.dumps(
        finite(value), ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_plain
    ).encode("utf-8")


def _plain(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    if hasattr(v, "item"):  # a NumPy scalar
        return finite(v.item())
    raise TypeError(f"cannot encode {type(v).__name__}")


def audited_deal(
    rt: Runtime, user: User, scope: Scope, deal_id: str, as_of: dt.date | None, target: str
) -> dict[str, Any]:
    """One deal within ``scope`` (404 outside it), audited."""
    from revintel.deals.detail import deal_detail

    pipeline_scope(user)
    out = deal_detail(rt, scope, deal_id, as_of)
    audited(rt.appdb, user, "query", target, scope=scope, rows=1)
    return out


def model_card(rt: Runtime, user: User, as_of: dt.date | None) -> dict[str, Any]:
    """The win model's card (firm-wide statistics): only for roles with the analytics permission."""
    from revintel.deals import model

    authz.require(user, authz.ANALYTICS)
    pipeline_scope(user)
    out = model.ensure(rt, as_of).card.to_dict()
    audited(rt.appdb, user, "query", "deals/model")
    return out


def train(rt: Runtime, user: User, as_of: dt.date | None) -> dict[str, Any]:
    """Train a new shared model version: only for roles with the analytics permission."""
    from revintel.deals import model

    authz.require(user, authz.ANALYTICS)
    pipeline_scope(user)
    card = model.train(rt, as_of).card
    audited(rt.appdb, user, "train", "deals/model", detail={"version": card.version, "as_of": card.as_of})
    return card.to_dict()


def audited_buying_group(
    rt: Runtime, user: User, scope: Scope, period: str | None, by: str | None, target: str
) -> dict[str, Any]:
    """People on deals (buying roles, titles or seniority on won vs lost deals) within ``scope``, audited.

    Raises:
        Forbidden: the caller may not drill into pipeline data.
        InvalidRequest: an unreadable period or an unknown breakdown.
    """
    from revintel.deals.people import buying_group

    pipeline_scope(user)
    out = buying_group(rt, scope, period, by)
    audited(
        rt.appdb, user, "query", target, scope=scope, detail={"period": period, "by": out["by"]},
        sql=out["sql"][0], rows=len(out["rows"]),
    )  # fmt: skip
    return out
