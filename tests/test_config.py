"""Settings: documented, masked when shown, unsafe defaults refused outside demo mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from revintel.cli import main
from revintel.config import Settings, reference_markdown
from revintel.errors import ConfigError

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_configuration_doc_is_current():
    assert DOC.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/configuration.md is out of date: regenerate with "
        "python -c 'from revintel.config import reference_markdown; print(reference_markdown(), end=\"\")'"
    )


def test_every_setting_has_help_text():
    for name, info in Settings.model_fields.items():
        assert info.description, f"setting {name} has no description"


def test_secure_mode_refuses_the_demo_secret(home):
    with pytest.raises(ConfigError, match="secret"):
        Settings(home=home, auth="secure").check_safe()
    Settings(home=home, auth="secure", secret_key="x7Qp-2vL9-mK4r-8sT1-wZ3n").check_safe()


def test_host_and_port_come_from_plain_env_vars(home, monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9001")
    s = Settings()
    assert (s.host, s.port) == ("0.0.0.0", 9001)


def test_config_command_masks_secrets(home, monkeypatch, capsys):
    monkeypatch.setenv("REVINTEL_LLM_API_KEY", "sk-very-secret")
    main(["config", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["llm_api_key"] == "***"
    assert "sk-very-secret" not in json.dumps(out)
    assert out["warehouse_url"].startswith("duckdb:///")


def test_config_command_prints_no_secret_in_urls_or_webhooks(home, monkeypatch, capsys):
    monkeypatch.setenv(
        "REVINTEL_APP_DB", "postgresql+psycopg://revintel:hunter2-db-pass@db.internal:5432/revintel"
    )
    monkeypatch.setenv(
        "REVINTEL_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"
    )
    monkeypatch.setenv(
        "REVINTEL_TEAMS_WEBHOOK_URL", "https://example.webhook.office.com/webhookb2/abc/IncomingWebhook/def"
    )
    monkeypatch.setenv("REVINTEL_LLM_BASE_URL", "https://llm.internal/v1?api_key=sk-in-the-query")
    from revintel.cli.app import state

    state.runtime = None  # built from this test's environment
    main(["config", "--json"])
    text = capsys.readouterr().out
    for secret in ("hunter2-db-pass", "XXXXsecretXXXX", "IncomingWebhook/def", "sk-in-the-query"):
        assert secret not in text
    out = json.loads(text)
    assert out["app_db_url"] == "postgresql+psycopg://revintel:***@db.internal:5432/revintel"
    assert out["slack_webhook_url"] == "***"
