"""The band scale the backtest calibrated, saved for the live forecast of the same data, scope and date.

The standard backtest (``BACKTEST_PERIODS`` quarters: ``forecast backtest`` with its default, the
Forecast page, and the server's precomputation for every persona) finds the stretch that put 80% of
past quarters' actuals inside P10-P90 and saves it here; the forecast then widens or narrows its P10
and P90 around P50 by that factor. A backtest over another number of quarters is reported but does
not change the live ranges. Until the standard backtest has run for a scope and date, the forecast's
ranges are the model's own (``band_scale`` is ``None`` in its output); a server runs it for every
persona after each load, before it composes the briefs, so the page, the API and the brief agree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope


def _path(rt: Runtime, scope: Scope, as_of: dt.date) -> Path:
    from revintel.deals import model as win_model

    key = json.dumps([win_model.fingerprint(rt), scope.to_dict(), str(as_of)], sort_keys=True, default=str)
    return (
        rt.settings.home
        / "models"
        / "backtest"
        / f"band-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"
    )


def save(rt: Runtime, scope: Scope, as_of: dt.date, scale: float, quarters: int) -> None:
    """Record the band scale calibrated on ``quarters`` past quarters."""
    path = _path(rt, scope, as_of)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"band_scale": scale, "quarters": quarters}))


def load(rt: Runtime, scope: Scope, as_of: dt.date) -> float | None:
    """The saved band scale, or ``None`` when no backtest has run for this data, scope and date."""
    path = _path(rt, scope, as_of)
    try:
        return float(json.loads(path.read_text())["band_scale"])
    except (OSError, ValueError, KeyError):
        return None


def widen(p10: float, p50: float, p90: float, scale: float | None, floor: float = 0.0) -> tuple[float, float]:
    """P10 and P90 stretched around P50 by ``scale`` (unchanged when ``None``); P10 at ``floor`` or above."""
    if scale is None:
        return p10, p90
    return max(p50 - scale * (p50 - p10), floor), p50 + scale * (p90 - p50)
