"""The Marketing page as an exportable document (PDF, PPTX): alerts, funnel, why a region drops,
attribution models, campaigns with ROI and the outlook, from :mod:`revintel.marketing.report`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from revintel import format as fmt
from revintel.errors import Forbidden
from revintel.export.document import ChartSpec, Citation, Document, Figure, Item, Section, Series, TableSpec
from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

STAGES = (
    ("lead", "Leads"),
    ("mql", "MQLs"),
    ("sql", "SQLs"),
    ("opportunity", "Opportunities"),
    ("won", "Won"),
)
MODELS = ("first_touch", "last_touch", "linear", "position_based", "w_shaped", "markov_1", "shapley")


def _funnel(r: dict[str, Any]) -> Section:
    rows = r["funnel"]["current"]["rows"]
    prev = {x["group"]: x for x in r["funnel"]["previous"]["rows"]}
    table = TableSpec(
        ["region", *(label for _, label in STAGES), "end-to-end", "previous"],
        [
            [
                x["group"],
                *(fmt.count(x[k]) for k, _ in STAGES),
                fmt.percent(x["end_to_end"]),
                fmt.percent(prev.get(x["group"], {}).get("end_to_end")),
            ]
            for x in rows
        ],
    )
    chart = ChartSpec(
        "column",
        "Funnel",
        [label for _, label in STAGES],
        [Series("All regions", [float(sum(x[k] for x in rows)) for k, _ in STAGES])],
        "number",
    )
    items = [
        Item(
            "Funnel by region",
            f"{r['funnel']['current']['window']['label']}: counts and end-to-end conversion "
            "against the previous period.",
            chart=chart,
            table=table,
            citations=[Citation("Marketing funnel", source="revintel funnel")],
        )
    ]
    d = r["dropping"].get("dropping")
    if d:
        g = r["dropping"]["groups"][0]
        items.append(
            Item(
                f"{d['group']} is dropping in the funnel",
                f"End-to-end conversion {fmt.percent(g['base_conversion'])} -> "
                f"{fmt.percent(g['current_conversion'])} ({fmt.points(g['change'])}); "
                f"stage {d['stage'].replace('_', ' ')} carries most of it.",
                figures=[Figure("Change", g["current_conversion"], "percent", tone="bad")],
                citations=[Citation("Leads read for the funnel", sql=r["dropping"]["sql"])],
                tone="bad",
            )
        )
    return Section("funnel", "Funnel", items)


def _attribution(r: dict[str, Any]) -> Section:
    a = r["attribution"]
    shown = [m for m in MODELS if m in a["models"]]
    table = TableSpec(
        ["channel", *(a["labels"][m] for m in shown)],
        [[x["channel"], *(fmt.money(x[m]["revenue"]) for m in shown)] for x in a["channels"]],
    )
    chart = ChartSpec(
        "bar",
        "Won revenue by channel",
        [x["channel"] for x in a["channels"]],
        [Series(a["labels"][m], [x[m]["revenue"] for x in a["channels"]]) for m in shown],
        "currency",
    )
    return Section(
        "attribution",
        "Attribution models",
        [
            Item(
                "Won revenue by channel under each model",
                f"{a['period']}: {a['journeys']['deals_touched']} of "
                f"{a['journeys']['deals']} won deals had a marketing touch.",
                chart=chart,
                table=table,
                citations=[Citation("Attribution", source="revintel attribution touchpoints")],
            )
        ],
    )


def _campaigns(r: dict[str, Any]) -> Section:
    c = r["campaigns"]
    rows = [
        [
            x["name"],
            fmt.money(x["sourced_won"]),
            fmt.money(x["influenced_won"]),
            fmt.money(x.get("markov_1_revenue")),
            fmt.money(x["cost"]),
            fmt.percent(x["roi_sourced"]),
            fmt.percent(x.get("markov_1_roi")),
        ]
        for x in c["campaigns"][:15]
    ]
    table = TableSpec(
        ["campaign", "sourced won", "influenced won", "Markov won", "cost", "ROI sourced", "ROI Markov"], rows
    )
    return Section(
        "campaigns",
        "Campaigns",
        [
            Item(
                "Campaign influence and return",
                f"{c['period']}.",
                table=table,
                citations=[Citation("Campaigns", source="revintel campaigns")],
            )
        ],
    )


def _outlook(r: dict[str, Any]) -> Section:
    o = r["outlook"]
    p = o["pipeline"]
    return Section(
        "outlook",
        "Outlook",
        [
            Item(
                "Pipeline expected from marketing next quarter",
                f"{fmt.money(p['expected'])} (P10 {fmt.money(p['p10'])}, P90 {fmt.money(p['p90'])}).",
                figures=[Figure("Expected marketing pipeline", p["expected"], "currency")],
                citations=[Citation("Marketing outlook", source="revintel marketing outlook")],
            )
        ],
    )


def marketing_document(
    rt: Runtime, scope: Scope, params: dict[str, Any], progress: Callable[[str, float], None] | None
) -> Document:
    """The Marketing page as a document."""
    from revintel.appdb.base import utcnow
    from revintel.marketing.brief import alert_item
    from revintel.marketing.report import marketing_report

    if "marketing" not in scope.domains:
        raise Forbidden("your role cannot see marketing data", hint="needs the 'marketing' domain")
    r = marketing_report(rt, scope, params.get("period"))
    alerts = Section(
        "alerts",
        "Alerts",
        [alert_item(a) for a in r["alerts"]["alerts"]],
        note=None if r["alerts"]["alerts"] else "No pipeline or funnel alert.",
    )
    return Document(
        kind="marketing",
        title="Marketing",
        subtitle=r["period"],
        persona=scope.persona,
        scope=scope.describe(),
        as_of=rt.as_of(),
        generated_at=utcnow(),
        headline=[Figure("Expected marketing pipeline", r["outlook"]["pipeline"]["expected"], "currency")],
        sections=[alerts, _funnel(r), _attribution(r), _campaigns(r), _outlook(r)],
    )
