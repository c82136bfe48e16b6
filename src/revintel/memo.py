"""Results kept beside a runtime until its data changes or a model is retrained.

Heavy views (a persona's forecast, a brief's section inputs) are pure functions of the loaded data,
the trained models, the reader's scope and the request's parameters. :func:`remember` keeps each
result in a bounded per-runtime map keyed by all of them, so the background precomputation can fill
every persona's views once per data version and a page built afterwards reads them instead of
recomputing. A new load changes the data version and a training run changes the model stamp, so a
stale result is never served.

Under load many requests ask for the same missing result at once (the first visits after a load):
the first computes it and the others wait for it (one computation per key), instead of every
thread computing the same forecast side by side.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
        #: key -> [the lock its computation holds, callers using it]
        self._busy: dict[tuple[Any, ...], list[Any]] = {}

    def __len__(self) -> int:
        return len(self._items)

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

    @contextmanager
    def computing(self, key: tuple[Any, ...]) -> Iterator[None]:
        """Held while ``key``'s value is computed: a second caller for the same key waits for the first."""
        with self._lock:
            entry = self._busy.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._busy[key]


_STORES: weakref.WeakKeyDictionary[Any, dict[str, LRU]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def store(rt: Runtime, name: str) -> LRU:
    """The map called ``name`` kept beside ``rt`` (created on first use, gone with the runtime)."""
    with _LOCK:
        stores = _STORES.setdefault(rt, {})
        if name not in stores:
            stores[name] = LRU()
        return stores[name]


#: model kinds a training run replaces while the data stays the same (a new versioned folder under
#: ``<home>/models/<kind>``). The churn model is kept per data version and the backtest folder holds
#: caches of the data, so writing them must not drop every remembered view (the precompute trains the
#: churn model after it filled the personas' forecasts).
RETRAINED = ("win",)


def models_stamp(rt: Runtime) -> tuple[int, ...]:
    """Changes when a model is trained (a new versioned folder under ``<home>/models/<kind>``)."""
    root = rt.settings.home / "models"
    out = []
    for kind in RETRAINED:
        try:
            out.append((root / kind).stat().st_mtime_ns)
        except OSError:
            out.append(0)
    return tuple(out)


def stamp(rt: Runtime) -> tuple[Any, ...]:
    """What every remembered result depends on: the data version and the trained models."""
    return (rt.semantic.data_version(), models_stamp(rt))


def remember(rt: Runtime, name: str, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or the result kept for ``key`` under the current data version and models."""
    full = (*stamp(rt), *key)
    kept = store(rt, name)
    value = kept.get(full)
    if value is MISSING:
        with kept.computing(full):
            value = kept.get(full)  # computed by another caller while this one waited
            if value is MISSING:
                value = compute()
                kept.put(full, value)
    return value  # type: ignore[no-any-return]
