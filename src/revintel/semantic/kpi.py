"""The KPI engine: headline cards (value vs budget and prior year, sparkline) and drill-downs
(trend, breakdown by any allowed dimension, YTD-vs-budget bridge), all through the semantic layer.

Every card and drill-down part carries the metric definition and the exact SQL that produced it.
Cards whose tables hold no rows are left out (maven data has only pipeline cards), and so are
cards the caller's scope cannot see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from revintel.errors import Forbidden, InvalidRequest
from revintel.scope import Scope
from revintel.semantic import expr
from revintel.semantic.cards import MONTH, PART, SPARK_POINTS, groupable, spark_months
from revintel.semantic.compile import SemanticLayer
from revintel.semantic.model import Metric, default_format
from revintel.semantic.query import MetricQuery, QueryResult
from revintel.semantic.time import Period, add_months, fiscal_year_of, month_start, parse_period

DEFAULT_PERIOD = "ytd"
#: breakdown dimensions tried, in order, when the caller names none
PREFERRED_BY = ("region", "capability", "team", "rep", "channel", "tier", "product", "client", "account")


def variance(value: float | None, base: float | None) -> tuple[float | None, float | None]:
    """(value - base, (value - base) / |base|); None where it cannot be computed."""
    if value is None or base is None:
        return None, None
    diff = value - base
    return diff, (diff / abs(base) if base else None)


#: variances smaller than this share of the comparison value are shown as neutral
NEUTRAL_BAND = 0.001


def status(direction: str, diff: float | None, base: float | None = None) -> str:
    """good / bad / neutral for a variance, given which way is better (tiny variances are neutral)."""
    if diff is None or direction == "neutral":
        return "neutral"
    if abs(diff) <= NEUTRAL_BAND * abs(base or 0.0) or abs(diff) < 1e-12:
        return "neutral"
    return "good" if (diff > 0) == (direction == "up") else "bad"


@dataclass
class KpiCard:
    """One headline KPI for a period, with its comparisons, sparkline and provenance."""

    metric: str
    label: str
    unit: str
    format: str
    direction: str
    period: dict[str, str]
    value: float | None
    budget: float | None = None
    var_budget: float | None = None
    var_budget_pct: float | None = None
    prior_year: float | None = None
    var_py: float | None = None
    var_py_pct: float | None = None
    status: str = "neutral"
    status_budget: str = "neutral"
    status_py: str = "neutral"
    sparkline: list[dict[str, Any]] = field(default_factory=list)
    definition: dict[str, Any] = field(default_factory=dict)
    sql: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class KpiEngine:
    """Headline KPI cards and drill-downs over a :class:`SemanticLayer`."""

    def __init__(self, layer: SemanticLayer):
        self.layer = layer

    # --- helpers -------------------------------------------------------------------------------
    def resolve_period(self, period: Period | str | None) -> Period:
        p = self.layer.period(period if period is not None else DEFAULT_PERIOD)
        assert p is not None
        return p

    def has_data(self, metric: Metric) -> bool:
        """Whether every table behind ``metric`` holds rows."""
        if metric.is_composite:
            refs = expr.columns_of(metric.compose or "")
            return all(self.has_data(self.layer.catalogue.metric(r)) for r in refs)
        return self.layer.table_counts().get(metric.table or "", 0) > 0

    def _run(self, scope: Scope, **q: Any) -> QueryResult:
        return self.layer.query(MetricQuery(**q), scope)

    # --- summary -------------------------------------------------------------------------------
    def summary(self, scope: Scope, period: Period | str | None = None) -> list[KpiCard]:
        """Cards for the headline KPIs the caller may see and the data holds, in catalogue order."""
        with self.layer.pinned():
            return self._summary(scope, period)

    def _summary(self, scope: Scope, period: Period | str | None) -> list[KpiCard]:
        shown = [m for m in self.layer.catalogue.headline if m.domain in scope.domains and self.has_data(m)]
        return self.cards(shown, scope, period)

    def cards(
        self, metrics: Sequence[Metric | str], scope: Scope, period: Period | str | None = None
    ) -> list[KpiCard]:
        """The cards of ``metrics`` the caller may see, in order: the flow metrics of each table from
        one query (:mod:`revintel.semantic.cards`), any other metric as :meth:`card` computes it."""
        ms = [m if isinstance(m, Metric) else self.layer.catalogue.metric(m) for m in metrics]
        p = self.resolve_period(period)
        out: dict[str, KpiCard] = {}
        groups: dict[tuple[str | None, str | None], list[Metric]] = {}
        for m in ms:
            if groupable(m) and m.domain in scope.domains:
                groups.setdefault((m.table, m.date), []).append(m)
        for group in groups.values():
            try:
                res = self.layer.cards([m.id for m in group], p, scope)
            except Forbidden:
                continue  # the scope cannot filter this table: each card would be refused alike
            recs = res.records()
            head = {r[PART]: r for r in recs if r[PART] != "month"}
            monthly = {r[MONTH]: r for r in recs if r[PART] == "month"}
            months = spark_months(p)
            for i, m in enumerate(group):
                spark = [
                    {"period": mo.isoformat(), "value": monthly[mo][m.id] if mo in monthly else None}
                    for mo in months
                ]
                value, budget, py = (head.get(k, {}).get(m.id) for k in ("value", "budget", "py"))
                out[m.id] = self._card(m, p, value, budget, py, spark, res.definitions[i], res.sql, res.sql)
        for m in ms:
            if m.id not in out:
                try:
                    out[m.id] = self.card(m, scope, p)
                except Forbidden:
                    continue
        return [out[m.id] for m in ms if m.id in out]

    def card(self, metric: Metric | str, scope: Scope, period: Period | str | None = None) -> KpiCard:
        """One KPI card: value, budget and prior year with variances, status and a 12-point sparkline."""
        m = metric if isinstance(metric, Metric) else self.layer.catalogue.metric(metric)
        p = self.resolve_period(period)
        head = self._run(scope, metrics=[m.id], period=p, compare=["budget", "py"])
        row = head.records()[0] if head.rows else {}
        value, budget, py = row.get(m.id), row.get(f"{m.id}_budget"), row.get(f"{m.id}_py")
        spark, spark_sql = self.sparkline(m, scope, p)
        return self._card(m, p, value, budget, py, spark, head.definitions[0], head.sql, spark_sql)

    def _card(
        self,
        m: Metric,
        p: Period,
        value: float | None,
        budget: float | None,
        py: float | None,
        spark: list[dict[str, Any]],
        definition: dict[str, Any],
        sql: str,
        spark_sql: str,
    ) -> KpiCard:
        var_b, var_b_pct = variance(value, budget)
        var_p, var_p_pct = variance(value, py)
        s_budget, s_py = status(m.direction, var_b, budget), status(m.direction, var_p, py)
        return KpiCard(
            metric=m.id,
            label=m.label,
            unit=m.unit,
            format=m.format or default_format(m.unit),
            direction=m.direction,
            period=p.to_dict(),
            value=value,
            budget=budget,
            var_budget=var_b,
            var_budget_pct=var_b_pct,
            prior_year=py,
            var_py=var_p,
            var_py_pct=var_p_pct,
            status=s_budget if budget is not None else s_py,
            status_budget=s_budget,
            status_py=s_py,
            sparkline=spark,
            definition=definition,
            sql={"value": sql, "sparkline": spark_sql},
        )

    def sparkline(self, metric: Metric, scope: Scope, period: Period) -> tuple[list[dict[str, Any]], str]:
        """Monthly values for the 12 months ending with the period (missing months are None)."""
        end = period.end
        start = add_months(month_start(end), -(SPARK_POINTS - 1))
        window = Period(start, end, "months", f"12 months to {end.isoformat()}")
        res = self._run(scope, metrics=[metric.id], period=window, grain="month")
        got = {r["month"]: r[metric.id] for r in res.records()}
        months = [add_months(start, i) for i in range(SPARK_POINTS)]
        return [{"period": mo.isoformat(), "value": got.get(mo)} for mo in months], res.sql

    # --- drill-down ----------------------------------------------------------------------------
    def detail(
        self, metric_id: str, scope: Scope, period: Period | str | None = None, by: str | None = None
    ) -> dict[str, Any]:
        """Drill-down for one KPI: card, monthly trend vs budget and PY, breakdown, bridge, definition."""
        with self.layer.pinned():
            return self._detail(metric_id, scope, period, by)

    def _detail(
        self, metric_id: str, scope: Scope, period: Period | str | None, by: str | None
    ) -> dict[str, Any]:
        m = self.layer.catalogue.metric(metric_id)
        if m.domain not in scope.domains:
            raise Forbidden(f"your role cannot see {m.domain} metrics such as {m.id!r}")
        p = self.resolve_period(period)
        dim = self.breakdown_dimension(m, by, scope)
        card = self.card(m, scope, p)
        trend = self._trend(m, scope, p)
        breakdown = (
            self._run(
                scope,
                metrics=[m.id],
                dimensions=[dim],
                period=p,
                compare=["budget", "py"],
                order_by=f"-{m.id}",
            )
            if dim
            else None
        )
        bridge = self.bridge(m, scope, p, dim) if dim else None
        sql = {"card": card.sql["value"], "sparkline": card.sql["sparkline"], "trend": trend.sql}
        if breakdown:
            sql["breakdown"] = breakdown.sql
        if bridge:
            sql["bridge"] = bridge["sql"]
        return {
            "metric": m.id,
            "label": m.label,
            "unit": m.unit,
            "format": card.format,
            "direction": m.direction,
            "period": p.to_dict(),
            "card": card.to_dict(),
            "by": dim,
            "allowed_dimensions": list(m.dimensions),
            "trend": _series(trend, m.id, "month"),
            "breakdown": _series(breakdown, m.id, dim) if breakdown and dim else [],
            "bridge": bridge,
            "definition": card.definition,
            "sql": sql,
            "scope": scope.to_dict(),
        }

    def breakdown_dimension(self, m: Metric, by: str | None, scope: Scope) -> str | None:
        """The dimension to break ``m`` down by: ``by`` when given (checked), else a useful default."""
        if by:
            d = self.layer.catalogue.dimension(by)
            if d.id not in m.dimensions:
                from revintel.text import nearest

                raise InvalidRequest(
                    f"{m.id} cannot be broken down by {d.id}",
                    hint=nearest(d.id, m.dimensions) or ", ".join(m.dimensions),
                )
            return d.id
        # by default, skip dimensions the scope pins to one value: a regional lead's breakdown
        # "by region" would be one bar, and the bridge's "main driver" would be their own region
        pinned = {dim for dim, values in scope.rows if len(values) == 1}
        useful = [d for d in m.dimensions if d not in pinned]
        return next((d for d in PREFERRED_BY if d in useful), useful[0] if useful else None)

    def _trend(self, m: Metric, scope: Scope, p: Period) -> QueryResult:
        start = min(p.start, add_months(month_start(p.end), -(SPARK_POINTS - 1)))
        window = Period(start, p.end, "months", f"{start.isoformat()}..{p.end.isoformat()}")
        return self._run(scope, metrics=[m.id], period=window, grain="month", compare=["budget", "py"])

    def bridge(self, m: Metric, scope: Scope, period: Period, by: str) -> dict[str, Any] | None:
        """YTD-vs-budget waterfall by contributor (falls back to vs prior year without a budget).

        Steps are each contributor's variance; for a non-additive metric (a rate or ratio) a final
        "mix and rate" step reconciles the contributors' variances with the total variance.
        """
        fs = self.layer.fiscal_start_month
        fy = fiscal_year_of(period.end, fs)
        ytd = parse_period(f"FY{fy}", period.end, fs)
        ytd = Period(ytd.start, period.end, "ytd", f"YTD {period.end.isoformat()}")
        total = self._run(scope, metrics=[m.id], period=ytd, compare=["budget", "py"]).records()
        parts = self._run(scope, metrics=[m.id], dimensions=[by], period=ytd, compare=["budget", "py"])
        if not total:
            return None
        t = total[0]
        base_kind = "budget" if t.get(f"{m.id}_budget") is not None else "py"
        base = t.get(f"{m.id}_{base_kind}")
        actual = t.get(m.id)
        if base is None or actual is None:
            return None
        steps = []
        for r in parts.records():
            diff, _ = variance(r.get(m.id) or 0.0, r.get(f"{m.id}_{base_kind}") or 0.0)
            steps.append({"label": r[by], "value": diff})
        steps.sort(key=lambda s: -abs(s["value"] or 0))
        residual = (actual - base) - sum(s["value"] or 0 for s in steps)
        if abs(residual) > 1e-9 * max(1.0, abs(base)):
            steps.append({"label": "mix and rate", "value": residual})
        return {
            "period": ytd.to_dict(),
            "by": by,
            "against": base_kind,
            "start": base,
            "end": actual,
            "steps": steps,
            "sql": parts.sql,
        }


def _series(res: QueryResult, metric_id: str, key: str) -> list[dict[str, Any]]:
    out = []
    for r in res.records():
        value, budget, py = r.get(metric_id), r.get(f"{metric_id}_budget"), r.get(f"{metric_id}_py")
        k: Any = r.get(key)
        out.append(
            {
                key: k.isoformat() if hasattr(k, "isoformat") else k,
                "value": value,
                "budget": budget,
                "prior_year": py,
                "var_budget": variance(value, budget)[0],
                "var_py": variance(value, py)[0],
            }
        )
    return out
