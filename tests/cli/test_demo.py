"""``revintel demo seed``: the load builds its pre-aggregates, so the next KPI summary reads them."""

from __future__ import annotations

import json

import duckdb


def test_seeding_builds_the_pre_aggregate_and_the_next_summary_reads_it(home, run_cli):
    code, _, err = run_cli("demo", "seed", "--scale", "0.05", "--json")
    assert code == 0, err
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        built = con.execute("SELECT name, source_rows FROM _revintel_rollups").fetchall()
        rows = con.execute("SELECT count(*) FROM services_monthly").fetchone()[0]
    finally:
        con.close()
    assert built == [("_rollup_services_monthly", rows)]
    code, out, err = run_cli("kpis", "--json")
    assert code == 0, err
    cards = {c["metric"]: c for c in json.loads(out)["cards"]}
    assert cards["chargeable_hours"]["sql"]["value"].startswith("-- Served from a pre-aggregate")
