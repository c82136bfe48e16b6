"""The snapshot listing the shell shows on every page: read once per change of the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from revintel.warehouse import snapshots


def _take(source: Path, home: Path, version: str) -> dict:
    info = snapshots.take(source, home, {"data_version": version, "dataset": "demo"}, {"t": 1}, retention=2)
    assert info is not None
    return info


def test_the_listing_follows_every_snapshot_taken_or_pruned_without_rereading_an_unchanged_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "warehouse.duckdb"
    source.write_bytes(b"not really duckdb, copied as bytes")
    home = tmp_path / "home"
    assert snapshots.list_snapshots(home) == []  # no folder yet
    first = _take(source, home, "aaaaaaaa")
    assert [s["id"] for s in snapshots.list_snapshots(home)] == [first["id"]]

    reads = []
    real = snapshots._read_sidecars
    monkeypatch.setattr(snapshots, "_read_sidecars", lambda where: reads.append(where) or real(where))
    for _ in range(5):
        listed = snapshots.list_snapshots(home)
        listed[0]["id"] = "changed by a caller"  # callers get their own copy
    assert reads == []  # the folder did not change: nothing re-read

    second = _take(source, home, "bbbbbbbb")
    third = _take(source, home, "cccccccc")  # retention 2: the first is pruned
    assert [s["id"] for s in snapshots.list_snapshots(home)] == [third["id"], second["id"]]
    assert not (snapshots.folder(home) / f"{first['id']}.duckdb").exists()
    assert not list(snapshots.folder(home).glob(".*.partial"))  # no half-written sidecar left behind
