"""Global filters: region, capability and period, kept in the URL query on every page.

Pages read them with :meth:`GlobalFilters.from_request` and narrow the user's scope with
:meth:`GlobalFilters.apply`; a filter can only narrow a scope, never widen it: asking for a
region outside the user's scope is ``Forbidden`` (403), whatever the page.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from revintel.errors import Forbidden, InvalidRequest
from revintel.runtime import Runtime
from revintel.scope import Scope
from revintel.warehouse.schema import REGIONS

FILTER_DIMS = ("region", "capability")
PERIOD_CHOICES = (
    ("", "Year to date"),
    ("QTD", "Quarter to date"),
    ("last quarter", "Last quarter"),
    ("last month", "Last month"),
    ("last 12 months", "Last 12 months"),
    ("last year", "Last year"),
)
_MAX_LEN = 60


@dataclass(frozen=True)
class GlobalFilters:
    """The global filters of one request (None: not set)."""

    region: str | None = None
    capability: str | None = None
    period: str | None = None

    @classmethod
    def from_request(cls, request: Request) -> GlobalFilters:
        q = request.query_params
        vals = {k: (q.get(k) or "").strip() or None for k in ("region", "capability", "period")}
        for k, v in vals.items():
            if v and len(v) > _MAX_LEN:
                raise InvalidRequest(f"{k} filter too long", details={"value": v[:_MAX_LEN]})
        return cls(**vals)

    def params(self, **overrides: Any) -> dict[str, str]:
        """The filters as query parameters, with ``overrides`` (None removes a key)."""
        out = {k: v for k, v in dataclasses.asdict(self).items() if v}
        for k, v in overrides.items():
            if v is None or v == "":
                out.pop(k, None)
            else:
                out[k] = str(v)
        return out

    def query(self, **overrides: Any) -> str:
        """``?region=EMEA&period=QTD`` (empty string when nothing is set)."""
        p = self.params(**overrides)
        return "?" + urlencode(p) if p else ""

    def apply(self, scope: Scope, notes: list[str] | None = None) -> Scope:
        """``scope`` narrowed by the region/capability filters.

        Args:
            scope: the caller's scope.
            notes: when given (pages), a filter outside the scope is not applied and a sentence
                saying so is appended here instead of raising; the scope is never widened.

        Raises:
            Forbidden: (without ``notes``) a filter names a value outside the scope (e.g. a
                regional lead asking for another region).
        """
        rows = dict(scope.rows)
        for dim in FILTER_DIMS:
            value = getattr(self, dim)
            if not value:
                continue
            allowed = rows.get(dim)
            if allowed is not None and value not in allowed and notes is not None:
                notes.append(
                    f"{dim.capitalize()} {value} is outside your scope "
                    f"({', '.join(allowed)}), so it was not applied."
                )
                continue
            if allowed is not None and value not in allowed:
                who = scope.persona or scope.role
                raise Forbidden(
                    f"{who} may not see {dim} {value!r}",
                    hint=f"your scope is {scope.describe()}",
                    details={"dimension": dim, "value": value, "allowed": list(allowed)},
                )
            rows[dim] = (value,)
        return dataclasses.replace(scope, rows=tuple(sorted(rows.items())))

    @property
    def active(self) -> bool:
        return bool(self.region or self.capability)

    def in_force(self) -> list[str]:
        """The filters as words for the shell: ``["Region EMEA", "Capability Consulting", "Last month"]``."""
        out = [f"{dim.capitalize()} {getattr(self, dim)}" for dim in FILTER_DIMS if getattr(self, dim)]
        labels = dict(PERIOD_CHOICES)
        out.append(labels.get(self.period or "", self.period or "Year to date"))
        return out


def page_notes(request: Request) -> list[str]:
    """This request's notes on filters a page could not apply (shown by the shell under the filters)."""
    notes = getattr(request.state, "filter_notes", None)
    if notes is None:
        notes = request.state.filter_notes = []
    return notes


def page_scope(request: Request, scope: Scope) -> Scope:
    """A page's scope: ``scope`` narrowed by the request's global filters; a filter outside the
    scope is noted (:func:`page_notes`), never a 403 and never a wider scope."""
    return GlobalFilters.from_request(request).apply(scope, page_notes(request))


def note_unapplied(request: Request, text: str) -> None:
    """Say on the page that a filter in force could not be applied to part of it (and why)."""
    notes = page_notes(request)
    if text not in notes:
        notes.append(text)


_cache: dict[int, tuple[float, dict[str, list[str]]]] = {}
_lock = threading.Lock()
_TTL = 30.0


def filter_options(rt: Runtime, scope: Scope) -> dict[str, list[str]]:
    """Choices for the region and capability selectors, limited to what ``scope`` may see."""
    key = id(rt.warehouse)
    with _lock:
        hit = _cache.get(key)
    if hit is None or hit[0] < time.monotonic() - _TTL:
        hit = (time.monotonic(), _distinct(rt))
        with _lock:
            _cache[key] = hit
    allowed = scope.filters
    return {
        dim: sorted(v for v in values if dim not in allowed or v in allowed[dim])
        for dim, values in hit[1].items()
    }


#: where each filter's values come from (the fact table first, then the dimension table)
_SOURCES = {"region": ("services_monthly", "reps"), "capability": ("services_monthly", "products")}


def _distinct(rt: Runtime) -> dict[str, list[str]]:
    wh = rt.warehouse
    names = wh.table_names()
    out: dict[str, list[str]] = {}
    for dim, tables in _SOURCES.items():
        values: set[str] = set()
        for name in tables:
            if name in names:
                t = wh.table(name)
                values |= {str(v) for v in wh.execute(t.select(dim).distinct())[dim].dropna() if str(v)}
        out[dim] = sorted(values)
    if not out["region"]:
        out["region"] = sorted(REGIONS)
    return out
