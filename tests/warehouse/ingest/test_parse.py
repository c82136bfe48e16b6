"""Typing export columns: date formats detected per column, numbers, percentages and booleans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from revintel.warehouse.ingest.parse import Field, convert
from revintel.warehouse.ingest.readers import Problems, Scratch, read_csv


def typed(tmp_path: Path, text: str, fields: dict[str, Field]) -> tuple[list[tuple], Problems]:
    path = tmp_path / "Export.csv"
    path.write_text(text)
    scratch, problems = Scratch(), Problems()
    src = read_csv(scratch, path, problems)
    table = convert(scratch, src, fields, problems)
    rows = scratch.con.execute(f"SELECT * EXCLUDE (_line) FROM {table}").fetchall()
    scratch.close()
    return rows, problems


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2024-02-03", "2024-12-31"], [dt.date(2024, 2, 3), dt.date(2024, 12, 31)]),
        (["02/03/24", "12/31/24"], [dt.date(2024, 2, 3), dt.date(2024, 12, 31)]),
        (["02/03/2024", "12/31/2024"], [dt.date(2024, 2, 3), dt.date(2024, 12, 31)]),
        (
            ["2024-01-22T16:14:25.000+0000", "2024-01-23T02:35:01.000+0000"],
            [dt.date(2024, 1, 22), dt.date(2024, 1, 23)],
        ),
        (["02/23/26 08:55 PM", "02/24/26 02:18 AM"], [dt.date(2026, 2, 23), dt.date(2026, 2, 24)]),
    ],
)
def test_each_date_column_is_read_in_the_one_format_that_fits_all_its_values(tmp_path, values, expected):
    rows, problems = typed(tmp_path, "d\n" + "\n".join(values) + "\n", {"d": Field("date")})
    assert not problems
    assert [r[0] for r in rows] == expected


def test_a_utc_offset_timestamp_is_converted_to_utc(tmp_path):
    rows, _ = typed(tmp_path, "t\n2024-01-22T23:30:00.000-0200\n", {"t": Field("timestamp")})
    assert rows == [(dt.datetime(2024, 1, 23, 1, 30),)]


def test_a_value_no_format_reads_is_a_located_problem(tmp_path):
    _, problems = typed(tmp_path, "d\n2024-02-03\nsoon\n2024-02-05\n", {"d": Field("date")})
    (problem,) = problems.items
    assert (problem.file, problem.line, problem.column, problem.value) == ("Export.csv", 3, "d", "soon")


def test_numbers_percentages_and_booleans(tmp_path):
    rows, problems = typed(
        tmp_path,
        'n,p,b,i\n"1,250.50",75,TRUE,42\n-3,0,0,7.0\n,,,\n',
        {"n": Field("float"), "p": Field("percent"), "b": Field("bool"), "i": Field("int")},
    )
    assert not problems
    assert rows == [(1250.5, 0.75, True, 42), (-3.0, 0.0, False, 7), (None, None, None, None)]


def test_a_required_field_without_a_value_is_a_problem(tmp_path):
    _, problems = typed(tmp_path, "Id,Name\n1,a\n,b\n", {"Id": Field("string", required=True)})
    (problem,) = problems.items
    assert (problem.line, problem.column, problem.message) == (3, "Id", "value missing")


def test_a_field_absent_from_the_file_is_an_empty_column(tmp_path):
    rows, problems = typed(tmp_path, "a\nx\n", {"a": Field("string"), "missing": Field("date")})
    assert not problems and rows == [("x", None)]
