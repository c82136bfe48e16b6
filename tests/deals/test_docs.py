"""docs/deals-and-forecast.md documents every command, playbook rule and risk weight."""

from __future__ import annotations

from pathlib import Path

import pytest

from revintel.cli.deals import deals_app, forecast_app, pipeline_app
from revintel.deals.playbook import rules
from revintel.deals.risk import WEIGHTS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "deals-and-forecast.md").read_text()


@pytest.mark.parametrize(
    ("group", "app"), [("deals", deals_app), ("forecast", forecast_app), ("pipeline", pipeline_app)]
)
def test_every_command_is_documented(group, app) -> None:
    for cmd in app.registered_commands:
        name = cmd.name or cmd.callback.__name__
        assert f"revintel {group} {name}" in DOC, name
    assert f"revintel {group}" in DOC


def test_every_playbook_rule_is_documented() -> None:
    for rule in rules():
        assert f"| {rule['id']} |" in DOC, rule["id"]


def test_the_documented_risk_formula_uses_the_code_s_weights() -> None:
    formula = " + ".join(f"{w:.2f} x" for w in WEIGHTS.values())
    parts = [f"{w:.2f} x" for w in WEIGHTS.values()]
    assert all(p in DOC for p in parts), formula
