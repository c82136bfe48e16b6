"""The dashboard's and drill-downs' view of the KPI engine, with a result cache.

Results are cached per (data version, scope, period, metric, breakdown): the data version
(``SemanticLayer.data_version()``) changes with every load, so a cached card is never stale;
two users share an entry only when they may see the same rows and domains. The cache
lives in the process (each worker warms its own).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from revintel.runtime import Runtime
from revintel.scope import Scope

_MAX = 256


class ResultCache:
    """A small thread-safe LRU."""

    def __init__(self, size: int = _MAX):
        self.size = size
        self._data: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_compute(self, key: tuple, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
        value = compute()
        with self._lock:
            self.misses += 1
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_caches: dict[int, ResultCache] = {}
_caches_lock = threading.Lock()


def cache_for(rt: Runtime) -> ResultCache:
    with _caches_lock:
        return _caches.setdefault(id(rt), ResultCache())


def rows_key(scope: Scope) -> tuple:
    """What decides a scope's numbers: its row filters and metric domains (not who holds it)."""
    return (scope.rows, scope.domains)


def summary(rt: Runtime, scope: Scope, period: str | None, use_cache: bool = True) -> list[dict[str, Any]]:
    """Headline cards as dicts (see ``revintel.semantic.kpi.KpiCard``)."""

    def compute() -> list[dict[str, Any]]:
        return [c.to_dict() for c in rt.kpis.summary(scope, period)]

    if not use_cache:
        return compute()
    key = ("summary", rt.semantic.data_version(), rows_key(scope), period)
    return cache_for(rt).get_or_compute(key, compute)


def detail(rt: Runtime, metric: str, scope: Scope, period: str | None, by: str | None) -> dict[str, Any]:
    """One KPI's drill-down (see ``KpiEngine.detail``)."""
    key = ("detail", rt.semantic.data_version(), rows_key(scope), period, metric, by)
    return cache_for(rt).get_or_compute(key, lambda: rt.kpis.detail(metric, scope, period, by))


def memo(rt: Runtime, scope: Scope, parts: tuple, compute: Callable[[], Any]) -> Any:
    """Cache anything derived from the KPI results (e.g. chart JSON) under the same invalidation."""
    key = ("memo", rt.semantic.data_version(), rows_key(scope), *parts)
    return cache_for(rt).get_or_compute(key, compute)
