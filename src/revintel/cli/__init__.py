"""The ``revintel`` command line. Each module registers its commands on :data:`app`."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer
from rich.text import Text

from revintel.cli.app import app, err_console, state
from revintel.errors import InvalidRequest, RevintelError


class _OneLine(logging.Handler):
    """Log records for a terminal: ``warning: message``, without the traceback (``--debug`` shows it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(f"{record.levelname.lower()}: {record.getMessage()}\n")
        except Exception:  # a closed stream must never turn a log line into a crash
            self.handleError(record)


WRITE_COMMANDS = frozenset({"ingest", "demo", "serve", "db", "users", "publish", "schedules", "scheduler"})


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    snapshot: Annotated[
        str | None,
        typer.Option(
            "--snapshot", help="Read the warehouse as it was after that load (see `revintel snapshots`)."
        ),
    ] = None,
) -> None:
    """revintel: the revenue command center."""
    state.debug = debug
    if snapshot and ctx.invoked_subcommand in WRITE_COMMANDS:
        raise InvalidRequest(f"--snapshot is for reading; `revintel {ctx.invoked_subcommand}` writes")
    state.snapshot = snapshot or None
    state.command = ctx.invoked_subcommand
    if ctx.invoked_subcommand != "serve" and not debug:  # the server keeps full tracebacks in its log
        logger = logging.getLogger("revintel")
        if not any(isinstance(h, _OneLine) for h in logger.handlers):
            logger.addHandler(_OneLine(logging.WARNING))


# Command modules register themselves on import (order = order in --help).
from revintel.cli import (  # noqa: E402,F401
    ask,
    audit,
    briefs,
    calls,
    config,
    customers,
    data,
    db,
    deals,
    demo,
    ingest,
    marketing,
    mcp,
    metrics,
    people,
    publish,
    serve,
    snapshots,
    users,
)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: runs the app, rendering RevintelError without a traceback."""
    debug = "--debug" in (argv if argv is not None else sys.argv)
    try:
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code:  # a command's typer.Exit(n) comes back as a return value
            sys.exit(code)
    except RevintelError as exc:
        if debug:
            raise
        err_console.print(Text("error: ", style="bold red") + Text(str(exc)), soft_wrap=True)
        sys.exit(1)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", None) if isinstance(exc, typer.Exit) else exc.code
        sys.exit(code or 0)
    except Exception as exc:
        # usage errors (Typer's vendored click): they know how to show themselves and their exit code
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code)
        if debug:
            raise
        err_console.print(
            Text("unexpected error: ", style="bold red")
            + Text(f"{type(exc).__name__}: {exc}\n(run with --debug for the traceback)"),
            soft_wrap=True,
        )
        sys.exit(1)
    finally:
        if state.runtime is not None:
            state.runtime.close()
