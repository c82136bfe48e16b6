"""Reading the data as an earlier load left it: the pages' as-of picker.

A signed-in reader picks a snapshot (``revintel snapshots list``) in the shell; the choice travels as
the ``revintel_snapshot`` cookie (or ``?snapshot=ID`` on one request). Every read request (GET) then
runs on a runtime over that snapshot's file, with the same catalogue, the same scope and the same
app database, so definitions, row scope and the audit trail apply unchanged. Anything that writes
(POST, PUT, DELETE) always runs on the live data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from fastapi import Request

from revintel.runtime import Runtime
from revintel.warehouse import snapshots

COOKIE = "revintel_snapshot"
#: snapshot runtimes kept open per process (each holds a DuckDB connection and its caches)
KEEP = 2
_lock = threading.Lock()


def requested(request: Request) -> str | None:
    """The snapshot id a read request asks for (query parameter first, then the picker's cookie)."""
    if request.method not in ("GET", "HEAD"):
        return None
    sid = request.query_params.get("snapshot") or request.cookies.get(COOKIE)
    return sid[:80] if sid else None


def info(live: Runtime, sid: str) -> dict[str, Any] | None:
    """The sidecar of snapshot ``sid`` (None if it does not exist)."""
    return next((s for s in snapshots.list_snapshots(live.settings.home) if s["id"] == sid), None)


def runtime_for(request: Request, live: Runtime) -> Runtime:
    """The runtime a request reads from: ``live``, or the snapshot it picked.

    Raises:
        NotFound: ``?snapshot=`` names no kept snapshot (a stale cookie falls back to live data).
    """
    sid = requested(request)
    if not sid:
        return live
    picked = info(live, sid)
    if picked is None:
        if request.query_params.get("snapshot"):
            snapshots.path_of(live.settings.home, sid)  # raises NotFound, naming the nearest ids
        return live  # the picked snapshot was pruned since: live data (the shell shows "Live")
    request.state.snapshot = picked
    path = snapshots.folder(live.settings.home) / f"{sid}.duckdb"
    cache: OrderedDict[str, Runtime] = getattr(request.app.state, "snapshot_runtimes", None) or OrderedDict()
    request.app.state.snapshot_runtimes = cache
    with _lock:
        rt = cache.get(sid)
        if rt is None:
            settings = live.settings.model_copy(
                update={"warehouse": f"duckdb:///{path}", "snapshot_retention": 0}
            )
            settings.__dict__.pop("warehouse_url", None)  # a cached property the copy carried over
            rt = Runtime(settings)
            rt.__dict__["appdb"] = live.appdb  # one app database: users, audit trail, schedules
            rt.__dict__["catalogue"] = live.catalogue
            cache[sid] = rt
            while len(cache) > KEEP:
                _, old = cache.popitem(last=False)
                close(old)
        cache.move_to_end(sid)
    return rt


def close(rt: Runtime) -> None:
    """Close a snapshot runtime without touching the live app database it borrows."""
    rt.__dict__.pop("appdb", None)
    rt.close()


def close_all(app: Any) -> None:
    """Close every snapshot runtime the app opened (at shutdown)."""
    cache = getattr(app.state, "snapshot_runtimes", None) or {}
    with _lock:
        for rt in cache.values():
            close(rt)
        cache.clear()
