"""Warehouse backends: atomic multi-table changes, upserts, and the same tables on DuckDB and Spark."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from revintel.errors import ConfigError
from revintel.warehouse.backends import Change, conform, connect
from revintel.warehouse.schema import TABLES, TABLES_BY_NAME


def sample(name: str, n: int = 3, offset: int = 0) -> pa.Table:
    """``n`` rows of plausible values for every column of a canonical table."""
    spec = TABLES_BY_NAME[name]
    cols = {}
    for c in spec.columns:
        vals: list
        if c.type == "string":
            vals = [f"{c.name}-{i + offset}" for i in range(n)]
        elif c.type == "int64":
            vals = [i + offset for i in range(n)]
        elif c.type == "float64":
            vals = [(i + offset) * 1.5 for i in range(n)]
        elif c.type == "boolean":
            vals = [(i + offset) % 2 == 0 for i in range(n)]
        elif c.type == "date":
            vals = [dt.date(2024, 1, 1) + dt.timedelta(days=i + offset) for i in range(n)]
        else:
            vals = [dt.datetime(2024, 1, 1, 12) + dt.timedelta(hours=i + offset) for i in range(n)]
        cols[c.name] = vals
    return conform(name, pa.table(cols))


@pytest.fixture
def duck(tmp_path: Path):
    wh = connect(f"duckdb:///{tmp_path / 'wh.duckdb'}", tmp_path)
    yield wh
    wh.close()


def test_unknown_scheme_names_the_known_ones(tmp_path):
    with pytest.raises(ConfigError) as err:
        connect("mysql://x", tmp_path)
    assert "duckdb" in err.value.hint and "pyspark" in err.value.hint


def test_unloaded_table_reads_as_empty_with_the_canonical_columns(duck):
    t = duck.table("opportunities")
    assert duck.execute(t.count()) == 0
    assert list(t.columns) == TABLES_BY_NAME["opportunities"].column_names


def test_upsert_replaces_rows_with_the_same_key_and_adds_new_ones(duck):
    duck.apply([Change("reps", sample("reps", 3))])
    again = sample("reps", 3, offset=2)  # keys 2,3,4: one overlaps
    duck.apply([Change("reps", again, "upsert")])
    duck.apply([Change("reps", again, "upsert")])  # idempotent
    ids = (
        sorted(duck.execute(duck.table("reps").rep_id)["rep_id"].tolist())
        if False
        else sorted(duck.execute(duck.table("reps"))["rep_id"].tolist())
    )
    assert ids == ["rep_id-0", "rep_id-1", "rep_id-2", "rep_id-3", "rep_id-4"]


def test_upsert_with_composite_key(duck):
    duck.apply([Change("services_monthly", sample("services_monthly", 4))])
    duck.apply([Change("services_monthly", sample("services_monthly", 4, offset=2), "upsert")])
    assert duck.row_counts()["services_monthly"] == 6


def _turn_rows(pairs: list[tuple[str, int]]) -> pa.Table:
    spec = TABLES_BY_NAME["conversation_turns"]
    return conform(
        "conversation_turns",
        pa.table({"conversation_id": [c for c, _ in pairs], "turn_index": [i for _, i in pairs]}),
    ).select(spec.column_names)


@pytest.mark.parametrize(
    "backend", ["duckdb", pytest.param("spark", marks=[pytest.mark.spark, pytest.mark.slow])]
)
def test_delete_on_a_key_then_upsert_replaces_every_row_of_that_key(tmp_path, backend):
    if backend == "spark":
        pytest.importorskip("pyspark")
    wh = (
        connect(f"duckdb:///{tmp_path / 'w.duckdb'}", tmp_path)
        if backend == "duckdb"
        else connect("pyspark://local[1]", tmp_path / "home")
    )
    try:
        # deleting from a table never loaded is a no-op, in the same apply as the first load
        wh.apply(
            [
                Change(
                    "conversation_turns",
                    pa.table({"conversation_id": ["a"]}),
                    "delete",
                    key=("conversation_id",),
                ),
                Change("conversation_turns", _turn_rows([("a", 0), ("a", 1), ("a", 2), ("b", 0)]), "upsert"),
            ]
        )
        wh.apply(
            [
                Change(
                    "conversation_turns",
                    pa.table({"conversation_id": ["a"]}),
                    "delete",
                    key=("conversation_id",),
                ),
                Change("conversation_turns", _turn_rows([("a", 0)]), "upsert"),
            ]
        )
        rows = wh.execute(wh.table("conversation_turns").order_by(["conversation_id", "turn_index"]))
        assert list(zip(rows.conversation_id, rows.turn_index, strict=True)) == [("a", 0), ("b", 0)]
    finally:
        wh.close()


def test_a_failing_change_leaves_every_table_as_it_was(duck):
    duck.apply(
        [Change("accounts", sample("accounts", 2)), Change("reps", sample("reps", 2))], {"dataset": "one"}
    )
    bad = sample("reps", 2).set_column(0, "rep_id", pa.array([None, None], pa.string()))  # NOT NULL key
    with pytest.raises(Exception):
        duck.apply(
            [Change("accounts", sample("accounts", 5, offset=10)), Change("reps", bad)], {"dataset": "two"}
        )
    assert duck.row_counts()["accounts"] == 2
    assert duck.row_counts()["reps"] == 2
    assert duck.get_meta()["dataset"] == "one"


def test_data_survives_reopening(tmp_path):
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    wh = connect(url, tmp_path)
    wh.apply([Change("products", sample("products", 7))], {"as_of": "2025-12-31"})
    wh.close()
    again = connect(url, tmp_path)
    assert again.row_counts()["products"] == 7
    assert again.get_meta()["as_of"] == "2025-12-31"
    again.close()


def test_streamed_record_batches_load_like_a_table(duck):
    rows = sample("services_monthly", 10)
    reader = pa.RecordBatchReader.from_batches(rows.schema, rows.to_batches(max_chunksize=3))
    duck.apply([Change("services_monthly", reader)])
    assert duck.row_counts()["services_monthly"] == 10


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The same rows of every canonical table, loaded into Spark and into DuckDB."""
    pytest.importorskip("pyspark")
    root = tmp_path_factory.mktemp("spark")
    spark = connect("pyspark://local[2]", root / "home")
    duck = connect(f"duckdb:///{root / 'd.duckdb'}", root)
    changes = [Change(t.name, sample(t.name, 5)) for t in TABLES]
    spark.apply(changes, {"dataset": "test"})
    duck.apply(changes, {"dataset": "test"})
    yield spark, duck
    duck.close()
    spark.close()


@pytest.mark.spark
@pytest.mark.slow
class TestSpark:
    """Every canonical table loads into, and reads back from, Spark exactly as from DuckDB."""

    @pytest.mark.parametrize("name", [t.name for t in TABLES])
    def test_table_reads_back_identically(self, pair, name):
        spark, duck = pair
        key = list(TABLES_BY_NAME[name].primary_key)
        a = spark.execute(spark.table(name).order_by(key)).reset_index(drop=True)
        b = duck.execute(duck.table(name).order_by(key)).reset_index(drop=True)
        assert list(a.columns) == list(b.columns)
        assert a.astype(str).values.tolist() == b.astype(str).values.tolist()

    def test_row_counts_and_meta(self, pair):
        spark, duck = pair
        assert spark.row_counts() == duck.row_counts()
        assert spark.get_meta()["dataset"] == "test"

    def test_upsert_and_atomic_failure_on_spark(self, pair):
        spark, _ = pair
        spark.apply([Change("reps", sample("reps", 5, offset=3), "upsert")])
        assert spark.row_counts()["reps"] == 8
        bad = pa.table({"nonsense": [1]})
        with pytest.raises(Exception):
            spark.apply([Change("accounts", sample("accounts", 9)), Change("reps", bad)])
        assert spark.row_counts()["accounts"] == 5


def test_built_in_backends_are_entry_points_like_any_plugin(tmp_path, monkeypatch):
    import tomllib
    from importlib.metadata import EntryPoint
    from pathlib import Path

    from revintel.warehouse import backends, base

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    declared = project["project"]["entry-points"]["revintel.backends"]
    assert declared == {
        "duckdb": "revintel.warehouse.duckdb_backend:DuckDBWarehouse",
        "pyspark": "revintel.warehouse.spark_backend:SparkWarehouse",
    }
    assert declared == backends.BUILT_IN

    class MemoryWarehouse(backends.DuckDBWarehouse):
        scheme = "memory"

        def __init__(self, url, home):
            super().__init__(f"duckdb:///{home / 'mem.duckdb'}", home)

    monkeypatch.setattr(base, "_REGISTRY", {})
    monkeypatch.setitem(globals(), "MemoryWarehouse", MemoryWarehouse)
    plugin = EntryPoint(name="memory", value=f"{__name__}:MemoryWarehouse", group="revintel.backends")
    monkeypatch.setattr(base, "entry_points", lambda group: [plugin])
    wh = backends.connect("memory://", tmp_path)
    try:
        assert isinstance(wh, MemoryWarehouse)
        assert set(base._REGISTRY) == {"memory", "duckdb", "pyspark"}
    finally:
        wh.close()
