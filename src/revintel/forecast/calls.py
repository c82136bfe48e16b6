"""The reps' submitted calls (commit, best case) as the catalogue defines them, for when the
forecast period has none yet: the latest quarter with calls in the caller's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from revintel import format as fmt_mod
from revintel.errors import RevintelError
from revintel.semantic.query import MetricQuery

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope


def latest_calls(rt: Runtime, scope: Scope) -> dict[str, Any] | None:
    """``{"label": "Q4 2025", "commit": ..., "best_case": ...}`` for the latest quarter with calls
    submitted in ``scope`` (the ``sales_forecast`` and ``forecast_best_case`` metrics), or None when
    the scope has none or cannot see them (calls are per rep: a capability scope cannot)."""
    q = MetricQuery(metrics=["sales_forecast", "forecast_best_case"], dimensions=["quarter"])
    try:
        rows = [r for r in rt.semantic.query(q, scope).records() if r.get("sales_forecast") is not None]
    except RevintelError:
        return None
    if not rows:
        return None
    r = max(rows, key=lambda x: str(x["quarter"]))
    return {
        "label": fmt_mod.quarter(r["quarter"]),
        "commit": r["sales_forecast"],
        "best_case": r.get("forecast_best_case"),
    }


def calls_sentence(total: Any, period_label: str, latest: dict[str, Any] | None) -> str:
    """What a reader learns about submitted calls beside the model's range, in one sentence."""
    commit, best = getattr(total, "commit", None), getattr(total, "best_case", None)
    if commit is not None:
        return (
            f"Reps have called {fmt_mod.money(commit)} commit and {fmt_mod.money(best)} best case "
            f"for {period_label}."
        )
    if latest:
        commit, best = fmt_mod.money(latest["commit"]), fmt_mod.money(latest["best_case"])
        return (
            f"No calls are submitted for {period_label} yet; the latest, for {latest['label']}, were "
            f"{commit} commit and {best} best case."
        )
    return "No submitted calls in this scope (calls are made per rep)."
