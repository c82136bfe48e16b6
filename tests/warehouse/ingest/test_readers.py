"""Bad input is rejected as a whole, every problem located: file, line, column, value, expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from revintel.errors import ValidationFailed
from revintel.warehouse.ingest import ingest, validate

HEADER = "opportunity_id,name,stage,status,amount,created_date,close_date\n"
GOOD = "O1,Deal,Prospecting,open,100,2025-01-01,2025-03-01\n"


def write(folder: Path, text: str | bytes, name: str = "opportunities.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return folder


def rejected(path: Path, settings) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        validate("canonical", path, settings)
    return info.value


@pytest.mark.parametrize(
    ("case", "content", "line", "column", "value", "expected"),
    [
        (
            "unparsable date",
            HEADER + GOOD + "O2,Deal,Prospecting,open,100,2025-02-30,2025-03-01\n",
            3,
            "created_date",
            "2025-02-30",
            "date",
        ),
        (
            "unparsable number",
            HEADER + GOOD + "O2,Deal,Prospecting,open,1OO,2025-01-01,2025-03-01\n",
            3,
            "amount",
            "1OO",
            "number",
        ),
        (
            "duplicate primary key",
            HEADER + GOOD + GOOD.replace("Deal", "Again"),
            3,
            "opportunity_id",
            "O1",
            "once",
        ),
        (
            "stage that is not canonical",
            HEADER + GOOD + "O2,Deal,Won,won,100,2025-01-01,2025-03-01\n",
            3,
            "stage",
            "Won",
            "Closed Won",
        ),
        (
            "probability in percent",
            "opportunity_id,stage,status,probability\nO1,Proposal,open,0.5\nO2,Proposal,open,70\n",
            3,
            "probability",
            "70",
            "from 0 to 1",
        ),
        (
            "missing required value",
            HEADER + GOOD + "O2,Deal,,open,100,2025-01-01,2025-03-01\n",
            3,
            "stage",
            None,
            "value",
        ),
        (
            "missing column",
            HEADER.replace(",stage", "") + "O1,Deal,open,100,2025-01-01,2025-03-01\n",
            1,
            "stage",
            None,
            "column named 'stage'",
        ),
        (
            "wrong delimiter",
            HEADER.replace(",", ";") + GOOD.replace(",", ";"),
            1,
            None,
            HEADER.replace(",", ";").strip(),
            "comma-separated",
        ),
        (
            "row with too many fields",
            HEADER + GOOD + "O2,Deal,Prospecting,open,100,2025-01-01,2025-03-01,x\n",
            3,
            None,
            None,
            "7 comma-separated fields",
        ),
        (
            "negative amount (issue 13)",
            HEADER + GOOD + "O2,Deal,Prospecting,open,-250,2025-01-01,2025-03-01\n",
            3,
            "amount",
            "-250",
            "0 or more",
        ),
        (
            "NUL byte in a name (issue 13)",
            HEADER + GOOD + "O2,De\x00al,Prospecting,open,100,2025-01-01,2025-03-01\n",
            3,
            "name",
            "De\\x00al",
            "without NUL",
        ),
        (
            "header-only file (issue 13)",
            HEADER,
            2,
            None,
            None,
            "at least one row",
        ),
        (
            "a 2 MB field on line 6 (issue 13)",
            HEADER
            + GOOD * 4
            + "O9,"
            + "x" * (2 * 1024 * 1024)
            + ",Prospecting,open,100,2025-01-01,2025-03-01\n",
            6,
            None,
            None,
            "under 2 MB",
        ),
        (
            "LF after CRLF (issue 13)",
            HEADER.replace("\n", "\r\n") + GOOD.replace("\n", "\r\n") + GOOD.replace("O1", "O2"),
            3,
            None,
            None,
            "same line ending",
        ),
        (
            "CRLF after LF (issue 13)",
            HEADER + GOOD + GOOD.replace("O1", "O2").replace("\n", "\r\n"),
            3,
            None,
            None,
            "same line ending",
        ),
        (
            "undecodable encoding",
            (HEADER + "O2,Caf\xe9,Prospecting,open,100,2025-01-01,2025-03-01\n").encode("latin-1"),
            2,
            "name",
            None,
            "UTF-8",
        ),
    ],
)
def test_bad_file_is_rejected_with_a_located_problem(
    tmp_path, settings, case, content, line, column, value, expected
):
    err = rejected(write(tmp_path / "export", content), settings)
    problem = err.problems[0]
    assert problem.file == "opportunities.csv"
    assert problem.line == line, case
    assert problem.column == column
    if value is not None:
        assert problem.value == value
    assert expected in (problem.expected or "")
    assert err.status == 422 and "nothing was loaded" in err.message


def test_a_short_row_is_one_problem_not_one_per_missing_field(tmp_path, settings):
    err = rejected(
        write(tmp_path / "export", HEADER + GOOD + "O2,Deal\n" + GOOD.replace("O1", "O3")), settings
    )
    assert err.total == 1 and len(err.problems) == 1
    assert err.problems[0].line == 3 and "2 fields" in err.problems[0].message


def test_a_file_that_cannot_be_read_names_no_server_path(tmp_path, settings):
    err = rejected(write(tmp_path / "export", HEADER + GOOD + 'O2,"unterminated,x,y\n'), settings)
    assert str(tmp_path) not in str(err.to_dict()["problems"])  # the CLI's headline names the folder given


def test_rejection_lists_the_first_20_problems_then_the_total(tmp_path, settings):
    rows = "".join(f"O{i},Deal,Prospecting,open,lots,2025-01-01,2025-03-01\n" for i in range(45))
    err = rejected(write(tmp_path / "export", HEADER + rows), settings)
    assert err.total == 45
    assert [p.line for p in err.problems[:20]] == list(range(2, 22))
    text = str(err)
    assert "... and 25 more problem(s)" in text
    assert err.to_dict()["total_problems"] == 45 and len(err.to_dict()["problems"]) == 20


def test_every_bad_file_of_an_export_is_reported_at_once(tmp_path, settings):
    folder = write(tmp_path / "export", HEADER + "O1,Deal,Prospecting,open,x,2025-01-01,2025-03-01\n")
    write(folder, "account_id,name,employees\nA1,Acme,many\n", "accounts.csv")
    err = rejected(folder, settings)
    assert {p.file for p in err.problems} == {"opportunities.csv", "accounts.csv"}


def test_a_rejected_export_leaves_the_warehouse_unchanged(tmp_path, settings, rt, fixtures, snap):
    ingest("canonical", fixtures / "canonical", settings, rt.warehouse)
    before = snap(rt.warehouse)
    bad = write(tmp_path / "bad", HEADER + GOOD + "O2,Deal,Prospecting,open,100,31/01/2025,2025-03-01\n")
    with pytest.raises(ValidationFailed):
        ingest("canonical", bad, settings, rt.warehouse)
    assert snap(rt.warehouse) == before


def test_a_byte_order_mark_and_crlf_line_ends_are_accepted(tmp_path, settings):
    content = ("\ufeff" + HEADER + GOOD).replace("\n", "\r\n")
    plan = validate("canonical", write(tmp_path / "export", content), settings)
    assert plan.row_counts == {"opportunities": 1}
    assert plan.tables["opportunities"].column("opportunity_id").to_pylist() == ["O1"]


@pytest.mark.parametrize(
    ("case", "content", "message"),
    [
        ("empty file", b"", "empty"),
        ("UTF-16 file", (HEADER + GOOD).encode("utf-16"), "not valid UTF-8"),
        ("tab-separated", (HEADER + GOOD).replace(",", "\t").encode(), "'\\t'-separated"),
    ],
)
def test_a_file_that_is_not_a_utf8_comma_csv_is_named_at_line_1(tmp_path, settings, case, content, message):
    err = rejected(write(tmp_path / "export", content), settings)
    (problem,) = err.problems
    assert (problem.file, problem.line) == ("opportunities.csv", 1)
    assert message in problem.message, case
