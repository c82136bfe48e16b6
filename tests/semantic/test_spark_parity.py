"""Invariant 7: every catalogue metric gives the same numbers on DuckDB and on Spark.

One Spark session for the module (local[2]); both warehouses hold the same small data.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from revintel.config import Settings
from revintel.runtime import Runtime
from revintel.scope import get_persona
from revintel.semantic import MetricQuery, load_catalogue

pytestmark = [pytest.mark.spark, pytest.mark.slow]
pytest.importorskip("pyspark")
CEO = get_persona("ceo").scope
EMEA = get_persona("emea_lead").scope


def _runtime(home: Path, url: str | None, load) -> Runtime:
    rt = Runtime(Settings(home=home, warehouse=url, metrics_file=None, as_of=None, fiscal_year_start_month=1))
    return load(rt)


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory, small_loader) -> Iterator[tuple[Runtime, Runtime]]:
    duck = _runtime(tmp_path_factory.mktemp("duck"), None, small_loader)
    spark = _runtime(tmp_path_factory.mktemp("spark"), "pyspark://local[2]", small_loader)
    yield duck, spark
    duck.close()
    spark.close()


def same(a: list[list], b: list[list]) -> bool:
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b, strict=True):
        for x, y in zip(ra, rb, strict=True):
            if isinstance(x, float) or isinstance(y, float):
                if x is None or y is None or not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                    if not (x is None and y is None):
                        return False
            elif x != y:
                return False
    return True


def both(engines, scope=CEO, **q):
    duck, spark = engines
    return (
        duck.semantic.query(MetricQuery(**q), scope).rows,
        spark.semantic.query(MetricQuery(**q), scope).rows,
    )


@pytest.mark.parametrize("metric", [m.id for m in load_catalogue().metrics])
def test_every_catalogue_metric_is_equal_on_duckdb_and_spark(engines, metric: str) -> None:
    a, b = both(engines, metrics=[metric], dimensions=["region"])  # all time (snapshots: YTD)
    assert a and any(row[1] is not None for row in a), f"{metric} has no value on the test data"
    assert same(a, b), (a, b)


def test_time_grains_and_comparisons_are_equal(engines) -> None:
    a, b = both(
        engines,
        metrics=["chargeable_hours", "arr", "won_revenue", "staff_attrition"],
        grain="quarter",
        period="2025",
        compare=["budget", "py"],
    )
    assert len(a) == 4 and same(a, b), (a, b)


def test_scoped_queries_are_equal(engines) -> None:
    a, b = both(
        engines, EMEA, metrics=["win_rate", "won_revenue"], dimensions=["rep"], period="2025", compare=["pp"]
    )
    assert a and same(a, b), (a, b)


@pytest.mark.external
def test_maven_done_when_queries_are_equal_on_spark(engines, shared_data: Path, tmp_path: Path) -> None:
    """`query win_rate --by rep` and `query won_revenue --by region` on maven: DuckDB == Spark."""
    from revintel.warehouse.ingest import ingest

    results = []
    for name, url in (("duck", None), ("spark", "pyspark://local[2]")):
        home = tmp_path / name
        rt = Runtime(Settings(home=home, warehouse=url, metrics_file=None, as_of=None))
        ingest("maven", shared_data / "maven-crm", rt.settings, rt.warehouse)
        results.append(
            [
                rt.semantic.query(MetricQuery(metrics=["win_rate"], dimensions=["rep"]), CEO).rows,
                rt.semantic.query(MetricQuery(metrics=["won_revenue"], dimensions=["region"]), CEO).rows,
            ]
        )
        rt.close()
    (duck_rate, duck_won), (spark_rate, spark_won) = results
    assert len(duck_rate) >= 30 and same(duck_rate, spark_rate)
    assert len(duck_won) >= 3 and same(duck_won, spark_won)
