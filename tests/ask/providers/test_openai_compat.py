"""The OpenAI-compatible provider against a local /v1/chat/completions server that makes tool calls."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from revintel.ask.answer import Answer
from revintel.ask.governed import SqlResult
from revintel.ask.providers.base import AskContext, get_provider
from revintel.config import Settings
from revintel.errors import ProviderError
from revintel.scope import Scope

from .servers import chat_completion, serve, tool_call

METRICS = [{"id": "won_revenue", "label": "Won revenue", "unit": "currency"}]


def _ctx(settings: Settings, calls: list[dict[str, Any]]) -> AskContext:
    def run_request(req: dict[str, Any]) -> Answer:
        calls.append(req)
        return Answer(
            question="q",
            answer="Won revenue was $1.20M.",
            intent="value",
            value=1_200_000.0,
            columns=["won_revenue"],
            rows=[[1_200_000.0]],
            sql=["SELECT 1"],
        )

    def run_sql(sql: str) -> SqlResult:
        calls.append({"sql": sql})
        return SqlResult(
            columns=["n"], rows=[[42]], sql="SELECT 42 AS n", scope={}, tables=["opportunities"], limit=100
        )

    return AskContext(
        question="How much did we win?",
        scope=Scope.build("ceo"),
        settings=settings,
        metrics=METRICS,
        dimensions=["region"],
        run_request=run_request,
        run_sql=run_sql,
    )


def _script(*responses: dict[str, Any]):
    queue = list(responses)

    def handler(method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        assert path == "/v1/chat/completions"
        return 200, queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


def _settings(settings: Settings, url: str, **kw: Any) -> Settings:
    return settings.model_copy(
        update={"llm_base_url": url + "/v1", "llm_model": "test-model", "llm_api_key": "sk-test", **kw}
    )


def test_llm_tool_call_is_executed_by_the_engine_and_numbers_come_from_it(settings: Settings) -> None:
    handler = _script(
        tool_call("ask_metric", {"intent": "value", "metric": "won_revenue", "period": "2024"}),
        chat_completion({"content": "We won $1.2M in 2024."}),
    )
    calls: list[dict[str, Any]] = []
    with serve(handler) as (url, log):
        s = _settings(settings, url)
        answer = get_provider("openai", s).answer(_ctx(s, calls))
    assert calls == [{"intent": "value", "metric": "won_revenue", "period": "2024"}]
    assert answer.value == 1_200_000.0 and answer.sql == ["SELECT 1"]
    assert answer.provider == "openai:test-model"
    assert answer.answer == "We won $1.2M in 2024."
    assert log[0]["headers"]["authorization"] == "Bearer sk-test"
    tools = {t["function"]["name"] for t in log[0]["body"]["tools"]}
    assert tools == {"ask_metric", "governed_sql"}
    tool_msg = log[1]["body"]["messages"][-1]
    assert tool_msg["role"] == "tool" and "1200000" in tool_msg["content"]


def test_rows_never_reach_the_llm_when_sending_rows_is_off(settings: Settings) -> None:
    handler = _script(
        tool_call("ask_metric", {"intent": "value", "metric": "won_revenue"}),
        chat_completion({"content": "Here is the figure."}),
    )
    with serve(handler) as (url, log):
        s = _settings(settings, url, llm_send_rows=False)
        answer = get_provider("openai", s).answer(_ctx(s, []))
    prompt_text = json.dumps([entry["body"] for entry in log])
    assert "1200000" not in prompt_text and "1.20M" not in prompt_text
    assert answer.answer == "Won revenue was $1.20M."  # the engine's sentence, not the LLM's


def test_sql_fallback_goes_through_the_guarded_runner(settings: Settings) -> None:
    handler = _script(
        tool_call("governed_sql", {"sql": "SELECT count(*) AS n FROM opportunities"}),
        chat_completion({"content": "There are 42."}),
    )
    calls: list[dict[str, Any]] = []
    with serve(handler) as (url, _):
        s = _settings(settings, url)
        answer = get_provider("openai", s).answer(_ctx(s, calls))
    assert calls == [{"sql": "SELECT count(*) AS n FROM opportunities"}]
    assert answer.value == 42 and answer.sql == ["SELECT 42 AS n"]


def test_an_llm_that_answers_without_a_tool_gives_no_grounded_answer(settings: Settings) -> None:
    handler = _script(chat_completion({"content": "Revenue was about $9 billion."}))
    with serve(handler) as (url, _):
        s = _settings(settings, url)
        with pytest.raises(ProviderError, match="did not call a governed tool"):
            get_provider("openai", s).answer(_ctx(s, []))


def test_malformed_tool_arguments_are_reported_back_not_executed(settings: Settings) -> None:
    bad = chat_completion(
        {
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "ask_metric", "arguments": "import os; {"},
                }
            ],
        }
    )
    handler = _script(
        bad,
        tool_call("ask_metric", {"intent": "value", "metric": "won_revenue"}, "c2"),
        chat_completion({"content": "Done."}),
    )
    calls: list[dict[str, Any]] = []
    with serve(handler) as (url, log):
        s = _settings(settings, url)
        answer = get_provider("openai", s).answer(_ctx(s, calls))
    assert "not valid JSON" in log[1]["body"]["messages"][-1]["content"]
    assert len(calls) == 1 and answer.value == 1_200_000.0


def test_slow_llm_times_out_within_its_time_box(settings: Settings) -> None:
    def slow(method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        time.sleep(3)
        return 200, chat_completion({"content": "late"})

    with serve(slow) as (url, _):
        s = _settings(settings, url, llm_timeout_seconds=0.5)
        started = time.monotonic()
        with pytest.raises(ProviderError, match="timed out"):
            get_provider("openai", s).answer(_ctx(s, []))
        assert time.monotonic() - started < 2.5


def test_a_failing_or_unreachable_llm_is_reported_in_words_without_internals(
    settings: Settings, closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        return 503, {"error": {"message": "upstream overloaded", "type": "server_error"}}

    with serve(broken) as (url, _):
        s = _settings(settings, url)
        for call in (lambda p: p.answer(_ctx(s, [])), lambda p: p.complete("system", "user")):
            with pytest.raises(ProviderError) as refused:
                call(get_provider("openai", s))
            assert refused.value.message == "the LLM service refused the request (HTTP 503)"
    s = _settings(settings, f"http://127.0.0.1:{closed_port}")
    with pytest.raises(ProviderError) as unreachable:
        get_provider("openai", s).complete("system", "user")
    assert unreachable.value.message == "the LLM service could not be reached"
    assert "Error" not in unreachable.value.message  # no client exception class reaches a person
    assert any(r.exc_info for r in caplog.records)  # the exception itself is logged, with its traceback


def test_unconfigured_llm_is_reported_as_such(settings: Settings) -> None:
    provider = get_provider("openai", settings)
    assert not provider.configured()
    with pytest.raises(ProviderError, match="not configured"):
        provider.answer(_ctx(settings, []))
