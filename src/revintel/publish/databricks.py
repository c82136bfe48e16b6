"""``revintel publish databricks``: the governed tables, the metric definitions as SQL views, and a Genie
space setup, in a Unity Catalog schema.

Tables travel as Parquet through a Unity Catalog volume (Files API) and become Delta tables with
``CREATE OR REPLACE TABLE ... AS SELECT * FROM read_files(...)``. Each metric becomes a view
``metric_<id>`` (by month, the catalogue's definition compiled by the semantic layer over the canonical
tables and transpiled to Databricks SQL by sqlglot); a metric that does not transpile is reported, never
published wrong. The Genie setup (instructions, sample questions from the eval's dev split, trusted SQL
per metric) is written as JSON next to the report.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp

from revintel.errors import ConfigError
from revintel.publish.statements import Workspace
from revintel.runtime import Runtime
from revintel.scope import Scope

IDENT_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass
class Target:
    catalog: str
    schema: str
    volume: str = "revintel_staging"

    def __post_init__(self) -> None:
        for part in (self.catalog, self.schema, self.volume):
            if not part or set(part.lower()) - IDENT_OK:
                raise ConfigError(f"{part!r} is not a valid Unity Catalog name", hint="letters, digits and _")

    def name(self, obj: str) -> str:
        return f"`{self.catalog}`.`{self.schema}`.`{obj}`"

    @property
    def volume_path(self) -> str:
        return f"/Volumes/{self.catalog}/{self.schema}/{self.volume}"


@dataclass
class Report:
    target: str
    tables: list[dict[str, Any]] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    genie: str | None = None
    statements: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def metric_sql(rt: Runtime, metric_id: str, target: Target) -> str:
    """The metric by month over the canonical tables, in Databricks SQL, reading the published tables."""
    from revintel.semantic import MetricQuery

    layer = rt.semantic
    enabled = layer.rollups.enabled
    layer.rollups.enabled = False  # the definition over the canonical tables, never a local pre-aggregate
    try:
        res = layer.query(MetricQuery(metrics=[metric_id], dimensions=["month"]), Scope.everything())
    finally:
        layer.rollups.enabled = enabled
    tree = sqlglot.parse_one(res.sql, read="duckdb")
    for table in tree.find_all(exp.Table):
        if table.name and not table.args.get("db"):
            table.set("db", exp.to_identifier(target.schema))
            table.set("catalog", exp.to_identifier(target.catalog))
    return tree.sql(dialect="databricks")


def publish(rt: Runtime, ws: Workspace, target: Target, out_dir: Path) -> Report:
    """Create the schema and volume, load every non-empty canonical table, create the metric views,
    and write the Genie setup; raises ProviderError at the first statement Databricks refuses."""
    from revintel.warehouse.schema import TABLES

    report = Report(target=f"{target.catalog}.{target.schema}")

    def run(sql: str) -> None:
        ws.execute(sql)
        report.statements += 1

    run(f"CREATE SCHEMA IF NOT EXISTS `{target.catalog}`.`{target.schema}`")
    run(f"CREATE VOLUME IF NOT EXISTS {target.name(target.volume)}")
    counts = rt.warehouse.row_counts()
    for spec in TABLES:
        n = counts.get(spec.name, 0)
        if not n:
            continue
        data = rt.warehouse.to_arrow(rt.warehouse.table(spec.name))
        buf = io.BytesIO()
        pq.write_table(data, buf)
        path = f"{target.volume_path}/{spec.name}.parquet"
        ws.put_file(path, buf.getvalue())
        run(
            f"CREATE OR REPLACE TABLE {target.name(spec.name)} AS "
            f"SELECT * FROM read_files('{path}', format => 'parquet')"
        )
        report.tables.append({"table": spec.name, "rows": n, "file": path})
    trusted: list[dict[str, Any]] = []
    for metric in rt.catalogue.metrics:
        try:
            sql = metric_sql(rt, metric.id, target)
        except Exception as exc:  # a metric the compiler or transpiler cannot express: say so, skip it
            report.skipped.append({"metric": metric.id, "reason": str(exc).splitlines()[0][:200]})
            continue
        view = f"metric_{metric.id}"
        comment = (metric.description or metric.label).replace("'", "''")[:500]
        run(f"CREATE OR REPLACE VIEW {target.name(view)} COMMENT '{comment}' AS {sql}")
        report.views.append({"metric": metric.id, "view": f"{target.catalog}.{target.schema}.{view}"})
        trusted.append({"metric": metric.id, "label": metric.label, "unit": metric.unit, "sql": sql})
    out_dir.mkdir(parents=True, exist_ok=True)
    genie = out_dir / "genie_space.json"
    genie.write_text(json.dumps(genie_setup(rt, target, report, trusted), indent=2), encoding="utf-8")
    report.genie = str(genie)
    return report


def genie_setup(rt: Runtime, target: Target, report: Report, trusted: list[dict[str, Any]]) -> dict[str, Any]:
    """A Genie space setup: tables, instructions, sample questions and trusted SQL per metric."""
    from revintel.ask.eval import load_questions

    dataset = rt.warehouse.get_meta().get("dataset") or "demo"
    try:
        samples = [q["question"] for q in load_questions(dataset, "dev") if q.get("question")][:25]
    except Exception:
        samples = []
    lines = [f"- {m.id} ({m.label}, {m.unit}): {m.description or ''}".rstrip() for m in rt.catalogue.metrics]
    return {
        "title": "revintel governed revenue metrics",
        "description": "Tables and metric views published by revintel; the views define every figure.",
        "table_identifiers": [f"{target.catalog}.{target.schema}.{t['table']}" for t in report.tables]
        + [v["view"] for v in report.views],
        "instructions": "Answer with the metric_<id> views: each is revintel's governed definition by month. "
        "Never recompute a metric from raw tables when its view exists. Metric catalogue:\n"
        + "\n".join(lines),
        "sample_questions": samples,
        "trusted_sql": trusted,
    }
