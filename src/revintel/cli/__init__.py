"""The ``revintel`` command line. Each module registers its commands on :data:`app`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.text import Text

from revintel.cli.app import app, err_console, state
from revintel.errors import RevintelError


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """revintel: the revenue command center."""
    state.debug = debug


# Command modules register themselves on import (order = order in --help).
from revintel.cli import ask, briefs, config, data, deals, demo, ingest, metrics, serve, users  # noqa: E402,F401


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: runs the app, rendering RevintelError without a traceback."""
    debug = "--debug" in (argv if argv is not None else sys.argv)
    try:
        app(args=argv, standalone_mode=False)
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
