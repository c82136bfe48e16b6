"""Governed metrics: KPI cards, drill-downs, MetricQuery and governed SQL, authorised and audited.

The headline summary (``kpi_summary``) is open to every role; everything beyond it needs the
``drill`` permission and the domains of the metrics (or tables) it reads.
"""

from __future__ import annotations

from typing import Any

from revintel.errors import Forbidden, UnsafeSql
from revintel.memo import remember
from revintel.runtime import Runtime
from revintel.scope import Scope
from revintel.semantic import MetricQuery
from revintel.services import authz
from revintel.services.audited import audited
from revintel.services.identity import User


def kpi_summary(rt: Runtime, user: User, scope: Scope, period: str | None) -> dict[str, Any]:
    """Headline KPI cards within ``scope`` (the caller's, possibly narrowed by filters).

    The cards are kept per data version, scope and period (:mod:`revintel.memo`): every signed-in
    page and client asks for them, and each card is two queries and a sparkline. The cards returned
    are shared with the next caller of the same scope: read them, do not change them.
    """
    engine = rt.kpis
    p = engine.resolve_period(period)
    shown = scope.to_dict()
    cards = remember(
        rt,
        "kpi summary",
        (repr(shown), repr(p.to_dict())),
        lambda: [c.to_dict() for c in engine.summary(scope, p)],
    )
    return {"period": p.to_dict(), "as_of": rt.semantic.as_of().isoformat(), "scope": shown, "cards": cards}


def metric_domain(rt: Runtime, metric_id: str) -> str:
    """The domain of a metric (404 with a suggestion for an unknown one)."""
    return rt.catalogue.metric(metric_id).domain


def kpi_detail(
    rt: Runtime,
    user: User,
    scope: Scope,
    metric_id: str,
    period: str | None,
    by: str | None,
    target: str | None = None,
) -> dict[str, Any]:
    """One KPI's drill-down (``drill`` + the metric's domain); audited.

    The drill-down is kept per data version, scope and arguments (:mod:`revintel.memo`) and shared
    with the next caller of the same scope: read it, do not change it.
    """
    authz.drill(user, metric_domain(rt, metric_id))
    key = (repr(scope.to_dict()), metric_id, period, by)
    out = remember(rt, "kpi detail", key, lambda: rt.kpis.detail(metric_id, scope, period, by))
    audited(
        rt.appdb,
        user,
        "query",
        target or f"kpi/{metric_id}",
        scope=scope,
        detail={"period": period, "by": by},
    )
    return out


def run_query(rt: Runtime, user: User, scope: Scope, q: MetricQuery) -> dict[str, Any]:
    """A MetricQuery (``drill`` + every metric's domain); audited with its SQL."""
    authz.drill(user, *(metric_domain(rt, m) for m in q.metrics))
    res = rt.semantic.query(q, scope)
    audited(
        rt.appdb,
        user,
        "query",
        "metrics/" + ",".join(q.metrics),
        scope=scope,
        detail={"query": q.model_dump(mode="json")},
        sql=res.sql,
        rows=len(res.rows),
    )
    return res.to_dict()


def governed_sql(rt: Runtime, user: User, scope: Scope, sql: str, limit: int | None) -> dict[str, Any]:
    """One read-only SELECT over the governed views the caller's domains open (``drill``); audited
    by the SQL runner. A table of a domain the role lacks is a 403 naming the domain."""
    from revintel.ask.answer import plain
    from revintel.ask.governed import DATA_TABLES, GovernedSql
    from revintel.semantic.domains import table_domains

    authz.drill(user)
    try:
        result = GovernedSql(rt).run(sql, scope, actor=user.id, limit=limit)
    except UnsafeSql as exc:
        table = str(exc.details.get("table") or "").lower()
        if table in DATA_TABLES:
            doms = sorted(table_domains(rt.catalogue).get(table, ()))
            raise Forbidden(
                f"your role ({user.role}) cannot read {table}",
                hint=f"{table} carries {', '.join(doms)} data",
                details={"table": table, "domain": doms[0] if doms else None},
            ) from None
        raise
    return plain(result.to_dict())


def ask(rt: Runtime, user: User, scope: Scope, question: str, **kwargs: Any) -> Any:
    """Answer a question within ``scope`` (``drill``); the engine audits each answer or refusal."""
    authz.drill(user)
    return rt.ask.ask(question, scope, actor=user.id, **kwargs)
