"""The canonical revenue data model, as typed table schemas.

Every source is mapped onto these tables; every metric is defined over them. The types are
logical (``string``, ``int64``, ``float64``, ``boolean``, ``date``, ``timestamp``) and map to
Arrow and Ibis types, so the same model runs on DuckDB and Spark. ``docs/data-model.md`` documents
every table and column; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}

OPEN, WON, LOST = "open", "won", "lost"
STATUSES = (OPEN, WON, LOST)
#: Canonical opportunity stages, in funnel order, with the status each implies.
STAGES: tuple[tuple[str, str], ...] = (
    ("Prospecting", OPEN),
    ("Qualification", OPEN),
    ("Proposal", OPEN),
    ("Negotiation", OPEN),
    ("Closed Won", WON),
    ("Closed Lost", LOST),
)
STAGE_ORDER = {name: i for i, (name, _) in enumerate(STAGES)}
REGIONS = ("Americas", "EMEA", "APAC", "UK")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    doc: str
    nullable: bool = True

    def __post_init__(self) -> None:
        if self.type not in ARROW_TYPES:
            raise ValueError(f"unknown column type {self.type!r} for {self.name}")


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    #: the column that places a row in time (for freshness and as-of filtering)
    time_column: str | None = None
    #: large fact tables that demo --scale streams
    fact: bool = False
    internal: bool = field(default=False)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable) for c in self.columns])

    def empty(self) -> pa.Table:
        return self.arrow_schema().empty_table()


def _c(name: str, type_: str, doc: str, nullable: bool = True) -> Column:
    return Column(name, type_, doc, nullable)


SOURCE = _c("source", "string", "System the row came from: demo, maven, salesforce, hubspot, canonical.")

TABLES: tuple[Table, ...] = (
    Table(
        "accounts",
        "Customers and prospects (services clients are accounts too).",
        (
            _c("account_id", "string", "Primary key (source id).", False),
            _c("name", "string", "Account name.", False),
            _c("sector", "string", "Industry sector."),
            _c("tier", "string", "Segment tier: Strategic, Enterprise, Mid-Market, SMB."),
            _c("region", "string", "Sales region: Americas, EMEA, APAC, UK (or the source's region)."),
            _c("country", "string", "Country of the head office."),
            _c("employees", "int64", "Number of employees."),
            _c("annual_revenue", "float64", "Annual revenue of the account (source currency)."),
            _c("parent_account_id", "string", "Parent account, for subsidiaries."),
            _c("owner_rep_id", "string", "Rep who owns the account."),
            _c("created_date", "date", "When the account was created in the source."),
            SOURCE,
        ),
        ("account_id",),
    ),
    Table(
        "contacts",
        "People at accounts.",
        (
            _c("contact_id", "string", "Primary key.", False),
            _c("account_id", "string", "Account the contact works for."),
            _c("name", "string", "Full name."),
            _c("email", "string", "Email address."),
            _c("title", "string", "Job title."),
            _c("lead_source", "string", "How the contact first came in."),
            _c("created_date", "date", "When the contact was created."),
            SOURCE,
        ),
        ("contact_id",),
    ),
    Table(
        "reps",
        "Sellers, with their team, manager and region.",
        (
            _c("rep_id", "string", "Primary key.", False),
            _c("name", "string", "Rep name.", False),
            _c("email", "string", "Email address."),
            _c("team", "string", "Sales team."),
            _c("manager", "string", "Name of the rep's manager."),
            _c("region", "string", "Region (or regional office) the rep sells in."),
            _c("role", "string", "Role: AE, SDR, AM, Manager."),
            _c("hire_date", "date", "When the rep started."),
            _c("active", "boolean", "Whether the rep is still employed."),
            SOURCE,
        ),
        ("rep_id",),
    ),
    Table(
        "products",
        "What is sold.",
        (
            _c("product_id", "string", "Primary key.", False),
            _c("name", "string", "Product name.", False),
            _c("series", "string", "Product series or family."),
            _c("list_price", "float64", "List price."),
            _c("capability", "string", "Service line / capability that delivers the product."),
            SOURCE,
        ),
        ("product_id",),
    ),
    Table(
        "opportunities",
        "Deals, one row per opportunity, in its current state.",
        (
            _c("opportunity_id", "string", "Primary key.", False),
            _c("name", "string", "Deal name."),
            _c("account_id", "string", "Account the deal is with (null when unknown)."),
            _c("rep_id", "string", "Owner rep."),
            _c("product_id", "string", "Main product."),
            _c(
                "stage",
                "string",
                "Canonical stage: Prospecting, Qualification, Proposal, Negotiation, "
                "Closed Won, Closed Lost.",
                False,
            ),
            _c("source_stage", "string", "Stage name as it was in the source system."),
            _c("status", "string", "open, won or lost.", False),
            _c("amount", "float64", "Deal value: expected value if open, closed value if won or lost."),
            _c("probability", "float64", "Probability recorded in the CRM, as a fraction 0-1."),
            _c("created_date", "date", "When the deal was created (or first engaged)."),
            _c("engage_date", "date", "When the seller first engaged."),
            _c("close_date", "date", "Expected close date if open; actual close date if closed."),
            _c("deal_type", "string", "New Business, Expansion or Renewal."),
            _c("lead_source", "string", "Where the deal came from."),
            _c("campaign_id", "string", "Primary campaign that sourced the deal."),
            _c("competitor", "string", "Main competitor in the deal."),
            _c("forecast_category", "string", "Pipeline, Best Case, Commit, Closed, Omitted."),
            _c("next_step", "string", "Next step text."),
            SOURCE,
        ),
        ("opportunity_id",),
        time_column="close_date",
    ),
    Table(
        "opportunity_history",
        "Snapshots of each deal's stage, amount and close date over time.",
        (
            _c("opportunity_id", "string", "Deal.", False),
            _c("snapshot_date", "date", "Date of the snapshot (or of the change).", False),
            _c("stage", "string", "Canonical stage at that date.", False),
            _c("status", "string", "open, won or lost at that date.", False),
            _c("amount", "float64", "Amount at that date."),
            _c("close_date", "date", "Expected close date at that date."),
            _c("probability", "float64", "CRM probability at that date (0-1)."),
            _c("forecast_category", "string", "Forecast category at that date."),
            SOURCE,
        ),
        ("opportunity_id", "snapshot_date"),
        time_column="snapshot_date",
        fact=True,
    ),
    Table(
        "deal_contacts",
        "People on deals: which contacts take part in each opportunity, in which buying role (one row per "
        "contact and role: a contact may hold two roles on a deal).",
        (
            _c("opportunity_id", "string", "Deal.", False),
            _c("contact_id", "string", "Contact on the deal.", False),
            _c(
                "buying_role",
                "string",
                "Buying role: Economic Buyer, Executive Sponsor, Decision Maker, Champion, "
                "Technical Evaluator, Influencer, End User (or the source's own word); "
                "null when the source records none.",
            ),
            _c("source_role", "string", "The role as the source named it."),
            _c("title", "string", "The contact's job title on the deal (from the contact record at load)."),
            _c(
                "seniority",
                "string",
                "Seniority the title implies: C-level, VP, Director, Manager, Staff "
                "(executives: C-level and VP; derived from the title when the source gives none, "
                "see revintel.warehouse.people).",
            ),
            _c(
                "is_primary",
                "boolean",
                "Whether the source marks this contact as the deal's primary contact.",
            ),
            _c(
                "via",
                "string",
                "How the contact is tied to the deal: 'role' (a contact role on the opportunity) "
                "or 'account' (a contact of the deal's account, when the source records no contact roles).",
            ),
            SOURCE,
        ),
        ("opportunity_id", "contact_id", "buying_role"),
        fact=True,
    ),
    Table(
        "services_monthly",
        "Professional-services delivery facts by client x region x capability x month.",
        (
            _c("month", "date", "First day of the month.", False),
            _c("account_id", "string", "Client.", False),
            _c("region", "string", "Delivering region.", False),
            _c("capability", "string", "Service line / capability.", False),
            _c("chargeable_hours", "float64", "Hours charged to the client."),
            _c("available_hours", "float64", "Hours the delivering staff were available."),
            _c("hourly_rate", "float64", "Realised hourly rate (fees / chargeable hours)."),
            _c("standard_rate", "float64", "Standard (list) hourly rate."),
            _c("fees", "float64", "Fees billed: chargeable_hours x hourly_rate."),
            _c("gross_fee_days", "float64", "Gross fees in days of work (chargeable hours / 8)."),
            _c("unbilled_days", "float64", "Days of work performed but not yet billed (lock-up)."),
            _c("cost", "float64", "Delivery cost of the staff time."),
            _c("wip", "float64", "Work in progress value at month end."),
            SOURCE,
        ),
        ("month", "account_id", "region", "capability"),
        time_column="month",
        fact=True,
    ),
    Table(
        "budgets",
        "Budget values per metric by month x region x capability (long format).",
        (
            _c("month", "date", "First day of the month.", False),
            _c("region", "string", "Region ('' when the budget is not split by region).", False),
            _c("capability", "string", "Capability ('' when not split by capability).", False),
            _c("metric", "string", "Metric id the budget is for (e.g. chargeable_hours, fees).", False),
            _c("value", "float64", "Budgeted value.", False),
            SOURCE,
        ),
        ("month", "region", "capability", "metric"),
        time_column="month",
    ),
    Table(
        "quotas",
        "Sales quota per rep and period.",
        (
            _c("rep_id", "string", "Rep.", False),
            _c("period_start", "date", "First day of the quota period.", False),
            _c("period_end", "date", "Last day of the quota period.", False),
            _c("amount", "float64", "Quota amount (won revenue).", False),
            SOURCE,
        ),
        ("rep_id", "period_start"),
        time_column="period_start",
    ),
    Table(
        "forecast_submissions",
        "What each rep called for a period: commit, best case and pipeline, as submitted on a date.",
        (
            _c("submission_id", "string", "Primary key.", False),
            _c("rep_id", "string", "Rep who submitted.", False),
            _c("period_start", "date", "First day of the forecast period.", False),
            _c("submitted_on", "date", "Date of the submission.", False),
            _c("commit_amount", "float64", "Commit."),
            _c("best_case_amount", "float64", "Best case."),
            _c("pipeline_amount", "float64", "Open pipeline at submission."),
            SOURCE,
        ),
        ("submission_id",),
        time_column="submitted_on",
    ),
    Table(
        "campaigns",
        "Marketing campaigns.",
        (
            _c("campaign_id", "string", "Primary key.", False),
            _c("name", "string", "Campaign name.", False),
            _c(
                "channel", "string", "Channel: Email, Paid Search, Events, Webinar, Social, Content, Partner."
            ),
            _c("campaign_type", "string", "Campaign type in the source."),
            _c("status", "string", "Planned, Active, Completed."),
            _c("start_date", "date", "Start date."),
            _c("end_date", "date", "End date."),
            _c("budgeted_cost", "float64", "Budgeted cost."),
            _c("actual_cost", "float64", "Actual cost."),
            SOURCE,
        ),
        ("campaign_id",),
        time_column="start_date",
    ),
    Table(
        "leads",
        "Leads and their progress through the marketing funnel.",
        (
            _c("lead_id", "string", "Primary key.", False),
            _c("name", "string", "Lead name."),
            _c("company", "string", "Company name."),
            _c("region", "string", "Region."),
            _c("lead_source", "string", "Where the lead came from."),
            _c("channel", "string", "Marketing channel."),
            _c("campaign_id", "string", "Campaign that generated the lead."),
            _c("status", "string", "Lead status in the source."),
            _c("created_date", "date", "When the lead was created.", False),
            _c("mql_date", "date", "When the lead became marketing-qualified (null if never)."),
            _c("sql_date", "date", "When the lead became sales-qualified (null if never)."),
            _c("converted_date", "date", "When the lead was converted."),
            _c("account_id", "string", "Converted account."),
            _c("opportunity_id", "string", "Converted opportunity."),
            SOURCE,
        ),
        ("lead_id",),
        time_column="created_date",
    ),
    Table(
        "touchpoints",
        "Marketing touches on accounts, contacts and deals.",
        (
            _c("touchpoint_id", "string", "Primary key.", False),
            _c("account_id", "string", "Account touched."),
            _c("contact_id", "string", "Contact touched."),
            _c("lead_id", "string", "Lead touched."),
            _c("opportunity_id", "string", "Deal the touch is linked to."),
            _c("campaign_id", "string", "Campaign."),
            _c("channel", "string", "Channel."),
            _c("touched_at", "timestamp", "When the touch happened.", False),
            SOURCE,
        ),
        ("touchpoint_id",),
        time_column="touched_at",
        fact=True,
    ),
    Table(
        "subscriptions",
        "Recurring contracts: one row per contract line with its ARR.",
        (
            _c("subscription_id", "string", "Primary key.", False),
            _c("account_id", "string", "Customer.", False),
            _c("product_id", "string", "Product."),
            _c("kind", "string", "new, expansion or renewal."),
            _c("start_date", "date", "Start of the contract line.", False),
            _c("end_date", "date", "End of the line (null while active)."),
            _c("renewal_date", "date", "Next renewal date."),
            _c("arr", "float64", "Annual recurring revenue of the line.", False),
            _c("status", "string", "active, churned or ended."),
            _c("churn_reason", "string", "Why it churned."),
            _c("term_months", "int64", "Contract term in months (1 = month-to-month)."),
            _c("payment_method", "string", "How the customer pays (e.g. card, bank transfer, check)."),
            _c("discount", "float64", "Discount off list price as a fraction 0-1, when the source has it."),
            SOURCE,
        ),
        ("subscription_id",),
        time_column="start_date",
    ),
    Table(
        "usage_monthly",
        "Product usage per account and month.",
        (
            _c("account_id", "string", "Customer.", False),
            _c("month", "date", "First day of the month.", False),
            _c("active_users", "int64", "Monthly active users."),
            _c("licensed_seats", "int64", "Seats paid for."),
            _c("events", "int64", "Usage events."),
            SOURCE,
        ),
        ("account_id", "month"),
        time_column="month",
    ),
    Table(
        "tickets",
        "Support tickets.",
        (
            _c("ticket_id", "string", "Primary key.", False),
            _c("account_id", "string", "Customer."),
            _c("created_date", "date", "When the ticket was opened.", False),
            _c("closed_date", "date", "When it was closed."),
            _c("priority", "string", "Low, Medium, High, Urgent."),
            _c("status", "string", "open or closed."),
            _c("category", "string", "Topic."),
            _c("subject", "string", "Subject line."),
            _c("sentiment", "float64", "Sentiment of the customer's messages, -1 (negative) to 1."),
            SOURCE,
        ),
        ("ticket_id",),
        time_column="created_date",
    ),
    Table(
        "conversations",
        "Calls, meetings and emails with their transcript text.",
        (
            _c("conversation_id", "string", "Primary key.", False),
            _c("account_id", "string", "Account."),
            _c("opportunity_id", "string", "Deal discussed."),
            _c("rep_id", "string", "Rep on the call or sender."),
            _c("channel", "string", "call, meeting or email."),
            _c("occurred_at", "timestamp", "When it happened.", False),
            _c("duration_seconds", "int64", "Length of a call or meeting."),
            _c("participants", "string", "Participants, '; '-separated."),
            _c("subject", "string", "Subject or title."),
            _c("transcript", "string", "Transcript or body text."),
            SOURCE,
        ),
        ("conversation_id",),
        time_column="occurred_at",
    ),
    Table(
        "conversation_turns",
        "Speaker turns of each conversation: who spoke, when, in which role, and what was said.",
        (
            _c("conversation_id", "string", "Conversation the turn belongs to.", False),
            _c("turn_index", "int64", "Position of the turn in the conversation, from 0.", False),
            _c("speaker", "string", "Speaker name (or email address) as the source gives it."),
            _c("role", "string", "rep (our side), customer, or unknown."),
            _c("start_seconds", "float64", "Offset of the turn from the start of the call, in seconds."),
            _c("end_seconds", "float64", "Offset of the end of the turn, in seconds."),
            _c("text", "string", "What was said (or written)."),
            SOURCE,
        ),
        ("conversation_id", "turn_index"),
    ),
    Table(
        "headcount",
        "Delivery headcount, hires and leavers by month x region x capability.",
        (
            _c("month", "date", "First day of the month.", False),
            _c("region", "string", "Region.", False),
            _c("capability", "string", "Capability.", False),
            _c("headcount", "float64", "Average headcount (FTE) in the month."),
            _c("hires", "int64", "People who joined."),
            _c("leavers", "int64", "People who left."),
            _c("voluntary_leavers", "int64", "Leavers who resigned."),
            SOURCE,
        ),
        ("month", "region", "capability"),
        time_column="month",
    ),
    Table(
        "dq_audit_log",
        "Data-quality findings from every ingest and audit run.",
        (
            _c("finding_id", "string", "Primary key.", False),
            _c("load_id", "string", "Load that produced the finding."),
            _c("checked_at", "timestamp", "When the check ran.", False),
            _c("source", "string", "Source of the data checked."),
            _c("table_name", "string", "Canonical table."),
            _c("rule", "string", "Rule id, e.g. missing_account, unknown_product, negative_amount."),
            _c("severity", "string", "info, warning or error."),
            _c("row_number", "int64", "Line in the source file."),
            _c("column_name", "string", "Column."),
            _c("value", "string", "Offending value."),
            _c("message", "string", "What was found and what was done about it."),
        ),
        ("finding_id",),
        time_column="checked_at",
        internal=True,
    ),
    Table(
        "ingest_lineage",
        "One row per file loaded: what, from where, its checksum and how many rows.",
        (
            _c("load_id", "string", "Load run id.", False),
            _c("source", "string", "Source kind: demo, canonical, salesforce, hubspot, maven.", False),
            _c("file", "string", "Path of the file loaded.", False),
            _c("sha256", "string", "SHA-256 of the file.", False),
            _c("table_name", "string", "Canonical table loaded.", False),
            _c("rows", "int64", "Rows read from the file.", False),
            _c("loaded_at", "timestamp", "When the load committed.", False),
        ),
        ("load_id", "file", "table_name"),
        time_column="loaded_at",
        internal=True,
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
#: Tables a user's data lives in (excludes bookkeeping tables).
DATA_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if not t.internal)


def table(name: str) -> Table:
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        from revintel.errors import NotFound
        from revintel.text import nearest

        raise NotFound(f"no canonical table {name!r}", hint=nearest(name, TABLES_BY_NAME)) from None
