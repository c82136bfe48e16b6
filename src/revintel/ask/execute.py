"""Answering a request: each intent as one or more governed queries through the semantic layer.

Every number comes from :meth:`SemanticLayer.query` (or, for deal lookups, a
:meth:`SemanticLayer.scoped_table`), so the caller's scope is applied by the compiler. A
:class:`Run` collects the SQL, definitions, filters and period of each query it makes, and builds
the :class:`~revintel.ask.answer.Answer` from them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from revintel import format as fmt_mod
from revintel.ask.answer import Answer, fmt, fmt_delta, pct_change
from revintel.ask.parse import Request
from revintel.errors import InvalidRequest
from revintel.scope import Scope
from revintel.semantic import MetricQuery, QueryResult
from revintel.semantic.time import Period

if TYPE_CHECKING:
    from revintel.semantic import SemanticLayer

RATIO_UNITS = ("percent", "ratio")
DEFAULT_TOP = 10


class Run:
    """One answer in the making: runs governed queries and remembers what each one did."""

    def __init__(self, sem: SemanticLayer, scope: Scope, req: Request):
        self.sem = sem
        self.scope = scope
        self.req = req
        self.sql: list[str] = []
        self.definitions: dict[str, dict[str, Any]] = {}
        self.period: dict[str, Any] | None = None
        self.filters: dict[str, list[str]] = dict(req.filters)
        self.notes: list[str] = []
        #: distinct values per dimension in the data (from the vocabulary), to skip huge breakdowns
        self.cardinality: dict[str, int] = {}

    @property
    def catalogue(self) -> Any:
        return self.sem.catalogue

    def metric(self, metric_id: str | None = None) -> Any:
        return self.catalogue.metric(metric_id or self.req.metric)

    def query(self, **kw: Any) -> QueryResult:
        kw.setdefault("filters", self.req.filters)
        kw.setdefault("period", self.req.period)
        if "budget" in kw.get("compare", []) and not self.has_budgets():
            raise InvalidRequest(
                "no budgets are loaded, so nothing can be compared with budget",
                hint="load a budgets file (revintel ingest canonical ...)",
            )
        res = self.sem.query(MetricQuery(**kw), self.scope)
        if res.sql not in self.sql:
            self.sql.append(res.sql)
        for d in res.definitions:
            self.definitions.setdefault(d["id"], d)
        if self.period is None and res.period:
            self.period = res.period
        return res

    def has_budgets(self) -> bool:
        return bool(self.sem.state().counts.get("budgets"))

    def has_data(self, m: Any) -> bool:
        """True when the metric's table holds rows (composites: assumed yes)."""
        if m.table is None:
            return True
        return bool(self.sem.state().counts.get(m.table))

    def label(self, metric_id: str | None = None) -> str:
        return self.metric(metric_id).label

    def where(self) -> str:
        """ " in EMEA" / " for Technology in APAC" for the request's filters."""
        out = self.req.excluded
        parts = [
            f"all but {', '.join(out[d])}" if d in out else ", ".join(v)
            for d, v in self.req.filters.items()
            if v
        ]
        return (" for " + " / ".join(parts)) if parts else ""

    def when(self) -> str:
        snapshot = self.req.metric and self.metric().snapshot
        if self.period and (snapshot or self.req.intent == "funnel"):
            return " as of " + self.period["end"]
        if self.period:
            label = self.period["label"]
            lead = label.split(" ")[0].lower()
            return (
                " " if lead in ("since", "before", "after", "through", "last", "past") else " in "
            ) + label
        return " (all time)"

    def answer(self, text: str, intent: str, **kw: Any) -> Answer:
        return Answer(
            question=self.req.question,
            answer=text,
            intent=intent,
            definitions=list(self.definitions.values()),
            filters=self.filters,
            scope=self.scope.to_dict(),
            sql=list(self.sql),
            period=self.period,
            notes=self.notes + kw.pop("notes", []),
            understood=self.req.to_dict(),
            **kw,
        )


def is_additive(m: Any) -> bool:
    """True when segment values add up to the total (sums and counts of a flow, not ratios or averages)."""
    formula = (m.formula or "").strip().lower()
    return (
        not m.is_composite
        and m.time.kind == "flow"
        and "/" not in formula
        and re.match(r"^(sum|count)\(", formula) is not None
        and "distinct" not in formula
    )


def _first(res: QueryResult, col: str) -> Any:
    return res.rows[0][res.columns.index(col)] if res.rows else None


def value(run: Run) -> Answer:
    m = run.metric()
    res = run.query(metrics=[m.id])
    v = _first(res, m.id)
    text = f"{m.label}{run.where()}{run.when()}: {fmt(v, m.unit)}."
    if v is None:
        text = f"There is no {m.label.lower()} data{run.where()}{run.when()} in your scope."
    return run.answer(
        text,
        "value",
        value=v,
        unit=m.unit,
        columns=res.columns,
        rows=res.rows,
        chart={"type": "table"},
        confidence=0.9,
    )


def trend(run: Run) -> Answer:
    m = run.metric()
    grain = run.req.grain or "month"
    period = run.req.period  # no period asked: the whole history (stated as "all time")
    res = run.query(metrics=[m.id], grain=grain, period=period)
    buckets = res.rows
    if period is None:  # all time ends at the as-of date: no empty buckets of future close dates
        as_of = run.sem.as_of()
        buckets = [r for r in res.rows if not (isinstance(r[0], dt.date) and r[0] > as_of)]
    rows = [r for r in buckets if r[1] is not None]
    if not rows:
        return run.answer(
            f"No {m.label.lower()} data{run.where()} for that period.",
            "trend",
            confidence=0.5,
            columns=res.columns,
            rows=buckets,
            unit=m.unit,
        )
    first, last = rows[0], rows[-1]
    rate = fmt_mod.is_rate(m.unit) or m.unit in RATIO_UNITS
    change = (
        fmt_mod.delta(_delta(last[1], first[1]), m.unit)
        if rate
        else (
            fmt_mod.change(pct_change(last[1], first[1]))
            if pct_change(last[1], first[1]) is not None
            else None
        )
    )
    peak = max(rows, key=lambda r: r[1])
    low = min(rows, key=lambda r: r[1])

    def when(v: Any) -> str:
        return fmt_mod.bucket(v, grain) if hasattr(v, "isoformat") else str(v)

    text = (
        f"{m.label}{run.where()} went from {fmt(first[1], m.unit)} ({when(first[0])}) "
        f"to {fmt(last[1], m.unit)} ({when(last[0])})"
        + (f", {change}" if change is not None else "")
        + f". Peak {fmt(peak[1], m.unit)} in {when(peak[0])}, low {fmt(low[1], m.unit)} in {when(low[0])}."
    )
    if not is_additive(m):  # a rate per bucket is not the rate over the period: say both
        whole = run.query(metrics=[m.id], period=period).rows
        if whole and whole[0] and whole[0][-1] is not None:
            text += (
                f" Each point is one {grain}'s {m.label.lower()}; over the whole period, as a KPI card "
                f"for it shows, it is {fmt(whole[0][-1], m.unit)}."
            )
    value = last[1]
    if run.req.operation == "average_per_bucket" and is_additive(m):
        value = sum(float(r[1]) for r in rows) / len(rows)
        text = (
            f"Average {m.label.lower()} per {grain}{run.where()}: {fmt(value, m.unit)} "
            f"(the mean of {len(rows)} {grain}s with data, from {when(first[0])} to {when(last[0])}). " + text
        )
    return run.answer(
        text,
        "trend",
        value=value,
        unit=m.unit,
        columns=res.columns,
        rows=buckets,
        chart={"type": "line", "x": res.columns[0], "y": [m.id]},
        confidence=0.85,
    )


def _d(v: Any) -> str:
    return fmt_mod.month(v) if hasattr(v, "isoformat") else str(v)


#: deal counts by status: "what share of deals were won" divides by all deals (or closed deals)
STATUS_COUNTS = ("won_deals", "lost_deals", "open_deals", "closed_deals")


def breakdown(run: Run, share: bool = False) -> Answer:
    m = run.metric()
    if share and run.req.filters and not run.req.dimension:
        return segment_share(run)
    if share and not run.req.dimension and m.id in STATUS_COUNTS:
        return status_share(run)
    dim = run.req.dimension or _default_dim(m)
    res = run.query(metrics=[m.id], dimensions=[dim], order_by=f"-{m.id}")
    rows = [r for r in res.rows if r[1] is not None]
    total_res = run.query(metrics=[m.id])
    total = _first(total_res, m.id)
    columns = list(res.columns)
    out_rows = [list(r) for r in rows]
    additive = is_additive(m)
    if additive and total:
        columns.append("share")
        for r in out_rows:
            r.append(r[1] / total if r[1] is not None else None)
    if not out_rows:
        return run.answer(
            f"No {m.label.lower()} data{run.where()}{run.when()} in your scope.",
            "share" if share else "breakdown",
            columns=columns,
            rows=[],
            confidence=0.5,
        )
    top = out_rows[0]
    dlabel = run.catalogue.dimension(dim).label.lower()
    if share and additive and total and run.req.limit and run.req.limit < len(out_rows):
        return _top_share(run, m, dim, dlabel, columns, out_rows, total)
    if run.req.operation == "average_per_segment":
        return _segment_average(run, m, dim, dlabel, columns, out_rows, total)
    text = f"{m.label}{run.where()}{run.when()} by {dlabel}: {top[0]} leads with {fmt(top[1], m.unit)}"
    if additive and total:
        text += f" ({top[2]:.0%} of {fmt(total, m.unit)})"
    text += (
        "; " + ", ".join(f"{r[0]} {fmt(r[1], m.unit)}" for r in out_rows[1:4]) + "."
        if len(out_rows) > 1
        else "."
    )
    chart = {"type": "pie" if share and additive else "bar", "x": dim, "y": [m.id]}
    if share and additive and total:  # "what share does each office contribute": the share is the value
        columns = [dim, "share", m.id]
        out_rows = [[r[0], r[2], r[1]] for r in out_rows]
    return run.answer(
        text,
        "share" if share else "breakdown",
        value=total,
        unit=m.unit,
        columns=columns,
        rows=out_rows,
        chart=chart,
        confidence=0.85,
    )


def _top_share(
    run: Run, m: Any, dim: str, dlabel: str, columns: list[str], rows: list[list[Any]], total: Any
) -> Answer:
    """ "What share of fees came from the top 5 clients": their sum over the unfiltered total."""
    n = run.req.limit or 1
    top = rows[:n]
    part = sum(float(r[1]) for r in top)
    value = part / float(total)
    text = (
        f"The top {n} {_plural(dlabel)} account for {value:.1%} of "
        f"{m.label.lower()}{run.where()}{run.when()}: "
        f"{fmt(part, m.unit)} of {fmt(total, m.unit)} (" + ", ".join(r[0] for r in top) + ")."
    )
    return run.answer(
        text,
        "share",
        value=value,
        unit="percent",
        columns=columns,
        rows=[*top, [f"top {n}", part, value], ["all", total, 1.0]],
        chart={"type": "bar", "x": dim, "y": [m.id]},
        confidence=0.85,
    )


def _segment_average(
    run: Run, m: Any, dim: str, dlabel: str, columns: list[str], rows: list[list[Any]], total: Any
) -> Answer:
    """ "Average won revenue per rep": the mean of the segments' values (segments with data)."""
    mean = sum(float(r[1]) for r in rows) / len(rows)
    text = (
        f"Average {m.label.lower()} per {dlabel}{run.where()}{run.when()}: {fmt(mean, m.unit)} "
        f"(the mean over {len(rows)} {_plural(dlabel)} with data; total {fmt(total, m.unit)})."
    )
    return run.answer(
        text,
        "breakdown",
        value=mean,
        unit=m.unit,
        columns=columns,
        rows=rows,
        chart={"type": "bar", "x": dim, "y": [m.id]},
        confidence=0.85,
    )


def _segment_dimension(run: Run) -> str:
    """Of several filters, the segment is the one named last ("share of West's bookings from GTX Pro")."""
    q = run.req.question.lower()

    def where(dim: str) -> int:
        words = run.req.words.get(f"filter:{dim}") or " ".join(run.req.filters[dim])
        return max((q.rfind(w.strip().lower()) for w in words.split(" / ")), default=-1)

    return max(run.req.filters, key=where)


def segment_share(run: Run) -> Answer:
    """ "What share of fees comes from Technology?": the named segment's share of the total."""
    m = run.metric()
    dim = _segment_dimension(run)
    values = run.req.filters[dim]
    rest = {d: v for d, v in run.req.filters.items() if d != dim}
    part = _first(run.query(metrics=[m.id]), m.id)
    whole = _first(run.query(metrics=[m.id], filters=rest), m.id)
    if part is None or not whole:
        return run.answer(f"No {m.label.lower()} data{run.when()} to compare.", "share", confidence=0.4)
    share = float(part) / float(whole)
    within = " / ".join(", ".join(v) for v in rest.values())
    whole_label = f"all of {within}" if within else "all"
    text = (
        f"{', '.join(values)} accounts for {share:.1%} of {m.label.lower()}"
        f"{' for ' + within if within else ''}{run.when()}: {fmt(part, m.unit)} of {fmt(whole, m.unit)} "
        f"(the denominator is {m.label.lower()} {'for ' + within if within else 'for everything'}, "
        f"not filtered by {run.catalogue.dimension(dim).label.lower()})."
    )
    rows = [[", ".join(values), part, share], [whole_label, whole, 1.0]]
    return run.answer(
        text,
        "share",
        value=share,
        unit="percent",
        columns=[dim, m.id, "share"],
        rows=rows,
        chart={"type": "pie", "x": dim, "y": [m.id]},
        confidence=0.85,
    )


def status_share(run: Run) -> Answer:
    """ "What percentage of deals were lost": the status's count over all deals (closed deals when asked)."""
    m = run.metric()
    closed = m.id in ("won_deals", "lost_deals") and (
        run.req.period is not None or re.search(r"\bclosed\b", run.req.question.lower()) is not None
    )
    base_id = "closed_deals" if closed else "deal_count"
    part = _first(run.query(metrics=[m.id]), m.id)
    whole_q = run.query(metrics=[base_id], period=run.req.period if closed else None)
    whole = _first(whole_q, base_id)
    if part is None or not whole:
        return run.answer(f"No {m.label.lower()} data{run.when()} to compare.", "share", confidence=0.4)
    share = float(part) / float(whole)
    base = "closed (won or lost) deals" if closed else "all deals, of every status"
    text = (
        f"{m.label}{run.where()}{run.when()} are {share:.1%} of {base}: "
        f"{fmt(part, m.unit)} of {fmt(whole, 'count')} (the denominator is {base})."
    )
    return run.answer(
        text,
        "share",
        value=share,
        unit="percent",
        columns=["status", "deals", "share"],
        rows=[[m.label, part, share], ["all" if not closed else "closed", whole, 1.0]],
        chart={"type": "pie", "x": "status", "y": ["deals"]},
        confidence=0.8,
    )


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def _default_dim(m: Any) -> str:
    for d in ("region", "capability", "rep", "product", "channel", "tier"):
        if d in m.dimensions:
            return d
    raise InvalidRequest(f"{m.label} cannot be broken down", hint="ask for its value or trend instead")


def ranking(run: Run) -> Answer:
    if run.req.operation == "growth":
        return growth(run)
    m = run.metric()
    dim = run.req.dimension or _default_dim(m)
    asc = run.req.order == "asc"
    res = run.query(metrics=[m.id], dimensions=[dim], order_by=(m.id if asc else f"-{m.id}"))
    rows = [r for r in res.rows if r[1] is not None and r[0] is not None]
    n = run.req.limit or DEFAULT_TOP
    shown = rows[: max(n, DEFAULT_TOP if n == 1 else n)]
    if not rows:
        return run.answer(
            f"No {m.label.lower()} data{run.where()}{run.when()} in your scope.",
            "ranking",
            columns=res.columns,
            rows=[],
            confidence=0.5,
        )
    dlabel = run.catalogue.dimension(dim).label.lower()
    word = "lowest" if asc else "highest"
    if n > 1 and is_additive(m) and re.search(_TOGETHER, run.req.question.lower()):
        return _top_total(run, m, dim, dlabel, rows[:n], res.columns, asc)

    def name(v: Any) -> str:  # a month or quarter ranked: its bucket label ("Jun 2017")
        return fmt_mod.bucket(v, dim) if hasattr(v, "isoformat") else str(v)

    if n == 1:
        text = (
            f"{name(rows[0][0])} has the {word} {m.label.lower()}{run.where()}{run.when()}: "
            f"{fmt(rows[0][1], m.unit)}"
        )
        if len(rows) > 1:
            text += f" (next: {name(rows[1][0])}, {fmt(rows[1][1], m.unit)})"
        text += "."
    else:
        top = rows[:n]
        text = (
            f"{'Bottom' if asc else 'Top'} {len(top)} {_plural(dlabel)} by {m.label.lower()}"
            f"{run.where()}{run.when()}: "
            + ", ".join(f"{name(r[0])} ({fmt(r[1], m.unit)})" for r in top)
            + "."
        )
    return run.answer(
        text,
        "ranking",
        value=rows[0][1],
        unit=m.unit,
        columns=res.columns,
        rows=shown,
        chart={"type": "bar", "x": dim, "y": [m.id]},
        confidence=0.85,
    )


#: "how much did the top 10 accounts generate": the top N together
_TOGETHER = r"\bhow much\b|\btotal\b|\bcombined\b|\btogether\b|\bin all\b|\bsum\b"


def _top_total(
    run: Run, m: Any, dim: str, dlabel: str, top: list[Any], columns: list[str], asc: bool
) -> Answer:
    """The top (bottom) N segments' values added up, with each of them in the table."""
    total = sum(float(r[1]) for r in top)
    text = (
        f"The {'bottom' if asc else 'top'} {len(top)} {_plural(dlabel)} together: {fmt(total, m.unit)} of "
        f"{m.label.lower()}{run.where()}{run.when()} ("
        + ", ".join(f"{r[0]} {fmt(r[1], m.unit)}" for r in top[:5])
        + (", ..." if len(top) > 5 else "")
        + ")."
    )
    return run.answer(
        text,
        "ranking",
        value=total,
        unit=m.unit,
        columns=columns,
        rows=top,
        chart={"type": "bar", "x": dim, "y": [m.id]},
        confidence=0.85,
    )


def comparison(run: Run) -> Answer:
    kind = run.req.compare
    if kind == "segments":
        return _segments(run)
    if kind == "period":
        return _periods(run)
    m = run.metric()
    kind = kind or "py"
    dims = [run.req.dimension] if run.req.dimension else []
    res = run.query(metrics=[m.id], dimensions=dims, compare=[kind])
    base_col = f"{m.id}_{kind}"
    rows = [[*list(r), _delta(r[res.columns.index(m.id)], r[res.columns.index(base_col)])] for r in res.rows]
    columns = [*res.columns, "change"]
    what = {"budget": "budget", "py": "prior year", "pp": "prior period"}[kind]
    if dims and re.search(_WHICH_GAP, run.req.question.lower()):
        return _ranked_gap(run, m, dims[0], what, columns, rows)
    if dims:
        text = (
            f"{m.label}{run.when()} vs {what} by {dims[0]}: "
            + "; ".join(
                f"{r[0]} {fmt(r[1], m.unit)} vs {fmt(r[2], m.unit)} ({fmt_delta(r[3], m.unit)})"
                for r in rows[:6]
            )
            + "."
        )
        return run.answer(
            text,
            "comparison",
            unit=m.unit,
            columns=columns,
            rows=rows,
            chart={"type": "bar", "x": dims[0], "y": [m.id, base_col]},
            confidence=0.85,
        )
    cur, base = (rows[0][0], rows[0][1]) if rows else (None, None)
    change = pct_change(cur, base)
    text = (
        f"{m.label}{run.where()}{run.when()}: {fmt(cur, m.unit)} vs {fmt(base, m.unit)} {what} "
        f"({fmt_delta(_delta(cur, base), m.unit)}"
        + (f", {change:+.1%}" if change is not None and m.unit not in RATIO_UNITS else "")
        + ")."
    )
    return run.answer(
        text,
        "comparison",
        value=headline_change(run, cur, base, m.unit),
        unit="percent" if wants_relative(run) else m.unit,
        columns=columns,
        rows=rows,
        chart={"type": "bar", "x": "series", "y": [m.id, base_col]},
        confidence=0.85,
    )


#: "which region is furthest behind budget": the segments ranked by their gap, the extreme named
_WHICH_GAP = (
    r"^(?:which|who)\b|\bwhich\b|\bfurthest\b|\bfarthest\b|\bmost\b|\bbiggest\b|\blargest\b|\bworst\b"
)
_SHORT = r"\bbehind\b|\bbelow\b|\bshort|\bworst\b|\bdeclin|\bdrop|\bfell\b|\blowest\b|\bunder\b|\bmiss"


def _ranked_gap(run: Run, m: Any, dim: str, what: str, columns: list[str], rows: list[list[Any]]) -> Answer:
    """Segments ranked by their change against ``what``; the headline is the extreme segment's gap."""
    short = re.search(_SHORT, run.req.question.lower()) is not None
    relative = wants_relative(run)

    def gap(r: list[Any]) -> float | None:
        return pct_change(r[1], r[2]) if relative else r[3]

    def order(r: list[Any]) -> float:
        g = float(gap(r) or 0.0)
        return g if short else -g

    ranked = sorted((r for r in rows if gap(r) is not None), key=order)
    if not ranked:
        return run.answer(f"No {m.label.lower()} data to compare with {what}.", "comparison", confidence=0.4)
    top = ranked[0]
    how = f"{gap(top):+.1%}" if relative else fmt_delta(top[3], m.unit)
    text = (
        f"{top[0]} is {'furthest below' if short else 'furthest above'} {what} on {m.label.lower()}"
        f"{run.where()}{run.when()}: {fmt(top[1], m.unit)} vs {fmt(top[2], m.unit)} ({how})"
    )
    if len(ranked) > 1:
        text += "; then " + ", ".join(f"{r[0]} ({fmt_delta(r[3], m.unit)})" for r in ranked[1:4])
    return run.answer(
        text + ".",
        "comparison",
        value=gap(top),
        unit="percent" if relative else m.unit,
        columns=columns,
        rows=ranked,
        chart={"type": "bar", "x": dim, "y": ["change"]},
        confidence=0.85,
    )


_RELATIVE = r"%|\bper ?cent|\bpercentage\b|\bgrowth\b|\bgr[eo]w\b|\bgrowing\b|\bpct\b|\brelative\b"


def wants_relative(run: Run) -> bool:
    """True when a comparison asks for the relative change ("growth", "% change") of a non-ratio metric."""
    m = run.metric()
    return m.unit not in RATIO_UNITS and re.search(_RELATIVE, run.req.question.lower()) is not None


def headline_change(run: Run, current: Any, base: Any, unit: str | None) -> float | None:
    """A comparison's headline: the change (current - base), relative when the question asks for growth."""
    if wants_relative(run):
        return pct_change(current, base)
    return _delta(current, base)


def _delta(a: Any, b: Any) -> float | None:
    return None if a is None or b is None else float(a) - float(b)


def _segments(run: Run) -> Answer:
    m = run.metric()
    (dim, a), (_, b) = run.req.segments[:2]
    res = run.query(
        metrics=[m.id], dimensions=[dim], filters={**run.req.filters, dim: [a, b]}, order_by=f"-{m.id}"
    )
    vals = {r[0]: r[1] for r in res.rows}
    va, vb = vals.get(a), vals.get(b)
    text = (
        f"{m.label}{run.when()}: {a} {fmt(va, m.unit)} vs {b} {fmt(vb, m.unit)} "
        f"(difference {fmt_delta(_delta(va, vb), m.unit)})."
    )
    return run.answer(
        text,
        "comparison",
        value=_delta(va, vb),
        unit=m.unit,
        columns=res.columns,
        rows=res.rows,
        chart={"type": "bar", "x": dim, "y": [m.id]},
        confidence=0.85,
    )


def _periods(run: Run) -> Answer:
    m = run.metric()
    first = run.query(metrics=[m.id], period=run.req.period)
    second = run.query(metrics=[m.id], period=run.req.compare_period)
    a, b = _first(first, m.id), _first(second, m.id)
    la, lb = (
        first.period["label"] if first.period else run.req.period,
        (second.period["label"] if second.period else run.req.compare_period),
    )
    change = pct_change(a, b)
    text = (
        f"{m.label}{run.where()}: {fmt(a, m.unit)} in {la} vs {fmt(b, m.unit)} in {lb} "
        f"({fmt_delta(_delta(a, b), m.unit)}"
        + (f", {change:+.1%}" if change is not None and m.unit not in RATIO_UNITS else "")
        + ")."
    )
    rows = [
        [first.period["start"] if first.period else la, a],
        [second.period["start"] if second.period else lb, b],
    ]
    return run.answer(
        text,
        "comparison",
        value=headline_change(run, a, b, m.unit),
        unit="percent" if wants_relative(run) else m.unit,
        columns=["period", m.id],
        rows=rows,
        chart={"type": "bar", "x": "period", "y": [m.id]},
        confidence=0.85,
    )


def _span_label(p: Period) -> str:
    """A shifted period named by its dates: "2024", "2024-Q3", "Mar 2024", else "start to end"."""
    if p.start.month == 1 and p.start.day == 1 and p.end.month == 12 and p.end.day == 31:
        return str(p.start.year) if p.start.year == p.end.year else f"{p.start.year}–{p.end.year}"
    if p.start.day == 1 and (p.end - p.start).days in range(89, 93) and p.start.month % 3 == 1:
        return f"{p.start.year}-Q{(p.start.month - 1) // 3 + 1}"
    if p.start.day == 1 and p.start.month == p.end.month and p.start.year == p.end.year:
        return p.start.strftime("%b %Y")
    return f"{p.start.isoformat()} to {p.end.isoformat()}"


def growth(run: Run) -> Answer:
    """ "Which region grew the most": segments ranked by the change between two periods.

    The periods are the question's two ("from Q2 to Q3 2017": Q3 against Q2), or its one period
    against the period before it (year over year when asked), or the last full quarter against
    the one before. Ranked by the change in units; "fastest"/"%" rank by the relative change.
    """
    m = run.metric()
    dim = run.req.dimension or _default_dim(m)
    sem = run.sem
    current = sem.period(run.req.period) if run.req.period else sem.period("last quarter")
    if current is None:
        raise InvalidRequest("cannot read the period to measure growth over")
    if run.req.compare_period:
        base = sem.period(run.req.compare_period)
    elif run.req.compare == "py":
        base = current.prior_year()
    else:
        base = current.prior_period()
    assert base is not None
    if base.start > current.start:
        current, base = base, current
    if "(prior" in base.label:  # "2024", not "2025 (prior period)"
        base = Period(base.start, base.end, base.grain, _span_label(base))
    now = run.query(metrics=[m.id], dimensions=[dim], period=current)
    before = run.query(metrics=[m.id], dimensions=[dim], period=base)
    a = {r[0]: r[1] for r in now.rows if r[0] is not None}
    b = {r[0]: r[1] for r in before.rows if r[0] is not None}
    if not any(v is not None for v in b.values()):  # nothing to grow from: not a ranking by size
        raise InvalidRequest(
            f"there is no {m.label.lower()} data in {base.label} to measure growth from",
            hint="name two periods the data covers, e.g. from one quarter to the next",
        )
    relative = bool(re.search(r"fastest|percent|%|\brate of growth\b|relative", run.req.question.lower()))
    rows = []
    for key in sorted(set(a) | set(b), key=str):
        cur, old = a.get(key), b.get(key)
        change = _delta(cur or 0.0, old or 0.0)
        rows.append([key, change, cur, old, pct_change(cur, old)])
    col = 4 if relative else 1
    asc = run.req.order == "asc"
    rows = [r for r in rows if r[col] is not None]
    rows.sort(key=lambda r: (r[col] if asc else -r[col], str(r[0])))
    if not rows:
        return run.answer(f"No {m.label.lower()} data to compare.", "ranking", confidence=0.4)
    n = run.req.limit or 1
    top = rows[0]
    dlabel = run.catalogue.dimension(dim).label.lower()
    word = ("declined" if top[1] < 0 else "grew") if not asc else ("declined" if top[1] < 0 else "grew least")
    how = f"{top[4]:+.1%}" if relative and top[4] is not None else fmt_delta(top[1], m.unit)
    text = (
        f"{top[0]} {word} the most in {m.label.lower()}{run.where()}: {how} "
        f"({fmt(top[3], m.unit)} in {base.label} -> {fmt(top[2], m.unit)} in {current.label})"
    )
    if asc:
        text = (
            f"{top[0]} had the {'largest decline' if top[1] < 0 else 'smallest growth'} in {m.label.lower()}"
            f"{run.where()}: {how} ({fmt(top[3], m.unit)} in {base.label} -> "
            f"{fmt(top[2], m.unit)} in {current.label})"
        )
    if n > 1:
        text += "; then " + ", ".join(f"{r[0]} ({fmt_delta(r[1], m.unit)})" for r in rows[1:n])
    text += f". Ranked by {'relative' if relative else 'absolute'} change by {dlabel}."
    run.period = current.to_dict()
    return run.answer(
        text,
        "ranking",
        value=top[col],
        unit="percent" if relative else m.unit,
        columns=[dim, "change", f"{m.id} {current.label}", f"{m.id} {base.label}", "change_pct"],
        rows=rows,
        chart={"type": "bar", "x": dim, "y": ["change"]},
        confidence=0.85,
    )
