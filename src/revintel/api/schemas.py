"""Named response models for every API route, shown in the OpenAPI document.

Each model names the fields a client can rely on (extra fields may be added over time, so models allow
them). The routes return plain dicts built by the services that own each figure; the models document
those dicts rather than re-validate them on every request, and ``tests/api/test_response_models.py``
checks real responses against them, so a model that drifts from what a route returns fails the suite.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Rows = list[dict[str, Any]]
Obj = dict[str, Any]


class Body(BaseModel):
    """A JSON object whose listed fields are always present; more may be added."""

    model_config = ConfigDict(extra="allow")


class ErrorResponse(Body):
    """Every 4xx/5xx answer: a stable code, a sentence for people, and what to do about it."""

    error: str = Field(description="Stable error code, e.g. forbidden, not_found, invalid_request.")
    message: str = Field(description="What went wrong, in words.")
    hint: str | None = Field(None, description="What to do about it.")
    details: Obj | None = Field(None, description="The parameter, value and expectation, when known.")


# --- platform -------------------------------------------------------------------------------------
class Health(Body):
    status: str = Field(description="ok")


class Ready(Body):
    status: str = Field(description="ready or warming")


class Me(Body):
    id: str
    name: str
    role: str
    scope: Obj
    permissions: list[str]


class UsageReport(Body):
    window: Obj
    active_users: Obj
    questions: Obj
    slowest: Rows
    metrics: list[Any]
    exports: Obj
    deliveries: Obj
    llm: Obj


class AuditEvents(Body):
    events: Rows


class DataOverview(Body):
    """Tables and row counts, load lineage and data-quality findings."""


class StagedUpload(Body):
    upload_id: str
    plan: Obj


class LoadResult(Body):
    """The load's outcome: rows written per table and its lineage."""


class UserList(Body):
    users: Rows


class Account(Body):
    name: str
    role: str


class IssuedToken(Body):
    user: str
    token: str = Field(description="Shown once; store it as a secret.")


class ChatAck(Body):
    """What Slack or Teams expects back (a message, or an empty acknowledgement)."""


# --- briefs, schedules, exports -------------------------------------------------------------------
class BriefDocument(Body):
    id: int | None
    document: Obj


class BriefList(Body):
    briefs: Rows


class BriefPreview(Body):
    """The brief rendered for each channel (email HTML and text, Slack blocks, Teams card)."""


class Deliveries(Body):
    deliveries: Rows


class Schedule(Body):
    id: int
    name: str
    owner: str
    cron: str
    timezone: str
    channels: list[str]
    enabled: bool
    next_run: str | None


class ScheduleList(Body):
    schedules: Rows


class Deleted(Body):
    deleted: Any


class ExportJobStarted(Body):
    id: str
    status: str
    poll: str


class ExportJob(Body):
    id: str
    view: str
    format: str
    status: str


# --- metrics, KPIs, Ask ---------------------------------------------------------------------------
class MetricCatalogue(Body):
    metrics: Rows
    dimensions: Rows


class KpiSummary(Body):
    period: Obj
    as_of: str
    scope: Obj
    cards: Rows = Field(description="One card per headline KPI: value, budget, prior year, variances, SQL.")


class KpiDetail(Body):
    metric: str
    label: str
    unit: str
    period: Obj
    card: Obj
    trend: Rows
    breakdown: Rows
    definition: Obj
    sql: Obj
    scope: Obj


class QueryResult(Body):
    columns: list[str]
    rows: list[list[Any]]
    sql: str
    definitions: Rows
    filters: Obj
    scope: Obj


class Answer(Body):
    question: str
    answer: str
    intent: str
    confidence: float
    sql: str | None
    interpretation: Obj | None
    clarify: Obj | None = None
    conversation_id: str | None = None


class Conversations(Body):
    conversations: Rows


class Conversation(Body):
    id: str
    title: str | None = None


class Feedback(Body):
    """The recorded rating of one answer."""


class SqlResult(Body):
    columns: list[str]
    rows: list[list[Any]]
    sql: str
    scope: Obj
    truncated: bool
    row_count: int


# --- deals and forecast ---------------------------------------------------------------------------
class ModelCard(Body):
    version: str
    as_of: str
    features: list[str]
    metrics: Obj
    baselines: Obj


class RiskList(Body):
    as_of: str
    count: int
    total_amount: float
    deals: Rows
    scope: Obj


class Deal(Body):
    opportunity_id: str
    name: str
    stage: str
    status: str
    amount: float | None
    p_win: float | None = None
    drivers: Obj | None = None


class BuyingGroup(Body):
    """Buying roles (or titles, or seniorities) on won vs lost deals, with the win rate of each."""

    by: str
    period: Obj
    headline: Obj
    columns: list[str]
    rows: list[Any]
    sql: list[str]
    scope: Obj


class Forecast(Body):
    period: Obj
    as_of: str
    total: Obj = Field(description="P10, P50, P90, quota and gap for the whole scope.")
    rows: Rows
    scope: Obj


class Backtest(Body):
    as_of: str
    coverage_p10_p90: float | None
    baselines: Obj
    rows: Rows
    scope: Obj


class PipelineChanges(Body):
    """Pipeline movement between two dates: created, won, lost, slipped, pulled in, amount changes."""


# --- marketing ------------------------------------------------------------------------------------
class MarketingReport(Body):
    funnel: Obj
    attribution: Obj
    campaigns: Obj
    alerts: Obj


class Funnel(Body):
    current: Obj
    previous: Obj | None = None
    prior_year: Obj | None = None


class FunnelWhy(Body):
    groups: Rows
    sql: str | None = None


class Attribution(Body):
    models: list[str]
    channels: Rows
    totals: Obj


class Campaigns(Body):
    campaigns: Rows


class Acceleration(Body):
    rows: Rows


class MarketingAlerts(Body):
    as_of: str
    alerts: Rows


class MarketingOutlook(Body):
    as_of: str
    horizon_days: int
    pipeline: Obj
    revenue: Obj


# --- conversations --------------------------------------------------------------------------------
class CallSearch(Body):
    query: str
    results: Rows


class Trackers(Body):
    conversations: int
    competitors: Rows
    objections: Rows


class CallStats(Body):
    conversations: int
    calls: Rows


class Competitors(Body):
    conversations: int
    heatmap: Rows
    win_rates: Rows


class Copilot(Body):
    question: str
    answer: str
    result: Obj


class Call(Body):
    """One conversation: participants, the deal beside it, turns with timestamps, tracker hits."""


# --- customers ------------------------------------------------------------------------------------
class CustomerRisk(Body):
    as_of: str
    customers: int
    arr_at_risk: float
    renewals: Rows


class Expansion(Body):
    customers: Rows


class Retention(Body):
    grr: Obj
    nrr: Obj
    backtest: Obj | None = None


class ChurnModelCard(Body):
    protocol: str
    baselines: Obj
    features: list[str]


class Customer(Body):
    """One customer: health trend, usage, tickets, calls, contract, risks, expansion ideas, next actions."""


#: operation id -> its success response model (every route in the OpenAPI document has one)
RESPONSES: dict[str, type[BaseModel]] = {
    "health": Health,
    "ready": Ready,
    "me": Me,
    "usage_report": UsageReport,
    "admin_audit_log": AuditEvents,
    "admin_data": DataOverview,
    "admin_upload": StagedUpload,
    "admin_load_upload": LoadResult,
    "admin_list_users": UserList,
    "admin_add_user": Account,
    "admin_disable_user": Account,
    "admin_enable_user": Account,
    "admin_issue_token": IssuedToken,
    "slack_command": ChatAck,
    "slack_events": ChatAck,
    "teams_messages": ChatAck,
    "briefs_today": BriefDocument,
    "list_briefs": BriefList,
    "get_brief": BriefDocument,
    "briefs_preview": BriefPreview,
    "briefs_send": Deliveries,
    "list_schedules": ScheduleList,
    "create_schedule": Schedule,
    "update_schedule": Schedule,
    "deliveries": Deliveries,
    "exports_start": ExportJobStarted,
    "exports_status": ExportJob,
    "list_metrics": MetricCatalogue,
    "kpi_summary": KpiSummary,
    "kpi_detail": KpiDetail,
    "run_query": QueryResult,
    "ask": Answer,
    "ask_list_conversations": Conversations,
    "ask_get_conversation": Conversation,
    "ask_rename_conversation": Conversation,
    "ask_delete_conversation": Deleted,
    "ask_feedback": Feedback,
    "run_sql": SqlResult,
    "deals_model_card": ModelCard,
    "deals_train": ModelCard,
    "deals_risk": RiskList,
    "deal": Deal,
    "deals_people": BuyingGroup,
    "forecast": Forecast,
    "forecast_backtest": Backtest,
    "pipeline_changes": PipelineChanges,
    "marketing_report": MarketingReport,
    "marketing_funnel": Funnel,
    "marketing_funnel_why": FunnelWhy,
    "marketing_attribution": Attribution,
    "marketing_campaigns": Campaigns,
    "marketing_acceleration": Acceleration,
    "marketing_alerts": MarketingAlerts,
    "marketing_outlook": MarketingOutlook,
    "calls_search": CallSearch,
    "calls_trackers": Trackers,
    "calls_stats": CallStats,
    "calls_competitors": Competitors,
    "calls_copilot": Copilot,
    "calls_conversation": Call,
    "customer_risk": CustomerRisk,
    "customers_expansion": Expansion,
    "customers_retention": Retention,
    "customers_churn_model_card": ChurnModelCard,
    "customer": Customer,
}
#: routes whose success body is not JSON (files, a stream, Prometheus text, no content)
NOT_JSON = {
    "prometheus_metrics": "text/plain",
    "ask_stream": "text/event-stream",
    "exports_download": "application/pdf",
    "export_now": "application/pdf",
    "ask_guide": "text/markdown or application/pdf",
    "delete_schedule": "",
}


def document(spec: dict[str, Any]) -> dict[str, Any]:
    """Put the named models into an OpenAPI document: each operation's success response refers to its
    model, every 4xx/5xx to :class:`ErrorResponse`."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    template = "#/components/schemas/{model}"
    named: list[type[BaseModel]] = [*RESPONSES.values(), ErrorResponse]
    for cls in named:
        body = cls.model_json_schema(ref_template=template)
        schemas.update(body.pop("$defs", {}))
        schemas[cls.__name__] = body
    for ops in spec.get("paths", {}).values():
        for op in ops.values():
            op_id = op.get("operationId")
            model = RESPONSES.get(op_id)
            responses = op.setdefault("responses", {})
            ok = next((c for c in ("200", "201", "202") if c in responses), "200")
            if model is not None:
                content = {"application/json": {"schema": {"$ref": template.format(model=model.__name__)}}}
                responses[ok] = {
                    **responses.get(ok, {}),
                    "description": model.__doc__ or "OK",
                    "content": content,
                }
            error = {"application/json": {"schema": {"$ref": template.format(model="ErrorResponse")}}}
            if "422" in responses:  # invalid parameters answer in the same shape as every other error
                responses["422"] = {"description": "Invalid parameter: see details", "content": error}
            responses.setdefault("4XX", {"description": "Refused: see message and hint", "content": error})
            responses.setdefault("5XX", {"description": "Unavailable: see message", "content": error})
    return spec
