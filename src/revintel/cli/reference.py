"""docs/cli.md: every command, its arguments and options, generated from the Typer app itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer


def commands() -> Iterator[tuple[str, Any]]:
    """(full name, click command) for every command and sub-command, in name order."""
    from revintel.cli import app

    def walk(cmd: Any, prefix: str) -> Iterator[tuple[str, Any]]:
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            full = f"{prefix} {name}".strip()
            yield full, sub
            yield from walk(sub, full)

    yield from walk(typer.main.get_command(app), "")


def _param_line(p: Any) -> str:
    if p.param_type_name == "argument":
        kind = "argument" if p.required else "argument, optional"
        return f"- `{(p.metavar or p.name).upper()}` ({kind}): {(p.help or '').strip()}"
    names = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
    default = p.default if p.default not in (None, False, (), []) and not callable(p.default) else None
    extra = f" (default: `{default}`)" if default is not None else ""
    return f"- {names}: {(p.help or '').strip()}{extra}"


def reference_markdown() -> str:
    lines = [
        "# CLI reference",
        "",
        "Generated from the command definitions (`revintel --help` shows the same);",
        "`tests/cli/test_reference.py` fails when this page is out of date. Every command accepts `--help`;",
        "`revintel --debug COMMAND` shows tracebacks. Commands with `--json` print exactly one JSON object.",
        "",
    ]
    for name, cmd in commands():
        lines += [f"## revintel {name}", "", (cmd.help or "").strip(), ""]
        params = [p for p in cmd.params if p.name != "help"]
        if params:
            lines += [_param_line(p) for p in params] + [""]
    return "\n".join(lines).rstrip() + "\n"
