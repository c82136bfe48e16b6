"""``revintel ask``, ``sql`` and ``eval`` in-process on the demo warehouse."""

from __future__ import annotations

import json

import pytest

from revintel.cli import main
from revintel.cli.app import state


@pytest.fixture
def cli(demo_rt, capsys):
    def run(*args: str) -> tuple[int, dict | str]:
        state.runtime = None
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        state.runtime = None
        out = capsys.readouterr()
        return code, (json.loads(out.out) if "--json" in args and code == 0 else out.err)

    return run


def test_ask_json_prints_one_answer_object(cli) -> None:
    code, out = cli("ask", "What is our overall win rate?", "--json")
    assert code == 0
    assert {
        "answer",
        "intent",
        "value",
        "table",
        "sql",
        "definitions",
        "scope",
        "confidence",
        "suggestions",
    } <= set(out)
    assert out["intent"] == "value" and 0 < out["value"] < 1 and out["scope"]["persona"] == "ceo"


def test_ask_follow_up_with_conversation(cli) -> None:
    _, first = cli("ask", "Won revenue in 2025", "--json")
    code, follow = cli("ask", "and in APAC?", "--conversation", first["conversation_id"], "--json")
    assert code == 0, follow
    assert follow["filters"] == {"region": ["APAC"]} and follow["value"] < first["value"]


def test_ask_as_regional_lead_for_another_region_is_refused(cli) -> None:
    _, out = cli("ask", "What were net fees in APAC?", "--persona", "emea_lead", "--json")
    assert out["intent"] == "unsupported" and out["value"] is None


def test_sql_json_is_scoped_and_hostile_sql_exits_1(cli) -> None:
    _, out = cli("sql", "SELECT DISTINCT region FROM services_monthly", "--persona", "emea_lead", "--json")
    assert out["rows"] == [["EMEA"]]
    code, err = cli("sql", "SELECT * FROM read_csv('/etc/passwd')")
    assert code == 1 and "read_csv" in err


def test_eval_json_prints_accuracy_by_intent(cli) -> None:
    code, out = cli("eval", "--intent", "share", "--json", "--min", "0.95")
    assert code == 0 and out["accuracy"] == 1.0 and set(out["by_intent"]) == {"share"}
