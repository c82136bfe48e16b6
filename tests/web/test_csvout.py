"""CSV exports neutralise spreadsheet formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from revintel.web.csvout import filename, neutralise, records_csv


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\n=1+1", "'\n=1+1"),  # a line feed first (issue 13)
        ("\r\n@SUM(A1)", "'\r\n@SUM(A1)"),
        ("  =1+1", "'  =1+1"),  # spaces before the formula
        ("Acme - North", "Acme - North"),
        ("Acme", "Acme"),
        ("", ""),
        (None, ""),
        (float("nan"), ""),
        (-12.5, -12.5),
        (3, 3),
        (dt.date(2025, 1, 1), "2025-01-01"),
    ],
)
def test_formula_cells_get_a_leading_quote_numbers_stay_numbers(cell, expected):
    assert neutralise(cell) == expected


def test_csv_round_trips_with_neutralised_text():
    text = records_csv([{"account": "=cmd|' /C calc'!A0", "value": -5.0}], ["account", "value"])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["account", "value"], ["'=cmd|' /C calc'!A0", "-5.0"]]


def test_download_names_are_safe():
    assert filename("won_revenue", "by region", "../x") == "won_revenue-by_region-x.csv"


def test_numbers_are_rounded_to_their_units_precision():
    from revintel.web.csvout import records_csv

    rows = [
        {"metric": "hours", "unit": "hours", "value": 11085657.199999994, "pct": 9.470125266197726e-07},
        {"metric": "fees", "unit": "currency", "value": 2346847186.7349, "pct": -0.0811234},
    ]
    text = records_csv(rows, ["metric", "value", "pct"], {"value": "@unit", "pct": "percent"})
    want = ["metric,value,pct", "hours,11085657.2,0.000001", "fees,2346847186.73,-0.081123"]
    assert text.splitlines() == want
