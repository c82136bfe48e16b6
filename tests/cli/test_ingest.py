"""``revintel ingest`` from the command line: exit codes, clean errors, dry runs, and kill -9 mid-load."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from revintel.runtime import Runtime
from revintel.warehouse.ingest import ingest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
CLI = [sys.executable, "-c", "from revintel.cli import main; main()"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=180)


def counts() -> dict[str, int]:
    """Row counts as ``revintel status --json`` prints them."""
    result = run("status", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["row_counts"]


def load_in_process(settings, path: Path) -> dict[str, int]:
    """Ingest a canonical export without a subprocess (the CLI start-up is slow on a busy machine)."""
    rt = Runtime(settings)
    try:
        ingest("canonical", path, settings, rt.warehouse)
        return rt.warehouse.row_counts()
    finally:
        rt.close()


@pytest.fixture
def bad_export(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "accounts.csv").write_text("account_id,name,employees\nA1,Acme,12\nA2,Beta,twelve\n")
    return folder


def test_ingest_json_reports_tables_findings_and_lineage(home):
    result = run("ingest", "canonical", str(FIXTURES / "canonical"), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["tables"]["opportunities"] == 4 and out["mode"] == "upsert"
    assert len(out["files"]) == 5 and all(len(f["sha256"]) == 64 for f in out["files"])
    status = json.loads(run("status", "--json").stdout)
    assert status["row_counts"]["opportunities"] == 4
    assert {r["table_name"] for r in status["lineage"]} == {
        "accounts",
        "reps",
        "products",
        "opportunities",
        "opportunity_history",
    }


def test_a_rejected_file_exits_non_zero_with_located_problems_and_no_traceback(settings, bad_export):
    before = load_in_process(settings, FIXTURES / "canonical")
    result = run("ingest", "canonical", str(bad_export))
    assert result.returncode == 1
    assert "accounts.csv:3, column 'employees', value 'twelve'" in result.stderr
    assert "expected a whole number" in result.stderr
    assert "Traceback" not in result.stderr
    rt = Runtime(settings)
    assert rt.warehouse.row_counts() == before
    rt.close()


def test_a_rejection_with_json_prints_the_problems_as_one_object(home, bad_export):
    result = run("ingest", "canonical", str(bad_export), "--json")
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert out["error"] == "validation_failed" and out["total_problems"] == 1
    assert out["problems"][0] == {
        "message": "value does not parse",
        "file": "accounts.csv",
        "line": 3,
        "column": "employees",
        "value": "twelve",
        "expected": "a whole number, e.g. 42",
    }


def test_debug_shows_the_traceback(home, bad_export):
    result = run("--debug", "ingest", "canonical", str(bad_export))
    assert result.returncode != 0 and "Traceback" in result.stderr and "ValidationFailed" in result.stderr


def test_dry_run_validates_and_writes_nothing(settings):
    result = run("ingest", "hubspot", str(FIXTURES / "hubspot"), "--dry-run", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tables"]["opportunities"] == 5
    rt = Runtime(settings)
    assert sum(rt.warehouse.row_counts().values()) == 0
    rt.close()


def test_an_unknown_source_is_a_usage_error(home):
    result = run("ingest", "excel", str(FIXTURES / "canonical"))
    assert result.returncode == 2 and "excel" in result.stderr


def _big_export(folder: Path, rows: int) -> Path:
    folder.mkdir()
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT 'K' || i AS opportunity_id, 'Deal ' || i AS name, 'A' || (i % 500) AS account_id, "
        "'Prospecting' AS stage, 'open' AS status, (i % 997) * 10.5 AS amount, "
        "DATE '2024-01-01' + CAST(i % 700 AS INTEGER) AS created_date FROM range(?) t(i)) "
        "TO '" + str(folder / "opportunities.csv") + "' (HEADER, DELIMITER ',')",
        [rows],
    )
    con.close()
    return folder


@pytest.mark.slow
def test_kill_9_during_a_load_leaves_the_previous_data(settings, tmp_path):
    before = load_in_process(settings, FIXTURES / "canonical")
    big = _big_export(tmp_path / "big", 600_000)
    proc = subprocess.Popen(
        [*CLI, "ingest", "canonical", str(big)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
    )
    deadline = time.monotonic() + 120
    seen = []
    for line in proc.stderr:  # progress lines: "validating ...", then "loading N rows ..."
        seen.append(line)
        if line.startswith("loading") or time.monotonic() > deadline:
            break
    assert any(s.startswith("loading") for s in seen), seen
    assert proc.poll() is None, "the load finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert "load committed" not in proc.stderr.read()  # killed inside the load, before its commit
    assert counts() == before  # the warehouse opens and shows exactly the previous counts
    after = load_in_process(settings, FIXTURES / "canonical")  # and takes the next load
    assert after["opportunities"] == before["opportunities"] and after["ingest_lineage"] == 10
