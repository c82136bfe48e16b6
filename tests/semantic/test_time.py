"""Periods people type, relative to an as-of date, on calendar and fiscal years."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel.errors import InvalidRequest
from revintel.semantic.time import buckets, parse_period

D = dt.date
AS_OF = D(2025, 11, 15)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025", D(2025, 1, 1), D(2025, 12, 31)),
        ("2025-12", D(2025, 12, 1), D(2025, 12, 31)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("2025-Q4", D(2025, 10, 1), D(2025, 12, 31)),
        ("Q4 2025", D(2025, 10, 1), D(2025, 12, 31)),
        ("q1-2025", D(2025, 1, 1), D(2025, 3, 31)),
        ("December 2025", D(2025, 12, 1), D(2025, 12, 31)),
        ("FY2025", D(2025, 1, 1), D(2025, 12, 31)),
        ("YTD", D(2025, 1, 1), AS_OF),
        ("QTD", D(2025, 10, 1), AS_OF),
        ("MTD", D(2025, 11, 1), AS_OF),
        ("last quarter", D(2025, 7, 1), D(2025, 9, 30)),
        ("this quarter", D(2025, 10, 1), D(2025, 12, 31)),
        ("last month", D(2025, 10, 1), D(2025, 10, 31)),
        ("previous month", D(2025, 10, 1), D(2025, 10, 31)),
        ("last year", D(2024, 1, 1), D(2024, 12, 31)),
        ("last 12 months", D(2024, 11, 1), D(2025, 10, 31)),
        ("2025-01-01..2025-03-31", D(2025, 1, 1), D(2025, 3, 31)),
    ],
)
def test_phrases_resolve_to_inclusive_date_ranges(text: str, start: dt.date, end: dt.date) -> None:
    p = parse_period(text, AS_OF, 1)
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("FY2025", D(2024, 4, 1), D(2025, 3, 31)),
        ("FY2026-Q1", D(2025, 4, 1), D(2025, 6, 30)),
        ("YTD", D(2025, 4, 1), AS_OF),
        ("this quarter", D(2025, 10, 1), D(2025, 12, 31)),
        ("last quarter", D(2025, 7, 1), D(2025, 9, 30)),
        ("last year", D(2024, 4, 1), D(2025, 3, 31)),
    ],
)
def test_relative_phrases_follow_a_fiscal_year_starting_in_april(text, start, end) -> None:
    p = parse_period(text, AS_OF, 4)
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize(
    "text", ["2025-13", "Q5 2025", "2025-03-31..2025-01-01", "2025-02-30..2025-03-01", "soon"]
)
def test_impossible_periods_are_refused_with_a_hint(text: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        parse_period(text, AS_OF, 1)
    assert err.value.hint


def test_prior_year_and_prior_period_keep_month_ends() -> None:
    feb = parse_period("2024-02", AS_OF, 1)
    assert (feb.prior_year().start, feb.prior_year().end) == (D(2023, 2, 1), D(2023, 2, 28))
    q = parse_period("2025-Q1", AS_OF, 1).prior_period()
    assert (q.start, q.end) == (D(2024, 10, 1), D(2024, 12, 31))
    ytd = parse_period("YTD", AS_OF, 1)
    assert ytd.prior_year().end == D(2024, 11, 15)


def test_buckets_clip_the_last_bucket_to_the_period_end() -> None:
    ytd = parse_period("YTD", AS_OF, 1)
    qs = buckets(ytd, "quarter")
    assert qs[0] == (D(2025, 1, 1), D(2025, 3, 31))
    assert qs[-1] == (D(2025, 10, 1), AS_OF)
    fq = buckets(parse_period("2025", AS_OF, 1), "fiscal_quarter", 4)
    assert [b[0] for b in fq] == [D(2025, 1, 1), D(2025, 4, 1), D(2025, 7, 1), D(2025, 10, 1)]
