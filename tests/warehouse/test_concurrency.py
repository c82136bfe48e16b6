"""DuckDB from many threads: a cursor per thread for reads, one writer at a time, reads never wait.

Issue 13 found one connection shared by every request thread ("connection is busy" under 50
users, a 500 on the first request after a start) and a precompute holding it for 25 s.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pytest
from tests.warehouse.test_backends import sample

from revintel.errors import WarehouseError
from revintel.semantic.execute import Runner
from revintel.warehouse.backends import Change, DuckDBWarehouse, WarehouseBusy, connect


@pytest.fixture
def duck(tmp_path: Path):
    wh = connect(f"duckdb:///{tmp_path / 'wh.duckdb'}", tmp_path)
    assert isinstance(wh, DuckDBWarehouse)
    wh.apply([Change("accounts", sample("accounts", 500))], meta={"dataset": "test"})
    yield wh
    wh.close()


def _in_thread(fn):
    out: list = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join(10)
    assert out, "the thread did not finish"
    return out[0]


def test_each_thread_reads_through_its_own_cursor_and_keeps_it(duck):
    mine = duck.reader()
    assert duck.reader() is mine  # kept for the thread
    theirs = _in_thread(duck.reader)
    assert theirs is not mine and theirs.con is not mine.con and mine.con is not duck.raw


def test_reads_do_not_wait_for_a_write_in_progress(duck):
    """A long load or rollup build holds the writer; requests keep answering meanwhile."""
    runner = Runner(duck)
    t = duck.table("accounts")
    held, release = threading.Event(), threading.Event()

    def long_write():
        with duck.writing():
            held.set()
            release.wait(10)

    writer = threading.Thread(target=long_write)
    writer.start()
    assert held.wait(5)
    try:
        start = time.monotonic()
        meta = _in_thread(duck.get_meta)
        rows = _in_thread(lambda: len(duck.execute(t)))
        _, frame = _in_thread(lambda: runner.run(t.count()))
        assert time.monotonic() - start < 5  # would block until release with one shared connection
        assert meta["dataset"] == "test" and rows == 500 and int(frame.iloc[0, 0]) == 500
    finally:
        release.set()
        writer.join()


def test_many_threads_query_while_loads_replace_the_data(duck):
    """No "connection is busy", and every read sees a whole load (500 or 700 rows), never a mix."""
    t = duck.table("accounts")
    stop = threading.Event()
    errors: list[BaseException] = []

    def reload():
        n = 0
        while not stop.is_set():
            rows = sample("accounts", 700 if n % 2 else 500)
            duck.apply([Change("accounts", rows)])
            n += 1

    def read(_: int) -> set[int]:
        seen = set()
        for _ in range(10):
            seen.add(len(duck.execute(t.select("account_id"))))
            seen.add(int(duck.cursor().execute("SELECT count(*) FROM accounts").fetchall()[0][0]))
        return seen

    writer = threading.Thread(target=lambda: _guard(reload, errors))
    writer.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            seen = set().union(*pool.map(read, range(8)))
    finally:
        stop.set()
        writer.join()
    assert not errors
    assert seen <= {500, 700}


def _guard(fn, errors: list[BaseException]) -> None:
    try:
        fn()
    except BaseException as exc:  # surfaced by the test's assertion
        errors.append(exc)


def test_a_closed_warehouse_reopens_with_fresh_cursors(duck):
    before = duck.reader()
    duck.close()
    assert duck.get_meta()["dataset"] == "test"
    assert duck.reader() is not before


def test_read_only_refuses_writes_and_sees_the_data(duck, tmp_path):
    duck.close()
    ro = connect(f"duckdb:///{tmp_path / 'wh.duckdb'}", tmp_path, read_only=True)
    try:
        assert ro.row_counts()["accounts"] == 500
        with pytest.raises(WarehouseError, match="read-only"):
            ro.apply([Change("accounts", pa.table({"account_id": ["x"]}))])
    finally:
        ro.close()


def test_a_file_held_by_another_process_says_so_plainly(tmp_path):
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print('ok', flush=True); "
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        wh = connect(f"duckdb:///{path}", tmp_path)
        with pytest.raises(WarehouseBusy) as err:
            wh.get_meta()
        assert "in use by another revintel process" in str(err.value)
        assert "IO Error" not in str(err.value) and "PID" not in str(err.value)
    finally:
        holder.communicate("")


def test_a_snapshot_after_a_load_keeps_the_warehouse_locked_for_other_processes(settings):
    """Copying the file in-process drops DuckDB's fcntl lock: a CLI could then write beside the server."""
    from revintel.runtime import Runtime
    from revintel.warehouse.snapshots import list_snapshots

    rt = Runtime(settings)
    try:
        rt.warehouse.apply([Change("accounts", sample("accounts", 5))], meta={"dataset": "test"})
        assert list_snapshots(settings.home)  # a snapshot was taken after the load
        probe = subprocess.run(
            [sys.executable, "-c", f"import duckdb; duckdb.connect({str(rt.warehouse.path)!r})"],  # type: ignore[attr-defined]
            capture_output=True,
            text=True,
        )
        assert probe.returncode != 0 and "lock" in probe.stderr
    finally:
        rt.close()
