"""The period grammar: every common way to name a period reads as one exact date range."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel.ask.periods import read_periods

AS_OF = dt.date(2017, 12, 31)


def spans(text: str) -> list[tuple[str, str] | None]:
    return [
        (h.period.start.isoformat(), h.period.end.isoformat()) if h.period else None
        for h in read_periods(text, AS_OF)
    ]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("bookings in h1 2017", "2017-01-01", "2017-06-30"),
        ("bookings in 2017 h2", "2017-07-01", "2017-12-31"),
        ("the first half of 2017", "2017-01-01", "2017-06-30"),
        ("second half", "2017-07-01", "2017-12-31"),
        ("won revenue from may through august 2017", "2017-05-01", "2017-08-31"),
        ("from march to june", "2017-03-01", "2017-06-30"),
        ("between january 2017 and march 2017", "2017-01-01", "2017-03-31"),
        ("q1-q3 2017", "2017-01-01", "2017-09-30"),
        ("3q17", "2017-07-01", "2017-09-30"),
        ("2017 q3", "2017-07-01", "2017-09-30"),
        ("the third quarter of 2017", "2017-07-01", "2017-09-30"),
        ("q2", "2017-04-01", "2017-06-30"),
        ("mar '17", "2017-03-01", "2017-03-31"),
        ("03/2017", "2017-03-01", "2017-03-31"),
        ("in september 2017", "2017-09-01", "2017-09-30"),
        ("revenue in march", "2017-03-01", "2017-03-31"),
        ("last 90 days", "2017-10-03", "2017-12-31"),
        ("trailing twelve months", "2017-01-01", "2017-12-31"),
        ("past 6 months", "2017-07-01", "2017-12-31"),
        ("last two quarters", "2017-07-01", "2017-12-31"),
        ("since march 2017", "2017-03-01", "2017-12-31"),
        ("after q1 2017", "2017-04-01", "2017-12-31"),
        ("before 2017", "1900-01-01", "2016-12-31"),
        ("next quarter", "2018-01-01", "2018-03-31"),
        ("fy17", "2017-01-01", "2017-12-31"),
        ("between 2017-01-01 and 2017-03-31", "2017-01-01", "2017-03-31"),
    ],
)
def test_period_reads_exactly(text: str, start: str, end: str) -> None:
    assert spans(text) == [(start, end)]


@pytest.mark.parametrize(
    "text", ["won revenue last summer", "bookings in q5 2017", "revenue over the holiday season"]
)
def test_a_period_that_cannot_be_read_exactly_is_marked_unreadable(text: str) -> None:
    assert None in spans(text)


def test_may_the_verb_is_not_a_month_and_two_months_stay_two_periods() -> None:
    assert spans("may we see won revenue") == []
    assert spans("march and june 2017") == [("2017-03-01", "2017-03-31"), ("2017-06-01", "2017-06-30")]


def test_a_range_keeps_its_two_ends_for_growth_questions() -> None:
    (hit,) = read_periods("from q2 to q3 2017", AS_OF)
    assert hit.parts is not None
    assert [p.label for p in hit.parts] == ["2017-Q2", "2017-Q3"]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("so far this year", "2017-01-01", "2017-12-31"),
        ("the last quarter of 2016", "2016-10-01", "2016-12-31"),
        ("the first two quarters of 2017", "2017-01-01", "2017-06-30"),
        ("jan-mar 2017", "2017-01-01", "2017-03-31"),
        ("2017 year to date", "2017-01-01", "2017-12-31"),
        ("quarter 3 of 2017", "2017-07-01", "2017-09-30"),
    ],
)
def test_more_period_forms(text: str, start: str, end: str) -> None:
    assert spans(text) == [(start, end)]


def test_early_or_late_in_a_year_is_not_an_exact_period() -> None:
    assert spans("won revenue in late 2017") == [None]


@pytest.mark.parametrize(
    ("text", "words", "start", "end"),
    [
        ("fees in the second half of last year", "the second half of last year", "2016-07-01", "2016-12-31"),
        ("won revenue in q3 of this year", "q3 of this year", "2017-07-01", "2017-09-30"),
        ("bookings in march of last year", "march of last year", "2016-03-01", "2016-03-31"),
        ("the last quarter of last year", "the last quarter of last year", "2016-10-01", "2016-12-31"),
    ],
)
def test_a_period_inside_a_relative_year_is_read_in_that_year(text: str, words: str, start: str, end: str):
    (hit,) = read_periods(text, AS_OF)
    assert hit.words == words and hit.period is not None
    assert (hit.period.start.isoformat(), hit.period.end.isoformat()) == (start, end)
