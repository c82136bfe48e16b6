"""One formatter for every surface: what a reader sees for each unit, difference, date and axis."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel import format as f


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (35_741_233, "currency", "$35.74M"),
        (35_735_000, "currency", "$35.74M"),
        (-256_800, "currency", "-$256.8K"),
        (-2_500, "currency", "-$2,500"),
        (2_346_847_186.73, "currency", "$2.35B"),
        (0.7588, "percent", "75.9%"),
        (0.3089, "percent", "30.9%"),
        (1.234, "ratio", "1.23x"),
        (211.7, "currency_per_hour", "$211.70/h"),
        (1_840.4, "currency_per_day", "$1,840/day"),
        (11_085_657.2, "hours", "11.09M h"),
        (950, "hours", "950 h"),
        (12.34, "days", "12.3 days"),
        (4_518, "count", "4,518"),
        (-0.006, "points", "-0.6 pp"),
        (0.042, "change", "+4.2%"),
        (None, "currency", "–"),
        (float("nan"), "percent", "–"),
        (dt.date(2025, 12, 31), None, "31 Dec 2025"),
    ],
)
def test_every_unit_reads_the_same_everywhere(value, unit, text):
    assert f.value(value, unit) == text


def test_money_in_full_for_tables_that_add_up():
    assert f.money(35_741_233.4, full=True) == "$35,741,233"


def test_the_difference_of_a_rate_is_in_points_and_of_a_flow_in_units_and_percent():
    assert f.variance(-0.006, -0.014, "percent") == "-0.6 pp"
    assert f.variance(-205_730_000, -0.081, "currency") == "-$205.73M (-8.1%)"
    assert f.variance_short(-0.006, -0.014, "percent") == "-0.6 pp"
    assert f.variance_short(-205_730_000, -0.081, "currency") == "-8.1%"
    assert f.delta(0.0001, "percent") == "+0.0 pp" and f.delta(-0.0001, "currency") == "+$0"


def test_negative_zero_never_shows():
    assert f.change(-0.0001) == "+0.0%" and f.points(-0.0004) == "+0.0 pp" and f.money(-0.001) == "$0"


def test_quarters_and_months_are_words_not_iso_dates():
    assert f.quarter("2017-01-01") == "Q1 2017" and f.quarter(dt.date(2025, 11, 3)) == "Q4 2025"
    assert f.bucket("2025-12-01", "month") == "Dec 2025" and f.bucket("2024-01-01", "year") == "2024"


def test_csv_values_are_rounded_to_the_units_precision():
    assert f.csv_value(11085657.199999994, "hours") == 11085657.2
    assert (
        f.csv_value(9.470125266197726e-07, "percent") == 0.000001
        and f.csv_value(0.03549, "percent") == 0.03549
    )
    assert f.csv_value(2_346_847_186.7349, "currency") == 2_346_847_186.73
    assert f.csv_value(41.0, "count") == 41 and f.csv_value(None, "currency") is None
    assert f.csv_value("EMEA", "currency") == "EMEA"


def test_chart_axes_carry_the_unit_and_never_read_giga():
    assert f.plotly_axis("currency") == {"exponentformat": "B", "separatethousands": True, "tickprefix": "$"}
    assert f.plotly_axis("percent") == {"tickformat": ".0%"}
    assert [f.axis_label(v, "currency") for v in (0, 1_500_000, 2.6e9)] == ["$0", "$1.5M", "$2.6B"]
    assert f.axis_label(0.25, "percent") == "25%" and f.axis_label(41_000, "hours") == "41K h"


def test_a_trend_far_from_zero_gets_a_range_around_its_data():
    lo, hi = f.axis_range([96.0, 97.5, 99.0])
    assert 90 < lo < 96 and 99 < hi < 105
    assert f.axis_range([0.0, 5.0, 10.0]) == (0.0, pytest.approx(10.8))
    assert f.axis_range([96.0, 99.0], from_zero=True)[0] == 0.0
    assert f.axis_range([None]) is None
