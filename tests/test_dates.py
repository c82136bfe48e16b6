"""Dates people type: an impossible date says why, on the CLI and on pages."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.dates import parse, problem
from revintel.errors import InvalidRequest


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2025-02-30", "2025-02-30 is not a date (February 2025 has 28 days)"),
        ("2024-02-30", "2024-02-30 is not a date (February 2024 has 29 days)"),
        ("2025-04-31", "2025-04-31 is not a date (April 2025 has 30 days)"),
        ("2025-13-01", "2025-13-01 is not a date (there is no month 13; months run 1-12)"),
        ("yesterday", "'yesterday' is not a date: write it as YYYY-MM-DD, e.g. 2025-02-28"),
    ],
)
def test_an_impossible_date_says_why(text: str, why: str) -> None:
    assert problem(text) == why
    with pytest.raises(InvalidRequest, match=r"is not a date"):
        parse(text, "from")


def test_a_real_date_parses() -> None:
    assert problem("2024-02-29") is None and parse("2024-02-29") == dt.date(2024, 2, 29)


def test_the_cli_names_the_option_and_the_reason(home) -> None:
    result = CliRunner().invoke(app, ["pipeline", "changes", "--from", "2025-02-30", "--to", "2025-03-31"])
    text = " ".join(result.output.replace("│", " ").split())  # Rich wraps the error in a box
    assert result.exit_code == 2
    assert "2025-02-30 is not a date (February 2025 has 28 days)" in text
    assert "does not match" not in text and "Traceback" not in text


def test_a_page_says_why_a_date_is_impossible(client_as) -> None:
    r = client_as("cfo").get("/pipeline/changes", params={"from": "2025-02-30"})
    assert r.status_code == 400 and "February 2025 has 28 days" in r.text
