"""The demo generator: every table filled, sizes, determinism, the CLI, ensure_demo and demo_rt."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from revintel.runtime import Runtime
from revintel.warehouse.backends import connect
from revintel.warehouse.demo import demo_changes, ensure_demo, seed_demo
from revintel.warehouse.schema import DATA_TABLES, REGIONS, TABLES_BY_NAME

#: (low, high) rows expected at the default scale
EXPECTED_ROWS = {
    "accounts": (500, 500),
    "reps": (35, 50),
    "products": (8, 12),
    "opportunities": (4_000, 4_000),
    "opportunity_history": (20_000, 80_000),
    "services_monthly": (50_000, 120_000),
    "campaigns": (20, 30),
    "leads": (3_000, 12_000),
    "touchpoints": (10_000, 99_999),
    "conversations": (900, 1_100),
    "dq_audit_log": (3, 20),
}


def _con(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def digests(seed: int, scale: float) -> dict[str, str]:
    out = {}
    for ch in demo_changes(seed, scale):
        if ch.table == "ingest_lineage":
            continue
        rows = ch.rows.read_all() if hasattr(ch.rows, "read_all") else ch.rows
        spec = TABLES_BY_NAME[ch.table]
        rows = rows.sort_by([(k, "ascending") for k in spec.primary_key])
        out[ch.table] = hashlib.sha256(rows.to_pandas().to_csv(index=False).encode()).hexdigest()
    return out


def test_every_data_table_is_filled_with_demo_rows(demo_warehouse_file: Path) -> None:
    con = _con(demo_warehouse_file)
    for name in DATA_TABLES:
        n = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        assert n > 0, f"{name} is empty"
        if "source" in TABLES_BY_NAME[name].column_names and name != "dq_audit_log":
            sources = {r[0] for r in con.execute(f'SELECT DISTINCT source FROM "{name}"').fetchall()}
            assert sources == {"demo"}, name


@pytest.mark.parametrize(("name", "bounds"), sorted(EXPECTED_ROWS.items()))
def test_default_size_is_in_the_documented_range(demo_warehouse_file: Path, name: str, bounds: tuple) -> None:
    n = _con(demo_warehouse_file).execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
    assert bounds[0] <= n <= bounds[1]


def test_dimensions_use_the_documented_names(demo_warehouse_file: Path) -> None:
    con = _con(demo_warehouse_file)
    regions = {r[0] for r in con.execute("SELECT DISTINCT region FROM accounts").fetchall()}
    tiers = {r[0] for r in con.execute("SELECT DISTINCT tier FROM accounts").fetchall()}
    caps = {r[0] for r in con.execute("SELECT DISTINCT capability FROM services_monthly").fetchall()}
    assert regions == set(REGIONS)
    assert tiers == {"Strategic", "Enterprise", "Mid-Market", "SMB"}
    assert caps == {
        "Consulting",
        "Technology",
        "Risk Advisory",
        "Tax",
        "Audit",
        "Deals",
        "Managed Services",
        "Cyber",
    }
    assert con.execute("SELECT name, team, manager, region FROM reps WHERE rep_id = 'R001'").fetchone() == (
        "Alex Morgan",
        "EMEA Enterprise",
        "Tom Becker",
        "EMEA",
    )
    teams = con.execute("SELECT team, count(*) FROM reps GROUP BY team").fetchall()
    assert len(teams) == 8 and all(4 <= n <= 6 for _, n in teams)
    assert {t for t, _ in teams} == {f"{r} {k}" for r in REGIONS for k in ("Enterprise", "Commercial")}


def test_deals_are_sold_by_reps_of_the_accounts_region(demo_warehouse_file: Path) -> None:
    mismatched = (
        _con(demo_warehouse_file)
        .execute(
            "SELECT count(*) FROM opportunities o JOIN accounts a USING (account_id) "
            "JOIN reps r USING (rep_id) WHERE a.region <> r.region"
        )
        .fetchone()[0]
    )
    assert mismatched == 0


def test_open_deals_close_in_the_first_half_of_2026(demo_warehouse_file: Path) -> None:
    n, lo, hi = (
        _con(demo_warehouse_file)
        .execute("SELECT count(*), min(close_date), max(close_date) FROM opportunities WHERE status = 'open'")
        .fetchone()
    )
    assert 150 <= n <= 600
    assert str(lo) >= "2026-01-01" and str(hi) <= "2026-06-30"


def test_meta_names_the_demo_dataset_and_its_as_of_date(demo_rt: Runtime) -> None:
    meta = demo_rt.warehouse.get_meta()
    assert meta["dataset"] == "demo" and meta["as_of"] == "2025-12-31" and meta["seed"] == "42"
    assert demo_rt.as_of().isoformat() == "2025-12-31"


def test_same_seed_gives_the_same_rows_and_another_seed_different_rows() -> None:
    first, again, other = digests(7, 0.1), digests(7, 0.1), digests(8, 0.1)
    assert first == again
    assert set(first) >= set(DATA_TABLES)
    differ = [t for t in first if first[t] != other[t]]
    assert len(differ) >= len(DATA_TABLES) - 2  # products (and campaign names) are fixed catalogues


def test_seed_replaces_previous_data_atomically_and_reports_rows(tmp_path: Path) -> None:
    wh = connect(f"duckdb:///{tmp_path / 'w.duckdb'}", tmp_path)
    try:
        big = seed_demo(wh, seed=1, scale=0.2)
        small = seed_demo(wh, seed=2, scale=0.1)
        counts = wh.row_counts()
        assert counts["accounts"] == small.rows["accounts"] == 50 < big.rows["accounts"]
        assert all(counts[t] == n for t, n in small.rows.items())
        lineage = wh.execute(wh.table("ingest_lineage"))
        assert set(lineage["load_id"]) == {"demo-1-0.2", "demo-2-0.1"}
        latest = lineage[lineage.load_id == "demo-2-0.1"].set_index("table_name")["rows"].to_dict()
        assert latest == small.rows
    finally:
        wh.close()


def test_ensure_demo_generates_once_and_then_leaves_data_alone(rt: Runtime) -> None:
    assert ensure_demo(rt.warehouse) is True
    before = rt.warehouse.row_counts()
    assert ensure_demo(rt.warehouse) is False
    assert rt.warehouse.row_counts() == before


def test_demo_rt_holds_a_private_copy_of_the_demo(demo_rt: Runtime, demo_warehouse_file: Path) -> None:
    assert demo_rt.warehouse.row_counts()["opportunities"] == 4_000
    demo_rt.warehouse.raw.execute("DELETE FROM opportunities")
    assert _con(demo_warehouse_file).execute("SELECT count(*) FROM opportunities").fetchone()[0] == 4_000


def test_cli_seed_json_reports_seed_scale_and_rows(home: Path) -> None:
    from typer.testing import CliRunner

    from revintel.cli import app

    result = CliRunner().invoke(app, ["demo", "seed", "--seed", "5", "--scale", "0.1", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["dataset"] == "demo" and info["seed"] == 5 and info["scale"] == 0.1
    assert info["rows"]["accounts"] == 50 and info["total_rows"] == sum(info["rows"].values())
    assert info["warehouse"].endswith("warehouse.duckdb")


def test_cli_rejects_an_impossible_scale(home: Path) -> None:
    from revintel.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["demo", "seed", "--scale", "0"])
    assert exc.value.code == 1


def test_win_chance_is_learnable_beyond_the_base_rate(demo_warehouse_file: Path) -> None:
    """Pushes, time open, rep track record, activity and tier rank 2025 outcomes well (trained on 2023-24)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    df = (
        _con(demo_warehouse_file)
        .execute(
            "WITH h AS (SELECT opportunity_id, close_date, lag(close_date) OVER (PARTITION BY opportunity_id "
            "ORDER BY snapshot_date) AS prev FROM opportunity_history WHERE status = 'open'), "
            "f AS (SELECT opportunity_id, count(*) FILTER (WHERE close_date > prev) AS pushes, "
            "count(*) AS weeks_open FROM h GROUP BY 1), "
            "cv AS (SELECT opportunity_id, count(*) AS n_conv FROM conversations GROUP BY 1) "
            "SELECT o.status = 'won' AS won, year(o.close_date) AS y, o.rep_id, a.tier, f.pushes, "
            "f.weeks_open, coalesce(cv.n_conv, 0) AS n_conv FROM opportunities o "
            "JOIN accounts a USING (account_id) JOIN f USING (opportunity_id) "
            "LEFT JOIN cv USING (opportunity_id) WHERE o.status <> 'open'"
        )
        .df()
    )
    train, test = df[df.y < 2025].copy(), df[df.y == 2025].copy()
    rep_rate = train.groupby("rep_id").won.mean()
    for part in (train, test):
        part["rep_rate"] = part.rep_id.map(rep_rate).fillna(train.won.mean()).astype(float)
        for tier in ("Strategic", "Enterprise", "Mid-Market"):
            part[tier] = (part.tier == tier).astype(float)
    cols = ["pushes", "weeks_open", "n_conv", "rep_rate", "Strategic", "Enterprise", "Mid-Market"]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    model.fit(train[cols].astype(float), train.won)
    auc = roc_auc_score(test.won, model.predict_proba(test[cols].astype(float))[:, 1])
    assert 0.15 <= test.won.mean() <= 0.4
    assert auc >= 0.7


def test_large_tables_arrive_as_streams_of_small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fact tables are generated chunk by chunk: no more than a few chunks are alive at once."""
    import pyarrow as pa

    from revintel.warehouse.demo import marketing, pipeline, services

    monkeypatch.setattr(services, "CHUNK_CLIENTS", 25)
    monkeypatch.setattr(pipeline, "CHUNK_OPPS", 200)
    monkeypatch.setattr(marketing, "CHUNK_OPPS", 200)
    monkeypatch.setattr(marketing, "CHUNK_LEADS", 400)
    streamed = {}
    for ch in demo_changes(3, 0.5):
        if isinstance(ch.rows, pa.RecordBatchReader):
            batches, total_bytes, peak = 0, 0, 0
            base = pa.total_allocated_bytes()
            for batch in ch.rows:
                batches += 1
                total_bytes += batch.nbytes
                peak = max(peak, pa.total_allocated_bytes() - base)
            streamed[ch.table] = (batches, total_bytes, peak)
    assert set(streamed) == {
        "services_monthly",
        "opportunities",
        "opportunity_history",
        "deal_contacts",
        "touchpoints",
    }
    for table, (batches, total_bytes, peak) in streamed.items():
        assert batches >= 5, table
        assert peak < 0.5 * total_bytes, table


def test_seeding_refuses_to_overwrite_loaded_data_unless_forced(rt: Runtime) -> None:
    import pyarrow as pa

    from revintel.errors import InvalidRequest
    from revintel.warehouse.backends import Change
    from revintel.warehouse.schema import table

    rows = pa.Table.from_pylist(
        [{"account_id": "X1", "name": "Real Customer Ltd"}], schema=table("accounts").arrow_schema()
    )
    rt.warehouse.apply([Change("accounts", rows)], meta={"dataset": "canonical", "as_of": "2025-06-30"})
    with pytest.raises(InvalidRequest) as exc:
        seed_demo(rt.warehouse, scale=0.1)
    assert "--force" in str(exc.value) and exc.value.details["dataset"] == "canonical"
    assert rt.warehouse.row_counts()["accounts"] == 1
    assert ensure_demo(rt.warehouse) is False
    seed_demo(rt.warehouse, scale=0.1, force=True)
    assert rt.warehouse.row_counts()["accounts"] == 50
    assert rt.warehouse.get_meta()["dataset"] == "demo"
    seed_demo(rt.warehouse, seed=9, scale=0.1)  # a demo may always replace a demo


def test_a_failure_mid_generation_leaves_the_previous_data_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revintel.warehouse.demo import customers

    wh = connect(f"duckdb:///{tmp_path / 'w.duckdb'}", tmp_path)
    try:
        seed_demo(wh, seed=1, scale=0.1)
        before, meta = wh.row_counts(), wh.get_meta()

        def broken(*args: object) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(customers, "tickets_table", broken)
        with pytest.raises(RuntimeError, match="disk full"):
            seed_demo(wh, seed=2, scale=0.2)  # services, deals ... were already written in the transaction
        assert wh.row_counts() == before
        assert wh.get_meta() == meta
    finally:
        wh.close()
