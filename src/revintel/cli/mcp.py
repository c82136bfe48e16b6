"""``revintel mcp``: the MCP server for AI agents over stdio, acting as the owner of an API token."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from revintel.cli.app import app, runtime
from revintel.errors import AuthRequired


@app.command("mcp")
def mcp_command(
    token: Annotated[
        str | None,
        typer.Option("--token", help="API token of the user the agent acts as (default: REVINTEL_TOKEN)."),
    ] = None,
    persona: Annotated[
        str | None, typer.Option("--persona", help="Demo mode only: act as this persona instead of a token.")
    ] = None,
) -> None:
    """Serve revintel's governed tools to an AI agent over MCP (stdio), under the token owner's scope."""
    from revintel.mcp import build_server, user_for_token

    rt = runtime()
    if persona:
        secret = f"demo:{persona}"
    else:
        secret = token or os.environ.get("REVINTEL_TOKEN", "")
    if not secret:
        raise AuthRequired(
            "revintel mcp needs an API token",
            hint="pass --token or set REVINTEL_TOKEN (revintel users token NAME)",
        )
    user = user_for_token(rt, secret)
    build_server(rt, fixed_user=user).run("stdio")
