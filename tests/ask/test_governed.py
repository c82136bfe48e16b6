"""Governed SQL execution: scope applied, sandboxed connection, time box, audit."""

from __future__ import annotations

import pytest
import sqlglot

from revintel.appdb.audit import events
from revintel.ask.governed import GovernedSql
from revintel.ask.sqlguard import CheckedSql
from revintel.errors import InvalidRequest, UnsafeSql, WarehouseError
from revintel.runtime import Runtime
from revintel.scope import Scope, get_persona


def test_scoped_persona_sees_only_its_rows_and_the_run_is_audited(demo_rt: Runtime) -> None:
    scope = get_persona("apac_lead").scope
    res = GovernedSql(demo_rt).run("SELECT DISTINCT region FROM services_monthly", scope, actor="apac_lead")
    assert res.rows == [["APAC"]]
    ev = events(demo_rt.appdb, actor="apac_lead", action="sql")[0]
    assert ev["outcome"] == "ok" and ev["rows"] == 1 and "APAC" in ev["sql"]


def test_tables_a_scope_cannot_filter_are_not_views_for_it(demo_rt: Runtime) -> None:
    with pytest.raises(UnsafeSql, match="not a governed view"):
        GovernedSql(demo_rt).run(
            "SELECT name FROM products", get_persona("emea_lead").scope, actor="emea_lead"
        )


def test_sandbox_has_no_file_access_even_if_the_guard_were_bypassed(demo_rt: Runtime) -> None:
    hostile = CheckedSql(ast=sqlglot.parse_one("SELECT * FROM read_csv('/etc/passwd')"), limit=10)
    with pytest.raises(InvalidRequest, match=r"(?i)permission|disabled|external"):
        GovernedSql(demo_rt)._run_sandboxed(hostile, {})


def test_long_query_is_stopped_by_the_timeout(demo_rt: Runtime) -> None:
    demo_rt.settings.query_timeout_seconds = 0.3
    heavy = (
        "SELECT count(*) FROM opportunities a, opportunities b, opportunities c "
        "WHERE a.amount + b.amount > c.amount"
    )
    with pytest.raises(WarehouseError, match="longer than"):
        GovernedSql(demo_rt).run(heavy, Scope.build("ceo"), actor="ceo")


def test_limit_above_the_server_cap_is_capped(demo_rt: Runtime) -> None:
    demo_rt.settings.sql_row_limit = 50
    res = GovernedSql(demo_rt).run(
        "SELECT opportunity_id FROM opportunities", Scope.build("ceo"), limit=10_000
    )
    assert len(res.rows) == 50 and res.truncated
