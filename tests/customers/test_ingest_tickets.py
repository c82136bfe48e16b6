"""``revintel ingest tickets PATH``: Zendesk CSV/JSON and Salesforce Case.csv into ``tickets``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revintel.errors import ValidationFailed
from revintel.warehouse.ingest import load, tickets

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tickets"


def test_zendesk_json_keeps_the_exports_satisfaction_and_scores_the_rest_with_vader() -> None:
    plan = tickets.validate(FIXTURES / "zendesk.json")
    rows = {r["ticket_id"]: r for r in plan.tables["tickets"].to_pylist()}
    assert plan.source == "zendesk" and set(rows) == {"101", "102"}
    assert rows["102"]["sentiment"] == -1.0  # satisfaction "bad" from the export
    assert rows["101"]["sentiment"] > 0.5  # "great ... loves them" read by VADER
    assert (rows["102"]["priority"], rows["102"]["status"], rows["102"]["account_id"]) == (
        "Urgent",
        "open",
        "A000001",
    )
    assert (rows["101"]["priority"], rows["101"]["status"]) == ("Medium", "closed")


def test_zendesk_csv_export_loads_with_text_sentiment(tmp_path) -> None:
    shutil.copy(FIXTURES / "zendesk.csv", tmp_path / "tickets.csv")
    plan = tickets.validate(tmp_path)
    rows = {r["ticket_id"]: r for r in plan.tables["tickets"].to_pylist()}
    assert rows["201"]["sentiment"] < 0 < rows["202"]["sentiment"]
    assert rows["202"]["closed_date"].isoformat() == "2025-12-11" and rows["201"]["priority"] == "High"


def test_a_ticket_without_a_created_date_is_rejected_with_line_and_nothing_is_stored(tmp_path, rt) -> None:
    from revintel.cli import app
    from revintel.cli.app import state

    text = (FIXTURES / "zendesk.csv").read_text().replace("2025-12-11 09:30:00", "not-a-date")
    (tmp_path / "tickets.csv").write_text(text)
    with pytest.raises(ValidationFailed) as e:
        tickets.validate(tmp_path)
    p = e.value.problems[0]
    assert (p.file, p.line, p.column, p.value) == ("tickets.csv", 3, "Created at", "not-a-date")
    before = rt.warehouse.row_counts()
    state.runtime = rt
    try:
        res = CliRunner().invoke(app, ["ingest", "tickets", str(tmp_path), "--json"])
    finally:
        state.runtime = None
    assert res.exit_code == 1 and json.loads(res.output)["problems"][0]["line"] == 3
    assert rt.warehouse.row_counts() == before


@pytest.mark.external
def test_salesforce_case_csv_loads_into_tickets(shared_data, rt) -> None:
    plan = tickets.validate(shared_data / "salesforce-export" / "datacloud-workshop")
    assert plan.tables["tickets"].num_rows == 40 and plan.meta["sentiment"] == "vader"
    load(plan, rt.warehouse)
    got = rt.warehouse.execute(rt.warehouse.table("tickets"))
    assert len(got) == 40 and set(got["status"]) <= {"open", "closed"}
    assert got["sentiment"].between(-1, 1).all() and (got["sentiment"] < 0).any()
