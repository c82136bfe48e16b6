"""A small, fixed brief document: used for channel previews before any data is loaded, in tests
of the renderers and delivery, and by the export benchmark."""

from __future__ import annotations

import datetime as dt

from revintel.export.document import (
    ChartSpec,
    Citation,
    Document,
    Figure,
    Item,
    Section,
    Series,
    TableSpec,
)

_REV_SQL = (
    "SELECT SUM(gross_fee) AS revenue FROM ps_monthly WHERE month BETWEEN '2025-12-01' AND '2025-12-31'"
)


def sample_document(as_of: dt.date = dt.date(2025, 12, 31)) -> Document:
    """A complete brief-shaped document with every kind of item (figures, charts, table, citations)."""
    rev = Citation(
        "Revenue", metric="revenue", definition="Sum of gross fees billed in the period", sql=_REV_SQL
    )
    hours = Citation(
        "Chargeable hours",
        metric="chargeable_hours",
        definition="Hours booked to client engagements",
        sql="SELECT SUM(chargeable_hours) ...",
    )
    risk = Citation(
        "Deal risk scores", source="revintel.deals risk model", deal_ids=["OPP-1042", "OPP-1107", "OPP-0981"]
    )
    months = ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    kpis = Section(
        "kpis",
        "KPIs vs budget and prior year",
        [
            Item(
                "Revenue",
                "Revenue was $4.82M, 3.1% below budget and 6.4% above prior year; "
                "the gap is driven by EMEA Consulting.",
                [
                    Figure("Revenue", 4_820_000, "currency"),
                    Figure("vs budget", -0.031, "percent", "bad"),
                    Figure("vs PY", 0.064, "percent", "good"),
                ],
                ChartSpec(
                    "line",
                    "Revenue by month",
                    months,
                    [
                        Series("Actual", [4.1e6, 4.3e6, 4.5e6, 4.4e6, 4.7e6, 4.82e6]),
                        Series("Budget", [4.2e6, 4.3e6, 4.6e6, 4.7e6, 4.8e6, 4.97e6]),
                    ],
                    "currency",
                ),
                citations=[rev],
                tone="bad",
            ),
            Item(
                "Chargeable hours",
                "Chargeable hours were 41,200, 5.2% below budget.",
                [Figure("Chargeable hours", 41_200, "hours"), Figure("vs budget", -0.052, "percent", "bad")],
                citations=[hours],
                tone="bad",
            ),
        ],
        summary="Revenue is 3.1% below budget.",
    )
    forecast = Section(
        "forecast",
        "Forecast vs quota",
        [
            Item(
                "Quarter forecast",
                "P50 forecast is $12.40M against a $13.00M quota (95.4%); "
                "the P10-P90 range is $11.10M to $13.60M.",
                [
                    Figure("P50", 12_400_000, "currency"),
                    Figure("Quota", 13_000_000, "currency"),
                    Figure("P10", 11_100_000, "currency"),
                    Figure("P90", 13_600_000, "currency"),
                ],
                ChartSpec(
                    "range",
                    "Forecast range vs quota",
                    ["P10", "P50", "P90", "Quota"],
                    [Series("Revenue", [11.1e6, 12.4e6, 13.6e6, 13.0e6])],
                    "currency",
                ),
                citations=[Citation("Forecast", source="revintel.forecast Monte Carlo, 10,000 draws")],
            ),
        ],
    )
    risks = Section(
        "risks",
        "Top at-risk deals",
        [
            Item(
                "At-risk deals",
                "3 deals worth $2.10M are at high risk.",
                [Figure("At-risk value", 2_100_000, "currency", "bad"), Figure("Deals", 3, "count")],
                ChartSpec(
                    "bar",
                    "At-risk value by deal",
                    ["OPP-1042", "OPP-1107", "OPP-0981"],
                    [Series("Amount", [1.2e6, 0.5e6, 0.4e6])],
                    "currency",
                ),
                TableSpec(
                    ["Deal", "Account", "Amount", "Win prob.", "Main risk"],
                    [
                        ["OPP-1042", "Globex", "$1.20M", "22.0%", "Close date moved 3 times"],
                        ["OPP-1107", "Initech", "$500.0K", "31.0%", "No activity in 30 days"],
                        ["OPP-0981", "Umbrella", "$400.0K", "35.0%", "Competitor mentioned"],
                    ],
                ),
                citations=[risk],
                tone="bad",
            ),
        ],
    )
    actions = Section(
        "actions",
        "Recommended actions",
        [
            Item("Action", "Review OPP-1042 with its owner: its close date moved 3 times.", citations=[risk]),
        ],
    )
    return Document(
        kind="brief",
        title="Daily brief",
        subtitle=f"Chief Financial Officer · {as_of.isoformat()}",
        persona="cfo",
        scope="all rows",
        as_of=as_of,
        generated_at=dt.datetime(2026, 1, 1, 7, 0),
        headline=[
            Figure("Revenue", 4_820_000, "currency"),
            Figure("vs budget", -0.031, "percent", "bad"),
            Figure("P50 forecast", 12_400_000, "currency"),
            Figure("At-risk value", 2_100_000, "currency"),
        ],
        sections=[kpis, forecast, risks, actions],
        link="http://127.0.0.1:8000/briefs",
    )
