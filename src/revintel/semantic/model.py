"""The semantic model: metrics, dimensions, and how each canonical table reaches its dimensions.

:data:`TABLE_JOINS` says, for each canonical table, which dimension tables it is joined to and
which dimension columns that brings (opportunities -> reps gives ``rep``, ``team``, ``manager``,
``region``; -> accounts gives ``account``, ``tier``, ``sector`` ...). The
:class:`~revintel.semantic.compile.SemanticLayer` builds a "scoped table" from it: the fact table
with its dimension columns, filtered by the caller's scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from revintel.errors import InvalidRequest
from revintel.text import nearest

DOMAINS = ("services", "pipeline", "customers", "marketing", "people")
UNITS = ("currency", "hours", "days", "percent", "count", "ratio", "currency_per_day", "currency_per_hour")
DIRECTIONS = ("up", "down", "neutral")
TIME_KINDS = ("flow", "snapshot", "last", "rolling")


@dataclass(frozen=True)
class Join:
    """Left-join ``table`` on ``left`` = ``right``, bringing ``columns`` (output name -> column)."""

    table: str
    left: str
    right: str
    columns: tuple[tuple[str, str], ...]


def _j(table: str, left: str, right: str, **columns: str) -> Join:
    return Join(table, left, right, tuple(columns.items()))


_REP = _j("reps", "rep_id", "rep_id", rep="name", team="team", manager="manager", region="region")
_ACCOUNT = _j("accounts", "account_id", "account_id", account="name", tier="tier", sector="sector")
_ACCOUNT_REGION = _j(
    "accounts",
    "account_id",
    "account_id",
    account="name",
    tier="tier",
    sector="sector",
    region="region",
    owner_rep_id="owner_rep_id",
)
_OWNER = _j("reps", "owner_rep_id", "rep_id", rep="name", team="team", manager="manager")
_PRODUCT = _j(
    "products", "product_id", "product_id", product="name", product_series="series", capability="capability"
)
_CAMPAIGN = _j("campaigns", "campaign_id", "campaign_id", campaign="name", channel="channel")
_CAMPAIGN_NAME = _j("campaigns", "campaign_id", "campaign_id", campaign="name")

#: For each canonical table, the joins (in order) that bring its dimension columns.
TABLE_JOINS: dict[str, tuple[Join, ...]] = {
    "opportunities": (_REP, _ACCOUNT, _PRODUCT, _CAMPAIGN),
    "opportunity_history": (
        _j(
            "opportunities",
            "opportunity_id",
            "opportunity_id",
            rep_id="rep_id",
            account_id="account_id",
            product_id="product_id",
            campaign_id="campaign_id",
            deal_type="deal_type",
        ),
        _REP,
        _ACCOUNT,
        _PRODUCT,
        _CAMPAIGN,
    ),
    "deal_contacts": (
        _j(
            "opportunities",
            "opportunity_id",
            "opportunity_id",
            rep_id="rep_id",
            account_id="account_id",
            product_id="product_id",
            campaign_id="campaign_id",
            deal_type="deal_type",
            stage="stage",
            status="status",
            amount="amount",
            created_date="created_date",
            close_date="close_date",
            competitor="competitor",
        ),
        _j("contacts", "contact_id", "contact_id", contact="name"),
        _REP,
        _ACCOUNT,
        _PRODUCT,
        _CAMPAIGN,
    ),
    "services_monthly": (_ACCOUNT,),
    "budgets": (),
    "headcount": (),
    "quotas": (_REP,),
    "forecast_submissions": (_REP,),
    "subscriptions": (_ACCOUNT_REGION, _OWNER, _PRODUCT),
    "leads": (_CAMPAIGN_NAME,),
    "touchpoints": (_ACCOUNT_REGION, _OWNER, _CAMPAIGN_NAME),
    "campaigns": (_j("campaigns", "campaign_id", "campaign_id", campaign="name"),),
    "conversations": (_REP, _ACCOUNT),
    "conversation_turns": (
        _j(
            "conversations",
            "conversation_id",
            "conversation_id",
            rep_id="rep_id",
            account_id="account_id",
            opportunity_id="opportunity_id",
            occurred_at="occurred_at",
        ),
        _REP,
        _ACCOUNT,
    ),
    "tickets": (_ACCOUNT_REGION, _OWNER),
    "usage_monthly": (_ACCOUNT_REGION, _OWNER),
    "accounts": (_j("accounts", "account_id", "account_id", account="name"), _OWNER),
    "contacts": (_ACCOUNT_REGION, _OWNER),
    "reps": (_j("reps", "rep_id", "rep_id", rep="name"),),
    "products": (_j("products", "product_id", "product_id", product="name", product_series="series"),),
}


@dataclass(frozen=True)
class Dimension:
    """A way to slice metrics: ``column`` is its column in every scoped table that has it."""

    id: str
    label: str
    description: str
    column: str
    synonyms: tuple[str, ...] = ()
    time: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "description": self.description,
            "column": self.column,
            "synonyms": list(self.synonyms),
            "time": self.time,
        }


@dataclass(frozen=True)
class TimeSpec:
    """How a metric places rows in time.

    ``flow``: rows whose ``date`` falls in the period. ``last``: rows of the period's last month
    (monthly snapshot facts such as WIP). ``rolling``: rows in the ``months`` months ending with the
    period. ``snapshot``: rows valid at the period end (or start, ``at: start``): ``valid_from`` on
    or before that day and (``open_when`` holds or ``valid_to`` is after it or null).
    """

    kind: str = "flow"
    valid_from: str | None = None
    valid_to: str | None = None
    open_when: str | None = None
    at: str = "end"
    months: int = 12


@dataclass(frozen=True)
class Budget:
    """Where a metric's target comes from.

    Either the ``budgets`` table: one budget ``metric`` id aggregated with ``agg`` (sum or avg), or a
    ``formula`` over budget metric ids (``fees / chargeable_hours``), each summed; budgets are split by
    ``dimensions`` only. Or another catalogue metric: ``target`` (quota for the sales forecast).
    """

    metric: str | None = None
    formula: str | None = None
    agg: str = "sum"
    target: str | None = None
    dimensions: tuple[str, ...] = ("region", "capability")

    def describe(self) -> str:
        if self.target:
            return f"metric {self.target}"
        if self.formula:
            return f"budgets: {self.formula} (each budget metric summed)"
        return f"budgets.metric = '{self.metric}' ({self.agg})"


@dataclass(frozen=True)
class Metric:
    """One governed metric definition."""

    id: str
    label: str
    description: str
    domain: str
    unit: str
    direction: str = "up"
    table: str | None = None
    date: str | None = None
    formula: str | None = None
    where: str | None = None
    compose: str | None = None
    time: TimeSpec = field(default_factory=TimeSpec)
    format: str | None = None
    synonyms: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()
    grain: str = "month"
    budget: Budget | None = None
    headline: int | None = None
    hidden: bool = False
    components: tuple[str, ...] = ()
    latest_by: tuple[str, ...] = ()
    latest_order: str | None = None
    source: str = "built-in"

    @property
    def is_composite(self) -> bool:
        return self.compose is not None

    @property
    def snapshot(self) -> bool:
        return self.time.kind in ("snapshot", "last")

    def definition(self) -> dict[str, Any]:
        """What a reader needs to trust the number: the formula, its table, filters and time rule."""
        out: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "description": self.description,
            "domain": self.domain,
            "unit": self.unit,
            "format": self.format or default_format(self.unit),
            "direction": self.direction,
        }
        if self.compose:
            out["formula"] = self.compose
        else:
            out.update(
                {"table": self.table, "formula": self.formula, "date": self.date, "time": self.time.kind}
            )
            if self.where:
                out["where"] = self.where
        if self.budget:
            out["budget"] = self.budget.describe()
        if self.latest_by:
            out["latest"] = f"latest row per {', '.join(self.latest_by)} by {self.latest_order}"
        return out

    def to_dict(self) -> dict[str, Any]:
        out = self.definition()
        out.update(
            {
                "synonyms": list(self.synonyms),
                "dimensions": list(self.dimensions),
                "grain": self.grain,
                "headline": self.headline,
                "hidden": self.hidden,
                "source": self.source,
            }
        )
        return out


def default_format(unit: str) -> str:
    return {
        "currency": "$,.0f",
        "hours": ",.0f",
        "days": ",.1f",
        "percent": ".1%",
        "count": ",.0f",
        "ratio": ",.2f",
        "currency_per_day": "$,.0f",
        "currency_per_hour": "$,.2f",
    }.get(unit, ",.2f")


@dataclass
class Catalogue:
    """The governed metrics and dimensions (built-in plus the user's file)."""

    metrics_by_id: dict[str, Metric]
    dimensions_by_id: dict[str, Dimension]
    problems: list[Any] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """A hash of every definition: compiled plans are shared only between equal catalogues."""
        import hashlib
        import json

        if "_fingerprint" not in self.__dict__:
            payload = json.dumps(
                [self.to_dict(), [m.to_dict() for m in self.metrics_by_id.values()]],
                sort_keys=True,
                default=str,
            )
            self.__dict__["_fingerprint"] = hashlib.sha256(payload.encode()).hexdigest()[:16]
        return self.__dict__["_fingerprint"]

    @property
    def metrics(self) -> list[Metric]:
        """Visible metrics (helpers marked ``hidden`` are left out)."""
        return [m for m in self.metrics_by_id.values() if not m.hidden]

    @property
    def dimensions(self) -> list[Dimension]:
        return list(self.dimensions_by_id.values())

    @property
    def headline(self) -> list[Metric]:
        """Headline KPIs in card order."""
        return sorted((m for m in self.metrics if m.headline), key=lambda m: m.headline or 0)

    def metric(self, metric_id: str) -> Metric:
        """The metric called ``metric_id`` (an id, or a unique label or synonym)."""
        found = self.metrics_by_id.get(metric_id) or self._by_name(metric_id)
        if found is None:
            raise InvalidRequest(
                f"unknown metric {metric_id!r}",
                hint=nearest(metric_id, [m.id for m in self.metrics]),
                details={"value": metric_id, "expected": "a metric id"},
            )
        return found

    def dimension(self, dim_id: str) -> Dimension:
        """The dimension called ``dim_id`` (id or synonym)."""
        found = self.dimensions_by_id.get(dim_id)
        if found is None:
            key = dim_id.strip().lower()
            found = next((d for d in self.dimensions if key in (d.label.lower(), *d.synonyms)), None)
        if found is None:
            raise InvalidRequest(
                f"unknown dimension {dim_id!r}",
                hint=nearest(dim_id, self.dimensions_by_id),
                details={"value": dim_id, "expected": "a dimension id"},
            )
        return found

    def _by_name(self, name: str) -> Metric | None:
        key = name.strip().lower()
        hits = [
            m
            for m in self.metrics_by_id.values()
            if key in (m.id, m.label.lower(), *(s.lower() for s in m.synonyms))
        ]
        return hits[0] if len(hits) == 1 else None

    def synonyms(self) -> dict[str, str]:
        """Every phrase (label or synonym, lower case) -> metric or dimension id, for NL matching."""
        out: dict[str, str] = {}
        for d in self.dimensions:
            for s in (d.id, d.label.lower(), *d.synonyms):
                out.setdefault(s.lower(), d.id)
        for m in self.metrics:
            for s in (m.id, m.id.replace("_", " "), m.label.lower(), *m.synonyms):
                out[s.lower()] = m.id
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "metrics": [m.to_dict() for m in self.metrics],
            "dimensions": [d.to_dict() for d in self.dimensions],
        }
