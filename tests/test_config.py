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
    Settings(home=home, auth="secure", secret_key="x" * 32).check_safe()


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
