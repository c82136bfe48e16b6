"""Time expressions and phrase matching, without a warehouse."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel.ask.parse import Spans, latest_month, parse_time
from revintel.semantic.time import parse_period

AS_OF = dt.date(2025, 12, 31)


def span(text: str | None, as_of: dt.date = AS_OF) -> tuple[str, str] | None:
    """The (start, end) a period text resolves to."""
    if text is None:
        return None
    p = parse_period(text, as_of)
    return p.start.isoformat(), p.end.isoformat()


@pytest.mark.parametrize(
    ("text", "period", "compare_period"),
    [
        ("net fees in q2 2017", "q2 2017", None),
        ("fees 2025-q3", "2025-q3", None),
        ("fees ytd", "ytd", None),
        ("fees year to date", "ytd", None),
        ("hours last quarter", "last quarter", None),
        ("hours previous month", "last month", None),
        ("fees in march 2025", "march 2025", None),
        ("fees in 2025-06", "2025-06", None),
        ("fees fy2025", "fy2025", None),
        ("fees last 6 months", "last 6 months", None),
        ("fees ltm", "last 12 months", None),
        ("fees 2024 vs 2023", "2024", "2023"),
        ("won revenue in 2017", "2017", None),
        ("hours from 2025-01-01 to 2025-03-31", "2025-01-01..2025-03-31", None),
    ],
)
def test_period_phrases(text: str, period: str, compare_period: str | None) -> None:
    out = parse_time(text, AS_OF, Spans())
    assert span(out.get("period")) == span(period)
    assert span(out.get("compare_period")) == span(compare_period)


def test_bare_month_is_the_latest_one_on_or_before_the_as_of_date() -> None:
    assert span(parse_time("hours in december", AS_OF, Spans())["period"]) == span("2025-12")
    assert span(parse_time("hours in december", dt.date(2025, 11, 30), Spans())["period"]) == span("2024-12")
    assert latest_month(3, dt.date(2025, 2, 10)) == "2024-03"


def test_as_of_reanchors_relative_phrases() -> None:
    out = parse_time("fees in december as of 2024-06-30", AS_OF, Spans())
    assert out["as_of"] == "2024-06-30" and span(out["period"]) == span("2023-12")


def test_previous_quarter_is_a_comparison_base_not_a_second_period() -> None:
    out = parse_time("fees in q2 2025 compared with the previous quarter", AS_OF, Spans())
    assert span(out["period"]) == span("q2 2025") and out["compare"] == "pp" and "compare_period" not in out
    assert parse_time("fees this quarter vs last year", AS_OF, Spans())["compare"] == "py"


def test_grain_words() -> None:
    assert parse_time("monthly fees in 2025", AS_OF, Spans())["grain"] == "month"
    assert parse_time("fees by quarter in 2025", AS_OF, Spans())["grain"] == "quarter"
