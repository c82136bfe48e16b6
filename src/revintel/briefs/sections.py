"""One function per brief section: call the owning service with the scope, turn its result into
document items. No metric is computed here; sentences come from :mod:`revintel.briefs.narrative`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from revintel import format as fmt_mod
from revintel.briefs.narrative import plural
from revintel.errors import RevintelError
from revintel.export.document import (
    ChartSpec,
    Citation,
    Figure,
    Item,
    Section,
    Series,
    TableSpec,
    format_value,
)
from revintel.memo import remember
from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime


class Unavailable(Exception):
    """The section has nothing to show (no data, or its service is not installed); the message says why."""


def money(v: float | None) -> str:
    return format_value(v, "currency")


# --- the brief's context: one per brief, memoising the service calls sections share -----------


@dataclass
class Ctx:
    """What every section receives: runtime, scope, date, and a per-brief memo of service results."""

    rt: Runtime
    scope: Scope
    day: dt.date
    memo: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, fn: Callable[[], Any]) -> Any:
        """``fn()`` computed once per scope, day and data version; a refusal (RevintelError) is
        remembered and re-raised.

        The inputs are kept beside the runtime (:func:`revintel.memo.remember`), so every brief of
        the same reader and day reuses them until the data changes or a model is retrained: the
        precomputation composes each persona's brief in the background, and the brief a persona
        opens is built from them.
        """
        if key not in self.memo:

            def compute() -> Any:
                try:
                    return fn()
                except RevintelError as exc:
                    return exc

            self.memo[key] = remember(
                self.rt, "brief inputs", (repr(self.scope.to_dict()), self.day, key), compute
            )
        value = self.memo[key]
        if isinstance(value, RevintelError):
            raise value
        return value


def _forecast(ctx: Ctx) -> Any:
    from revintel.forecast.rollup import forecast as run

    by = None if "region" in ctx.scope.filters else "region"
    return ctx.once("forecast", lambda: run(ctx.rt, ctx.scope, by=by, as_of=ctx.day))


def _risks(ctx: Ctx) -> dict[str, Any]:
    from revintel.deals.risk import risk_list

    return ctx.once("risks", lambda: risk_list(ctx.rt, ctx.scope, as_of=ctx.day, top=500, explain=False))


def _risks_explained(ctx: Ctx) -> dict[str, Any]:
    from revintel.deals.risk import risk_list

    return ctx.once("risks+", lambda: risk_list(ctx.rt, ctx.scope, as_of=ctx.day, top=5, explain=True))


# --- sections ------------------------------------------------------------------------------------
def kpis(ctx: Ctx) -> Section:
    """KPI cards vs budget and prior year, with their main driver, from the KPI engine."""
    from revintel.briefs.kpis import kpi_section

    return kpi_section(ctx)


def forecast(ctx: Ctx) -> Section:
    f = _forecast(ctx)
    t = f.total
    if t.deals == 0 and not t.won_to_date:
        raise Unavailable("No open pipeline or wins in this scope for the forecast period.")
    label = f.period["label"]
    text = f"The P50 forecast for {label} is {money(t.p50)}"
    if t.quota:
        gap = t.gap_to_quota or 0.0
        side = "short of" if gap > 0 else "above"
        text += f" against a {money(t.quota)} quota ({money(abs(gap))} {side} quota)"
    text += f"; the P10-P90 range is {money(t.p10)} to {money(t.p90)}. "
    from revintel.forecast.calls import calls_sentence, latest_calls

    text += calls_sentence(t, label, None if t.commit is not None else latest_calls(ctx.rt, ctx.scope))
    figs = [
        Figure(f"P50 forecast {label}", t.p50, "currency"),
        Figure("Quota", t.quota, "currency"),
        Figure("P10", t.p10, "currency"),
        Figure("P90", t.p90, "currency"),
        *(
            [Figure("Commit call", t.commit, "currency"), Figure("Best case call", t.best_case, "currency")]
            if t.commit is not None
            else []
        ),
    ]
    if t.quota:
        figs[0].tone = "good" if (t.gap_to_quota or 0) <= 0 else "bad"
    rows = [r for r in f.rows if r.key != "total"]
    if f.by and rows:
        chart = ChartSpec(
            "column",
            f"Forecast by {f.by}, {label}",
            [r.key for r in rows],
            [
                Series("P10", [r.p10 for r in rows]),
                Series("P50", [r.p50 for r in rows]),
                Series("P90", [r.p90 for r in rows]),
                Series("Quota", [r.quota for r in rows]),
            ],
            "currency",
        )
    else:
        chart = ChartSpec(
            "range",
            f"Forecast range vs quota, {label}",
            ["P10", "P50", "P90", "Quota"],
            [Series("Revenue", [t.p10, t.p50, t.p90, t.quota])],
            "currency",
        )
    cite = Citation(
        "Forecast",
        source=f"Forecast from {f.scenarios:,} simulated outcomes of every open deal (win "
        f"{f.model.get('words')}), {fmt_mod.date(f.period['start'])} to {fmt_mod.date(f.period['end'])}",
    )
    items = [Item(f"Forecast {label}", text, figs, chart, citations=[cite], tone=figs[0].tone)]
    short = [r for r in rows if r.gap_to_quota and r.gap_to_quota > 0]
    if short:
        worst = max(short, key=lambda r: r.gap_to_quota or 0)
        items.append(
            Item(
                f"Gap to quota: {worst.key}",
                f"{worst.key} is {money(worst.gap_to_quota)} short of its {money(worst.quota)} quota "
                f"at P50 ({money(worst.p50)}).",
                [Figure("Gap to quota", worst.gap_to_quota, "currency", "bad")],
                citations=[cite],
                tone="bad",
            )
        )
    return Section("forecast", "Forecast vs quota", items, summary=items[0].text)


WINDOW_DAYS = 30
#: a horizon past every close date: the waterfall covers the whole open pipeline, so its won and
#: lost are the wins and losses of the window (one figure with the wins-and-losses section)
WHOLE_PIPELINE = dt.date(2200, 1, 1)


def _changes(ctx: Ctx) -> dict[str, Any]:
    """The forecast service's pipeline waterfall and slippage alerts for the last 30 days."""
    from revintel.forecast.changes import pipeline_changes

    start = ctx.day - dt.timedelta(days=WINDOW_DAYS)
    return ctx.once(
        "changes", lambda: pipeline_changes(ctx.rt, ctx.scope, start, ctx.day, horizon=WHOLE_PIPELINE)
    )


def pipeline(ctx: Ctx) -> Section:
    """Open pipeline, its 30-day waterfall (created, pushed out, won, lost) and expected loss."""
    f = _forecast(ctx)
    r = _risks(ctx)
    t = f.total
    if not t.deals:
        raise Unavailable("No open deals in this scope.")
    ch = _changes(ctx)
    w = ch["total"]
    text = (
        f"{plural(t.deals, 'open deal')} worth {money(t.pipeline)}; "
        f"{money(r['total_expected_loss'])} of it is expected loss ((1 - win probability) x amount)."
    )
    moved = (
        f"In the {WINDOW_DAYS} days to {fmt_mod.date(ctx.day)} the open pipeline went from "
        f"{money(w['start'])} to {money(w['end'])}: {money(w['created'])} created, "
        f"{fmt_mod.delta(w['increased'] - w['decreased'], 'currency')} in amount changes, "
        f"{money(w['won'])} won and {money(w['lost'])} lost."
    )
    figs = [
        Figure("Open pipeline", t.pipeline, "currency"),
        Figure("Open deals", t.deals, "count"),
        Figure("Expected loss", r["total_expected_loss"], "currency", "warning"),
    ]
    rows = [x for x in f.rows if x.key != "total"]
    chart = (
        ChartSpec(
            "bar",
            f"Open pipeline by {f.by}",
            [x.key for x in rows],
            [Series("Pipeline", [x.pipeline for x in rows])],
            "currency",
        )
        if f.by and rows
        else None
    )
    order = ("start", "created", "increased", "decreased", "pulled_in", "pushed_out", "won", "lost", "end")
    steps = [x for x in order if w[x] or x not in ("pulled_in", "pushed_out")]  # none in the whole pipeline
    sign = {"decreased": -1, "pushed_out": -1, "won": -1, "lost": -1}
    waterfall = ChartSpec(
        "column",
        f"Pipeline change, last {WINDOW_DAYS} days",
        [x.replace("_", " ") for x in steps],
        [Series("Amount", [sign.get(x, 1) * w[x] for x in steps])],
        "currency",
    )
    cites = [
        Citation(
            "Open pipeline",
            metric="open_pipeline",
            source="Open deals in scope on the brief's date, at their current amounts",
        ),
        Citation("Deal risk", source=f"Deal risk score, win {r['model_words']}"),
    ]
    change_cite = Citation(
        "Pipeline changes",
        source=f"Open deals on {fmt_mod.date(ch['from'])} and on {fmt_mod.date(ch['to'])}, whatever their "
        "close date; every change is one deal created, resized, won or lost in between; the steps add up.",
    )
    items = [
        Item("Open pipeline", text, figs, chart, citations=cites),
        Item(
            "Pipeline movement",
            moved,
            [
                Figure(f"Pipeline {fmt_mod.date(ch['from'])}", w["start"], "currency"),
                Figure(f"Pipeline {fmt_mod.date(ch['to'])}", w["end"], "currency"),
                Figure("Created", w["created"], "currency", "good"),
                Figure(f"Lost ({WINDOW_DAYS}d)", w["lost"], "currency", "bad"),
            ],
            waterfall,
            citations=[change_cite],
        ),
    ]
    return Section("pipeline", "Pipeline health", items, summary=text)


def _deal_table(rows: list[dict[str, Any]], extra: tuple[str, str]) -> TableSpec:
    col, key = extra
    return TableSpec(
        ["Deal", "Account", "Region", "Amount", "Close", "Win prob.", col],
        [
            [
                d["opportunity_id"],
                d.get("account") or "",
                d.get("region") or "",
                money(d.get("amount")),
                d.get("close_date") or "",
                format_value(d.get("p_win"), "percent"),
                str(d.get(key) or ""),
            ]
            for d in rows
        ],
    )


def slipped(ctx: Ctx) -> Section:
    """Slippage alerts from the forecast service: deals pushed twice or by 30+ days in 30 days."""
    ch = _changes(ctx)
    alerts = ch["alerts"]
    deals = [d for d in alerts["deals"] if d.get("status") in (None, "open")] or alerts["deals"]
    deals = sorted(deals, key=lambda d: (-(d.get("amount") or 0.0), d["opportunity_id"]))  # largest first
    if not deals:
        raise Unavailable(f"No deal slipped in the {WINDOW_DAYS} days to {ctx.day.isoformat()}.")
    value = sum(d.get("amount") or 0 for d in deals)
    top = deals[0]
    text = (
        f"{plural(len(deals), 'deal')} worth {money(value)} slipped in the last {WINDOW_DAYS} days; "
        f"the largest, {top['opportunity_id']} ({top.get('name') or ''}, {money(top.get('amount'))}), "
        f"moved {top['days_pushed']} days in {plural(top['pushes'], 'push', 'pushes')}."
    )
    table = TableSpec(
        ["Deal", "Name", "Region", "Amount", "Close", "Pushes", "Days pushed"],
        [
            [
                d["opportunity_id"],
                d.get("name") or "",
                d.get("region") or "",
                money(d.get("amount")),
                d.get("close_date") or "",
                str(d["pushes"]),
                str(d["days_pushed"]),
            ]
            for d in deals[:8]
        ],
    )
    cite = Citation(
        "Slippage alerts",
        source=f"Deals whose close date was pushed {alerts['min_pushes']} or more times or by "
        f"{alerts['min_days']}+ days between {fmt_mod.date(ch['from'])} and {fmt_mod.date(ch['to'])}",
        deal_ids=[d["opportunity_id"] for d in deals],
    )
    item = Item(
        "Slipped deals",
        text,
        [Figure("Slipped value", value, "currency", "warning"), Figure("Slipped deals", len(deals), "count")],
        table=table,
        citations=[cite],
        tone="warning",
    )
    return Section("slipped", "Deals that slipped", [item], summary=text)


def risks(ctx: Ctx) -> Section:
    r = _risks_explained(ctx)
    deals = r["deals"]
    if not deals:
        raise Unavailable("No open deals at risk in this scope.")
    top = deals[0]
    text = (
        f"The top {plural(len(deals), 'at-risk deal')} carry {money(sum(d['expected_loss'] for d in deals))} "
        f"of expected loss; {top['opportunity_id']} ({top.get('account')}, {money(top.get('amount'))}) "
        f"has risk {top['risk']:.1f}."
    )
    for d in deals:
        neg = (d.get("drivers") or {}).get("negative") or []
        d["why"] = neg[0]["text"] if neg else ""
    chart = ChartSpec(
        "bar",
        "Expected loss by deal",
        [d["opportunity_id"] for d in deals],
        [Series("Expected loss", [d["expected_loss"] for d in deals])],
        "currency",
    )
    cite = Citation(
        "Deal risk",
        source=f"Deal risk score (win {r['model_words']}), ranked by value at risk this quarter",
        deal_ids=[d["opportunity_id"] for d in deals],
    )
    item = Item(
        "Top at-risk deals",
        text,
        [
            Figure("Expected loss (top)", sum(d["expected_loss"] for d in deals), "currency", "bad"),
            Figure("Highest risk", top["risk"], "number", "bad"),
        ],
        chart,
        _deal_table(deals, ("Main risk", "why")),
        [cite],
        "bad",
    )
    return Section("risks", "Top at-risk deals", [item], summary=text)


def wins_losses(ctx: Ctx) -> Section:
    from revintel.briefs.signals import wins_losses as build

    return build(ctx)


def competitors(ctx: Ctx) -> Section:
    from revintel.briefs.signals import competitors as build

    return build(ctx)


def churn(ctx: Ctx) -> Section:
    from revintel.briefs.signals import churn as build

    return build(ctx)


def marketing(ctx: Ctx) -> Section:
    from revintel.marketing.brief import section as build

    counts = ctx.rt.semantic.table_counts()
    if not counts.get("leads") or not counts.get("opportunities"):
        raise Unavailable("No marketing data is loaded yet (leads and deals).")
    return build(ctx)


def actions(sections: list[Section]) -> Section:
    """Recommended actions, each drawn from an item above and citing the same sources."""
    from revintel.briefs.actions import recommend

    items = recommend(sections)
    return Section(
        "actions", "Recommended actions", items, note=None if items else "No action stands out today."
    )
