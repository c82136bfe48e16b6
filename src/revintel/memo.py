"""Results kept beside a runtime until its data changes or a model is retrained.

Heavy views (a persona's forecast, a brief's section inputs) are pure functions of the loaded data,
the trained models, the reader's scope and the request's parameters. :func:`remember` keeps each
result in a bounded per-runtime map keyed by all of them, so the background precomputation can fill
every persona's views once per data version and a page built afterwards reads them instead of
recomputing. A new load changes the data version and a training run changes the model stamp, so a
stale result is never served.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from revintel.runtime import Runtime

T = TypeVar("T")
MISSING = object()


class LRU:
    """A bounded, thread-safe map (least recently used entries go first)."""

    def __init__(self, size: int = 512):
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], default: Any = MISSING) -> Any:
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_STORES: weakref.WeakKeyDictionary[Any, dict[str, LRU]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def store(rt: Runtime, name: str) -> LRU:
    """The map called ``name`` kept beside ``rt`` (created on first use, gone with the runtime)."""
    with _LOCK:
        stores = _STORES.setdefault(rt, {})
        if name not in stores:
            stores[name] = LRU()
        return stores[name]


def models_stamp(rt: Runtime) -> tuple[int, ...]:
    """Changes when a model is trained (a new versioned folder under ``<home>/models/<kind>``)."""
    root = rt.settings.home / "models"
    try:
        return tuple(sorted(p.stat().st_mtime_ns for p in root.iterdir() if p.is_dir()))
    except OSError:
        return ()


def stamp(rt: Runtime) -> tuple[Any, ...]:
    """What every remembered result depends on: the data version and the trained models."""
    return (rt.semantic.data_version(), models_stamp(rt))


def remember(rt: Runtime, name: str, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or the result kept for ``key`` under the current data version and models."""
    full = (*stamp(rt), *key)
    kept = store(rt, name)
    value = kept.get(full)
    if value is MISSING:
        value = compute()
        kept.put(full, value)
    return value  # type: ignore[no-any-return]
