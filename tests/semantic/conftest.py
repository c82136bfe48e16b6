"""A small hand-built warehouse whose every metric value can be worked out by hand.

Two years (2024, 2025) of services facts for EMEA and Americas x Consulting and Technology with a
December dip, budgets, headcount, a dozen deals over three reps, quotas, forecast calls,
subscriptions and leads. As-of date: 2025-12-31.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from revintel.config import Settings
from revintel.runtime import Runtime
from revintel.warehouse.backends import Change, conform

D = dt.date
AS_OF = D(2025, 12, 31)
MONTHS = [D(y, m, 1) for y in (2024, 2025) for m in range(1, 13)]
REPS = [
    {
        "rep_id": "r1",
        "name": "Alex Morgan",
        "team": "EMEA Enterprise",
        "manager": "Sam Lee",
        "region": "EMEA",
    },
    {
        "rep_id": "r2",
        "name": "Bea Cruz",
        "team": "Americas Growth",
        "manager": "Kim Ortiz",
        "region": "Americas",
    },
    {"rep_id": "r3", "name": "Chen Wu", "team": "EMEA Enterprise", "manager": "Sam Lee", "region": "EMEA"},
]
ACCOUNTS = [
    {
        "account_id": "a1",
        "name": "Acme",
        "sector": "Technology",
        "tier": "Enterprise",
        "region": "EMEA",
        "owner_rep_id": "r1",
    },
    {
        "account_id": "a2",
        "name": "Beta",
        "sector": "Retail",
        "tier": "SMB",
        "region": "Americas",
        "owner_rep_id": "r2",
    },
]
PRODUCTS = [
    {"product_id": "p1", "name": "GTX Pro", "series": "GTX", "capability": "Consulting"},
    {"product_id": "p2", "name": "MG Advanced", "series": "MG", "capability": "Technology"},
]
# (id, rep, account, product, status, amount, created, close, campaign)
DEALS = [
    ("o1", "r1", "a1", "p1", "won", 1000.0, D(2025, 1, 5), D(2025, 3, 1), "c1"),
    ("o2", "r1", "a1", "p2", "lost", 500.0, D(2025, 2, 1), D(2025, 4, 1), None),
    ("o3", "r1", "a1", "p1", "won", 3000.0, D(2025, 5, 1), D(2025, 11, 20), None),
    ("o4", "r2", "a2", "p2", "won", 2000.0, D(2025, 1, 10), D(2025, 6, 15), "c1"),
    ("o5", "r2", "a2", "p2", "lost", 700.0, D(2025, 3, 1), D(2025, 7, 1), None),
    ("o6", "r2", "a2", "p1", "lost", 300.0, D(2025, 4, 1), D(2025, 8, 1), None),
    ("o7", "r3", "a1", "p2", "open", 4000.0, D(2025, 6, 1), D(2026, 2, 1), None),
    ("o8", "r2", "a2", "p1", "open", 1500.0, D(2025, 9, 1), D(2025, 12, 20), None),
    ("o9", "r1", "a1", "p1", "won", 800.0, D(2024, 2, 1), D(2024, 12, 10), None),
    ("o10", "r3", "a1", "p2", "won", 1200.0, D(2024, 3, 1), D(2025, 2, 1), None),
]

# people on deals (opportunity, contact, buying role, title, seniority): an economic buyer on o1 and o3
# (both won), an executive (C-level or VP) on o1, o3 and o4 (all won); o6 has no contacts
CONTACT_ROLES = [
    ("o1", "k1", "Economic Buyer", "CFO", "C-level"),
    ("o1", "k2", "Technical Evaluator", "IT Manager", "Manager"),
    ("o2", "k2", "Technical Evaluator", "IT Manager", "Manager"),
    ("o3", "k1", "Economic Buyer", "CFO", "C-level"),
    ("o3", "k3", "Champion", "Head of Operations", "Director"),
    ("o4", "k4", "Executive Sponsor", "VP Finance", "VP"),
    ("o5", "k5", "Champion", "Analyst", "Staff"),
]


def _services() -> list[dict]:
    rows = []
    for m in MONTHS:
        for region, account in (("EMEA", "a1"), ("Americas", "a2")):
            for cap, rate in (("Consulting", 100.0), ("Technology", 150.0)):
                hours = 80.0 if m.month == 12 else 100.0
                if m.year == 2025:
                    hours *= 1.1
                rows.append(
                    {
                        "month": m,
                        "account_id": account,
                        "region": region,
                        "capability": cap,
                        "chargeable_hours": hours,
                        "available_hours": 160.0,
                        "hourly_rate": rate,
                        "standard_rate": rate * 1.25,
                        "fees": hours * rate,
                        "gross_fee_days": hours / 8,
                        "unbilled_days": 5.0 if region == "EMEA" else 3.0,
                        "cost": hours * rate * 0.6,
                        "wip": 1000.0 + m.month,
                        "source": "test",
                    }
                )
    return rows


def _budgets() -> list[dict]:
    rows = []
    for m in MONTHS:
        for region in ("EMEA", "Americas"):
            for cap, rate in (("Consulting", 100.0), ("Technology", 150.0)):
                rows += [
                    {
                        "month": m,
                        "region": region,
                        "capability": cap,
                        "metric": "chargeable_hours",
                        "value": 100.0,
                    },
                    {
                        "month": m,
                        "region": region,
                        "capability": cap,
                        "metric": "fees",
                        "value": 100.0 * rate,
                    },
                    {"month": m, "region": region, "capability": cap, "metric": "cost", "value": 50.0 * rate},
                ]
            rows.append(
                {"month": m, "region": region, "capability": "", "metric": "won_revenue", "value": 250.0}
            )
    return rows


def _headcount() -> list[dict]:
    return [
        {
            "month": m,
            "region": r,
            "capability": c,
            "headcount": 10.0,
            "hires": 0,
            "leavers": 1,
            "voluntary_leavers": 1 if m.month % 3 == 0 else 0,
        }
        for m in MONTHS
        for r in ("EMEA", "Americas")
        for c in ("Consulting", "Technology")
    ]


def _opportunities() -> list[dict]:
    stage = {"won": "Closed Won", "lost": "Closed Lost", "open": "Proposal"}
    return [
        {
            "opportunity_id": i,
            "rep_id": rep,
            "account_id": acc,
            "product_id": prod,
            "status": st,
            "stage": stage[st],
            "amount": amt,
            "probability": {"won": 1.0, "lost": 0.0, "open": 0.5}[st],
            "created_date": created,
            "engage_date": created,
            "close_date": close,
            "campaign_id": camp,
            "deal_type": "New Business",
            "source": "test",
        }
        for i, rep, acc, prod, st, amt, created, close, camp in DEALS
    ]


def _subscriptions() -> list[dict]:
    return [
        {
            "subscription_id": "s1",
            "account_id": "a1",
            "product_id": "p1",
            "kind": "new",
            "start_date": D(2024, 1, 1),
            "end_date": None,
            "arr": 1200.0,
            "status": "active",
        },
        {
            "subscription_id": "s2",
            "account_id": "a2",
            "product_id": "p2",
            "kind": "new",
            "start_date": D(2024, 6, 1),
            "end_date": D(2025, 6, 30),
            "arr": 600.0,
            "status": "churned",
        },
        {
            "subscription_id": "s3",
            "account_id": "a1",
            "product_id": "p2",
            "kind": "expansion",
            "start_date": D(2025, 3, 1),
            "end_date": None,
            "arr": 300.0,
            "status": "active",
        },
    ]


def _misc() -> dict[str, list[dict]]:
    return {
        "quotas": [
            {
                "rep_id": r,
                "period_start": D(2025, q * 3 + 1, 1),
                "period_end": D(2025, q * 3 + 3, 28),
                "amount": 1000.0,
            }
            for r in ("r1", "r2", "r3")
            for q in range(4)
        ],
        "forecast_submissions": [
            {
                "submission_id": "f1",
                "rep_id": "r1",
                "period_start": D(2025, 10, 1),
                "submitted_on": D(2025, 10, 5),
                "commit_amount": 900.0,
                "best_case_amount": 1500.0,
                "pipeline_amount": 4000.0,
            },
            {
                "submission_id": "f2",
                "rep_id": "r1",
                "period_start": D(2025, 10, 1),
                "submitted_on": D(2025, 11, 5),
                "commit_amount": 2500.0,
                "best_case_amount": 3500.0,
                "pipeline_amount": 3000.0,
            },
            {
                "submission_id": "f3",
                "rep_id": "r2",
                "period_start": D(2025, 10, 1),
                "submitted_on": D(2025, 10, 6),
                "commit_amount": 1000.0,
                "best_case_amount": 1600.0,
                "pipeline_amount": 1500.0,
            },
        ],
        "campaigns": [{"campaign_id": "c1", "name": "Spring Webinar", "channel": "Webinar"}],
        "deal_contacts": [
            {"opportunity_id": o, "contact_id": k, "buying_role": role, "title": title, "seniority": level}
            for o, k, role, title, level in CONTACT_ROLES
        ],
        "leads": [
            {
                "lead_id": f"l{i}",
                "region": "EMEA" if i % 2 else "Americas",
                "channel": "Webinar",
                "campaign_id": "c1",
                "created_date": D(2025, 1 + i, 1),
                "mql_date": D(2025, 1 + i, 10) if i < 6 else None,
                "sql_date": D(2025, 1 + i, 20) if i < 3 else None,
            }
            for i in range(8)
        ],
    }


def small_tables() -> dict[str, pa.Table]:
    data = {
        "reps": REPS,
        "accounts": ACCOUNTS,
        "products": PRODUCTS,
        "opportunities": _opportunities(),
        "services_monthly": _services(),
        "budgets": _budgets(),
        "headcount": _headcount(),
        "subscriptions": _subscriptions(),
        **_misc(),
    }
    return {k: conform(k, pa.Table.from_pylist(v)) for k, v in data.items()}


def load_small(rt: Runtime) -> Runtime:
    rt.warehouse.apply(
        [Change(name, rows) for name, rows in small_tables().items()],
        {"dataset": "canonical", "as_of": AS_OF.isoformat()},
    )
    return rt


@pytest.fixture(scope="session")
def small_rt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """The small warehouse, built once per session; tests only read it."""
    home: Path = tmp_path_factory.mktemp("small-home")
    r = Runtime(
        Settings(
            home=home,
            warehouse=f"duckdb:///{home / 'warehouse.duckdb'}",
            metrics_file=None,
            as_of=None,
            fiscal_year_start_month=1,
        )
    )
    load_small(r)
    yield r
    r.close()


@pytest.fixture
def layer(small_rt: Runtime):
    return small_rt.semantic


@pytest.fixture
def pipeline_only_rt(rt: Runtime) -> Runtime:
    """A warehouse holding only reps, accounts, products and deals (like the maven data)."""
    tables = small_tables()
    keep = ("reps", "accounts", "products", "opportunities")
    rt.warehouse.apply(
        [Change(n, tables[n]) for n in keep], {"dataset": "canonical", "as_of": AS_OF.isoformat()}
    )
    return rt


@pytest.fixture(scope="session")
def small_loader():
    """``load_small(rt)``: fill a runtime's warehouse with the small data (any backend)."""
    return load_small
