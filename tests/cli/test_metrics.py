"""``revintel metrics``, ``kpis``, ``kpi`` and ``query`` in-process, on the demo warehouse."""

from __future__ import annotations

import json

import pytest

from revintel.cli import main
from revintel.cli.app import state


@pytest.fixture
def cli(demo_rt, capsys):
    def run(*args: str) -> dict:
        state.runtime = None
        main(list(args))
        state.runtime = None
        return json.loads(capsys.readouterr().out)

    return run


def test_query_json_prints_columns_rows_and_sql(cli) -> None:
    out = cli("query", "win_rate", "--by", "region", "--period", "2025", "--compare", "py", "--json")
    assert out["columns"] == ["region", "win_rate", "win_rate_py"]
    assert len(out["rows"]) == 4 and "opportunities" in out["sql"]
    assert all(0 < row[1] < 1 for row in out["rows"])


def test_query_as_a_regional_lead_returns_only_their_region(cli) -> None:
    out = cli("query", "won_revenue", "--by", "region", "--persona", "apac_lead", "--json")
    assert [r[0] for r in out["rows"]] == ["APAC"]
    assert out["scope"]["persona"] == "apac_lead"


def test_kpis_json_has_cards(cli) -> None:
    out = cli("kpis", "--period", "2025", "--json")
    assert len(out["cards"]) >= 8 and out["scope"]["persona"] == "ceo"


def test_kpi_drill_down_json(cli) -> None:
    out = cli("kpi", "chargeable_hours", "--by", "capability", "--json")
    assert out["by"] == "capability" and out["bridge"]["steps"]


def test_bad_where_is_a_clean_error(demo_rt, capsys) -> None:
    state.runtime = None
    with pytest.raises(SystemExit) as exit_:
        main(["query", "won_revenue", "--where", "region"])
    state.runtime = None
    assert exit_.value.code == 1
    assert "DIM=VALUE" in capsys.readouterr().err


def test_metrics_check_reports_file_and_line(tmp_path, capsys) -> None:
    f = tmp_path / "m.yaml"
    f.write_text(
        "metrics:\n  x:\n    label: X\n    description: y\n    domain: sales\n    unit: count\n"
        "    table: opportunities\n    date: close_date\n    formula: count(*)\n"
    )
    state.runtime = None
    with pytest.raises(SystemExit):
        main(["metrics", "--check", str(f)])
    state.runtime = None
    assert "m.yaml:2" in capsys.readouterr().err
