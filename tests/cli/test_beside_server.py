"""A real ``revintel serve``: starts answer at once, one signal stops it, and the CLI works beside it.

Issue 13 saw the first request after a start fail with a 500 in 3 of 12 starts and the first
SIGTERM not always stop the server; issue 14 saw every CLI command fail on DuckDB's file lock while
the server ran. These tests run the real server as a subprocess (slow: a few starts here, the full
20 in ``benchmarks/bench_starts.py``).
"""

from __future__ import annotations

import json
import shutil
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.liveserver import LiveServer, cli

pytestmark = [pytest.mark.slow, pytest.mark.soak]


@pytest.fixture
def served_home(tmp_path: Path, demo_warehouse_file: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(demo_warehouse_file, home / "warehouse.duckdb")
    return home


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_fresh_server_answers_its_first_requests_and_stops_on_one_signal(served_home, sig):
    server = LiveServer(served_home)
    server.start()
    try:
        health = server.client(None).get("/api/health")
        c = server.client("cro")  # straight into the warehouse while the precompute runs
        kpis, page, ready = c.get("/api/kpis/summary"), c.get("/"), c.get("/api/ready")
    finally:
        status = server.stop(sig)
    assert health.json() == {"status": "ok"}
    assert kpis.status_code == 200, kpis.text[:300]
    assert page.status_code == 200 and "Traceback" not in page.text
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert status == 0, server.log()[-2000:]
    assert "Traceback" not in server.log()


def test_read_commands_answer_from_the_latest_snapshot_while_the_server_runs(served_home):
    server = LiveServer(served_home)
    server.start()
    try:
        served = server.client("cro").get("/api/kpis/summary").json()
        for _ in range(600):  # the server keeps a snapshot of the data it serves, in the background
            if list((served_home / "snapshots").glob("*.json")):
                break
            time.sleep(0.1)
        commands = {
            "kpis": ("kpis", "--persona", "cro", "--json"),
            "ask": ("ask", "What was revenue last quarter?", "--json"),
            "risk": ("deals", "risk", "--top", "5", "--json"),
            "forecast": ("forecast", "--json"),
            "ingest": ("ingest", "canonical", str(served_home / "snapshots")),
            "seed": ("demo", "seed", "--force"),
            "snapshots": ("snapshots", "list", "--json"),
        }
        with ThreadPoolExecutor(len(commands)) as pool:  # side by side: each is its own process
            done = dict(zip(commands, pool.map(lambda args: cli(served_home, *args), commands.values())))
    finally:
        assert server.stop() == 0
    for name in ("kpis", "ask", "risk", "forecast"):
        assert done[name].returncode == 0, done[name].stderr[-1500:]
        json.loads(done[name].stdout)  # exactly one JSON object on stdout
        assert "answering from snapshot" in done[name].stderr
    # the same figures as the server shows
    cards = {c["metric"]: c["value"] for c in json.loads(done["kpis"].stdout)["cards"]}
    assert cards == pytest.approx(
        {c["metric"]: c["value"] for c in served["cards"]}, rel=1e-9
    )  # rollup vs base order
    for name in ("ingest", "seed"):  # ingest validates its files first: this folder holds none it can load
        assert done[name].returncode == 1
        assert "Traceback" not in done[name].stderr and "IO Error" not in done[name].stderr
    assert "in use by another revintel process" in done["seed"].stderr
    kept = json.loads(done["snapshots"].stdout)["snapshots"]
    assert "opportunities" in kept[0]["tables"]
