"""The SQL guard refuses every hostile statement and rewrites the safe ones (scope, limit)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
import yaml

from revintel.ask.sqlguard import SqlGuard
from revintel.errors import UnsafeSql

HOSTILE = yaml.safe_load((Path(__file__).parent / "hostile_sql.yaml").read_text())
VIEWS = {
    "opportunities": {
        "opportunity_id": "TEXT",
        "amount": "DOUBLE",
        "status": "TEXT",
        "region": "TEXT",
        "rep": "TEXT",
        "close_date": "DATE",
    },
    "services_monthly": {"month": "DATE", "region": "TEXT", "chargeable_hours": "DOUBLE"},
}


@pytest.fixture
def guard() -> SqlGuard:
    return SqlGuard(VIEWS, row_limit=100)


def test_corpus_has_at_least_fifty_statements() -> None:
    assert len(HOSTILE) >= 50


@pytest.mark.parametrize("sql", HOSTILE)
def test_hostile_statement_is_refused(guard: SqlGuard, sql: str) -> None:
    with pytest.raises(UnsafeSql) as info:
        guard.check(sql)
    assert info.value.details["reason"]


def test_refusal_names_the_unknown_table_and_lists_governed_views(guard: SqlGuard) -> None:
    with pytest.raises(UnsafeSql) as info:
        guard.check("SELECT * FROM payroll")
    assert info.value.details["table"] == "payroll"
    assert "opportunities" in (info.value.hint or "")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT sum(amount) FROM opportunities WHERE status = 'won'",
        "SELECT region, sum(amount) AS won FROM opportunities GROUP BY region ORDER BY won DESC",
        "WITH w AS (SELECT rep, amount FROM opportunities) SELECT rep, avg(amount) FROM w GROUP BY rep",
        "SELECT o.region, s.chargeable_hours FROM opportunities o "
        "JOIN services_monthly s ON o.region = s.region",
        "SELECT date_trunc('month', close_date) AS m, count(*) FROM opportunities GROUP BY 1",
        "SELECT * FROM opportunities",
        "SELECT region FROM opportunities UNION SELECT region FROM services_monthly",
    ],
)
def test_safe_query_is_accepted_and_limited(guard: SqlGuard, sql: str) -> None:
    checked = guard.check(sql)
    assert checked.tables
    limit = checked.ast.args.get("limit")
    assert limit is not None and int(limit.args["expression"].this) <= 100


def test_smaller_user_limit_is_kept_larger_is_capped(guard: SqlGuard) -> None:
    assert "LIMIT 5" in guard.check("SELECT amount FROM opportunities LIMIT 5").sql()
    assert "LIMIT 100" in guard.check("SELECT amount FROM opportunities LIMIT 999999").sql()


def test_columns_used_are_reported_per_view(guard: SqlGuard) -> None:
    checked = guard.check("SELECT region, sum(amount) FROM opportunities GROUP BY region")
    assert checked.columns["opportunities"] == {"region", "amount"}


def test_scoping_replaces_every_reference_with_the_scoped_subquery(guard: SqlGuard) -> None:
    checked = guard.check("SELECT count(*) FROM opportunities a JOIN opportunities b ON a.rep = b.rep")
    scoped = sqlglot.parse_one("SELECT * FROM opportunities_raw WHERE region IN ('EMEA')")
    sql = guard.scoped(checked, {"opportunities": scoped}).sql()
    assert sql.count("region IN ('EMEA')") == 2
    assert "FROM opportunities AS" not in sql and '"opportunities" AS' not in sql
