"""The engine's provider chain: local first, the LLM only when local abstains, clean fallbacks."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from revintel.runtime import Runtime
from revintel.scope import get_persona

from .providers.servers import chat_completion, serve, tool_call

VAGUE = "Tell me something interesting about how the business is doing"


def _llm(demo_rt: Runtime, url: str, **kw: Any) -> None:
    for k, v in {
        "llm_base_url": url + "/v1",
        "llm_model": "test-model",
        "llm_timeout_seconds": 30.0,  # a loaded CI host must not turn this into a fallback test
        **kw,
    }.items():
        setattr(demo_rt.settings, k, v)


def _script(*responses: dict[str, Any]):
    queue = list(responses)

    def handler(method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        return 200, queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


def test_llm_answers_only_when_the_local_engine_abstains(demo_rt: Runtime) -> None:
    handler = _script(
        tool_call("ask_metric", {"intent": "value", "metric": "fees", "period": "2025"}),
        chat_completion({"content": "Net fees were strong in 2025."}),
    )
    with serve(handler) as (url, log):
        _llm(demo_rt, url)
        scope = get_persona("ceo").scope
        local = demo_rt.ask.ask("What were net fees in 2025?", scope, actor="ceo", persist=False)
        assert local.provider == "local" and log == []
        llm = demo_rt.ask.ask(VAGUE, scope, actor="ceo", persist=False)
    assert llm.provider == "openai:test-model" and llm.intent == "value"
    assert llm.value == local.value and llm.sql == local.sql
    assert any("every number comes from the governed query" in n for n in llm.notes)


def test_llm_cannot_widen_a_regional_leads_scope(demo_rt: Runtime) -> None:
    handler = _script(
        tool_call("ask_metric", {"intent": "value", "metric": "fees", "filters": {"region": ["APAC"]}}),
        chat_completion({"content": "APAC fees were $X."}),
    )
    with serve(handler) as (url, _):
        _llm(demo_rt, url)
        a = demo_rt.ask.ask(VAGUE, get_persona("emea_lead").scope, actor="emea_lead", persist=False)
    assert a.value is None and a.intent in ("unsupported", "clarify") and a.provider == "local"
    assert any("openai provider was not used" in n for n in a.notes)


@pytest.mark.slow
def test_slow_llm_falls_back_to_the_local_engine_with_a_note(demo_rt: Runtime) -> None:
    def slow(method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        time.sleep(2)
        return 200, chat_completion({"content": "late"})

    with serve(slow) as (url, _):
        _llm(demo_rt, url, llm_timeout_seconds=0.3)
        a = demo_rt.ask.ask(VAGUE, get_persona("ceo").scope, actor="ceo", persist=False)
    assert a.provider == "local" and a.intent in ("unsupported", "clarify") and a.value is None
    assert any("openai provider was not used" in n for n in a.notes), a.notes


def test_genie_is_not_used_for_a_scoped_persona(demo_rt: Runtime) -> None:
    demo_rt.settings.databricks_host = "http://127.0.0.1:9"
    demo_rt.settings.databricks_token = "t"
    demo_rt.settings.genie_space_id = "s"
    a = demo_rt.ask.ask(
        "Net fees in 2025", get_persona("emea_lead").scope, actor="emea_lead", provider="genie", persist=False
    )
    assert a.provider == "local" and a.filters == {} and a.value is not None
    assert any("not row-scoped" in n for n in a.notes)


def test_explicit_llm_polishes_the_local_narrative_and_keeps_the_numbers(demo_rt: Runtime) -> None:
    handler = _script(chat_completion({"content": "Fees grew to $2.35B this year."}))
    with serve(handler) as (url, log):
        _llm(demo_rt, url)
        scope = get_persona("ceo").scope
        local = demo_rt.ask.ask("What were net fees in 2025?", scope, actor="ceo", persist=False)
        polished = demo_rt.ask.ask(
            "What were net fees in 2025?", scope, actor="ceo", provider="openai", persist=False
        )
        assert (
            polished.answer == "Fees grew to $2.35B this year." and polished.provider == "openai:test-model"
        )
        assert polished.value == local.value and polished.sql == local.sql
        assert "tools" not in log[0]["body"] and str(int(local.value)) in json.dumps(log[0]["body"])
        demo_rt.settings.llm_send_rows = False
        kept = demo_rt.ask.ask(
            "What were net fees in 2025?", scope, actor="ceo", provider="openai", persist=False
        )
    assert kept.answer == local.answer and len(log) == 1
    assert any("not sent to the LLM" in n for n in kept.notes)


def test_an_llm_slot_fill_goes_through_the_same_period_grammar_and_check(demo_rt: Runtime) -> None:
    scope = get_persona("ceo").scope
    exact = demo_rt.ask.request_from_tool("q", {"metric": "fees", "period": "H1 2025"})
    assert exact.period and exact.period.startswith("2025-01-01..2025-06-30")
    vague = demo_rt.ask.request_from_tool("q", {"metric": "fees", "period": "last summer"})
    answer = demo_rt.ask.run_request(vague, scope)
    assert answer.intent == "clarify" and answer.value is None and "summer" in answer.clarify["question"]
