"""The Genie provider against a local server speaking the Genie Conversation API."""

from __future__ import annotations

import time
from typing import Any

import pytest

from revintel.ask.providers.base import AskContext, get_provider
from revintel.config import Settings
from revintel.errors import Forbidden, ProviderError
from revintel.scope import Scope

from .servers import serve

SPACE = "space-1"
BASE = f"/api/2.0/genie/spaces/{SPACE}"
SQL = "SELECT region, SUM(amount) AS won FROM sales.opportunities WHERE status = 'won' GROUP BY region"


def genie_handler(polls_before_done: int = 1, status: str = "COMPLETED", delay: float = 0.0):
    state = {"polls": 0}

    def handler(method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        time.sleep(delay)
        if {k.lower(): v for k, v in headers.items()}.get("authorization") != "Bearer dapi-test":
            return 401, {"error_code": "UNAUTHENTICATED"}
        if method == "POST" and path == f"{BASE}/start-conversation":
            return 200, {
                "conversation_id": "c1",
                "message_id": "m1",
                "message": {"id": "m1", "conversation_id": "c1", "status": "SUBMITTED"},
            }
        if method == "GET" and path == f"{BASE}/conversations/c1/messages/m1":
            state["polls"] += 1
            if state["polls"] <= polls_before_done:
                return 200, {"id": "m1", "status": "EXECUTING_QUERY"}
            return 200, {
                "id": "m1",
                "status": status,
                "attachments": [
                    {"attachment_id": "a1", "query": {"query": SQL, "description": "Won revenue by region."}},
                    {"attachment_id": "a2", "text": {"content": "EMEA won the most revenue."}},
                ],
            }
        if method == "GET" and path == f"{BASE}/conversations/c1/messages/m1/attachments/a1/query-result":
            return 200, {
                "statement_response": {
                    "manifest": {"schema": {"columns": [{"name": "region"}, {"name": "won"}]}},
                    "result": {"data_array": [["EMEA", "1500.5"], ["APAC", "900"]]},
                }
            }
        return 404, {"error_code": "NOT_FOUND", "path": path}

    return handler


def _settings(settings: Settings, url: str, **kw: Any) -> Settings:
    return settings.model_copy(
        update={"databricks_host": url, "databricks_token": "dapi-test", "genie_space_id": SPACE, **kw}
    )


def _ctx(settings: Settings, scope: Scope | None = None) -> AskContext:
    return AskContext(question="Won revenue by region", scope=scope or Scope.build("ceo"), settings=settings)


def test_genie_answer_shows_its_sql_description_and_rows(settings: Settings) -> None:
    with serve(genie_handler(polls_before_done=2)) as (url, log):
        s = _settings(settings, url)
        answer = get_provider("genie", s).answer(_ctx(s))
    assert answer.provider == "genie"
    assert answer.sql == [SQL]
    assert any("Won revenue by region." in n for n in answer.notes)
    assert answer.answer == "EMEA won the most revenue."
    assert answer.columns == ["region", "won"] and answer.rows == [["EMEA", 1500.5], ["APAC", 900]]
    assert log[0]["body"] == {"content": "Won revenue by region"}
    assert sum(1 for e in log if e["path"].endswith("/messages/m1")) == 3


def test_failed_genie_message_raises_a_provider_error(settings: Settings) -> None:
    with serve(genie_handler(status="FAILED")) as (url, _):
        s = _settings(settings, url)
        with pytest.raises(ProviderError, match="FAILED"):
            get_provider("genie", s).answer(_ctx(s))


def test_slow_genie_is_time_boxed(settings: Settings) -> None:
    with serve(genie_handler(delay=2.0)) as (url, _):
        s = _settings(settings, url, genie_timeout_seconds=0.5)
        started = time.monotonic()
        with pytest.raises(ProviderError, match=r"timed out|did not finish"):
            get_provider("genie", s).answer(_ctx(s))
        assert time.monotonic() - started < 2.0


def test_bad_token_is_a_provider_error(settings: Settings) -> None:
    with serve(genie_handler()) as (url, _):
        s = _settings(settings, url).model_copy(update={"databricks_token": "wrong"})
        with pytest.raises(ProviderError, match="HTTP 401"):
            get_provider("genie", s).answer(_ctx(s))


def test_genie_is_refused_to_a_scoped_persona(settings: Settings) -> None:
    with serve(genie_handler()) as (url, log):
        s = _settings(settings, url)
        with pytest.raises(Forbidden):
            get_provider("genie", s).answer(_ctx(s, Scope.build("regional_lead", {"region": "EMEA"})))
    assert log == []
