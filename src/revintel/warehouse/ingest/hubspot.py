"""HubSpot CRM exports: deals (required), companies and contacts CSVs with HubSpot's column names.

Files are recognised by name, as HubSpot names its exports (``hubspot-crm-exports-all-deals-...``,
``deals.csv``, ``companies.csv``, ``contacts.csv``). Columns are the export's labels ("Record ID",
"Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner", "Associated
Company", "Company name", "Industry", "First Name" ...), matched ignoring case.

"Deal Stage" is mapped through the stage mapping (HubSpot's default pipeline is built in; a custom
pipeline's stages go in ``--mapping FILE``); "Is Closed Won"/"Is closed" columns, when exported,
settle a stage the mapping does not know. A deal's company is the first of "Associated Company
IDs", else the company whose name is "Associated Company". Reps are the owner names.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from revintel.errors import Problem
from revintel.warehouse.ingest import hubspot_sql as sql
from revintel.warehouse.ingest.base import Extract, LoadedFile, Source, register_source
from revintel.warehouse.ingest.parse import Field, empty_typed, read_export
from revintel.warehouse.ingest.readers import EXAMPLES, Problems, Scratch
from revintel.warehouse.ingest.stages import load_mapping, unmapped_stage_problems
from revintel.warehouse.quality import Finding, orphan_finding

S, F, INT, D, T, B = (
    Field("string"),
    Field("float"),
    Field("int"),
    Field("date"),
    Field("timestamp"),
    Field("bool"),
)
ID = Field("string", required=True)

#: export -> (words its file name contains, fields typed, required header columns, canonical table)
EXPORTS: dict[str, tuple[tuple[str, ...], dict[str, Field], list[str], str]] = {
    "deals": (
        ("deal",),
        {
            "Record ID": ID,
            "Deal Name": S,
            "Deal Stage": Field("string", True),
            "Amount": F,
            "Close Date": T,
            "Create Date": T,
            "Last Modified Date": T,
            "Deal owner": S,
            "Associated Company": S,
            "Associated Company IDs": S,
            "Deal Type": S,
            "Pipeline": S,
            "Deal probability": F,
            "Forecast category": S,
            "Original Source Type": S,
            "Next step": S,
            "Is Closed Won": B,
            "Is closed": B,
        },
        ["Record ID", "Deal Name", "Deal Stage"],
        "opportunities",
    ),
    "companies": (
        ("compan",),
        {
            "Record ID": ID,
            "Company name": Field("string", True),
            "Industry": S,
            "Country/Region": S,
            "Number of Employees": INT,
            "Annual Revenue": F,
            "Create Date": T,
            "Last Modified Date": T,
            "Company owner": S,
            "Parent Company": S,
        },
        ["Record ID", "Company name"],
        "accounts",
    ),
    "contacts": (
        ("contact",),
        {
            "Record ID": ID,
            "First Name": S,
            "Last Name": S,
            "Email": S,
            "Job Title": S,
            "Associated Company": S,
            "Associated Company IDs": S,
            "Original Source": S,
            "Lifecycle Stage": S,
            "Became a Lead Date": T,
            "Became a Marketing Qualified Lead Date": T,
            "Became a Sales Qualified Lead Date": T,
            "Became an Opportunity Date": T,
            "Create Date": T,
            "Last Modified Date": T,
            "Contact owner": S,
        },
        ["Record ID"],
        "contacts",
    ),
}
REFERENCES = (
    ("opportunities", "account_id", "accounts", "account_id", "company"),
    ("contacts", "account_id", "accounts", "account_id", "company"),
)


def export_files(path: Path) -> dict[str, Path]:
    """Export kind -> file, recognised by the words in the file names."""
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    found: dict[str, Path] = {}
    for kind, (words, _, _, _) in EXPORTS.items():
        for p in files:
            if kind not in found and any(w in p.stem.lower() for w in words):
                found[kind] = p
    return found


@register_source
class HubSpotSource(Source):
    """HubSpot CRM exports."""

    name = "hubspot"
    description = "a folder of HubSpot CRM exports: deals (required), companies, contacts CSVs"

    def extract(self, path: Path, scratch: Scratch, problems: Problems) -> Extract:
        files = export_files(path)
        out = Extract()
        if "deals" not in files:
            problems.add(
                Problem(
                    "no deals export found",
                    file=str(path),
                    expected="a CSV with 'deal' in its name (HubSpot: Export all deals)",
                )
            )
            return out
        for kind, file in files.items():
            _, fields, required, table = EXPORTS[kind]
            src = read_export(
                scratch,
                file,
                problems,
                fields,
                name=f"hs_{kind}",
                required_columns=required,
                key=["Record ID"],
            )
            if src is not None:
                out.files.append(LoadedFile(src.path, src.sha256, table, src.rows))
        if problems:
            return out
        for kind, (_, fields, _, _) in EXPORTS.items():
            if kind not in files:
                empty_typed(scratch, f"hs_{kind}", fields)
        mapping = load_mapping(self.name, self.mapping_file)
        scratch.con.execute(sql.STAGE_MAP)
        scratch.con.executemany("INSERT INTO hs_stage_map VALUES (?, ?, ?)", mapping.rows())
        unmapped = scratch.con.execute(sql.UNMAPPED_STAGES).fetchall()
        problems.add_counted(
            unmapped_stage_problems(
                unmapped[:EXAMPLES],
                file=files["deals"].name,
                column="Deal Stage",
                mapping_label=mapping.label,
                what="deal stage",
                unit="deal(s)",
            ),
            len(unmapped),
        )
        if problems:
            return out
        out.findings += self._build(scratch, files, out)
        out.as_of = _as_of(scratch)
        return out

    def _build(self, scratch: Scratch, files: dict[str, Path], out: Extract) -> list[Finding]:
        con = scratch.con
        for statement in (sql.COMPANY_KEYS, sql.OPPORTUNITIES, sql.ACCOUNTS, sql.CONTACTS, sql.REPS):
            con.execute(statement)
        out.tables["opportunities"] = "out_opportunities"
        if "companies" in files:
            out.tables["accounts"] = "out_accounts"
        if "contacts" in files:
            out.tables["contacts"] = "out_contacts"
            con.execute(sql.LEADS)
            if con.execute("SELECT count(*) FROM out_leads").fetchall()[0][0]:
                out.tables["leads"] = "out_leads"
        if con.execute("SELECT count(*) FROM out_reps").fetchall()[0][0]:
            out.tables["reps"] = "out_reps"
        findings = []
        for rule, table, severity, query, message in sql.RULES:
            if table in out.tables:
                n, line = con.execute(query).fetchall()[0]
                if n:
                    findings.append(Finding(rule, table, int(n), message, severity, line=line))
        for child, fk, parent, pk, what in REFERENCES:
            if child in out.tables and parent in out.tables:
                f = orphan_finding(
                    con, f"out_{child}", fk, f"out_{parent}", pk, child, f"orphan_{what}", what
                )
                if f:
                    findings.append(f)
        return findings


def _as_of(scratch: Scratch) -> dt.date | None:
    value = scratch.con.execute(sql.AS_OF).fetchall()[0][0]
    return value.date() if isinstance(value, dt.datetime) else value
