"""Pipeline changes: the waterfall reconciles, slippage alerts find pushed deals, scope applies."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from revintel.errors import InvalidRequest
from revintel.forecast.changes import STEPS, pipeline_changes
from revintel.scope import Scope, get_persona

SIGNS = {
    "created": 1,
    "increased": 1,
    "decreased": -1,
    "pulled_in": 1,
    "pushed_out": -1,
    "won": -1,
    "lost": -1,
}


@pytest.mark.parametrize(
    ("start", "end", "by"),
    [
        (dt.date(2025, 10, 1), dt.date(2025, 12, 31), None),
        (dt.date(2025, 1, 1), dt.date(2025, 6, 30), "region"),
        (dt.date(2024, 6, 1), dt.date(2025, 12, 31), "rep"),
    ],
)
def test_start_plus_changes_equals_end_for_every_row(deals_rt, start, end, by) -> None:
    out = pipeline_changes(deals_rt, Scope.everything(), start, end, by=by)
    for row in [*out["rows"], out["total"]]:
        assert row["start"] + sum(s * row[k] for k, s in SIGNS.items()) == pytest.approx(row["end"], abs=0.01)
        assert row["reconciles"]
        assert all(row[k] >= 0 for k in STEPS)
    if by:
        for k in STEPS:
            assert sum(r[k] for r in out["rows"]) == pytest.approx(out["total"][k])


def test_end_of_one_window_is_the_start_of_the_next(deals_rt) -> None:
    kw = {"horizon": dt.date(2026, 6, 30)}
    a = pipeline_changes(deals_rt, Scope.everything(), dt.date(2025, 7, 1), dt.date(2025, 9, 30), **kw)
    b = pipeline_changes(deals_rt, Scope.everything(), dt.date(2025, 9, 30), dt.date(2025, 12, 31), **kw)
    assert a["total"]["end"] == pytest.approx(b["total"]["start"])
    assert a["total"]["won"] > 0 and a["total"]["created"] > 0


def test_slippage_alerts_list_deals_pushed_often_or_far(deals_rt) -> None:
    out = pipeline_changes(
        deals_rt,
        Scope.everything(),
        dt.date(2025, 7, 1),
        dt.date(2025, 12, 31),
        by="region",
        min_pushes=3,
        min_days=60,
    )
    alerts = out["alerts"]
    assert alerts["count"] == len(alerts["deals"]) > 0
    assert all(d["pushes"] >= 3 or d["days_pushed"] >= 60 for d in alerts["deals"])
    # the same deals, counted by hand from the history snapshots
    h = deals_rt.warehouse.execute(deals_rt.warehouse.table("opportunity_history")).sort_values(
        ["opportunity_id", "snapshot_date"]
    )
    h["delta"] = (
        pd.to_datetime(h["close_date"]) - pd.to_datetime(h.groupby("opportunity_id")["close_date"].shift())
    ).dt.days
    w = h[
        (pd.to_datetime(h["snapshot_date"]) > "2025-07-01")
        & (pd.to_datetime(h["snapshot_date"]) <= "2025-12-31")
    ]
    pushed = w[w["delta"] > 0].groupby("opportunity_id")["delta"].agg(["count", "sum"])
    expected = set(pushed[(pushed["count"] >= 3) | (pushed["sum"] >= 60)].index)
    assert {d["opportunity_id"] for d in alerts["deals"]} == expected
    assert sum(g["deals"] for g in alerts["by"]) == alerts["count"]


def test_a_regional_lead_sees_only_their_region_in_changes_and_alerts(deals_rt) -> None:
    out = pipeline_changes(
        deals_rt, get_persona("apac_lead").scope, dt.date(2025, 7, 1), dt.date(2025, 12, 31), by="region"
    )
    assert [r["key"] for r in out["rows"]] == ["APAC"]
    assert {d["region"] for d in out["alerts"]["deals"]} <= {"APAC"}


def test_to_before_from_is_refused(deals_rt) -> None:
    with pytest.raises(InvalidRequest):
        pipeline_changes(deals_rt, Scope.everything(), dt.date(2025, 12, 31), dt.date(2025, 1, 1))


@pytest.mark.parametrize("by", ["manager", "sector", "product"])
def test_slippage_alerts_group_by_any_dimension(deals_rt, by) -> None:
    out = pipeline_changes(deals_rt, Scope.everything(), dt.date(2025, 7, 1), dt.date(2025, 12, 31), by=by)
    keys = {g["key"] for g in out["alerts"]["by"]}
    assert keys and "(unknown)" not in keys
    assert keys <= {str(d[by]) for d in out["alerts"]["deals"]}
