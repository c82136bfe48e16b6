"""Salesforce object exports: a folder with one CSV per object, API field names.

Objects read when present: Opportunity (required), OpportunityHistory, OpportunityContactRole, Account,
Contact, Lead, Campaign, CampaignMember, Case, Task, User. Other files (custom objects, exporter extras) are
ignored, as are unknown columns. Files may start with a UTF-8 BOM; dates and timestamps may be ISO
(``2024-01-22T16:14:25.000+0000``) or US (``02/03/24``, ``02/23/26 08:55 PM``), detected per column.
``Probability`` is a percentage and becomes a fraction.

``StageName`` is mapped to a canonical stage through the stage mapping (see
:mod:`revintel.warehouse.ingest.stages`). A stage the mapping does not know is an error naming the
value and the mapping file, unless the record's ``IsClosed``/``IsWon`` flags say it is closed
(then it is Closed Won or Closed Lost).
Reps come from User when exported, else from the ``OwnerId`` values. CampaignMember becomes
touchpoints, Case tickets, and Task calls, emails and meetings conversations. OpportunityContactRole
becomes the people on deals (``deal_contacts``) with their buying roles; without it, each deal's people
are its account's contacts with no role (``via = 'account'``), so titles can still be read against
outcomes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from revintel.errors import Problem
from revintel.warehouse.ingest import salesforce_sql as sql
from revintel.warehouse.ingest.base import Extract, LoadedFile, Source, register_source
from revintel.warehouse.ingest.parse import Field, empty_typed, read_export
from revintel.warehouse.ingest.readers import EXAMPLES, Problems, Scratch
from revintel.warehouse.ingest.stages import load_mapping, unmapped_stage_problems
from revintel.warehouse.quality import Finding, orphan_finding

S, F, INT, P, D, T, B = (
    Field("string"),
    Field("float"),
    Field("int"),
    Field("percent"),
    Field("date"),
    Field("timestamp"),
    Field("bool"),
)
ID = Field("string", required=True)

#: object -> (fields typed, columns the header must have, canonical table it feeds)
OBJECTS: dict[str, tuple[dict[str, Field], list[str], str]] = {
    "Opportunity": (
        {
            "Id": ID,
            "AccountId": S,
            "Name": S,
            "StageName": Field("string", True),
            "Amount": F,
            "Probability": P,
            "CloseDate": D,
            "Type": S,
            "NextStep": S,
            "LeadSource": S,
            "IsClosed": B,
            "IsWon": B,
            "ForecastCategoryName": S,
            "ForecastCategory": S,
            "CampaignId": S,
            "OwnerId": S,
            "CreatedDate": T,
            "LastModifiedDate": T,
            "Product__c": S,
        },
        ["Id", "StageName"],
        "opportunities",
    ),
    "OpportunityHistory": (
        {
            "OpportunityId": ID,
            "CreatedDate": Field("timestamp", True),
            "StageName": Field("string", True),
            "Amount": F,
            "CloseDate": D,
            "Probability": P,
            "ForecastCategory": S,
        },
        ["OpportunityId", "CreatedDate", "StageName"],
        "opportunity_history",
    ),
    "OpportunityContactRole": (
        {
            "Id": ID,
            "OpportunityId": Field("string", True),
            "ContactId": Field("string", True),
            "Role": S,
            "IsPrimary": B,
            "CreatedDate": T,
            "LastModifiedDate": T,
        },
        ["OpportunityId", "ContactId"],
        "deal_contacts",
    ),
    "Account": (
        {
            "Id": ID,
            "Name": Field("string", True),
            "Industry": S,
            "Type": S,
            "BillingCountry": S,
            "NumberOfEmployees": INT,
            "AnnualRevenue": F,
            "ParentId": S,
            "OwnerId": S,
            "CreatedDate": T,
            "LastModifiedDate": T,
        },
        ["Id", "Name"],
        "accounts",
    ),
    "Contact": (
        {
            "Id": ID,
            "AccountId": S,
            "Name": S,
            "FirstName": S,
            "LastName": S,
            "Email": S,
            "Title": S,
            "LeadSource": S,
            "CreatedDate": T,
            "LastModifiedDate": T,
        },
        ["Id"],
        "contacts",
    ),
    "Lead": (
        {
            "Id": ID,
            "Name": S,
            "FirstName": S,
            "LastName": S,
            "Company": S,
            "Country": S,
            "LeadSource": S,
            "Status": S,
            "CreatedDate": T,
            "LastModifiedDate": T,
            "ConvertedDate": D,
            "ConvertedAccountId": S,
            "ConvertedOpportunityId": S,
            "MQL_Date__c": D,
            "SQL_Date__c": D,
        },
        ["Id"],
        "leads",
    ),
    "Campaign": (
        {
            "Id": ID,
            "Name": Field("string", True),
            "Type": S,
            "Status": S,
            "StartDate": D,
            "EndDate": D,
            "BudgetedCost": F,
            "ActualCost": F,
            "CreatedDate": T,
        },
        ["Id", "Name"],
        "campaigns",
    ),
    "CampaignMember": (
        {
            "Id": ID,
            "CampaignId": S,
            "LeadId": S,
            "ContactId": S,
            "CreatedDate": T,
            "FirstRespondedDate": D,
        },
        ["Id", "CampaignId"],
        "touchpoints",
    ),
    "Case": (
        {
            "Id": ID,
            "AccountId": S,
            "CreatedDate": Field("timestamp", True),
            "ClosedDate": T,
            "Priority": S,
            "Status": S,
            "IsClosed": B,
            "Type": S,
            "Subject": S,
        },
        ["Id", "CreatedDate"],
        "tickets",
    ),
    "Task": (
        {
            "Id": ID,
            "WhoId": S,
            "WhatId": S,
            "AccountId": S,
            "Subject": S,
            "Description": S,
            "ActivityDate": D,
            "CreatedDate": T,
            "OwnerId": S,
            "TaskSubtype": S,
            "Type": S,
            "Type__c": S,
            "CallType": S,
            "CallDurationInSeconds": INT,
        },
        ["Id"],
        "conversations",
    ),
    "User": (
        {
            "Id": ID,
            "Name": S,
            "FirstName": S,
            "LastName": S,
            "Email": S,
            "Title": S,
            "Department": S,
            "Division": S,
            "ManagerId": S,
            "IsActive": B,
            "CreatedDate": T,
        },
        ["Id"],
        "reps",
    ),
}
#: canonical table -> (objects it needs, statements building ``out_<table>``)
BUILDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("opportunities", ("Opportunity",), (sql.OPPORTUNITIES,)),
    ("products", ("Opportunity",), (sql.PRODUCTS,)),
    ("opportunity_history", ("OpportunityHistory",), (sql.HISTORY,)),
    ("accounts", ("Account",), (sql.ACCOUNTS,)),
    ("contacts", ("Contact",), (sql.CONTACTS,)),
    ("leads", ("Lead",), (sql.LEADS,)),
    ("campaigns", ("Campaign",), (sql.CAMPAIGNS,)),
    ("touchpoints", ("CampaignMember",), (sql.TOUCHPOINTS,)),
    ("tickets", ("Case",), (sql.TICKETS,)),
    ("conversations", ("Task",), (sql.CONVERSATIONS,)),
)


def object_files(folder: Path) -> dict[str, Path]:
    """Object name -> CSV file, matched case-insensitively on the file stem."""
    by_stem = {p.stem.lower(): p for p in folder.iterdir() if p.suffix.lower() == ".csv"}
    return {obj: by_stem[obj.lower()] for obj in OBJECTS if obj.lower() in by_stem}


@register_source
class SalesforceSource(Source):
    """A Salesforce data export (Data Loader, Data Export Service or similar)."""

    name = "salesforce"
    description = "a folder of Salesforce object exports: Opportunity.csv (required), Account.csv, ..."

    def extract(self, path: Path, scratch: Scratch, problems: Problems) -> Extract:
        folder = path if path.is_dir() else path.parent
        files = object_files(folder)
        out = Extract()
        if "Opportunity" not in files:
            problems.add(
                Problem(
                    "no Opportunity export in the folder",
                    file=str(folder),
                    expected="Opportunity.csv (Salesforce API field names)",
                )
            )
            return out
        present = set()
        for obj, file in files.items():
            fields, required, table = OBJECTS[obj]
            key = [] if obj == "OpportunityHistory" else ["Id"]  # history rows repeat a deal by design
            src = read_export(
                scratch, file, problems, fields, name=f"sf_{obj.lower()}", required_columns=required, key=key
            )
            if src is not None:
                present.add(obj)
                out.files.append(LoadedFile(src.path, src.sha256, table, src.rows))
        if problems:
            return out
        for obj, (fields, _, _) in OBJECTS.items():
            if obj not in present:
                empty_typed(scratch, f"sf_{obj.lower()}", fields)
        mapping = load_mapping(self.name, self.mapping_file)
        scratch.con.execute(sql.STAGE_MAP)
        scratch.con.executemany("INSERT INTO sf_stage_map VALUES (?, ?, ?)", mapping.rows())
        self._check_stages(scratch, present, mapping.label, files, problems)
        if problems:
            return out
        out.findings += self._build(scratch, present, out)
        out.as_of = _as_of(scratch, present)
        return out

    def _check_stages(
        self, scratch: Scratch, present: set[str], label: str, files: dict[str, Path], problems: Problems
    ) -> None:
        checks = [("Opportunity", sql.UNMAPPED_OPPORTUNITY_STAGES)]
        if "OpportunityHistory" in present:
            checks.append(("OpportunityHistory", sql.UNMAPPED_HISTORY_STAGES))
        for obj, query in checks:
            rows = scratch.con.execute(query).fetchall()
            problems.add_counted(
                unmapped_stage_problems(
                    rows[:EXAMPLES],
                    file=files[obj].name,
                    column="StageName",
                    mapping_label=label,
                    what="stage",
                    unit="row(s)",
                ),
                len(rows),
            )

    def _build(self, scratch: Scratch, present: set[str], out: Extract) -> list[Finding]:
        con = scratch.con
        for table, needs, statements in BUILDS:
            if set(needs) <= present:
                for statement in statements:
                    con.execute(statement)
                out.tables[table] = f"out_{table}"
        if "products" in out.tables and not con.execute(sql.COUNT_PRODUCTS).fetchall()[0][0]:
            del out.tables["products"]  # no Product__c in this org
        findings = self._deal_contacts(con, present, out)
        con.execute(sql.REPS_FROM_USERS if "User" in present else sql.REPS_FROM_OWNERS)
        n_reps = con.execute("SELECT count(*) FROM out_reps").fetchall()[0][0]
        if n_reps:
            out.tables["reps"] = "out_reps"
        for rule, table, severity, query, message in sql.RULES:
            if table not in out.tables:
                continue
            n, line = con.execute(query).fetchall()[0]
            if n:
                findings.append(Finding(rule, table, int(n), message, severity, line=line))
        if "User" not in present and n_reps:
            findings.append(
                Finding(
                    "reps_from_owner_ids",
                    "reps",
                    n_reps,
                    "no User export: reps are the owner "
                    "ids found on opportunities, accounts and tasks (names unknown)",
                )
            )
        for child, fk, parent, pk, what in sql.REFERENCES:
            if child in out.tables and parent in out.tables:
                f = orphan_finding(
                    con, f"out_{child}", fk, f"out_{parent}", pk, child, f"orphan_{what}", what
                )
                if f:
                    findings.append(f)
        return findings

    @staticmethod
    def _deal_contacts(con: Any, present: set[str], out: Extract) -> list[Finding]:
        """People on deals: from contact roles when exported, else the deals' account contacts."""
        if "OpportunityContactRole" in present:
            con.execute(sql.DEAL_CONTACTS_FROM_ROLES)
        elif "Contact" in present:
            con.execute(sql.DEAL_CONTACTS_FROM_ACCOUNTS)
        else:
            return []
        n = con.execute(sql.COUNT_DEAL_CONTACTS).fetchall()[0][0]
        if not n:
            return []
        out.tables["deal_contacts"] = "out_deal_contacts"
        if "OpportunityContactRole" in present:
            return []
        return [
            Finding(
                "deal_contacts_from_accounts",
                "deal_contacts",
                int(n),
                "no OpportunityContactRole export: each deal's contacts are its account's contacts, "
                "with no buying role (titles and seniority only)",
            )
        ]


def _as_of(scratch: Scratch, present: set[str]) -> dt.date | None:
    """The export's date: the latest record creation or modification in it."""
    latest: dt.date | None = None
    for obj in present:
        for column in ("CreatedDate", "LastModifiedDate"):
            if column in OBJECTS[obj][0]:
                value = scratch.con.execute(sql.max_of(f"sf_{obj.lower()}", column)).fetchall()[0][0]
                if value is not None and (latest is None or value.date() > latest):
                    latest = value.date()
    return latest
