"""Accounts and personas: ``revintel users add|list|disable|enable|token`` and ``revintel personas``."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from revintel.appdb import audit, users
from revintel.cli.app import JsonOpt, app, console, emit, runtime
from revintel.errors import InvalidRequest
from revintel.scope import ROLES, personas

users_app = typer.Typer(
    help="Local accounts for secure mode (REVINTEL_AUTH=secure): add, list, disable, token.",
    no_args_is_help=True,
)
ScopeOpt = Annotated[list[str] | None, typer.Option("--scope", help="Row scope DIM=VALUE (repeatable).")]
StdinOpt = Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")]
app.add_typer(users_app, name="users")


def parse_scope(items: list[str] | None) -> dict[str, list[str]]:
    """``["region=EMEA", "region=UK", "team=EMEA Enterprise"]`` -> ``{"region": ["EMEA", "UK"], ...}``."""
    out: dict[str, list[str]] = {}
    for item in items or []:
        dim, sep, value = item.partition("=")
        if not sep or not dim.strip() or not value.strip():
            raise InvalidRequest(
                f"bad --scope {item!r}", hint="write DIMENSION=VALUE, e.g. --scope region=EMEA"
            )
        out.setdefault(dim.strip(), []).append(value.strip())
    return out


def _audit(action: str, target: str, detail: dict[str, Any] | None = None) -> None:
    audit.audited(runtime().appdb, "cli", action, target=target, detail=detail)


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (sign-in name).")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    scope: ScopeOpt = None,
    display_name: Annotated[str | None, typer.Option("--display-name", help="Name shown in the app.")] = None,
    password_stdin: StdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Create an account. Without --password-stdin the account can only use API tokens."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    if password_stdin and not password:
        raise InvalidRequest("no password on stdin", hint="echo 'a-long-password' | revintel users add ...")
    acc = users.add_user(runtime().appdb, name, role, password, parse_scope(scope), display_name)
    _audit("admin.user_add", name, {"role": role, "scope": acc.scope.to_dict()["rows"]})
    emit(
        acc.to_dict(),
        as_json,
        lambda a: console.print(f"[green]added[/] {a['name']} ({a['role']}; {a['scope']['description']})"),
    )


@users_app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """List accounts with role, scope and state."""
    accounts = [a.to_dict() for a in users.list_users(runtime().appdb)]
    emit({"users": accounts}, as_json, _render_users)


def _render_users(obj: dict[str, Any]) -> None:
    t = Table("name", "display name", "role", "scope", "state", "last sign-in")
    for u in obj["users"]:
        state = "disabled" if u["disabled"] else ("locked" if u["locked_until"] else "active")
        t.add_row(
            u["name"],
            u["display_name"],
            u["role"],
            u["scope"]["description"],
            state,
            (u["last_login"] or "")[:19],
        )
    console.print(t if obj["users"] else "no users yet: revintel users add NAME --role ROLE --password-stdin")


@users_app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="User name.")], as_json: JsonOpt = False) -> None:
    """Disable an account: its sessions end and its API tokens are revoked."""
    acc = users.set_disabled(runtime().appdb, name, True)
    _audit("admin.user_disable", name)
    emit(acc.to_dict(), as_json, lambda a: console.print(f"[yellow]disabled[/] {a['name']}"))


@users_app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="User name.")], as_json: JsonOpt = False) -> None:
    """Re-enable a disabled or locked account."""
    acc = users.set_disabled(runtime().appdb, name, False)
    _audit("admin.user_enable", name)
    emit(acc.to_dict(), as_json, lambda a: console.print(f"[green]enabled[/] {a['name']}"))


@users_app.command("token")
def token(name: Annotated[str, typer.Argument(help="User name.")], as_json: JsonOpt = False) -> None:
    """Issue a new API token (printed once; send it as ``Authorization: Bearer TOKEN``)."""
    tok = users.create_token(runtime().appdb, name)
    _audit("admin.token_issue", name, {"prefix": tok[:10]})
    emit(
        {"user": name, "token": tok},
        as_json,
        lambda o: console.print(
            f"{o['token']}\n[dim]shown once; store it now. Use: Authorization: Bearer <token>[/]",
            soft_wrap=True,
        ),
    )


@app.command("personas")
def personas_cmd(as_json: JsonOpt = False) -> None:
    """List the demo personas (id, name, role, scope)."""
    s = runtime().settings
    found = [p.to_dict() for p in personas(str(s.personas_file) if s.personas_file else None)]
    emit({"personas": found}, as_json, _render_personas)


def _render_personas(obj: dict[str, Any]) -> None:
    t = Table("id", "name", "role", "title", "scope")
    for p in obj["personas"]:
        t.add_row(p["id"], p["name"], p["role"], p["title"], p["scope"]["description"])
    console.print(t)
