"""The period forecast: expected value, ranges, breakdowns, quota, submissions and scope."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from revintel.deals import model as win_model
from revintel.deals.horizon import period_probabilities, resolve_period
from revintel.deals.scoring import open_deals
from revintel.errors import InvalidRequest
from revintel.forecast.rollup import forecast
from revintel.scope import Scope, get_persona


def test_expected_equals_the_sum_of_p_win_times_p_close_times_amount(deals_rt) -> None:
    out = forecast(deals_rt, Scope.everything(), "2026-Q1", scenarios=20_000, seed=1)
    m = win_model.ensure(deals_rt)
    deals = open_deals(deals_rt, Scope.everything())
    q = period_probabilities(m, deals, resolve_period("2026-Q1", deals_rt.as_of()), deals_rt.as_of())
    by_hand = float(np.sum(deals["p_win"] * q * deals["amount"]))
    t = out.total
    assert t.in_period > 0  # deals not created yet that history says will be created and won in Q1
    assert t.expected == pytest.approx(by_hand + t.in_period)
    assert t.p10 <= t.p50 <= t.p90
    assert abs(t.p50 - t.expected) < 0.25 * (t.p90 - t.p10)  # the middle of the range sits near the mean


def test_time_to_close_makes_a_near_month_smaller_than_the_quarter_that_holds_it(deals_rt) -> None:
    month = forecast(deals_rt, Scope.everything(), "2026-01", scenarios=2000).total
    quarter = forecast(deals_rt, Scope.everything(), "2026-Q1", scenarios=2000).total
    half = forecast(deals_rt, Scope.everything(), "2026-01-01..2026-06-30", scenarios=2000).total
    assert 0 < month.expected < quarter.expected < half.expected <= half.pipeline


def test_breakdown_rows_add_up_to_the_total(deals_rt) -> None:
    out = forecast(deals_rt, Scope.everything(), "2026-Q1", by="region", scenarios=4000)
    assert {r.key for r in out.rows} == {"Americas", "EMEA", "APAC", "UK"}
    assert sum(r.expected for r in out.rows) == pytest.approx(out.total.expected)
    assert sum(r.deals for r in out.rows) == out.total.deals


def test_quota_gap_and_submitted_calls_sit_beside_the_model(deals_rt) -> None:
    t = forecast(deals_rt, Scope.everything(), "2026-Q1", scenarios=2000).total
    assert t.quota == pytest.approx(16 * 150_000.0)
    assert t.gap_to_quota == pytest.approx(t.quota - t.p50)
    assert t.commit == pytest.approx(16 * 60_000.0) and t.best_case == pytest.approx(16 * 110_000.0)


def test_a_regional_lead_forecasts_only_their_region(deals_rt) -> None:
    lead = forecast(deals_rt, get_persona("emea_lead").scope, "2026-Q1", by="region", scenarios=2000)
    everyone = forecast(deals_rt, Scope.everything(), "2026-Q1", by="region", scenarios=2000)
    assert [r.key for r in lead.rows] == ["EMEA"]
    emea = next(r for r in everyone.rows if r.key == "EMEA")
    assert lead.total.expected == pytest.approx(emea.expected)
    assert lead.total.quota == pytest.approx(emea.quota)


def test_default_period_is_the_quarter_after_a_quarter_end_as_of_date() -> None:
    p = resolve_period(None, dt.date(2025, 12, 31))
    assert (p.start, p.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert resolve_period("next quarter", dt.date(2025, 11, 15)).start == dt.date(2026, 1, 1)


def test_unknown_breakdown_is_refused_with_a_hint(deals_rt) -> None:
    with pytest.raises(InvalidRequest) as err:
        forecast(deals_rt, Scope.everything(), by="regoin")
    assert err.value.hint and "region" in err.value.hint


def test_in_period_component_is_the_mean_of_deals_created_and_won_in_the_last_four_quarters(deals_rt) -> None:
    import pandas as pd

    from revintel.deals.data import derived

    t = forecast(deals_rt, Scope.everything(), "2026-Q1", scenarios=2000).total
    o = derived(deals_rt, "opportunities", Scope.everything())
    created, close = pd.to_datetime(o["created_date"]), pd.to_datetime(o["close_date"])
    per_q = []
    for start in ("2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01"):
        lo, hi = pd.Timestamp(start), pd.Timestamp(start) + pd.offsets.QuarterEnd(0)
        sel = (o["status"] == "won") & (created >= lo) & (close >= lo) & (close <= hi)
        per_q.append(float(o.loc[sel, "amount"].sum()))
    assert t.in_period == pytest.approx(np.mean(per_q))
    regions = forecast(deals_rt, Scope.everything(), "2026-Q1", by="region", scenarios=2000)
    assert sum(r.in_period for r in regions.rows) == pytest.approx(t.in_period)


def test_in_period_windows_carry_the_offset_into_the_period() -> None:
    from revintel.forecast.inperiod import analog_windows

    q1 = resolve_period("2026-Q1", dt.date(2025, 12, 31))
    before = analog_windows(q1, dt.date(2025, 12, 31), 2)
    assert [(w[1], w[2]) for w in before] == [
        (dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        (dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
    ]
    assert before[0][0] == dt.date(2025, 9, 30)  # created after this day: from the first day on
    mid = analog_windows(q1, dt.date(2026, 2, 15), 1)  # a quarter still running is not history
    assert mid == [(dt.date(2025, 11, 15), dt.date(2025, 10, 1), dt.date(2025, 12, 31))]
