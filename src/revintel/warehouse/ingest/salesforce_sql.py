"""The mapping of Salesforce objects onto canonical tables, as constant SQL over scratch tables.

Each ``sf_<object>`` scratch table has the typed fields of :data:`salesforce.OBJECTS` plus
``_line``; objects missing from the export exist as empty tables, so every statement is valid.
No value from a file is ever spliced into these statements.
"""

from __future__ import annotations

from sqlglot import exp

from revintel.warehouse.people import role_sql, seniority_sql
from revintel.warehouse.quality import Severity

STAGE_MAP = "CREATE TABLE sf_stage_map (key VARCHAR, stage VARCHAR, status VARCHAR)"

UNMAPPED_OPPORTUNITY_STAGES = """
SELECT StageName, min(_line), count(*) FROM sf_opportunity
WHERE lower(trim(StageName)) NOT IN (SELECT key FROM sf_stage_map) AND IsClosed IS NOT TRUE
GROUP BY StageName ORDER BY 2
"""
UNMAPPED_HISTORY_STAGES = """
SELECT StageName, min(_line), count(*) FROM sf_opportunityhistory
WHERE lower(trim(StageName)) NOT IN (SELECT key FROM sf_stage_map)
GROUP BY StageName ORDER BY 2
"""

OPPORTUNITIES = """
CREATE TABLE out_opportunities AS
WITH staged AS (
  SELECT o.*, m.stage AS m_stage,
    CASE WHEN m.stage IS NOT NULL THEN m.stage
         WHEN o.IsClosed AND o.IsWon THEN 'Closed Won'
         WHEN o.IsClosed THEN 'Closed Lost' END AS stage
  FROM sf_opportunity o LEFT JOIN sf_stage_map m ON m.key = lower(trim(o.StageName))
)
SELECT Id AS opportunity_id, Name AS name, AccountId AS account_id, OwnerId AS rep_id,
  Product__c AS product_id, stage, StageName AS source_stage,
  CASE stage WHEN 'Closed Won' THEN 'won' WHEN 'Closed Lost' THEN 'lost' ELSE 'open' END AS status,
  Amount AS amount,
  CASE WHEN Probability = 0 AND stage NOT IN ('Closed Won', 'Closed Lost') THEN NULL ELSE Probability END
    AS probability,
  CAST(CreatedDate AS DATE) AS created_date, CloseDate AS close_date, Type AS deal_type,
  LeadSource AS lead_source, CampaignId AS campaign_id,
  coalesce(ForecastCategoryName, ForecastCategory) AS forecast_category, NextStep AS next_step,
  'salesforce' AS source,
  m_stage IS NULL AS _stage_inferred,
  coalesce(Probability = 0 AND stage NOT IN ('Closed Won', 'Closed Lost'), FALSE) AS _zero_probability,
  coalesce((stage = 'Closed Won' AND IsWon = FALSE)
    OR (stage IN ('Closed Won', 'Closed Lost') AND IsClosed = FALSE)
    OR (stage NOT IN ('Closed Won', 'Closed Lost') AND IsClosed), FALSE) AS _flag_mismatch,
  _line
FROM staged
"""
PRODUCTS = """
CREATE TABLE out_products AS
SELECT DISTINCT Product__c AS product_id, Product__c AS name, 'salesforce' AS source
FROM sf_opportunity WHERE Product__c IS NOT NULL
"""
COUNT_PRODUCTS = "SELECT count(*) FROM out_products"
HISTORY = """
CREATE TABLE out_opportunity_history AS
SELECT h.OpportunityId AS opportunity_id, CAST(h.CreatedDate AS DATE) AS snapshot_date, m.stage, m.status,
  h.Amount AS amount, h.CloseDate AS close_date,
  CASE WHEN h.Probability = 0 AND m.status = 'open' THEN NULL ELSE h.Probability END AS probability,
  h.ForecastCategory AS forecast_category, 'salesforce' AS source, h._line
FROM sf_opportunityhistory h JOIN sf_stage_map m ON m.key = lower(trim(h.StageName))
QUALIFY row_number() OVER (PARTITION BY h.OpportunityId, CAST(h.CreatedDate AS DATE)
                           ORDER BY h.CreatedDate DESC, h._line DESC) = 1
ORDER BY opportunity_id, snapshot_date
"""
ACCOUNTS = """
CREATE TABLE out_accounts AS
SELECT Id AS account_id, Name AS name, Industry AS sector, BillingCountry AS country,
  NumberOfEmployees AS employees, AnnualRevenue AS annual_revenue, ParentId AS parent_account_id,
  OwnerId AS owner_rep_id, CAST(CreatedDate AS DATE) AS created_date, 'salesforce' AS source, _line
FROM sf_account
"""
CONTACTS = """
CREATE TABLE out_contacts AS
SELECT Id AS contact_id, AccountId AS account_id,
  coalesce(Name, nullif(concat_ws(' ', FirstName, LastName), '')) AS name, Email AS email, Title AS title,
  LeadSource AS lead_source, CAST(CreatedDate AS DATE) AS created_date, 'salesforce' AS source, _line
FROM sf_contact
"""
#: people on deals from the export's contact roles (title and seniority from the contact record)
DEAL_CONTACTS_FROM_ROLES = f"""
CREATE TABLE out_deal_contacts AS
SELECT r.OpportunityId AS opportunity_id, r.ContactId AS contact_id, {role_sql("r.Role")} AS buying_role,
  r.Role AS source_role, c.Title AS title, {seniority_sql("c.Title")} AS seniority,
  coalesce(r.IsPrimary, FALSE) AS is_primary, 'role' AS via, 'salesforce' AS source, r._line
FROM sf_opportunitycontactrole r LEFT JOIN sf_contact c ON c.Id = r.ContactId
QUALIFY row_number() OVER (PARTITION BY r.OpportunityId, r.ContactId, buying_role ORDER BY r._line) = 1
"""
#: no contact roles exported: each deal's contacts are its account's contacts, with no buying role
DEAL_CONTACTS_FROM_ACCOUNTS = f"""
CREATE TABLE out_deal_contacts AS
SELECT o.Id AS opportunity_id, c.Id AS contact_id, CAST(NULL AS VARCHAR) AS buying_role,
  CAST(NULL AS VARCHAR) AS source_role, c.Title AS title, {seniority_sql("c.Title")} AS seniority,
  FALSE AS is_primary, 'account' AS via, 'salesforce' AS source, o._line
FROM sf_opportunity o JOIN sf_contact c ON c.AccountId = o.AccountId
"""
COUNT_DEAL_CONTACTS = "SELECT count(*) FROM out_deal_contacts"
#: a lead's country (ISO code or name) -> the canonical region
_UK = ("UK", "GB", "GBR", "UNITED KINGDOM", "GREAT BRITAIN", "ENGLAND", "SCOTLAND", "WALES")
_AMERICAS = ("US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA", "CA", "CANADA", "MX", "MEXICO", "BR",
             "BRAZIL", "AR", "ARGENTINA", "CL", "CHILE", "CO", "COLOMBIA", "PE", "PERU")  # fmt: skip
_APAC = ("AU", "AUSTRALIA", "NZ", "NEW ZEALAND", "JP", "JAPAN", "CN", "CHINA", "IN", "INDIA", "SG",
         "SINGAPORE", "HK", "HONG KONG", "KR", "SOUTH KOREA", "KOREA", "ID", "INDONESIA", "MY", "MALAYSIA",
         "TH", "THAILAND", "PH", "PHILIPPINES", "VN", "VIETNAM", "TW", "TAIWAN")  # fmt: skip


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


_REGION = f"""
CASE
  WHEN upper(trim(l.Country)) IN ({_in(_UK)}) THEN 'UK'
  WHEN upper(trim(l.Country)) IN ({_in(_AMERICAS)}) THEN 'Americas'
  WHEN upper(trim(l.Country)) IN ({_in(_APAC)}) THEN 'APAC'
  WHEN nullif(trim(l.Country), '') IS NOT NULL THEN 'EMEA'
END
"""
_CHANNEL = """
CASE
  WHEN lower(Type) LIKE '%email%' THEN 'Email'
  WHEN lower(Type) LIKE '%webinar%' THEN 'Webinar'
  WHEN lower(Type) LIKE '%social%' THEN 'Social'
  WHEN lower(Type) SIMILAR TO '.*(conference|trade show|event|seminar).*' THEN 'Events'
  WHEN lower(Type) SIMILAR TO '.*(advertisement|banner|paid|search|ads).*' THEN 'Paid Search'
  WHEN lower(Type) LIKE '%partner%' THEN 'Partner'
  WHEN lower(Type) SIMILAR TO '.*(content|direct mail).*' THEN 'Content'
  ELSE Type END
"""
CAMPAIGNS = f"""
CREATE TABLE out_campaigns AS
SELECT Id AS campaign_id, Name AS name, {_CHANNEL} AS channel, Type AS campaign_type, Status AS status,
  StartDate AS start_date, EndDate AS end_date, BudgetedCost AS budgeted_cost, ActualCost AS actual_cost,
  'salesforce' AS source, _line
FROM sf_campaign
"""
#: each lead's first campaign membership (by when it was added) names its campaign and channel
LEADS = f"""
CREATE TABLE out_leads AS
WITH first_campaign AS (
  SELECT LeadId,
    arg_min(CampaignId, coalesce(CAST(FirstRespondedDate AS TIMESTAMP), CreatedDate)) AS campaign_id
  FROM sf_campaignmember WHERE LeadId IS NOT NULL GROUP BY LeadId
)
SELECT l.Id AS lead_id, coalesce(l.Name, nullif(concat_ws(' ', l.FirstName, l.LastName), '')) AS name,
  l.Company AS company, {_REGION} AS region, l.LeadSource AS lead_source,
  (SELECT {_CHANNEL} FROM sf_campaign k WHERE k.Id = fc.campaign_id) AS channel,
  fc.campaign_id AS campaign_id,
  l.Status AS status,
  coalesce(CAST(l.CreatedDate AS DATE), CAST(l.LastModifiedDate AS DATE), l.ConvertedDate) AS created_date,
  l.MQL_Date__c AS mql_date, l.SQL_Date__c AS sql_date,
  l.ConvertedDate AS converted_date, l.ConvertedAccountId AS account_id,
  l.ConvertedOpportunityId AS opportunity_id, 'salesforce' AS source, l._line
FROM sf_lead l LEFT JOIN first_campaign fc ON fc.LeadId = l.Id
"""
TOUCHPOINTS = f"""
CREATE TABLE out_touchpoints AS
SELECT cm.Id AS touchpoint_id, c.AccountId AS account_id, cm.ContactId AS contact_id, cm.LeadId AS lead_id,
  cm.CampaignId AS campaign_id, (SELECT {_CHANNEL} FROM sf_campaign k WHERE k.Id = cm.CampaignId) AS channel,
  coalesce(CAST(cm.FirstRespondedDate AS TIMESTAMP), cm.CreatedDate) AS touched_at, 'salesforce' AS source,
  cm._line
FROM sf_campaignmember cm LEFT JOIN sf_contact c ON c.Id = cm.ContactId
"""
TICKETS = """
CREATE TABLE out_tickets AS
SELECT Id AS ticket_id, AccountId AS account_id, CAST(CreatedDate AS DATE) AS created_date,
  CAST(ClosedDate AS DATE) AS closed_date, Priority AS priority,
  CASE WHEN IsClosed OR lower(Status) LIKE 'closed%' THEN 'closed' ELSE 'open' END AS status,
  Type AS category, Subject AS subject, 'salesforce' AS source, _line
FROM sf_case
"""
CONVERSATIONS = """
CREATE TABLE out_conversations AS
WITH typed AS (
  SELECT t.*, lower(coalesce(t.TaskSubtype, '')) AS sub, lower(coalesce(t.Type, t.Type__c, '')) AS kind
  FROM sf_task t
)
SELECT t.Id AS conversation_id,
  coalesce(t.AccountId, CASE WHEN t.WhatId LIKE '001%' THEN t.WhatId END) AS account_id,
  CASE WHEN t.WhatId LIKE '006%' THEN t.WhatId END AS opportunity_id, t.OwnerId AS rep_id,
  CASE WHEN sub = 'call' OR kind = 'call' OR t.CallType IS NOT NULL THEN 'call'
       WHEN sub IN ('email', 'listemail') OR kind = 'email' THEN 'email'
       ELSE 'meeting' END AS channel,
  coalesce(CAST(t.ActivityDate AS TIMESTAMP), t.CreatedDate) AS occurred_at,
  t.CallDurationInSeconds AS duration_seconds, c.Name AS participants, t.Subject AS subject,
  t.Description AS transcript, 'salesforce' AS source, t._line
FROM typed t LEFT JOIN sf_contact c ON c.Id = t.WhoId
WHERE sub IN ('call', 'email', 'listemail') OR kind IN ('call', 'email', 'meeting') OR t.CallType IS NOT NULL
"""
REPS_FROM_USERS = """
CREATE TABLE out_reps AS
SELECT u.Id AS rep_id, coalesce(u.Name, nullif(concat_ws(' ', u.FirstName, u.LastName), ''), u.Id) AS name,
  u.Email AS email, u.Department AS team,
  coalesce(m.Name, nullif(concat_ws(' ', m.FirstName, m.LastName), '')) AS manager, u.Division AS region,
  u.Title AS role, CAST(u.CreatedDate AS DATE) AS hire_date, coalesce(u.IsActive, TRUE) AS active,
  'salesforce' AS source
FROM sf_user u LEFT JOIN sf_user m ON m.Id = u.ManagerId
"""
REPS_FROM_OWNERS = """
CREATE TABLE out_reps AS
SELECT DISTINCT OwnerId AS rep_id, OwnerId AS name, TRUE AS active, 'salesforce' AS source
FROM (SELECT OwnerId FROM sf_opportunity UNION ALL SELECT OwnerId FROM sf_account
      UNION ALL SELECT OwnerId FROM sf_task)
WHERE OwnerId IS NOT NULL
"""

_COUNT = "SELECT count(*), min(_line) FROM "
#: (rule, canonical table, severity, query giving (rows, first line), message)
RULES: tuple[tuple[str, str, Severity, str, str], ...] = (
    (
        "stage_inferred_from_flags",
        "opportunities",
        "info",
        _COUNT + "out_opportunities WHERE _stage_inferred",
        "closed deal whose stage is not in the mapping: Closed Won/Lost taken from IsClosed/IsWon",
    ),
    (
        "zero_probability_open",
        "opportunities",
        "info",
        _COUNT + "out_opportunities WHERE _zero_probability",
        "open deal with Probability 0 (not maintained on this stage): probability left empty",
    ),
    (
        "stage_flag_mismatch",
        "opportunities",
        "warning",
        _COUNT + "out_opportunities WHERE _flag_mismatch",
        "mapped stage disagrees with IsClosed/IsWon: the stage mapping was used",
    ),
    (
        "missing_amount",
        "opportunities",
        "warning",
        _COUNT + "out_opportunities WHERE amount IS NULL",
        "deal without an Amount: kept with no amount",
    ),
    (
        "history_same_day_collapsed",
        "opportunity_history",
        "info",
        "SELECT (SELECT count(*) FROM sf_opportunityhistory) - count(*), NULL FROM out_opportunity_history",
        "several changes of a deal on one day: the last one of the day kept as that day's snapshot",
    ),
    (
        "lead_created_date_imputed",
        "leads",
        "info",
        _COUNT + "sf_lead WHERE CreatedDate IS NULL",
        "lead without CreatedDate: created_date taken from LastModifiedDate or ConvertedDate",
    ),
    (
        "tasks_not_conversations",
        "conversations",
        "info",
        _COUNT + "sf_task WHERE Id NOT IN (SELECT conversation_id FROM out_conversations)",
        "tasks that are not calls, emails or meetings were not loaded as conversations",
    ),
)
#: (child table, foreign key, parent table, key, what) checked when both tables are loaded
REFERENCES = (
    ("opportunities", "account_id", "accounts", "account_id", "account"),
    ("contacts", "account_id", "accounts", "account_id", "account"),
    ("tickets", "account_id", "accounts", "account_id", "account"),
    ("opportunity_history", "opportunity_id", "opportunities", "opportunity_id", "opportunity"),
    ("deal_contacts", "opportunity_id", "opportunities", "opportunity_id", "opportunity"),
    ("touchpoints", "campaign_id", "campaigns", "campaign_id", "campaign"),
)


def max_of(table: str, column: str) -> str:
    """``SELECT max(column) FROM table`` for a scratch table (identifiers quoted)."""
    return (
        exp.select(exp.func("max", exp.column(column, quoted=True)))
        .from_(exp.to_table(table, quoted=True))
        .sql("duckdb")
    )
