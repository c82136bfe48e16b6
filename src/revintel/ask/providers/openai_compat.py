"""An OpenAI-compatible LLM (OpenAI, Azure, Ollama, vLLM, llama.cpp server, Databricks serving).

The model never writes numbers of its own and never has code executed: it may only call two
tools, whose arguments are parsed as JSON data and validated,

* ``ask_metric`` — a structured request (intent, metric, dimension, filters, period, compare,
  limit) that the local engine executes through the semantic layer, in the caller's scope;
* ``governed_sql`` — one SELECT over the governed views, run through the SQL guard.

The answer's value, table, chart and SQL always come from that governed execution. The model's
final text is used as the narrative only when ``llm_send_rows`` is on (it saw the rows); with it
off, rows never enter a prompt and the engine's own sentence is kept.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from revintel.ask.answer import INTENTS, Answer, plain
from revintel.ask.providers.base import AskContext, Provider, register
from revintel.config import reveal
from revintel.errors import ProviderError, RevintelError

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You answer business questions about revenue data for an executive. You must not state numbers "
    "from memory. Call `ask_metric` with the metric, intent, dimension, filters and period that answer "
    "the question (only metrics and dimensions listed in the tool schema exist), or, if no metric fits, "
    "`governed_sql` with one SELECT over the governed views. After the tool result, reply with two or "
    "three plain sentences for an executive. If the question cannot be answered from the data, say so."
)
POLISH_PROMPT = (
    "Rewrite the engine's answer for an executive in two or three plain sentences. Use only the numbers in "
    "engine_answer and rows; do not add numbers, causes or advice that are not there."
)
MAX_ROUNDS = 3
ROWS_IN_PROMPT = 50


def tool_schema(ctx: AskContext) -> list[dict[str, Any]]:
    """The two tools, with the catalogue's metric ids and dimensions as enums."""
    metric_ids = [m["id"] for m in ctx.metrics] or ["none"]
    metric_doc = "; ".join(f"{m['id']}: {m.get('label', '')}" for m in ctx.metrics)[:3000]
    intents = [i for i in INTENTS if i != "unsupported"]
    return [
        {
            "type": "function",
            "function": {
                "name": "ask_metric",
                "description": "Answer with a governed metric. Metrics: " + metric_doc,
                "parameters": {
                    "type": "object",
                    "properties": {
                        "intent": {"type": "string", "enum": intents},
                        "metric": {"type": "string", "enum": metric_ids},
                        "dimension": {"type": "string", "enum": ctx.dimensions or ["none"]},
                        "filters": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                        "period": {
                            "type": "string",
                            "description": "e.g. 'last quarter', 'YTD', 'Q2 2017', '2024'",
                        },
                        "compare": {"type": "string", "enum": ["prior_period", "prior_year", "budget"]},
                        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
                        "order": {"type": "string", "enum": ["desc", "asc"]},
                    },
                    "required": ["intent", "metric"],
                },
            },
        },
        {
            "type": "function",
            "function": {
                "name": "governed_sql",
                "description": "Run one read-only SELECT over the governed views (checked, scoped, limited).",
                "parameters": {
                    "type": "object",
                    "properties": {"sql": {"type": "string"}},
                    "required": ["sql"],
                },
            },
        },
    ]


@register
class OpenAICompatProvider(Provider):
    """Function-calling LLM behind any OpenAI-compatible ``/v1/chat/completions``."""

    name = "openai"
    label = "OpenAI-compatible LLM"

    def configured(self) -> bool:
        return bool(self.settings.llm_base_url and self.settings.llm_model)

    def _client(self) -> Any:
        from openai import OpenAI

        return OpenAI(
            base_url=self.settings.llm_base_url,
            api_key=reveal(self.settings.llm_api_key) or "not-needed",
            timeout=self.settings.llm_timeout_seconds,
            max_retries=0,
        )

    def answer(self, ctx: AskContext) -> Answer:
        if not self.configured():
            raise ProviderError(
                "the LLM provider is not configured", hint="set REVINTEL_LLM_BASE_URL and REVINTEL_LLM_MODEL"
            )
        if ctx.local is not None and ctx.local.supported:
            return self.polish(ctx.local)
        deadline = time.monotonic() + self.settings.llm_timeout_seconds
        messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT}]
        messages += [{"role": "user", "content": q} for q in ctx.history[-4:]]
        messages.append({"role": "user", "content": ctx.question})
        tools = tool_schema(ctx)
        grounded: Answer | None = None
        final_text: str | None = None
        client = self._client()
        for _ in range(MAX_ROUNDS):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProviderError("the LLM did not answer within its time box")
            resp = self._create(client, messages=messages, tools=tools, tool_choice="auto", timeout=remaining)
            if not resp.choices:
                raise ProviderError("the LLM returned no choices")
            msg = resp.choices[0].message
            calls = list(msg.tool_calls or [])
            if not calls:
                final_text = (msg.content or "").strip() or None
                break
            messages.append(
                {
                    "role": "assistant",
                    "content": msg.content or "",
                    "tool_calls": [
                        {
                            "id": c.id,
                            "type": "function",
                            "function": {"name": c.function.name, "arguments": c.function.arguments},
                        }
                        for c in calls
                    ],
                }
            )
            for call in calls:
                result, content = self._run_tool(ctx, call.function.name, call.function.arguments)
                grounded = result or grounded
                messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
        if grounded is None:
            raise ProviderError(
                "the LLM did not call a governed tool, so there is no grounded answer",
                details={"llm_text": final_text},
            )
        return self._finish(grounded, final_text)

    def complete(self, system: str, user: str) -> str:
        """One plain chat completion (no tools), time-boxed; the caller checks what comes back.

        Raises:
            ProviderError: not configured, timed out, failed, or an empty reply.
        """
        if not self.configured():
            raise ProviderError(
                "no OpenAI-compatible LLM is configured",
                hint="set REVINTEL_LLM_BASE_URL and REVINTEL_LLM_MODEL",
            )
        return self._chat(system, user, "the LLM returned no text")

    def _chat(self, system: str, user: str, empty: str) -> str:
        """One tool-less completion's text; timeouts, failures and an empty reply (``empty``) raise."""
        resp = self._create(
            self._client(),
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        )
        text = (resp.choices[0].message.content or "").strip() if resp.choices else ""
        if not text:
            raise ProviderError(empty)
        return text

    def _create(self, client: Any, **kwargs: Any) -> Any:
        """One chat completion (temperature 0). Its failures become a ProviderError worded for people
        (what happened, never the client's exception); the exception itself goes to the log."""
        import openai

        try:
            return client.chat.completions.create(model=self.settings.llm_model, temperature=0, **kwargs)
        except openai.APITimeoutError as exc:
            raise ProviderError(f"the LLM timed out after {self.settings.llm_timeout_seconds:g} s") from exc
        except openai.APIStatusError as exc:
            log.warning("LLM request refused", exc_info=True)
            raise ProviderError(f"the LLM service refused the request (HTTP {exc.status_code})") from exc
        except openai.APIConnectionError as exc:
            log.warning("LLM service unreachable", exc_info=True)
            raise ProviderError("the LLM service could not be reached") from exc
        except openai.OpenAIError as exc:
            log.warning("LLM call failed", exc_info=True)
            raise ProviderError("the LLM call failed") from exc

    def polish(self, local: Answer) -> Answer:
        """Narrative polish of an answer the local engine already computed (no tools, numbers kept).

        The model sees the engine's sentence (and the rows only when ``llm_send_rows`` is on) and
        returns prose; the value, table, chart and SQL stay the engine's. Without rows in the prompt,
        the engine's sentence is kept as is (the model could only restate it).
        """
        if not self.settings.llm_send_rows:
            local.notes.append("Narrative polish skipped: result rows are not sent to the LLM by policy.")
            return local
        content = json.dumps(
            {
                "question": local.question,
                "engine_answer": local.answer,
                "columns": local.columns,
                "rows": plain(local.rows[:ROWS_IN_PROMPT]),
            },
            default=str,
        )
        text = self._chat(POLISH_PROMPT, content, "the LLM returned no narrative")
        local.notes.append(
            f"Narrative polished by the LLM ({self.settings.llm_model}); every number comes from "
            "the governed query shown. Engine sentence: " + local.answer
        )
        local.answer = text
        local.provider = f"openai:{self.settings.llm_model}"
        return local

    def _finish(self, grounded: Answer, final_text: str | None) -> Answer:
        model = self.settings.llm_model
        grounded.provider = f"openai:{model}"
        if final_text and self.settings.llm_send_rows:
            grounded.notes.append(
                f"Narrative written by the LLM ({model}); every number comes from the governed query shown."
            )
            grounded.notes.append("Engine sentence: " + grounded.answer)
            grounded.answer = final_text
        else:
            grounded.notes.append(
                f"Question interpreted by the LLM ({model}); answer computed by the governed engine."
            )
        return grounded

    def _run_tool(self, ctx: AskContext, name: str, arguments: str) -> tuple[Answer | None, str]:
        try:
            args = json.loads(arguments or "{}")
            if not isinstance(args, dict):
                raise ValueError("arguments must be a JSON object")
        except ValueError as exc:
            return None, json.dumps({"error": f"arguments are not valid JSON: {exc}"})
        try:
            if name == "ask_metric" and ctx.run_request:
                answer = ctx.run_request(args)
            elif name == "governed_sql" and ctx.run_sql:
                answer = sql_answer(ctx, str(args.get("sql", "")))
            else:
                return None, json.dumps({"error": f"unknown tool {name!r}"})
        except RevintelError as exc:
            return None, json.dumps({"error": exc.message, "hint": exc.hint})
        if not answer.supported:
            return None, json.dumps({"error": answer.answer, "suggestions": answer.suggestions})
        return answer, json.dumps(self._tool_content(answer))

    def _tool_content(self, answer: Answer) -> dict[str, Any]:
        out: dict[str, Any] = {
            "intent": answer.intent,
            "columns": answer.columns,
            "row_count": len(answer.rows),
        }
        if self.settings.llm_send_rows:
            out["summary"] = answer.answer
            out["value"] = plain(answer.value)
            out["rows"] = plain(answer.rows[:ROWS_IN_PROMPT])
        else:
            out["note"] = "result rows are withheld by policy; describe the analysis without numbers"
        return out


def sql_answer(ctx: AskContext, sql: str) -> Answer:
    """Run SQL through the guard and wrap the result as an answer (a table, or a single value)."""
    assert ctx.run_sql is not None
    res = ctx.run_sql(sql)
    single = len(res.rows) == 1 and len(res.columns) == 1
    value = res.rows[0][0] if single and isinstance(res.rows[0][0], int | float) else None
    return Answer(
        question=ctx.question,
        answer=f"{len(res.rows)} row(s) from governed SQL over {', '.join(res.tables)}.",
        intent="value" if single else "breakdown",
        value=value,
        columns=res.columns,
        rows=res.rows,
        chart={"type": "table"},
        scope=res.scope,
        sql=[res.sql],
        sources=[{"table": t} for t in res.tables],
        confidence=0.5,
    )
