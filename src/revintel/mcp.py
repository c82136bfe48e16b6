"""An MCP server for AI agents: revintel's governed metrics, answers, deals and forecasts as tools.

Built on the official ``mcp`` SDK (``MCPServer``). Every tool runs as one revintel user — the owner
of the API token the agent was given — under that user's row scope and metric domains, through the
same services as the pages (so the numbers are the same), and writes one audit record. Two transports:

- stdio: ``revintel mcp --token rvi_...`` (or ``REVINTEL_TOKEN``); in demo mode ``--persona ID``.
- streamable HTTP at ``/mcp`` inside ``revintel serve``: ``Authorization: Bearer rvi_...`` on every
  request (demo mode: ``Bearer demo:<persona>``). Stateless, JSON responses.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from revintel import __version__
from revintel.appdb import users
from revintel.errors import AuthRequired, InvalidRequest, RevintelError
from revintel.runtime import Runtime
from revintel.scope import get_persona
from revintel.services.audited import audited
from revintel.services.identity import User

log = logging.getLogger("revintel.mcp")
INSTRUCTIONS = (
    "revintel is a revenue command center. Every number comes from a governed metric definition and "
    "is limited to the caller's row scope. Use list_metrics to see what exists, query_metric for exact "
    "figures (it returns the SQL that ran), ask for plain-English questions, and the deal and forecast "
    "tools for pipeline detail. Quote figures with their period and scope."
)
_caller: contextvars.ContextVar[User | None] = contextvars.ContextVar("revintel_mcp_user", default=None)


class ToolFailure(ToolError):
    """What an agent sees when a tool cannot answer: a sentence and a hint, never internals."""


def user_for_token(rt: Runtime, token: str) -> User:
    """The revintel user an MCP token stands for (demo mode also takes ``demo:<persona>``).

    Raises:
        AuthRequired: the token is missing, unknown, revoked or its account disabled.
    """
    token = (token or "").strip()
    if not token:
        raise AuthRequired("an API token is required", hint="create one with `revintel users token NAME`")
    if token.startswith("demo:"):
        if not rt.settings.demo_mode:
            raise AuthRequired("persona tokens work in demo mode only")
        p = get_persona(token[5:], str(rt.settings.personas_file) if rt.settings.personas_file else None)
        return User(id=p.id, name=p.name, role=p.scope.role, scope=p.scope, via="mcp")
    acc = users.token_user(rt.appdb, token)
    if acc is None:
        raise AuthRequired("invalid or revoked API token", hint="create one with `revintel users token NAME`")
    return User(id=acc.name, name=acc.display_name, role=acc.role, scope=acc.scope, via="mcp")


def build_server(rt: Runtime, fixed_user: User | None = None) -> MCPServer:
    """The MCP server over ``rt``; tools act as ``fixed_user`` (stdio) or the request's token (HTTP)."""
    server = MCPServer(name="revintel", version=__version__, instructions=INSTRUCTIONS)

    def caller() -> User:
        user = fixed_user or _caller.get()
        if user is None:
            raise ToolFailure("not signed in: send the API token as a Bearer header")
        return user

    def tool(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        name = fn.__name__

        def run(**kwargs: Any) -> dict[str, Any]:
            user = caller()
            try:
                out = fn(user, **kwargs)
            except RevintelError as exc:
                audited(
                    rt.appdb,
                    user,
                    "mcp",
                    f"mcp/{name}",
                    outcome="denied" if exc.status in (401, 403) else "error",
                    detail={"arguments": kwargs, "reason": exc.message},
                )
                raise ToolFailure(exc.message + (f" ({exc.hint})" if exc.hint else "")) from None
            except ToolFailure:
                raise
            except Exception:
                log.exception("MCP tool %s failed", name)
                raise ToolFailure(
                    f"{name} could not be computed because of an internal error; it was logged"
                ) from None
            audited(
                rt.appdb,
                user,
                "mcp",
                f"mcp/{name}",
                detail={"arguments": _plain(kwargs)},
            )
            return _plain(out)

        run.__name__, run.__doc__ = name, fn.__doc__
        run.__signature__ = _without_user(fn)  # type: ignore[attr-defined]
        server.add_tool(run, name=name, description=(fn.__doc__ or "").strip(), structured_output=False)
        return fn

    @tool
    def list_metrics(user: User) -> dict[str, Any]:
        """The governed metric catalogue this caller may query (ids, labels, units, definitions) and the
        dimensions to break them down by."""
        cat = rt.catalogue
        return {
            "metrics": [m.to_dict() for m in cat.metrics if m.domain in user.scope.domains],
            "dimensions": [d.to_dict() for d in cat.dimensions],
        }

    @tool
    def query_metric(
        user: User,
        metrics: list[str],
        dimensions: list[str] | None = None,
        filters: dict[str, list[str]] | None = None,
        period: str | None = None,
        compare: list[str] | None = None,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """Run a governed MetricQuery: metric ids, optional dimensions (region, capability, month...),
        filters {dimension: [values]}, a period (2025, 2025-Q4, YTD, last quarter...), comparisons
        (budget, py, pp), order_by (a result column, '-' for descending) and a limit. Returns columns,
        rows, the exact SQL, definitions, filters and the caller's scope."""
        from revintel.semantic import MetricQuery

        try:
            q = MetricQuery(
                metrics=metrics,
                dimensions=dimensions or [],
                filters=filters or {},
                period=period,
                compare=compare or [],
                order_by=order_by,
                limit=limit,
            )
        except ValueError as exc:
            raise InvalidRequest(
                f"invalid query: {exc.errors()[0]['msg'] if hasattr(exc, 'errors') else exc}"
            ) from None
        return rt.semantic.query(q, user.scope).to_dict()

    @tool
    def kpi_summary(user: User, period: str | None = None) -> dict[str, Any]:
        """Headline KPI cards for a period (default year to date): value, budget and prior year with
        variances, status and a 12-point trend, as on the dashboard."""
        engine = rt.kpis
        p = engine.resolve_period(period)
        return {
            "period": p.to_dict(),
            "scope": user.scope.to_dict(),
            "cards": [c.to_dict() for c in engine.summary(user.scope, p)],
        }

    @tool
    def ask(user: User, question: str, conversation_id: str | None = None) -> dict[str, Any]:
        """Ask a plain-English question; the answer carries the number, table, the SQL that ran, how the
        question was read, and a clarification or abstention when it cannot be answered exactly."""
        if not question.strip() or len(question) > 500:
            raise InvalidRequest("a question of 1 to 500 characters is required")
        return rt.ask.ask(question, user.scope, actor=user.id, conversation_id=conversation_id).to_dict()

    @tool
    def deals_at_risk(user: User, top: int = 20) -> dict[str, Any]:
        """Open deals ranked by value at risk, with win probability, expected loss, drivers and actions."""
        from revintel.services.deals import audited_risk_list

        return audited_risk_list(
            rt, user, user.scope, None, max(1, min(int(top), 200)), {}, "mcp/deals_at_risk"
        )

    @tool
    def deal(user: User, deal_id: str) -> dict[str, Any]:
        """One deal within the caller's scope: win probability with its drivers, risk, next actions and
        the likely close-date range."""
        from revintel.services.deals import audited_deal

        return audited_deal(rt, user, user.scope, deal_id, None, f"mcp/deal/{deal_id}")

    @tool
    def forecast(user: User, period: str | None = None, by: str | None = None) -> dict[str, Any]:
        """The revenue forecast for a period (default this quarter) as P10/P50/P90 with the expected value,
        quota gap and submitted calls, optionally by a dimension (region, team...)."""
        from revintel.services.forecast import audited_forecast

        return audited_forecast(rt, user, user.scope, period, by, None, "mcp/forecast")

    @tool
    def pipeline_changes(user: User, start: str, end: str, by: str | None = None) -> dict[str, Any]:
        """How open pipeline moved between two dates (YYYY-MM-DD): created, won, lost, slipped, pushed and
        changed amounts, with slippage alerts."""
        from revintel.services.forecast import audited_changes

        return audited_changes(
            rt, user, user.scope, _date("start", start), _date("end", end), by, "mcp/pipeline_changes"
        )

    @tool
    def search_calls(
        user: User, query: str, account: str | None = None, deal: str | None = None, limit: int = 10
    ) -> dict[str, Any]:
        """Search call and email transcripts in the caller's scope: ranked snippets with conversation id,
        time offset, speaker, account and deal."""
        from revintel.services.calls import audited_search

        return audited_search(
            rt,
            user,
            user.scope,
            query,
            account=account,
            deal=deal,
            limit=max(1, min(int(limit), 50)),
            target="mcp/search_calls",
        )

    @tool
    def attribution(
        user: User, credit: str = "revenue", period: str | None = None, by: str = "channel"
    ) -> dict[str, Any]:
        """Multi-touch attribution of closed-won revenue (or pipeline) to channels or campaigns under every
        model (first/last touch, linear, time decay, position-based, W-shaped, Markov, Shapley)."""
        from revintel.services.marketing import audited_attribution

        return audited_attribution(rt, user, user.scope, credit, period, by, "mcp/attribution")

    @tool
    def account_health(user: User, account_id: str) -> dict[str, Any]:
        """One customer account in the caller's scope: health score and trend, churn probability with its
        drivers, renewal, expansion ideas and next actions."""
        from revintel.services.customers import audited_customer

        return audited_customer(rt, user, user.scope, account_id, f"mcp/account_health/{account_id}")

    return server


def _date(name: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidRequest(f"{name} {text!r} is not a date", hint="use YYYY-MM-DD") from None


def _without_user(fn: Callable[..., Any]) -> Any:
    import inspect

    sig = inspect.signature(fn, eval_str=True)
    return sig.replace(parameters=[p for n, p in sig.parameters.items() if n != "user"])


def _plain(v: Any) -> Any:
    return json.loads(json.dumps(v, default=str))


class HttpTransport:
    """ASGI app for ``/mcp``: resolves the Bearer token to a user, then hands over to the SDK's
    streamable-HTTP app with that user in force for the tools."""

    def __init__(self, rt: Runtime):
        self.rt = rt
        self._build()

    def _build(self) -> None:
        self.server = build_server(self.rt)
        self.app = self.server.streamable_http_app(
            streamable_http_path="/mcp", stateless_http=True, json_response=True
        )

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the transport's session manager for one app lifespan (a fresh one each time: the SDK's
        manager runs once, and the same app may be served twice, e.g. by tests)."""
        self._build()
        async with self.server.session_manager.run():
            yield

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse

        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        scheme, _, token = headers.get("authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise AuthRequired("an API token is required", hint="send Authorization: Bearer rvi_...")
            user = await run_in_threadpool(user_for_token, self.rt, token)
        except AuthRequired as exc:
            await JSONResponse(exc.to_dict(), status_code=401, headers={"WWW-Authenticate": "Bearer"})(
                scope, receive, send
            )
            return
        reset = _caller.set(user)
        try:
            await self.app(scope, receive, send)
        finally:
            _caller.reset(reset)
