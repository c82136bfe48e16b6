"""``revintel publish databricks`` against a local server speaking the SQL Statement Execution API and
the Files API: tables, metric views and the Genie setup are created; the views compute the catalogue's
numbers; a refused token or statement stops with Databricks' message."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

from revintel.publish.databricks import Target, metric_sql
from revintel.scope import Scope
from revintel.semantic import MetricQuery

TOKEN = "dapi-test-token"


class Databricks:
    def __init__(self) -> None:
        self.statements: list[str] = []
        self.files: dict[str, bytes] = {}
        self.polls = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, obj: object, status: int = 200) -> None:
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._json({"error_code": "UNAUTHENTICATED", "message": "Invalid access token."}, 401)
                    return False
                return True

            def do_POST(self) -> None:
                if not self._authorised():
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                assert body["warehouse_id"] == "wh-1"
                sql = body["statement"]
                outer.statements.append(sql)
                sid = str(len(outer.statements))
                if "refuse_me" in sql:
                    self._json(
                        {
                            "statement_id": sid,
                            "status": {
                                "state": "FAILED",
                                "error": {"message": "[TABLE_OR_VIEW_NOT_FOUND] refuse_me"},
                            },
                        }
                    )
                else:  # pending first: the client must poll
                    self._json({"statement_id": sid, "status": {"state": "PENDING"}})

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                outer.polls += 1
                self._json({"statement_id": self.path.rsplit("/", 1)[-1], "status": {"state": "SUCCEEDED"}})

            def do_PUT(self) -> None:
                if not self._authorised():
                    return
                outer.files[self.path.split("?")[0]] = self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def workspace(demo_rt, monkeypatch):
    db = Databricks()
    monkeypatch.setenv("DATABRICKS_HOST", db.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    monkeypatch.setenv("DATABRICKS_WAREHOUSE_ID", "wh-1")
    demo_rt.close()
    yield db
    db.server.shutdown()


@pytest.mark.slow
def test_publish_creates_tables_views_and_genie_setup(workspace, demo_rt, run_cli, tmp_path):
    code, out, err = run_cli("publish", "databricks", "--out", str(tmp_path), "--json")
    assert code == 0, err
    report = json.loads(out)
    stmts = workspace.statements
    assert stmts[0] == "CREATE SCHEMA IF NOT EXISTS `main`.`revintel`"
    assert workspace.polls >= len(stmts)  # every PENDING statement was polled to completion
    tables = {t["table"]: t for t in report["tables"]}
    counts = demo_rt.warehouse.row_counts()
    for name in ("opportunities", "services_monthly", "accounts"):
        data = workspace.files[f"/api/2.0/fs/files/Volumes/main/revintel/revintel_staging/{name}.parquet"]
        assert pq.read_table(io.BytesIO(data)).num_rows == counts[name] == tables[name]["rows"]
        assert any(s.startswith(f"CREATE OR REPLACE TABLE `main`.`revintel`.`{name}`") for s in stmts)
    views = {v["metric"] for v in report["views"]}
    assert {"won_revenue", "win_rate", "fees"} <= views
    assert len(views) + len(report["skipped"]) == len(demo_rt.catalogue.metrics)
    for sql in (s for s in stmts if s.startswith("CREATE OR REPLACE VIEW")):
        sqlglot.parse_one(sql, read="databricks")  # valid Databricks SQL
    genie = json.loads((tmp_path / "genie_space.json").read_text())
    assert genie["sample_questions"] and {t["metric"] for t in genie["trusted_sql"]} == views
    assert "main.revintel.metric_won_revenue" in genie["table_identifiers"]


@pytest.mark.parametrize("metric", ["won_revenue", "win_rate", "chargeable_hours"])
def test_a_published_view_computes_the_catalogues_numbers(demo_rt, metric):
    sql = metric_sql(demo_rt, metric, Target("main", "revintel"))
    tree = sqlglot.parse_one(sql, read="databricks")
    for t in tree.find_all(exp.Table):  # run the Databricks view here, on the same tables
        t.set("catalog", None)
        t.set("db", None)
    local = tree.sql(dialect="duckdb")
    got = demo_rt.warehouse.raw.execute(local).fetchall()
    want = demo_rt.semantic.query(MetricQuery(metrics=[metric], dimensions=["month"]), Scope.everything())
    assert len(got) == len(want.rows) > 0
    for g, w in zip(sorted(got, key=str), sorted(want.rows, key=str), strict=True):
        assert str(g[0])[:10] == str(w[0])[:10]
        assert g[1] == pytest.approx(w[1], rel=1e-9) if w[1] is not None else g[1] is None


def test_a_refused_token_stops_with_databricks_message(workspace, run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABRICKS_TOKEN", "wrong")
    code, _, err = run_cli("publish", "databricks", "--out", str(tmp_path))
    assert code == 1 and "refused the token" in err and "Traceback" not in err


def test_a_refused_statement_names_the_error(workspace, run_cli, tmp_path):
    code, _, err = run_cli("publish", "databricks", "--schema", "refuse_me", "--out", str(tmp_path))
    assert code == 1 and "TABLE_OR_VIEW_NOT_FOUND" in err


def test_bad_names_and_missing_settings_are_refused(run_cli, rt, monkeypatch, tmp_path):
    for key in ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_WAREHOUSE_ID"):
        monkeypatch.delenv(key, raising=False)
    code, _, err = run_cli("publish", "databricks", "--out", str(tmp_path))
    assert code == 1 and "DATABRICKS_HOST" in err
    with pytest.raises(Exception, match="not a valid Unity Catalog name"):
        Target("main", "rev; DROP TABLE x")
