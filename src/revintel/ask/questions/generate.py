"""Writes the generated dev question sets (``dev/demo.yaml``, ``dev/maven.yaml``) with their gold SQL.

Run ``python -m revintel.ask.questions.generate`` after changing a template. The gold answers
are plain SQL over the canonical tables, written here by hand from the metric definitions in
``docs/ask.md`` and the calendar (periods are spelled out as literal date ranges) — they never
call the Ask engine or the semantic layer, so the evaluation checks the engine against an
independent reading of the same data.

Checks: ``scalar`` (the answer's value), ``rows`` (label -> value pairs of the answer's table),
``top`` (the first row's label and value), ``topn`` (the first N labels, in order), ``vector``
(the first row's first values), ``values`` (the set of values, ignoring labels), ``step`` (one
labelled row), ``unsupported`` (the engine abstains).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent

# --- periods: phrase -> (start, end), relative to the dataset's as-of date --------------------------
DEMO_PERIODS = {
    "in 2024": ("2024-01-01", "2024-12-31"),
    "in 2025": ("2025-01-01", "2025-12-31"),
    "YTD": ("2025-01-01", "2025-12-31"),
    "this year": ("2025-01-01", "2025-12-31"),
    "last year": ("2024-01-01", "2024-12-31"),
    "in Q2 2025": ("2025-04-01", "2025-06-30"),
    "in Q1 2024": ("2024-01-01", "2024-03-31"),
    "last quarter": ("2025-07-01", "2025-09-30"),
    "this quarter": ("2025-10-01", "2025-12-31"),
    "in March 2025": ("2025-03-01", "2025-03-31"),
    "in December": ("2025-12-01", "2025-12-31"),
    "last month": ("2025-11-01", "2025-11-30"),
    "in 2025-06": ("2025-06-01", "2025-06-30"),
    "in 2023": ("2023-01-01", "2023-12-31"),
}
MAVEN_PERIODS = {
    "in 2017": ("2017-01-01", "2017-12-31"),
    "in Q2 2017": ("2017-04-01", "2017-06-30"),
    "in Q1 2017": ("2017-01-01", "2017-03-31"),
    "last quarter": ("2017-07-01", "2017-09-30"),
    "this quarter": ("2017-10-01", "2017-12-31"),
    "in March 2017": ("2017-03-01", "2017-03-31"),
    "in December": ("2017-12-01", "2017-12-31"),
    "YTD": ("2017-01-01", "2017-12-31"),
}

# --- metrics: id -> (table, date column, SQL aggregate, filter) ---------------------------------------
SERVICES = {
    "chargeable hours": ("sum(chargeable_hours)",),
    "net fees": ("sum(fees)",),
    "fees": ("sum(fees)",),
    "gross fee days": ("sum(gross_fee_days)",),
    "rate per hour": ("sum(hourly_rate * chargeable_hours) / sum(chargeable_hours)",),
    "chargeability": ("sum(chargeable_hours) / sum(available_hours)",),
    "delivery margin": ("(sum(fees) - sum(cost)) / sum(fees)",),
    "unbilled days": ("avg(unbilled_days)",),
    "recoverability": ("sum(fees) / sum(chargeable_hours * standard_rate)",),
}
DEALS = {
    "won revenue": ("sum(o.amount) FILTER (WHERE o.status = 'won')", "close_date"),
    "bookings": ("sum(o.amount) FILTER (WHERE o.status = 'won')", "close_date"),
    "won deals": ("count(*) FILTER (WHERE o.status = 'won')", "close_date"),
    "lost deals": ("count(*) FILTER (WHERE o.status = 'lost')", "close_date"),
    "win rate": (
        "count(*) FILTER (WHERE o.status = 'won')::DOUBLE / "
        "nullif(count(*) FILTER (WHERE o.status IN ('won', 'lost')), 0)",
        "close_date",
    ),
    "average deal size": ("avg(o.amount) FILTER (WHERE o.status = 'won')", "close_date"),
    "new deals": ("count(*)", "created_date"),
}
SERVICE_DIMS = {"region": "s.region", "capability": "s.capability"}
DEAL_DIMS = {
    "region": "r.region",
    "rep": "r.name",
    "product": "p.name",
    "team": "r.team",
    "sector": "a.sector",
}
DEAL_FROM = (
    "opportunities o LEFT JOIN reps r ON o.rep_id = r.rep_id LEFT JOIN products p ON "
    "o.product_id = p.product_id LEFT JOIN accounts a ON o.account_id = a.account_id"
)


def svc_sql(
    agg: str, period: tuple[str, str] | None, where: str = "", group: str | None = None, order: str = ""
) -> str:
    conds = [f"s.month BETWEEN DATE '{period[0]}' AND DATE '{period[1]}'"] if period else []
    if where:
        conds.append(where)
    sel = f"{group}, {agg}" if group else agg
    sql = f"SELECT {sel} FROM services_monthly s"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    if group:
        sql += f" GROUP BY {group}"
    return sql + (f" {order}" if order else "")


def deal_sql(
    agg: str,
    date: str,
    period: tuple[str, str] | None,
    where: str = "",
    group: str | None = None,
    order: str = "",
) -> str:
    # a flow is placed in time by its date: over all time, rows without that date are not counted
    conds = [
        f"o.{date} BETWEEN DATE '{period[0]}' AND DATE '{period[1]}'" if period else f"o.{date} IS NOT NULL"
    ]
    if where:
        conds.append(where)
    sel = f"{group}, {agg}" if group else agg
    sql = f"SELECT {sel} FROM {DEAL_FROM}"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    if group:
        sql += f" GROUP BY {group}"
    return sql + (f" {order}" if order else "")


def q(
    dataset: str, question: str, intent: str, check: str, sql: str | None = None, **extra: Any
) -> dict[str, Any]:
    out = {"dataset": dataset, "question": question, "intent": intent, "check": check}
    if sql:
        out["gold_sql"] = " ".join(sql.split())
    out.update(extra)
    return out


def demo_questions() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    value_forms = ("What were {m} {p}?", "{M} {p}", "How much {m} did we have {p}?", "Show me total {m} {p}")
    periods = list(DEMO_PERIODS.items())
    for i, (m, (agg,)) in enumerate(SERVICES.items()):
        for j in range(3):
            pl, pr = periods[(i * 3 + j) % len(periods)]
            form = value_forms[(i + j) % len(value_forms)]
            out.append(
                q("demo", form.format(m=m, M=m.capitalize(), p=pl), "value", "scalar", svc_sql(agg, pr))
            )
    regions, caps = ("EMEA", "APAC", "Americas", "UK"), ("Technology", "Consulting", "Audit", "Tax", "Cyber")
    for i, (m, (agg,)) in enumerate(itertools.islice(itertools.cycle(SERVICES.items()), 12)):
        pl, pr = periods[(i * 5) % len(periods)]
        if i % 2:
            seg, col = regions[i % 4], "s.region"
            text = f"{m.capitalize()} in {seg} {pl}"
        else:
            seg, col = caps[i % 5], "s.capability"
            text = f"What was {m} for {seg} {pl}?"
        out.append(q("demo", text, "value", "scalar", svc_sql(agg, pr, f"{col} = '{seg}'")))
    for i, (m, (agg,)) in enumerate(SERVICES.items()):
        dim = ("region", "capability")[i % 2]
        pl, pr = periods[(i * 7) % len(periods)]
        form = ("{M} by {d} {p}", "Break down {m} by {d} {p}", "{M} per {d} {p}")[i % 3]
        out.append(
            q(
                "demo",
                form.format(M=m.capitalize(), m=m, d=dim, p=pl),
                "breakdown",
                "rows",
                svc_sql(agg, pr, group=SERVICE_DIMS[dim]),
            )
        )
    for i, (m, (agg,)) in enumerate(SERVICES.items()):
        dim = ("capability", "region")[i % 2]
        pl, pr = periods[(i * 3 + 1) % len(periods)]
        if i % 3 == 0:
            text, check, extra = f"Which {dim} had the highest {m} {pl}?", "top", {}
            order = "ORDER BY 2 DESC LIMIT 1"
        elif i % 3 == 1:
            text, check, extra = f"Top 3 {dim}s by {m} {pl}", "topn", {"n": 3}
            order = "ORDER BY 2 DESC LIMIT 3"
        else:
            text, check, extra = f"Which {dim} has the lowest {m} {pl}?", "top", {}
            order = "ORDER BY 2 ASC LIMIT 1"
        out.append(
            q("demo", text, "ranking", check, svc_sql(agg, pr, group=SERVICE_DIMS[dim], order=order), **extra)
        )
    trend_forms = (
        "Monthly {m} in 2025",
        "{M} by month in 2024",
        "Show {m} trend over 2025",
        "{M} by quarter in 2025",
    )
    for i, (m, (agg,)) in enumerate(itertools.islice(SERVICES.items(), 8)):
        form = trend_forms[i % 4]
        year = "2024" if "2024" in form else "2025"
        bucket = "date_trunc('quarter', s.month)" if "quarter" in form else "s.month"
        out.append(
            q(
                "demo",
                form.format(m=m, M=m.capitalize()),
                "trend",
                "rows",
                svc_sql(agg, (f"{year}-01-01", f"{year}-12-31"), group=bucket),
            )
        )
    out += _demo_comparisons(periods)
    out += _demo_deals(periods)
    out += _demo_specials()
    return out


def _demo_comparisons(periods: list[tuple[str, tuple[str, str]]]) -> list[dict[str, Any]]:
    out = []
    for i, (m, (agg,)) in enumerate(itertools.islice(SERVICES.items(), 6)):
        if i % 2:
            a, b = ("EMEA", "APAC") if i % 4 == 1 else ("Americas", "UK")
            out.append(
                q(
                    "demo",
                    f"{m.capitalize()} in {a} vs {b} in 2025",
                    "comparison",
                    "rows",
                    svc_sql(
                        agg, ("2025-01-01", "2025-12-31"), f"s.region IN ('{a}', '{b}')", group="s.region"
                    ),
                )
            )
        else:
            out.append(
                q(
                    "demo",
                    f"{m.capitalize()} 2025 vs 2024",
                    "comparison",
                    "values",
                    f"SELECT '2025', ({svc_sql(agg, ('2025-01-01', '2025-12-31'))}) UNION ALL "
                    f"SELECT '2024', ({svc_sql(agg, ('2024-01-01', '2024-12-31'))})",
                )
            )
    for i, (m, (agg,)) in enumerate(itertools.islice(SERVICES.items(), 5)):
        form = (
            "{M} this year vs prior year",
            "{M} in 2025 year over year",
            "How did {m} in Q2 2025 compare with the previous quarter?",
            "{M} last quarter vs last year",
            "{M} YTD vs prior year",
        )[i]
        if "previous quarter" in form:
            cur, base = ("2025-04-01", "2025-06-30"), ("2025-01-01", "2025-03-31")
        elif "last quarter" in form:
            cur, base = ("2025-07-01", "2025-09-30"), ("2024-07-01", "2024-09-30")
        else:
            cur, base = ("2025-01-01", "2025-12-31"), ("2024-01-01", "2024-12-31")
        out.append(
            q(
                "demo",
                form.format(m=m, M=m.capitalize()),
                "comparison",
                "vector",
                f"SELECT ({svc_sql(agg, cur)}), ({svc_sql(agg, base)})",
            )
        )
    for i, seg in enumerate(("Technology", "Consulting", "EMEA", "APAC")):
        col = "s.capability" if i < 2 else "s.region"
        m, agg = (("net fees", "sum(fees)"), ("chargeable hours", "sum(chargeable_hours)"))[i % 2]
        text = (
            f"What share of {m} comes from {seg} in 2025?",
            f"What percentage of {m} did {seg} contribute in 2025?",
        )[i % 2]
        period = ("2025-01-01", "2025-12-31")
        out.append(
            q(
                "demo",
                text,
                "share",
                "scalar",
                f"SELECT ({svc_sql(agg, period, f'{col} = ' + repr(seg))}) / ({svc_sql(agg, period)})",
            )
        )
    return out


def _demo_deals(periods: list[tuple[str, tuple[str, str]]]) -> list[dict[str, Any]]:
    out = []
    deal_periods = [
        p
        for p in periods
        if p[0] in ("in 2024", "in 2025", "YTD", "last quarter", "in Q2 2025", "in 2023", "last year")
    ]
    for i, (m, (agg, date)) in enumerate(DEALS.items()):
        for j in range(2):
            pl, pr = deal_periods[(i * 2 + j) % len(deal_periods)]
            form = ("What is our {m} {p}?", "{M} {p}")[j]
            out.append(
                q(
                    "demo",
                    form.format(m=m, M=m.capitalize(), p=pl),
                    "value",
                    "scalar",
                    deal_sql(agg, date, pr),
                )
            )
    out.append(
        q(
            "demo",
            "What is our overall win rate?",
            "value",
            "scalar",
            deal_sql(DEALS["win rate"][0], "close_date", None),
        )
    )
    for i, (m, (agg, date)) in enumerate(itertools.islice(DEALS.items(), 6)):
        dim = ("region", "team", "sector", "product", "region", "team")[i]
        pl, pr = deal_periods[i % len(deal_periods)]
        out.append(
            q(
                "demo",
                f"{m.capitalize()} by {dim} {pl}",
                "breakdown",
                "rows",
                deal_sql(agg, date, pr, group=DEAL_DIMS[dim]),
            )
        )
    for m, n in (("won revenue", 5), ("won deals", 3), ("bookings", 3)):
        agg, date = DEALS[m]
        out.append(
            q(
                "demo",
                f"Top {n} reps by {m} in 2025",
                "ranking",
                "topn",
                deal_sql(
                    agg,
                    date,
                    ("2025-01-01", "2025-12-31"),
                    group=DEAL_DIMS["rep"],
                    order=f"ORDER BY 2 DESC NULLS LAST, 1 LIMIT {n}",
                ),
                n=n,
            )
        )
    out.append(
        q(
            "demo",
            "Which team had the highest won revenue in 2025?",
            "ranking",
            "top",
            deal_sql(
                DEALS["won revenue"][0],
                "close_date",
                ("2025-01-01", "2025-12-31"),
                group="r.team",
                order="ORDER BY 2 DESC LIMIT 1",
            ),
        )
    )
    out.append(
        q(
            "demo",
            "Which product has the highest average deal size?",
            "ranking",
            "top",
            deal_sql(
                DEALS["average deal size"][0],
                "close_date",
                None,
                group="p.name",
                order="ORDER BY 2 DESC NULLS LAST LIMIT 1",
            ),
        )
    )
    for region in ("EMEA", "APAC", "Americas"):
        out.append(
            q(
                "demo",
                f"Won revenue in {region} in 2025",
                "value",
                "scalar",
                deal_sql(
                    DEALS["won revenue"][0],
                    "close_date",
                    ("2025-01-01", "2025-12-31"),
                    f"r.region = '{region}'",
                ),
            )
        )
    out.append(
        q(
            "demo",
            "Won revenue by month in 2025",
            "trend",
            "rows",
            deal_sql(
                DEALS["won revenue"][0],
                "close_date",
                ("2025-01-01", "2025-12-31"),
                group="date_trunc('month', o.close_date)",
            ),
        )
    )
    open_at = (
        "o.created_date <= DATE '2025-12-31' AND (o.status = 'open' OR o.close_date > DATE '2025-12-31')"
    )
    for text in ("Pipeline funnel by stage", "Show me the sales funnel", "Open pipeline by stage"):
        out.append(
            q(
                "demo",
                text,
                "funnel",
                "rows",
                f"SELECT o.stage, sum(o.amount) FROM opportunities o WHERE {open_at} GROUP BY 1",
                value_column=2,
            )
        )
    for name in ("Cloud Platform Implementation", "Cyber Defense Retainer", "Audit Analytics"):
        out.append(
            q(
                "demo",
                f"Show me the biggest {name} deal",
                "deal_lookup",
                "scalar",
                f"SELECT max(o.amount) FROM {DEAL_FROM} WHERE lower(o.name) LIKE '%{name.lower()}%' "
                f"OR lower(a.name) LIKE '%{name.lower()}%'",
            )
        )
    return out


def _demo_specials() -> list[dict[str, Any]]:
    hours = "sum(chargeable_hours)"
    dec, nov = ("2025-12-01", "2025-12-31"), ("2025-11-01", "2025-11-30")
    out = [
        q(
            "demo",
            "Why did chargeable hours drop in December?",
            "why",
            "scalar",
            f"SELECT ({svc_sql(hours, dec)}) - ({svc_sql(hours, nov)})",
        ),
        q(
            "demo",
            "What drove the change in chargeable hours in December?",
            "why",
            "scalar",
            f"SELECT ({svc_sql(hours, dec)}) - ({svc_sql(hours, nov)})",
        ),
        q(
            "demo",
            "Explain the net fees change last quarter",
            "why",
            "scalar",
            f"SELECT ({svc_sql('sum(fees)', ('2025-07-01', '2025-09-30'))}) - "
            f"({svc_sql('sum(fees)', ('2025-04-01', '2025-06-30'))})",
        ),
    ]
    budget = (
        "SELECT sum(value) FROM budgets WHERE metric = '{m}' AND month BETWEEN DATE '2025-01-01' AND "
        "DATE '2025-12-31'{w}"
    )
    for text, m, col in (
        (
            "Which capability is the biggest contributor to the YTD budget gap in chargeable hours?",
            "chargeable_hours",
            "capability",
        ),
        ("What is driving the chargeable hours budget gap this year?", "chargeable_hours", "capability"),
    ):
        out.append(
            q(
                "demo",
                text,
                "why",
                "top",
                f"SELECT s.{col}, {hours} - (SELECT sum(value) FROM budgets b WHERE b.metric = '{m}' AND "
                f"b.{col} = s.{col} AND b.month BETWEEN DATE '2025-01-01' AND DATE '2025-12-31') AS gap "
                f"FROM services_monthly s WHERE s.month BETWEEN DATE '2025-01-01' AND DATE '2025-12-31' "
                f"GROUP BY 1 ORDER BY gap LIMIT 1",
                label_column=1,
                value=False,
            )
        )
    ytd = ("2025-01-01", "2025-12-31")
    for text in (
        "Budget vs actuals YTD",
        "How are we doing against budget this year?",
        "Actuals vs budget YTD",
    ):
        out.append(
            q(
                "demo",
                text,
                "budget_vs_actual",
                "rows",
                f"SELECT 'Chargeable hours', ({svc_sql(hours, ytd)}) UNION ALL "
                f"SELECT 'Net fees', ({svc_sql('sum(fees)', ytd)})",
                subset=True,
            )
        )
    for m, mid, agg in (("Chargeable hours", "chargeable_hours", hours), ("Net fees", "fees", "sum(fees)")):
        out.append(
            q(
                "demo",
                f"{m} vs budget YTD",
                "budget_vs_actual",
                "vector",
                f"SELECT '{m}', ({svc_sql(agg, ytd)}), ({budget.format(m=mid, w='')})",
            )
        )
    for text, region in (
        ("Is APAC fee growth coming from rate or volume?", "APAC"),
        ("Rate vs volume for EMEA fees this year", "EMEA"),
        ("Price volume mix of net fees in the UK in 2025", "UK"),
    ):
        w = f"s.region = '{region}'"
        cur, base = ("2025-01-01", "2025-12-31"), ("2024-01-01", "2024-12-31")
        out.append(
            q(
                "demo",
                text,
                "rate_volume",
                "scalar",
                f"SELECT ({svc_sql('sum(fees)', cur, w)}) - ({svc_sql('sum(fees)', base, w)})",
            )
        )
        out.append(
            q(
                "demo",
                text + " ",
                "rate_volume",
                "step",
                f"SELECT 'volume', (({svc_sql(hours, cur, w)}) - ({svc_sql(hours, base, w)})) * "
                f"({svc_sql('sum(fees)', base, w)}) / ({svc_sql(hours, base, w)})",
            )
        )
    out += _demo_free_phrasings()
    for text in (
        "What will the weather be in Paris tomorrow?",
        "Write me a poem about sales",
        "How many employees own a dog?",
        "What is the stock price of ACME?",
    ):
        out.append(q("demo", text, "unsupported", "unsupported"))
    return out


def _demo_free_phrasings() -> list[dict[str, Any]]:
    """Hand-written, loosely phrased questions (synonyms, word order, casual wording)."""
    y24, y25 = ("2024-01-01", "2024-12-31"), ("2025-01-01", "2025-12-31")
    q3 = ("2025-07-01", "2025-09-30")
    won = DEALS["won revenue"][0]
    return [
        q("demo", "how much did we bill in fees during 2024", "value", "scalar", svc_sql("sum(fees)", y24)),
        q(
            "demo",
            "what's the chargeability for the Audit practice this year",
            "value",
            "scalar",
            svc_sql(SERVICES["chargeability"][0], y25, "s.capability = 'Audit'"),
        ),
        q(
            "demo",
            "give me billable hours for APAC in Q1 2024",
            "value",
            "scalar",
            svc_sql("sum(chargeable_hours)", ("2024-01-01", "2024-03-31"), "s.region = 'APAC'"),
        ),
        q(
            "demo",
            "which region billed the most fees in 2025",
            "ranking",
            "top",
            svc_sql("sum(fees)", y25, group="s.region", order="ORDER BY 2 DESC LIMIT 1"),
        ),
        q(
            "demo",
            "show the 3 lowest capabilities by delivery margin in 2025",
            "ranking",
            "topn",
            svc_sql(
                SERVICES["delivery margin"][0], y25, group="s.capability", order="ORDER BY 2 ASC LIMIT 3"
            ),
            n=3,
        ),
        q(
            "demo",
            "compare bookings in EMEA versus the Americas for 2025",
            "comparison",
            "rows",
            deal_sql(won, "close_date", y25, "r.region IN ('EMEA', 'Americas')", group="r.region"),
        ),
        q(
            "demo",
            "what % of chargeable hours came from Consulting in 2024",
            "share",
            "scalar",
            f"SELECT ({svc_sql('sum(chargeable_hours)', y24, 's.capability = ' + repr('Consulting'))}) / "
            f"({svc_sql('sum(chargeable_hours)', y24)})",
        ),
        q(
            "demo",
            "fees for Cyber in the UK last quarter",
            "value",
            "scalar",
            svc_sql("sum(fees)", q3, "s.capability = 'Cyber' AND s.region = 'UK'"),
        ),
        q(
            "demo",
            "hourly rate by region in 2024",
            "breakdown",
            "rows",
            svc_sql(SERVICES["rate per hour"][0], y24, group="s.region"),
        ),
        q(
            "demo",
            "number of deals won in Q2 2025",
            "value",
            "scalar",
            deal_sql(DEALS["won deals"][0], "close_date", ("2025-04-01", "2025-06-30")),
        ),
        q(
            "demo",
            "who sold the most in 2025",
            "ranking",
            "top",
            deal_sql(won, "close_date", y25, group="r.name", order="ORDER BY 2 DESC NULLS LAST LIMIT 1"),
        ),
        q(
            "demo",
            "what was the average deal size last year",
            "value",
            "scalar",
            deal_sql(DEALS["average deal size"][0], "close_date", y24),
        ),
        q(
            "demo",
            "net revenue year over year",
            "comparison",
            "vector",
            f"SELECT ({svc_sql('sum(fees)', y25)}), ({svc_sql('sum(fees)', y24)})",
        ),
        q(
            "demo",
            "billable utilisation by capability in 2025",
            "breakdown",
            "rows",
            svc_sql(SERVICES["chargeability"][0], y25, group="s.capability"),
        ),
        q(
            "demo",
            "how did our win rate trend by quarter in 2025",
            "trend",
            "rows",
            deal_sql(DEALS["win rate"][0], "close_date", y25, group="date_trunc('quarter', o.close_date)"),
        ),
    ]


def maven_questions() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    periods = list(MAVEN_PERIODS.items())
    forms = ("What is our {m} {p}?", "{M} {p}", "How much {m} {p}?", "Show me {m} {p}")
    for i, (m, (agg, date)) in enumerate(DEALS.items()):
        for j in range(3):
            pl, pr = periods[(i * 3 + j) % len(periods)]
            out.append(
                q(
                    "maven",
                    forms[(i + j) % 4].format(m=m, M=m.capitalize(), p=pl),
                    "value",
                    "scalar",
                    deal_sql(agg, date, pr),
                )
            )
    out += [
        q(
            "maven",
            "What is our overall win rate?",
            "value",
            "scalar",
            deal_sql(DEALS["win rate"][0], "close_date", None),
        ),
        q(
            "maven",
            "How much revenue did we win in Q2 2017?",
            "value",
            "scalar",
            deal_sql(DEALS["won revenue"][0], "close_date", MAVEN_PERIODS["in Q2 2017"]),
        ),
        q(
            "maven",
            "How many deals did we lose in 2017?",
            "value",
            "scalar",
            deal_sql(DEALS["lost deals"][0], "close_date", MAVEN_PERIODS["in 2017"]),
        ),
        q(
            "maven",
            "How many deals did we win in Q1 2017?",
            "value",
            "scalar",
            deal_sql(DEALS["won deals"][0], "close_date", MAVEN_PERIODS["in Q1 2017"]),
        ),
    ]
    for office in ("Central", "East", "West"):
        out.append(
            q(
                "maven",
                f"Won revenue for the {office} office",
                "value",
                "scalar",
                deal_sql(DEALS["won revenue"][0], "close_date", None, f"r.region = '{office}'"),
            )
        )
        out.append(
            q(
                "maven",
                f"What is the win rate in {office}?",
                "value",
                "scalar",
                deal_sql(DEALS["win rate"][0], "close_date", None, f"r.region = '{office}'"),
            )
        )
    dims = {
        "regional office": "r.region",
        "region": "r.region",
        "sales agent": "r.name",
        "product": "p.name",
        "manager": "r.manager",
        "sector": "a.sector",
        "product series": "p.series",
    }
    for i, (m, (agg, date)) in enumerate(itertools.islice(itertools.cycle(DEALS.items()), 14)):
        dname = list(dims)[i % len(dims)]
        if dname == "sales agent" and "rate" not in m:
            dname = "manager"
        form = ("{M} by {d}", "Break down {m} by {d}", "{M} per {d} in 2017")[i % 3]
        span = MAVEN_PERIODS["in 2017"] if "2017" in form else None
        out.append(
            q(
                "maven",
                form.format(M=m.capitalize(), m=m, d=dname),
                "breakdown",
                "rows",
                deal_sql(agg, date, span, group=dims[dname]),
            )
        )
    rank = (
        ("Which sales agent has the best win rate?", "win rate", "r.name", "DESC", "top", 1),
        ("Which sales agent has the highest won revenue?", "won revenue", "r.name", "DESC", "top", 1),
        ("Top 5 sales agents by won revenue", "won revenue", "r.name", "DESC", "topn", 5),
        ("Top 3 products by won revenue", "won revenue", "p.name", "DESC", "topn", 3),
        ("Bottom 3 sales agents by won deals", "won deals", "r.name", "ASC", "topn", 3),
        ("Which regional office has the lowest win rate?", "win rate", "r.region", "ASC", "top", 1),
        ("Which manager has the most won deals?", "won deals", "r.manager", "DESC", "top", 1),
        ("Which product has the highest average deal size?", "average deal size", "p.name", "DESC", "top", 1),
        ("Top 3 sectors by bookings in 2017", "bookings", "a.sector", "DESC", "topn", 3),
        ("Which product series sold the most?", "won revenue", "p.series", "DESC", "top", 1),
    )
    for text, m, col, direction, check, n in rank:
        agg, date = DEALS[m]
        span = MAVEN_PERIODS["in 2017"] if "2017" in text else None
        out.append(
            q(
                "maven",
                text,
                "ranking",
                check,
                deal_sql(agg, date, span, group=col, order=f"ORDER BY 2 {direction} NULLS LAST, 1 LIMIT {n}"),
                n=n,
            )
        )
    for text, a, b in (
        ("Won revenue in Central vs West", "Central", "West"),
        ("Compare win rate East vs Central", "East", "Central"),
    ):
        agg = DEALS["won revenue" if "revenue" in text else "win rate"][0]
        out.append(
            q(
                "maven",
                text,
                "comparison",
                "rows",
                deal_sql(agg, "close_date", None, f"r.region IN ('{a}', '{b}')", group="r.region"),
            )
        )
    for text, cur, base in (
        ("Won revenue in Q2 2017 compared with the previous quarter", "in Q2 2017", "in Q1 2017"),
        ("Won deals last quarter vs the prior quarter", "last quarter", "in Q2 2017"),
    ):
        agg = DEALS["won revenue" if "revenue" in text else "won deals"][0]
        out.append(
            q(
                "maven",
                text,
                "comparison",
                "vector",
                f"SELECT ({deal_sql(agg, 'close_date', MAVEN_PERIODS[cur])}), "
                f"({deal_sql(agg, 'close_date', MAVEN_PERIODS[base])})",
            )
        )
    for text, m, col, seg in (
        ("What share of won revenue comes from GTX Pro?", "won revenue", "p.name", "GTX Pro"),
        ("What percentage of bookings did the West office contribute?", "bookings", "r.region", "West"),
        ("What share of won deals comes from MG Advanced?", "won deals", "p.name", "MG Advanced"),
    ):
        agg = DEALS[m][0]
        out.append(
            q(
                "maven",
                text,
                "share",
                "scalar",
                f"SELECT ({deal_sql(agg, 'close_date', None, f'{col} = ' + repr(seg))})::DOUBLE / "
                f"({deal_sql(agg, 'close_date', None)})",
            )
        )
    for text, grain in (
        ("Monthly won revenue in 2017", "month"),
        ("Won revenue by quarter in 2017", "quarter"),
        ("Won deals trend by month in 2017", "month"),
    ):
        agg = DEALS["won deals" if "deals" in text else "won revenue"][0]
        out.append(
            q(
                "maven",
                text,
                "trend",
                "rows",
                deal_sql(
                    agg, "close_date", MAVEN_PERIODS["in 2017"], group=f"date_trunc('{grain}', o.close_date)"
                ),
            )
        )
    for acct in ("Acme Corporation", "Kan-code", "Codehow"):
        out.append(
            q(
                "maven",
                f"Show me the biggest {acct} deal",
                "deal_lookup",
                "scalar",
                f"SELECT max(o.amount) FROM {DEAL_FROM} WHERE lower(o.name) LIKE '%{acct.lower()}%' "
                f"OR lower(a.name) LIKE '%{acct.lower()}%'",
            )
        )
    out += [
        q(
            "maven",
            "Why did won revenue drop in Q4 2017?",
            "why",
            "scalar",
            f"SELECT ({deal_sql(DEALS['won revenue'][0], 'close_date', MAVEN_PERIODS['this quarter'])}) - "
            f"({deal_sql(DEALS['won revenue'][0], 'close_date', MAVEN_PERIODS['last quarter'])})",
        ),
        q(
            "maven",
            "Rate vs volume for won revenue in Q4 2017 vs prior quarter",
            "rate_volume",
            "scalar",
            f"SELECT ({deal_sql(DEALS['won revenue'][0], 'close_date', MAVEN_PERIODS['this quarter'])}) - "
            f"({deal_sql(DEALS['won revenue'][0], 'close_date', MAVEN_PERIODS['last quarter'])})",
        ),
        q("maven", "Budget vs actuals YTD", "unsupported", "unsupported"),
        q("maven", "What is the capital of France?", "unsupported", "unsupported"),
    ]
    return out


def main() -> None:
    for name, items in (("demo", demo_questions()), ("maven", maven_questions())):
        for i, item in enumerate(items, 1):
            item["id"] = f"{name}-{i:03d}"
        text = (
            "# Generated by `python -m revintel.ask.questions.generate`; gold answers are plain SQL\n"
            "# over the "
            "canonical tables (see the module docstring). Edit the generator, not this file.\n"
        )
        text += yaml.safe_dump(items, sort_keys=False, allow_unicode=True, width=200)
        (HERE / "dev" / f"{name}.yaml").write_text(text, encoding="utf-8")
        print(f"{name}: {len(items)} questions")


if __name__ == "__main__":
    main()
