"""The band scale the backtest calibrated, saved for the live forecast of the same data, scope and date.

The standard backtest (``BACKTEST_PERIODS`` quarters: ``forecast backtest`` with its default, the
Forecast page, and the server's precomputation for every persona) finds the stretch that put 80% of
past quarters' actuals inside P10-P90 and saves it here; the forecast then widens or narrows its P10
and P90 around P50 by that factor. A backtest over another number of quarters is reported but does
not change the live ranges. :func:`calibrated` runs that backtest the first time a scope's forecast
is asked for on new data (a server does it for every persona after each load, before it composes the
briefs), so the page, the API, the CLI and the brief show the same ranges. Only with the
``forecast_calibrate`` setting off, or with fewer than three past quarters to replay, are the
forecast's ranges the model's own (``band_scale`` is ``None`` in its output).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

log = logging.getLogger(__name__)


def _path(rt: Runtime, scope: Scope, as_of: dt.date) -> Path:
    from revintel.deals import model as win_model

    key = json.dumps([win_model.fingerprint(rt), scope.to_dict(), str(as_of)], sort_keys=True, default=str)
    return (
        rt.settings.home
        / "models"
        / "backtest"
        / f"band-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"
    )


#: past quarters the standard backtest must replay before its band scale is used
MIN_QUARTERS = 3


def save(rt: Runtime, scope: Scope, as_of: dt.date, scale: float | None, quarters: int) -> None:
    """Record the band scale calibrated on ``quarters`` past quarters; with fewer than
    :data:`MIN_QUARTERS`, record that this data cannot be calibrated (the model's own ranges)."""
    path = _path(rt, scope, as_of)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = scale if quarters >= MIN_QUARTERS else None
    path.write_text(json.dumps({"band_scale": kept, "quarters": quarters}))


def lookup(rt: Runtime, scope: Scope, as_of: dt.date) -> tuple[bool, float | None]:
    """Whether the standard backtest has run for this data, scope and date, and the scale it saved."""
    path = _path(rt, scope, as_of)
    try:
        saved = json.loads(path.read_text())["band_scale"]
        return True, None if saved is None else float(saved)
    except (OSError, ValueError, KeyError, TypeError):
        return False, None


def _to_run(rt: Runtime, known: bool) -> bool:
    return not known and rt.settings.forecast_calibrate


def pending(rt: Runtime, scope: Scope, as_of: dt.date) -> bool:
    """Whether a forecast of ``scope`` as of ``as_of`` will first run the standard backtest."""
    return _to_run(rt, lookup(rt, scope, as_of)[0])


def calibrated(rt: Runtime, scope: Scope, as_of: dt.date) -> float | None:
    """The band scale for a forecast of ``scope`` as of ``as_of``, running the standard backtest
    first when it has not run on this data (unless the ``forecast_calibrate`` setting is off).

    A backtest that cannot replay (no closed history) leaves the ranges the model's own; the
    reason is logged, and the forecast is still made.
    """
    known, scale = lookup(rt, scope, as_of)  # one read on every forecast: this is its hot path
    if not _to_run(rt, known):
        return scale
    from revintel.errors import RevintelError
    from revintel.forecast import BACKTEST_PERIODS
    from revintel.forecast.backtest import backtest

    try:
        backtest(rt, scope, BACKTEST_PERIODS, as_of)
    except RevintelError:
        log.warning("forecast ranges left uncalibrated: the backtest could not run", exc_info=True)
        save(rt, scope, as_of, None, 0)
    return lookup(rt, scope, as_of)[1]


def widen(p10: float, p50: float, p90: float, scale: float | None, floor: float = 0.0) -> tuple[float, float]:
    """P10 and P90 stretched around P50 by ``scale`` (unchanged when ``None``); P10 at ``floor`` or above."""
    if scale is None:
        return p10, p90
    return max(p50 - scale * (p50 - p10), floor), p50 + scale * (p90 - p50)
