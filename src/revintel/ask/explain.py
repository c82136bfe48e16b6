"""Explaining a change: driver decomposition across dimensions, seasonality, and rate vs volume.

``why``: the change of a metric between a period and its base (prior period by default, or prior
year, or budget) is split by every dimension the metric allows; the dimension whose top segment
explains the largest share of the change is reported with its top drivers. For month and quarter
changes against the prior period, the same change one year earlier (seasonality) and the change
the budget planned are reported beside it.

``rate_volume``: a total (fees = hours x rate; won revenue = deals x average size) is split into
volume, mix and rate effects that add up exactly to the change:

* volume = (V1 - V0) x R0
* mix    = V1 x (sum_i s1_i R0_i - R0)       (s = segment share of volume)
* rate   = V1 x sum_i s1_i (R1_i - R0_i)

where R0 = T0 / V0, and a segment new in the current period uses R0 as its base rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from revintel import format as fmt_mod
from revintel.ask.answer import Answer, fmt, fmt_delta, pct_change
from revintel.ask.execute import RATIO_UNITS, Run, _first, is_additive
from revintel.ask.intents import RATE_VOLUME_PAIRS
from revintel.errors import InvalidRequest, WarehouseError

#: dimensions tried, in order, when looking for the segments that explain a change
DRIVER_DIMENSIONS = (
    "region",
    "capability",
    "sector",
    "tier",
    "team",
    "product_series",
    "deal_type",
    "lead_source",
    "channel",
    "product",
    "rep",
    "client",
    "account",
)
MAX_SEGMENTS = 40
#: largest cross product of driver dimensions read in one query
MAX_CROSS_CELLS = 20_000
#: a top segment explaining less than this much more than its size means "no single driver"
BROAD_BASED = 0.10
WHAT = {"budget": "budget", "py": "the prior year", "pp": "the prior period"}


@dataclass
class Driver:
    dimension: str
    segment: str
    current: float | None
    base: float | None
    delta: float
    share: float | None  # of the total change
    weight: float | None  # of the base total (its size)

    @property
    def excess(self) -> float:
        """How much more of the change this segment explains than its size would."""
        if self.share is None or self.weight is None:
            return 0.0
        return self.share - self.weight


def _num(v: Any) -> float:
    return float(v) if v is not None else 0.0


def drivers(
    run: Run, metric: Any, kind: str, period: Any, total: float
) -> tuple[str | None, list[Driver], float]:
    """The dimension whose segments best explain the change, its segments by impact, and the top excess.

    A segment "explains" a change when its share of the change exceeds its share of the base (a
    region holding 30% of hours that accounts for 70% of the drop); a uniform change has no driver.
    """
    best: tuple[float, str | None, list[Driver]] = (-1.0, None, [])
    additive = is_additive(metric)
    dims = [
        d
        for d in DRIVER_DIMENSIONS
        if d in metric.dimensions
        and d not in run.req.filters
        and 2 <= run.cardinality.get("account" if d == "client" else d, 0) <= MAX_SEGMENTS
    ]
    for dim, rows in segment_rows(run, metric, kind, period, dims, additive).items():
        if not rows or len(rows) > MAX_SEGMENTS or len(rows) < 2:
            continue
        if all(r[2] is None for r in rows):  # no base at this grain (budgets are not split this way)
            continue
        base_total = sum(_num(r[2]) for r in rows)
        segs = []
        for r in rows:
            cur, base = r[1], r[2]
            if cur is None and base is None:
                continue
            delta = _num(cur) - _num(base)
            share = delta / total if additive and total else None
            weight = _num(base) / base_total if additive and base_total else None
            segs.append(Driver(dim, str(r[0]), cur, base, delta, share, weight))
        segs.sort(key=lambda d: -d.excess if additive else (d.delta if total < 0 else -d.delta))
        if not segs:
            continue
        score = segs[0].excess if additive else abs(segs[0].delta)
        if score > best[0]:
            best = (score, dim, segs)
    return best[1], best[2], best[0]


def segment_rows(
    run: Run, metric: Any, kind: str, period: Any, dims: list[str], additive: bool
) -> dict[str, list[list[Any]]]:
    """Per dimension, its segments as [segment, current, base].

    An additive metric compared with the prior period or year is read in **one** query grouped by
    every candidate dimension, each dimension's segments summed from it (sums and counts add up);
    otherwise (ratios, budgets, which are split by region and capability only) one query per dimension.
    """
    cells = 1
    for d in dims:
        cells *= run.cardinality.get("account" if d == "client" else d, 1)
    if additive and kind != "budget" and len(dims) > 1 and cells <= MAX_CROSS_CELLS:
        try:
            res = run.query(metrics=[metric.id], dimensions=dims, compare=[kind], period=period)
        except (InvalidRequest, WarehouseError):
            res = None
        if res is not None:
            out: dict[str, list[list[Any]]] = {}
            n = len(dims)
            for i, d in enumerate(dims):
                acc: dict[Any, list[Any]] = {}
                for r in res.rows:
                    cur, base = r[n], r[n + 1]
                    slot = acc.setdefault(r[i], [r[i], None, None])
                    if cur is not None:
                        slot[1] = (slot[1] or 0.0) + float(cur)
                    if base is not None:
                        slot[2] = (slot[2] or 0.0) + float(base)
                out[d] = list(acc.values())
            return out
    out = {}
    for d in dims:
        try:
            out[d] = run.query(metrics=[metric.id], dimensions=[d], compare=[kind], period=period).rows
        except (InvalidRequest, WarehouseError):
            continue
    return out


def why(run: Run) -> Answer:
    m = run.metric()
    kind = run.req.compare or "pp"
    period = run.req.period or "last month"
    res = run.query(metrics=[m.id], compare=[kind], period=period)
    cur, base = _first(res, m.id), _first(res, f"{m.id}_{kind}")
    if cur is None or base is None:
        return run.answer(
            f"There is not enough {m.label.lower()} data{run.where()} to explain a change for "
            f"{period} against {WHAT[kind]}.",
            "why",
            confidence=0.3,
        )
    delta = _num(cur) - _num(base)
    change = pct_change(cur, base)
    when = run.period["label"] if run.period else period
    verb = "fell" if delta < 0 else "rose"
    pct = f", {change:+.1%}" if change is not None and m.unit not in RATIO_UNITS else ""
    if kind == "budget":
        text = [
            f"{m.label}{run.where()}, {when}: {fmt(cur, m.unit)} vs budget {fmt(base, m.unit)} "
            f"(gap {fmt_delta(delta, m.unit)}{pct})."
        ]
    else:
        text = [
            f"{m.label}{run.where()} {verb} to {fmt(cur, m.unit)} in {when} from {fmt(base, m.unit)} in "
            f"{WHAT[kind]} ({fmt_delta(delta, m.unit)}{pct})."
        ]
    move = delta if m.unit in RATIO_UNITS else change  # ratios move in points, the rest in percent
    context = _seasonality(run, m, period, move) if kind == "pp" else []
    text += context
    dim, segs, excess = drivers(run, m, kind, period, delta)
    rows: list[list[Any]] = []
    if dim and segs:
        dlabel = run.catalogue.dimension(dim).label.lower()
        lead = [s for s in segs[:3] if (s.delta < 0) == (delta < 0) and (s.share is None or s.excess > 0)]
        if excess < BROAD_BASED and lead and lead[0].share is not None:
            text.append(
                f"The change is broad-based: no {dlabel} or other segment explains much more than its size "
                f"(largest: {lead[0].segment}, {lead[0].share:.0%} of the change with {lead[0].weight:.0%} "
                "of the base)."
            )
        elif lead:
            noun = "gap" if kind == "budget" else "change"
            text.append(
                f"By {dlabel}, the {noun} is concentrated in "
                + ", ".join(
                    f"{s.segment} ({fmt_delta(s.delta, m.unit)}"
                    + (
                        f", {s.share:.0%} of the {noun} from {s.weight:.0%} of the base)"
                        if s.share is not None
                        else ")"
                    )
                    for s in lead[:2]
                )
                + "."
            )
        rows = [[s.dimension, s.segment, s.current, s.base, s.delta, s.share, s.weight] for s in segs]
    chart = {"type": "waterfall", "x": "segment", "y": "delta", "start": base, "end": cur}
    return run.answer(
        " ".join(text),
        "why",
        value=delta,
        unit=m.unit,
        columns=["dimension", "segment", "current", "base", "change", "share_of_change", "share_of_base"],
        rows=rows,
        chart=chart,
        confidence=0.75,
    )


def _move(m: Any, new: Any, old: Any) -> float | None:
    """The change from ``old`` to ``new``: points for ratios, a fraction otherwise."""
    if new is None or old is None:
        return None
    return _num(new) - _num(old) if m.unit in RATIO_UNITS else pct_change(new, old)


def _fmt_move(m: Any, v: float) -> str:
    return fmt_mod.points(v) if m.unit in RATIO_UNITS else fmt_mod.change(v)


def _seasonality(run: Run, m: Any, period: str, change: float | None) -> list[str]:
    """How the same change looked a year earlier, and what the budget planned for it."""
    out: list[str] = []
    p = run.sem.period(period)
    if p is None or change is None:
        return out
    py = p.prior_year()
    res = run.query(metrics=[m.id], compare=["pp"], period=f"{py.start.isoformat()}..{py.end.isoformat()}")
    last_year = _move(m, _first(res, m.id), _first(res, f"{m.id}_pp"))
    if last_year is not None:
        seasonal = (last_year < 0) == (change < 0) and abs(last_year) >= 0.4 * abs(change)
        out.append(
            f"A year earlier the same period moved {_fmt_move(m, last_year)}"
            + (
                ", so most of this is seasonal."
                if seasonal
                else ", so this is not the usual seasonal pattern."
            )
        )
    if m.budget and not m.budget.target and run.has_budgets():
        bud = run.query(metrics=[m.id], compare=["budget"], period=period)
        prior = p.prior_period()
        bud0 = run.query(
            metrics=[m.id], compare=["budget"], period=f"{prior.start.isoformat()}..{prior.end.isoformat()}"
        )
        planned = _move(m, _first(bud, f"{m.id}_budget"), _first(bud0, f"{m.id}_budget"))
        actual_vs_budget = _move(m, _first(bud, m.id), _first(bud, f"{m.id}_budget"))
        if planned is not None:
            gap = (change - planned) * 100
            out.append(
                f"The budget planned {_fmt_move(m, planned)}, so the actual move is {abs(gap):.1f} pts "
                f"{'worse' if gap < 0 else 'better'} than planned"
                + (f" ({_fmt_move(m, actual_vs_budget)} vs budget)." if actual_vs_budget is not None else ".")
            )
    return out


def rate_volume(run: Run) -> Answer:
    total_id = run.req.metric if run.req.metric in RATE_VOLUME_PAIRS else "fees"
    volume_id, rate_id = RATE_VOLUME_PAIRS[total_id]
    rate_unit = run.metric(rate_id).unit
    kind = run.req.compare or "py"
    period = run.req.period or "ytd"
    t, v = run.metric(total_id), run.metric(volume_id)
    dim = next(
        (
            d
            for d in ("capability", "product_series", "region")
            if d in t.dimensions and d not in run.req.filters
        ),
        None,
    )
    res = run.query(
        metrics=[volume_id, total_id], dimensions=[dim] if dim else [], compare=[kind], period=period
    )
    c = {name: res.columns.index(name) for name in res.columns}
    segs = [
        (r[c[volume_id]], r[c[f"{volume_id}_{kind}"]], r[c[total_id]], r[c[f"{total_id}_{kind}"]])
        for r in res.rows
    ]
    v1, v0 = sum(_num(s[0]) for s in segs), sum(_num(s[1]) for s in segs)
    t1, t0 = sum(_num(s[2]) for s in segs), sum(_num(s[3]) for s in segs)
    if not v0 or not v1:
        return run.answer(
            f"There is not enough data{run.where()} to split {t.label.lower()} into rate and volume "
            f"for {period} against {WHAT[kind]}.",
            "rate_volume",
            confidence=0.3,
        )
    r0 = t0 / v0
    volume = (v1 - v0) * r0
    mix = (
        v1 * sum((_num(s[0]) / v1) * ((_num(s[3]) / _num(s[1])) if _num(s[1]) else r0) for s in segs)
        - v1 * r0
    )
    rate = (t1 - t0) - volume - mix
    r1 = t1 / v1
    when = run.period["label"] if run.period else period
    text = (
        f"{t.label}{run.where()} {when}: {fmt(t1, t.unit)} vs {fmt(t0, t.unit)} in {WHAT[kind]} "
        f"({fmt_delta(t1 - t0, t.unit)}). Volume ({v.label.lower()} {pct_change(v1, v0):+.1%}) contributed "
        f"{fmt_delta(volume, t.unit)}, rate ({fmt(r1, rate_unit)} vs {fmt(r0, rate_unit)}, "
        f"{pct_change(r1, r0):+.1%}) {fmt_delta(rate, t.unit)}"
        + (f" and mix across {dim} {fmt_delta(mix, t.unit)}" if dim else "")
        + ". "
        + _verdict(volume, rate)
    )
    rows = [["base", t0], ["volume", volume], ["mix", mix], ["rate", rate], ["current", t1]]
    return run.answer(
        text,
        "rate_volume",
        value=t1 - t0,
        unit=t.unit,
        columns=["step", total_id],
        rows=rows,
        chart={"type": "waterfall", "x": "step", "y": total_id},
        confidence=0.8,
        notes=[f"volume = {v.label}; rate = {t.label} / {v.label}"],
    )


def _verdict(volume: float, rate: float) -> str:
    if volume > 0 > rate:
        return "Growth came from volume while rate fell: volume was bought with price."
    if rate > 0 > volume:
        return "Rates rose while volume fell" + (
            ", more than making up for it." if rate > -volume else ", not enough to make up for it."
        )
    if volume >= 0 and rate >= 0:
        return "Both volume and rate helped."
    return "Both volume and rate fell."
