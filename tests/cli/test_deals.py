"""CLI contracts: ``deals train|risk|show``, ``forecast [backtest]``, ``pipeline changes`` (``--json``)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.cli.app import state


@pytest.fixture
def cli(deals_rt, monkeypatch):
    """Run a command in-process against the shared synthetic pipeline; returns the parsed JSON."""
    monkeypatch.setattr(state, "runtime", deals_rt)
    runner = CliRunner()

    def run(*args: str) -> dict:
        result = runner.invoke(app, [*args, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return run


def test_deals_train_prints_test_window_metrics_beside_baselines_and_the_leakage_audit(cli) -> None:
    out = cli("deals", "train", "--as-of", "2025-12-31")
    assert {"auc", "auc_closed", "brier", "base_rate_brier", "ece", "n_train", "n_test", "n_censored"} <= set(
        out
    )
    assert out["leakage"] == [] and isinstance(out["features"], list)
    b = out["baselines"]
    assert {"base_rate", "crm_stage", "age_logistic", "best", "selected"} <= set(b)
    assert out["base_rate_brier"] == b["base_rate"]["base_rate_brier"]
    assert out["selected"] == ("model" if out["brier"] < b[b["best"]]["brier"] else b["best"])


def test_deals_risk_top_n_and_persona(cli) -> None:
    out = cli("deals", "risk", "--top", "3", "--persona", "americas_lead")
    assert len(out["deals"]) == 3 and {d["region"] for d in out["deals"]} == {"Americas"}


def test_deals_show_one_deal(cli) -> None:
    deal_id = cli("deals", "risk", "--top", "1")["deals"][0]["opportunity_id"]
    out = cli("deals", "show", deal_id)
    assert out["opportunity_id"] == deal_id and out["drivers"]["negative"]


def test_forecast_rows_carry_p10_p50_p90_expected_and_quota(cli) -> None:
    out = cli("forecast", "--period", "2026-Q1", "--by", "region", "--as-of", "2025-12-31")
    assert len(out["rows"]) == 4
    for row in out["rows"]:
        assert row["p10"] <= row["p50"] <= row["p90"] and row["expected"] > 0 and row["quota"] > 0


def test_forecast_backtest_reports_coverage_and_periods(cli) -> None:
    out = cli("forecast", "backtest", "--periods", "2")
    assert {"coverage_p10_p90", "mape_p50", "rows"} <= set(out) and len(out["rows"]) == 2


def test_pipeline_changes_between_two_dates(cli) -> None:
    out = cli("pipeline", "changes", "--from", "2025-10-01", "--to", "2025-12-31", "--by", "region")
    assert out["total"]["reconciles"] and len(out["rows"]) == 4


def test_unknown_deal_is_a_clean_error(deals_rt, monkeypatch) -> None:
    from revintel.cli import main

    monkeypatch.setattr(state, "runtime", deals_rt)
    monkeypatch.setattr(deals_rt, "close", lambda: None)
    with pytest.raises(SystemExit) as exit_:
        main(["deals", "show", "NOPE"])
    assert exit_.value.code == 1
