"""Databricks Genie through its Conversation API.

``start-conversation`` -> poll the message until it completes -> fetch the query result of its
query attachment. Genie's SQL and description are shown with the answer. Genie runs under the
Databricks token's permissions, not revintel's row scope, so it is offered only to callers whose
scope is unrestricted; a scoped caller gets the local engine (with a note saying why).
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from revintel.ask.answer import Answer
from revintel.ask.providers.base import AskContext, Provider, register
from revintel.config import reveal
from revintel.errors import Forbidden, ProviderError

DONE = {"COMPLETED"}
FAILED = {"FAILED", "CANCELLED", "QUERY_RESULT_EXPIRED"}
POLL_SECONDS = 0.25


@register
class GenieProvider(Provider):
    """Databricks AI/BI Genie space."""

    name = "genie"
    label = "Databricks Genie"

    def configured(self) -> bool:
        s = self.settings
        return bool(s.databricks_host and s.databricks_token and s.genie_space_id)

    def _base(self) -> str:
        host = str(self.settings.databricks_host).rstrip("/")
        if not host.startswith("http"):
            host = "https://" + host
        return f"{host}/api/2.0/genie/spaces/{self.settings.genie_space_id}"

    def answer(self, ctx: AskContext) -> Answer:
        if not self.configured():
            raise ProviderError(
                "Genie is not configured", hint="set DATABRICKS_HOST, DATABRICKS_TOKEN and GENIE_SPACE_ID"
            )
        if not ctx.scope.unrestricted:
            raise Forbidden(
                "Genie answers are not row-scoped, so they are only offered to unrestricted roles",
                details={"scope": ctx.scope.describe()},
            )
        timeout = self.settings.genie_timeout_seconds
        deadline = time.monotonic() + timeout
        headers = {"Authorization": f"Bearer {reveal(self.settings.databricks_token)}"}
        try:
            with httpx.Client(base_url=self._base(), headers=headers, timeout=timeout) as http:
                started = self._json(http.post("/start-conversation", json={"content": ctx.question}))
                conv = started.get("conversation_id") or started.get("conversation", {}).get("id")
                msg_id = started.get("message_id") or started.get("message", {}).get("id")
                if not conv or not msg_id:
                    raise ProviderError("Genie did not return a conversation and message id")
                message = self._poll(http, conv, msg_id, deadline)
                return self._to_answer(ctx, http, conv, msg_id, message)
        except httpx.TimeoutException as exc:
            raise ProviderError(f"Genie timed out after {timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise ProviderError(f"Genie call failed: {type(exc).__name__}: {exc}") from exc

    @staticmethod
    def _json(resp: httpx.Response) -> dict[str, Any]:
        if resp.status_code >= 400:
            raise ProviderError(f"Genie returned HTTP {resp.status_code}", details={"body": resp.text[:500]})
        return resp.json()

    def _poll(self, http: httpx.Client, conv: str, msg_id: str, deadline: float) -> dict[str, Any]:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProviderError(f"Genie did not finish within {self.settings.genie_timeout_seconds:g} s")
            message = self._json(http.get(f"/conversations/{conv}/messages/{msg_id}", timeout=remaining))
            status = str(message.get("status", "")).upper()
            if status in DONE:
                return message
            if status in FAILED:
                err = (
                    (message.get("error") or {}).get("error")
                    if isinstance(message.get("error"), dict)
                    else None
                )
                raise ProviderError(f"Genie could not answer ({status})", details={"error": err})
            time.sleep(min(POLL_SECONDS, max(remaining, 0)))

    def _to_answer(
        self, ctx: AskContext, http: httpx.Client, conv: str, msg_id: str, message: dict[str, Any]
    ) -> Answer:
        texts: list[str] = []
        sql, description = None, None
        columns: list[str] = []
        rows: list[list[Any]] = []
        for att in message.get("attachments") or []:
            if att.get("text"):
                texts.append(str(att["text"].get("content", "")))
            query = att.get("query")
            if query and sql is None:
                sql, description = query.get("query"), query.get("description")
                att_id = att.get("attachment_id") or att.get("id")
                path = (
                    f"/conversations/{conv}/messages/{msg_id}/attachments/{att_id}/query-result"
                    if att_id
                    else f"/conversations/{conv}/messages/{msg_id}/query-result"
                )
                columns, rows = self._result(self._json(http.get(path)))
        value = rows[0][0] if len(rows) == 1 and len(columns) == 1 else None
        try:
            value = float(value) if value is not None else None
        except (TypeError, ValueError):
            value = None
        text = " ".join(t for t in texts if t) or description or f"Genie returned {len(rows)} row(s)."
        return Answer(
            question=ctx.question,
            answer=text,
            intent="value" if value is not None else "breakdown",
            value=value,
            columns=columns,
            rows=rows,
            chart={"type": "table"},
            scope=ctx.scope.to_dict(),
            sql=[sql] if sql else [],
            sources=[{"table": "Databricks Genie space " + str(self.settings.genie_space_id)}],
            confidence=0.6,
            provider="genie",
            notes=[f"Answered by Databricks Genie (space {self.settings.genie_space_id})."]
            + ([f"Genie's description of its query: {description}"] if description else []),
            understood={"genie_conversation_id": conv, "genie_message_id": msg_id},
        )

    @staticmethod
    def _result(payload: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
        stmt = payload.get("statement_response") or payload
        schema = (stmt.get("manifest") or {}).get("schema") or {}
        columns = [c.get("name") for c in schema.get("columns") or []]
        rows = (stmt.get("result") or {}).get("data_array") or []
        out = []
        for r in rows:
            out.append([_num(v) for v in r])
        return columns, out


def _num(v: Any) -> Any:
    if isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            return v
        return int(f) if f.is_integer() and "." not in v else f
    return v
