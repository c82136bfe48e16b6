"""The mapping of HubSpot exports onto canonical tables, as constant SQL over scratch tables.

``hs_deals``, ``hs_companies`` and ``hs_contacts`` hold the typed export columns (HubSpot's labels)
plus ``_line``; an export that was not given exists as an empty table.
"""

from __future__ import annotations

from revintel.warehouse.quality import Severity

STAGE_MAP = "CREATE TABLE hs_stage_map (key VARCHAR, stage VARCHAR, status VARCHAR)"
UNMAPPED_STAGES = """
SELECT "Deal Stage", min(_line), count(*) FROM hs_deals
WHERE lower(trim("Deal Stage")) NOT IN (SELECT key FROM hs_stage_map)
  AND "Is closed" IS NOT TRUE AND "Is Closed Won" IS NOT TRUE
GROUP BY "Deal Stage" ORDER BY 2
"""
#: company name (lower-cased) -> Record ID, for deals and contacts that name their company
COMPANY_KEYS = """
CREATE TABLE hs_company_keys AS
SELECT lower(trim("Company name")) AS key, min("Record ID") AS account_id
FROM hs_companies GROUP BY 1
"""
_ACCOUNT_OF = """
coalesce(nullif(trim(split_part({t}."Associated Company IDs", ';', 1)), ''),
         (SELECT k.account_id FROM hs_company_keys k WHERE k.key = lower(trim({t}."Associated Company"))))
"""
OPPORTUNITIES = f"""
CREATE TABLE out_opportunities AS
WITH staged AS (
  SELECT d.*, m.stage AS m_stage,
    CASE WHEN m.stage IS NOT NULL THEN m.stage
         WHEN d."Is Closed Won" THEN 'Closed Won'
         WHEN d."Is closed" THEN 'Closed Lost' END AS stage
  FROM hs_deals d LEFT JOIN hs_stage_map m ON m.key = lower(trim(d."Deal Stage"))
)
SELECT "Record ID" AS opportunity_id, "Deal Name" AS name, {_ACCOUNT_OF.format(t="s")} AS account_id,
  "Deal owner" AS rep_id, stage, "Deal Stage" AS source_stage,
  CASE stage WHEN 'Closed Won' THEN 'won' WHEN 'Closed Lost' THEN 'lost' ELSE 'open' END AS status,
  "Amount" AS amount,
  CASE WHEN "Deal probability" > 1 THEN "Deal probability" / 100 ELSE "Deal probability" END AS probability,
  CAST("Create Date" AS DATE) AS created_date, CAST("Close Date" AS DATE) AS close_date,
  "Deal Type" AS deal_type, "Original Source Type" AS lead_source, "Forecast category" AS forecast_category,
  "Next step" AS next_step, 'hubspot' AS source,
  m_stage IS NULL AS _stage_inferred,
  "Associated Company IDs" IS NULL AND "Associated Company" IS NOT NULL AS _company_by_name,
  _line
FROM staged s
"""
ACCOUNTS = """
CREATE TABLE out_accounts AS
SELECT "Record ID" AS account_id, "Company name" AS name, "Industry" AS sector, "Country/Region" AS country,
  "Number of Employees" AS employees, "Annual Revenue" AS annual_revenue,
  (SELECT k.account_id FROM hs_company_keys k WHERE k.key = lower(trim(c."Parent Company")))
    AS parent_account_id,
  "Company owner" AS owner_rep_id, CAST("Create Date" AS DATE) AS created_date, 'hubspot' AS source, _line
FROM hs_companies c
"""
CONTACTS = f"""
CREATE TABLE out_contacts AS
SELECT "Record ID" AS contact_id, {_ACCOUNT_OF.format(t="c")} AS account_id,
  nullif(concat_ws(' ', "First Name", "Last Name"), '') AS name, "Email" AS email, "Job Title" AS title,
  "Original Source" AS lead_source, CAST("Create Date" AS DATE) AS created_date, 'hubspot' AS source, _line
FROM hs_contacts c
"""
#: HubSpot's "Original Source" values -> the canonical marketing channels
_CHANNEL = """
CASE upper(c."Original Source")
  WHEN 'PAID_SEARCH' THEN 'Paid Search' WHEN 'EMAIL_MARKETING' THEN 'Email'
  WHEN 'SOCIAL_MEDIA' THEN 'Social' WHEN 'PAID_SOCIAL' THEN 'Social' WHEN 'OFFLINE' THEN 'Events'
  WHEN 'REFERRALS' THEN 'Partner' WHEN 'ORGANIC_SEARCH' THEN 'Organic Search'
  WHEN 'DIRECT_TRAFFIC' THEN 'Direct' WHEN 'OTHER_CAMPAIGNS' THEN 'Content'
  ELSE c."Original Source" END
"""
#: contacts with lifecycle-stage dates are the leads of the funnel (lead, MQL, SQL, opportunity)
LEADS = f"""
CREATE TABLE out_leads AS
SELECT "Record ID" AS lead_id, nullif(concat_ws(' ', "First Name", "Last Name"), '') AS name,
  "Associated Company" AS company, "Original Source" AS lead_source, {_CHANNEL} AS channel,
  "Lifecycle Stage" AS status,
  CAST(coalesce("Became a Lead Date", "Create Date") AS DATE) AS created_date,
  CAST("Became a Marketing Qualified Lead Date" AS DATE) AS mql_date,
  CAST("Became a Sales Qualified Lead Date" AS DATE) AS sql_date,
  CAST("Became an Opportunity Date" AS DATE) AS converted_date,
  {_ACCOUNT_OF.format(t="c")} AS account_id, 'hubspot' AS source, _line
FROM hs_contacts c
WHERE "Lifecycle Stage" IS NOT NULL OR "Became a Lead Date" IS NOT NULL
  OR "Became a Marketing Qualified Lead Date" IS NOT NULL OR "Became a Sales Qualified Lead Date" IS NOT NULL
  OR "Became an Opportunity Date" IS NOT NULL
"""
REPS = """
CREATE TABLE out_reps AS
SELECT DISTINCT owner AS rep_id, owner AS name, TRUE AS active, 'hubspot' AS source
FROM (SELECT "Deal owner" AS owner FROM hs_deals UNION ALL SELECT "Company owner" FROM hs_companies
      UNION ALL SELECT "Contact owner" FROM hs_contacts)
WHERE owner IS NOT NULL
"""
AS_OF = """
SELECT max(d) FROM (
  SELECT max(greatest("Create Date", "Last Modified Date")) AS d FROM hs_deals
  UNION ALL SELECT max(greatest("Create Date", "Last Modified Date")) FROM hs_companies
  UNION ALL SELECT max(greatest("Create Date", "Last Modified Date")) FROM hs_contacts)
"""
_COUNT = "SELECT count(*), min(_line) FROM "
RULES: tuple[tuple[str, str, Severity, str, str], ...] = (
    (
        "stage_inferred_from_flags",
        "opportunities",
        "info",
        _COUNT + "out_opportunities WHERE _stage_inferred",
        "deal stage not in the mapping: placed by 'Is Closed Won' / 'Is closed'",
    ),
    (
        "company_matched_by_name",
        "opportunities",
        "info",
        _COUNT + "out_opportunities WHERE _company_by_name",
        "deal without 'Associated Company IDs': company found by its name",
    ),
    (
        "missing_amount",
        "opportunities",
        "warning",
        _COUNT + "out_opportunities WHERE amount IS NULL",
        "deal without an Amount: kept with no amount",
    ),
    (
        "missing_close_date",
        "opportunities",
        "warning",
        _COUNT + "out_opportunities WHERE close_date IS NULL",
        "deal without a Close Date: kept with no close date",
    ),
    (
        "reps_from_owner_names",
        "reps",
        "info",
        "SELECT count(*), NULL FROM out_reps",
        "reps are the owner names found on deals, companies and contacts",
    ),
)
