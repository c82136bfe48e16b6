"""People on deals from Salesforce: contact roles when exported, else the account's contacts."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from revintel.scope import get_persona
from revintel.semantic import MetricQuery
from revintel.warehouse.ingest import ingest

CEO = get_persona("ceo").scope
CONTACTS = [
    ("003C1", "001A1", "Ann Lee", "Chief Financial Officer"),
    ("003C2", "001A1", "Bo Diaz", "IT Manager"),
    ("003C3", "001A2", "Cy Park", "SVP, Operations"),
]
ROLES = [
    ("00KR1", "006A3", "003C3", "Economic Decision Maker", "TRUE"),
    ("00KR2", "006A1", "003C1", "Executive Sponsor", "FALSE"),
    ("00KR3", "006A1", "003C2", "Technical Buyer", "TRUE"),
    ("00KR4", "006A1", "003C2", "Legal Review", "FALSE"),
]


def frame(rt, table: str) -> pd.DataFrame:
    return rt.warehouse.execute(rt.warehouse.table(table))


def _write(folder, name: str, header: list[str], rows: list[tuple]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture
def org(export_copy, fixtures):
    folder = export_copy("salesforce")
    _write(folder, "Contact.csv", ["Id", "AccountId", "Name", "Title"], CONTACTS)
    return folder


def test_contact_roles_become_buying_roles_with_the_contacts_title(settings, rt, org, fixtures):
    _write(
        org, "OpportunityContactRole.csv", ["Id", "OpportunityId", "ContactId", "Role", "IsPrimary"], ROLES
    )
    ingest(
        "salesforce", org, settings, rt.warehouse, mapping_file=fixtures / "salesforce" / "stage-mapping.yaml"
    )
    got = frame(rt, "deal_contacts").sort_values(["opportunity_id", "contact_id", "buying_role"])
    rows = [tuple(r) for r in got[["opportunity_id", "contact_id", "buying_role", "seniority", "via"]].values]
    assert rows == [
        ("006A1", "003C1", "Executive Sponsor", "C-level", "role"),
        (
            "006A1",
            "003C2",
            "Legal Review",
            "Manager",
            "role",
        ),  # a role the mapping does not know keeps its words
        ("006A1", "003C2", "Technical Evaluator", "Manager", "role"),
        ("006A3", "003C3", "Economic Buyer", "VP", "role"),
    ]
    assert set(got.loc[got["is_primary"], "contact_id"]) == {"003C2", "003C3"}
    # 006A3 is the one closed deal of the export (won): the economic buyer's win rate is 100%
    r = rt.semantic.query(MetricQuery(metrics=["economic_buyer_win_rate"]), CEO)
    assert r.records()[0]["economic_buyer_win_rate"] == 1.0


def test_without_contact_roles_deals_get_their_accounts_contacts_and_say_so(settings, rt, org, fixtures):
    ingest(
        "salesforce", org, settings, rt.warehouse, mapping_file=fixtures / "salesforce" / "stage-mapping.yaml"
    )
    got = frame(rt, "deal_contacts")
    opps = frame(rt, "opportunities")
    per_account = {"001A1": 2, "001A2": 1}
    assert len(got) == sum(per_account.get(a, 0) for a in opps["account_id"])
    assert set(got["via"]) == {"account"} and got["buying_role"].isna().all()
    log = frame(rt, "dq_audit_log").set_index("rule")
    assert "no OpportunityContactRole export" in log.loc["deal_contacts_from_accounts", "message"]


@pytest.mark.external
def test_devorg_titles_against_won_and_lost_deals_match_the_raw_files(settings, rt, shared_data):
    """The public dev-org sample: 25 contacts with titles, no contact roles, 20 closed deals."""
    org = shared_data / "salesforce-export" / "devorg-sample"
    ingest("salesforce", org, settings, rt.warehouse)
    opp = pd.read_csv(org / "Opportunity.csv", dtype=str)
    contacts = pd.read_csv(org / "Contact.csv", dtype=str)
    pairs = opp.merge(contacts, on="AccountId", suffixes=("", "_c"))
    assert len(frame(rt, "deal_contacts")) == len(pairs)
    closed = pairs[pairs["StageName"].isin(["Closed Won", "Closed Lost"])]
    title = closed["Title"].fillna("")
    executive = title.isin(["CEO", "CFO"]) | title.str.startswith(("VP", "SVP"))
    deals = closed[executive].groupby("Id")["StageName"].first()  # closed deals with an executive
    assert len(deals) == 17
    got = rt.semantic.query(MetricQuery(metrics=["executive_win_rate"]), CEO).records()[0]
    assert got["executive_win_rate"] == pytest.approx((deals == "Closed Won").mean())
    by_title = rt.semantic.query(
        MetricQuery(metrics=["contact_win_rate"], dimensions=["title"]), CEO
    ).records()
    cfo = closed[title == "CFO"].groupby("Id")["StageName"].first()
    assert {r["title"]: r["contact_win_rate"] for r in by_title}["CFO"] == pytest.approx(
        (cfo == "Closed Won").mean()
    )
