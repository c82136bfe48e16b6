"""The MCP server: the SDK's own client over stdio and over streamable HTTP, with the token owner's
scope enforced, the same numbers as the API, and every call audited."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys

import anyio
import httpx
import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from revintel.appdb import audit, users
from revintel.config import Settings
from revintel.runtime import Runtime

pytestmark = pytest.mark.slow
TOOLS = {
    "list_metrics",
    "query_metric",
    "kpi_summary",
    "ask",
    "deals_at_risk",
    "deal",
    "forecast",
    "pipeline_changes",
    "search_calls",
    "attribution",
    "account_health",
}
WON_BY_REGION = {"metrics": ["won_revenue"], "dimensions": ["region"], "period": "2025"}


@pytest.fixture(scope="module")
def secure(tmp_path_factory, demo_warehouse_file):
    home = tmp_path_factory.mktemp("mcp-home")
    shutil.copyfile(demo_warehouse_file, home / "warehouse.duckdb")
    settings = Settings(home=home, auth="secure", secret_key=secrets.token_urlsafe(32))
    rt = Runtime(settings)
    users.add_user(rt.appdb, "elena", "regional_lead", "a-long-password", {"region": ["EMEA"]})
    users.add_user(rt.appdb, "carla", "cfo", "a-long-password")
    tokens = {"elena": users.create_token(rt.appdb, "elena"), "carla": users.create_token(rt.appdb, "carla")}
    yield settings, rt, tokens
    rt.close()


def _payload(result) -> dict:
    assert not result.is_error, result.content
    return json.loads(result.content[0].text)


async def _calls(client: Client) -> dict[str, object]:
    tools = {t.name for t in (await client.list_tools()).tools}
    won = _payload(await client.call_tool("query_metric", WON_BY_REGION))
    risk = _payload(await client.call_tool("deals_at_risk", {"top": 10}))
    return {"tools": tools, "won": won, "risk": risk}


def test_http_tools_run_as_the_token_owner_with_the_apis_numbers(secure):
    from browser.live import LiveServer

    settings, rt, tokens = secure
    with LiveServer(settings) as srv:

        async def go(token: str) -> dict[str, object]:
            http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
            async with Client(streamable_http_client(f"{srv.url}/mcp", http_client=http)) as client:
                return await _calls(client)

        elena = anyio.run(go, tokens["elena"])
        carla = anyio.run(go, tokens["carla"])
        api = httpx.post(
            f"{srv.url}/api/query", json=WON_BY_REGION, headers={"Authorization": f"Bearer {tokens['elena']}"}
        ).json()
        refused = httpx.post(f"{srv.url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        forged = httpx.post(
            f"{srv.url}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Authorization": "Bearer rvi_not-a-real-token"},
        )
    assert TOOLS <= elena["tools"]
    assert [r[0] for r in elena["won"]["rows"]] == ["EMEA"]
    assert elena["won"]["rows"] == api["rows"]  # the same figure as the API, from the same compiler
    assert len(carla["won"]["rows"]) > 1
    assert elena["risk"]["deals"] and all(d.get("region") in (None, "EMEA") for d in elena["risk"]["deals"])
    assert refused.status_code == 401 and forged.status_code == 401
    actions = [(e["actor"], e["target"]) for e in audit.events(rt.appdb, action="mcp", limit=50)]
    assert ("elena", "mcp/query_metric") in actions and ("carla", "mcp/deals_at_risk") in actions


def test_a_regional_lead_cannot_widen_scope_through_filters(secure):
    from revintel.mcp import build_server, user_for_token

    _settings, rt, tokens = secure
    server = build_server(rt, fixed_user=user_for_token(rt, tokens["elena"]))

    async def go() -> object:
        async with Client(server) as client:
            return await client.call_tool("query_metric", {**WON_BY_REGION, "filters": {"region": ["APAC"]}})

    result = anyio.run(go)
    text = result.content[0].text
    assert result.is_error or json.loads(text)["rows"] in ([], [["APAC", None]])
    assert "APAC" not in text or result.is_error


def test_stdio_server_lists_and_calls_tools_under_the_tokens_scope(tmp_path, demo_warehouse_file):
    home = tmp_path / "stdio-home"
    home.mkdir()
    shutil.copyfile(demo_warehouse_file, home / "warehouse.duckdb")
    settings = Settings(home=home, auth="secure", secret_key=secrets.token_urlsafe(32))
    rt = Runtime(settings)
    users.add_user(rt.appdb, "elena", "regional_lead", "a-long-password", {"region": ["EMEA"]})
    token = users.create_token(rt.appdb, "elena")
    rt.close()  # the agent's process opens the warehouse itself
    env = {
        **os.environ,
        "REVINTEL_HOME": str(home),
        "REVINTEL_AUTH": "secure",
        "REVINTEL_SECRET_KEY": settings.signing_key,
        "REVINTEL_TOKEN": token,
    }
    params = StdioServerParameters(command=sys.executable, args=["-m", "revintel.cli", "mcp"], env=env)

    async def go() -> dict[str, object]:
        async with Client(params) as client:
            out = await _calls(client)
            missing = await client.call_tool("deal", {"deal_id": "NO-SUCH-DEAL"})
            out["missing"] = (missing.is_error, missing.content[0].text)
            return out

    out = anyio.run(go)
    assert TOOLS <= out["tools"]
    assert [r[0] for r in out["won"]["rows"]] == ["EMEA"]
    is_error, text = out["missing"]
    assert is_error and "NO-SUCH-DEAL" in text and "Traceback" not in text
    rt = Runtime(settings)
    assert [e["target"] for e in audit.events(rt.appdb, action="mcp", limit=10)][:1] == ["mcp/deal"]
    rt.close()
