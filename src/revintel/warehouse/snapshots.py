"""Versioned loads: after every load the DuckDB warehouse is kept as a read-only snapshot.

A snapshot is the warehouse file as it stood right after one load (copied after DuckDB's checkpoint,
so it is complete), plus a JSON sidecar: its id, time, dataset, data version, and the row count of every
table. ``revintel snapshots list`` shows them; ``revintel --snapshot ID <read command>`` answers from one,
with the same metric definitions and row scope as always. The newest ``REVINTEL_SNAPSHOT_RETENTION``
are kept (0 turns snapshots off). Each costs the size of the warehouse file.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from revintel.errors import NotFound
from revintel.text import nearest

FOLDER = "snapshots"


def folder(home: Path) -> Path:
    return home / FOLDER


def take(
    source: Path, home: Path, meta: dict[str, str], counts: dict[str, int], retention: int
) -> dict | None:
    """Copy the (checkpointed) warehouse file ``source`` as a new snapshot; prune to ``retention``."""
    if retention <= 0 or not source.exists():
        return None
    out = folder(home)
    out.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    newest = list_snapshots(home)[:1]
    if newest and _created(newest[0]) >= now:  # two loads within the clock's resolution keep their order
        now = _created(newest[0]) + dt.timedelta(milliseconds=1)
    # milliseconds in the id, so loads in the same second get distinct ids that sort in load order
    version = str(meta.get("data_version", "x"))[:8]
    sid = f"{now.strftime('%Y%m%dT%H%M%S')}{now.microsecond // 1000:03d}-{version}"
    tmp = out / f".{sid}.partial"
    _copy_apart(source, tmp)
    wal = source.with_name(source.name + ".wal")  # present when a checkpoint could not run yet
    if wal.exists():
        _copy_apart(wal, tmp.with_name(f"{sid}.duckdb.wal"))
    tmp.replace(out / f"{sid}.duckdb")  # a snapshot file appears whole or not at all
    info = {
        "id": sid,
        "created": now.isoformat(timespec="milliseconds"),
        "dataset": meta.get("dataset"),
        "as_of": meta.get("as_of"),
        "data_version": meta.get("data_version"),
        "tables": {k: v for k, v in sorted(counts.items()) if v},
        "bytes": (out / f"{sid}.duckdb").stat().st_size,
    }
    partial = out / f".{sid}.json.partial"
    partial.write_text(json.dumps(info, indent=2), encoding="utf-8")
    partial.replace(out / f"{sid}.json")  # whole or absent (the listing is cached by file names)
    for old in list_snapshots(home)[retention:]:
        (out / f"{old['id']}.duckdb.wal").unlink(missing_ok=True)
        (out / f"{old['id']}.duckdb").unlink(missing_ok=True)
        (out / f"{old['id']}.json").unlink(missing_ok=True)
    return info


def _copy_apart(source: Path, target: Path) -> None:
    """Copy a file in a child process.

    DuckDB holds its database file with a POSIX (fcntl) lock, which the kernel drops as soon as the
    same process closes *any* descriptor of that file: copying it in-process would silently unlock
    the warehouse of a running server, and let a second process open it for writing.
    """
    code = "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])"
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed code, paths as arguments)
        [sys.executable, "-c", code, str(source), str(target)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise OSError(f"could not copy {source.name}: {done.stderr.strip()[-300:]}")


_LISTED: dict[str, tuple[tuple[str, ...], list[dict[str, Any]]]] = {}
_LISTED_LOCK = threading.Lock()


def list_snapshots(home: Path) -> list[dict[str, Any]]:
    """Every kept snapshot, newest first.

    The shell shows the picker on every page, so the listing is kept per folder until the names in
    it change (a snapshot taken or pruned adds or removes files; ids are never reused, and a sidecar
    appears whole, by rename). Listing the names is one system call; reading every sidecar is not.
    """
    where = folder(home)
    try:
        stamp = tuple(sorted(os.listdir(where)))
    except OSError:
        return []
    with _LISTED_LOCK:
        kept = _LISTED.get(str(where))
    if kept is None or kept[0] != stamp:
        kept = (stamp, _read_sidecars(where))
        with _LISTED_LOCK:
            _LISTED[str(where)] = kept
    return copy.deepcopy(kept[1])


def _read_sidecars(where: Path) -> list[dict[str, Any]]:
    out = []
    for f in where.glob("*.json"):
        try:
            info = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (f.with_suffix(".duckdb")).exists():
            out.append(info)
    return sorted(out, key=_created, reverse=True)


def _created(info: dict[str, Any]) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(info["created"])
    except (KeyError, TypeError, ValueError):
        return dt.datetime.min.replace(tzinfo=dt.UTC)


def path_of(home: Path, snapshot_id: str) -> Path:
    """The file of snapshot ``snapshot_id``.

    Raises:
        NotFound: no such snapshot (the hint names the nearest ids).
    """
    ids = [s["id"] for s in list_snapshots(home)]
    if snapshot_id not in ids:
        raise NotFound(
            f"no snapshot {snapshot_id!r}", hint=nearest(snapshot_id, ids) or "see `revintel snapshots list`"
        )
    return folder(home) / f"{snapshot_id}.duckdb"
