"""The playbook: documented rules mapping a deal's drivers to suggested next actions.

Rules live in ``playbook.yaml`` (see docs/deals-and-forecast.md). A rule is considered only when
the feature it is about carries signal in the model served; it then fires when that feature is
among the deal's negative drivers, or when its ``when`` condition (``feature op number``) holds;
the first three actions that fire are suggested, in rule order.
"""

from __future__ import annotations

import math
import operator
import re
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from revintel.errors import ConfigError

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq}
_WHEN = re.compile(r"^\s*(\w+)\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")


@lru_cache(maxsize=1)
def rules() -> tuple[dict[str, Any], ...]:
    """The playbook rules, checked on load."""
    text = files("revintel.deals").joinpath("playbook.yaml").read_text(encoding="utf-8")
    items = yaml.safe_load(text) or []
    for i, r in enumerate(items):
        if "action" not in r or not ("feature" in r or "when" in r):
            raise ConfigError(f"playbook rule {i + 1} needs an action and a feature or a when condition")
        if "when" in r and not _WHEN.match(r["when"]):
            raise ConfigError(
                f"playbook rule {r.get('id', i + 1)}: cannot read condition {r['when']!r}",
                hint="write it as `feature op number`, e.g. `n_pushes >= 2`",
            )
    return tuple(items)


def _holds(cond: str, deal: dict[str, Any]) -> bool:
    m = _WHEN.match(cond)
    if not m:
        return False
    value = deal.get(m.group(1))
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return not math.isnan(v) and _OPS[m.group(2)](v, float(m.group(3)))


def _fill(template: str, deal: dict[str, Any]) -> str:
    def fmt(key: str) -> str:
        v = deal.get(key)
        if isinstance(v, float):
            return "unknown" if math.isnan(v) else f"{v:.0f}"
        return "a competitor" if v in (None, "") else str(v)

    return re.sub(r"\{(\w+)\}", lambda m: fmt(m.group(1)), template)


def _in_words(feature: str | None, cond: str | None, deal: dict[str, Any]) -> str:
    """Why a rule fired, as a reader says it ("Competing against Quantive", not ``has_competitor > 0``)."""
    import pandas as pd

    from revintel.deals.explain import describe

    m = _WHEN.match(cond or "")
    name = feature or (m.group(1) if m else None)
    return describe(name, pd.Series(deal)) if name else "the deal's pattern matches this rule"


def _subject(rule: dict[str, Any]) -> str | None:
    """The feature a rule is about: its ``feature``, or the one its ``when`` condition tests."""
    m = _WHEN.match(rule.get("when") or "")
    return rule.get("feature") or (m.group(1) if m else None)


def actions(
    deal: dict[str, Any],
    negative: list[dict[str, Any]],
    limit: int = 3,
    signal: set[str] | None = None,
) -> list[dict[str, str]]:
    """Suggested next actions for one deal: ``[{"rule", "action", "because"}]``.

    Args:
        deal: the deal's feature values (and stage, competitor, rep).
        negative: its negative drivers (``{"feature", "text"}``) from :func:`revintel.deals.explain.drivers`.
        limit: how many actions to suggest.
        signal: features that carry signal in the model served (:meth:`WinModel.signal`); a rule
            about any other feature never fires (a competitor named on a deal is no reason to act
            when the model finds competitors make no difference). ``None``: every feature.
    """
    neg = {d["feature"]: d for d in negative}
    out: list[dict[str, str]] = []
    for r in rules():
        if signal is not None and _subject(r) not in signal:
            continue
        feature, cond = r.get("feature"), r.get("when")
        fires = (cond is not None and _holds(cond, deal)) if cond else feature in neg
        if fires:
            because = str(neg[feature]["text"]) if feature in neg else _in_words(feature, cond, deal)
            out.append({"rule": r.get("id", ""), "action": _fill(r["action"], deal), "because": because})
        if len(out) >= limit:
            break
    return out
