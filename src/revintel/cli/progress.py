"""Rich progress on stderr for commands that can take more than a second (silent under ``--json``).

:func:`progress_bar` is fed ``(step, fraction)`` by work that reports how far it got (the brief,
exports); :func:`working` shows a pulsing bar with the elapsed time around work that cannot say
(training a model, a forecast's simulation, a backtest), so the terminal never looks stuck.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from revintel.cli.app import err_console


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, float], None]]:
    """A Rich progress bar on stderr fed with (step, fraction); silent when not ``enabled``."""
    if not enabled:
        yield lambda _step, _frac: None
        return
    with _bar() as bar:
        task = bar.add_task("starting", total=1.0)
        yield lambda step, frac: bar.update(task, description=step[:40], completed=frac)


@contextmanager
def working(description: str, enabled: bool = True) -> Iterator[None]:
    """A pulsing Rich bar with the elapsed time while the block runs; silent when not ``enabled``."""
    if not enabled:
        yield
        return
    bar = Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    with bar:
        bar.add_task(description[:40], total=None)
        yield
