"""The audit trail is a hash chain: edits, deletions and insertions are found and named."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest
from sqlalchemy import text

from revintel.appdb import audit
from revintel.appdb.base import AppDB
from revintel.appdb.migrate import prepare


@pytest.fixture
def db(settings):
    """An app database (SQLite, then PostgreSQL: see conftest) at the newest schema."""
    settings.ensure_home()
    d = AppDB(settings.app_db_url, audit_key="a-test-secret-key-123")
    prepare(d)
    yield d
    d.dispose()


def _fill(db: AppDB, n: int = 6) -> None:
    for i in range(n):
        audit.record(db, actor=f"user{i}", action="query", target="fees", detail={"i": i, "x": 0.1}, rows=i)


def _sql(db: AppDB, stmt: str) -> None:
    with db.engine.begin() as c:
        c.execute(text(stmt))


def test_an_untouched_trail_verifies(db):
    _fill(db)
    r = audit.verify(db)
    assert r.ok and r.checked == 6 and r.head_seq == 6


def test_an_edited_record_is_named(db):
    _fill(db)
    _sql(db, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
    r = audit.verify(db)
    assert not r.ok and r.kind == "altered" and r.at_seq == 3


def test_an_edited_detail_is_found(db):
    _fill(db)
    _sql(db, """UPDATE audit_events SET rows = 999 WHERE seq = 5""")
    r = audit.verify(db)
    assert (r.ok, r.kind, r.at_seq) == (False, "altered", 5)


def test_a_deleted_record_is_named(db):
    _fill(db)
    _sql(db, "DELETE FROM audit_events WHERE seq = 2")
    r = audit.verify(db)
    assert not r.ok and r.kind == "deleted" and r.at_seq == 3
    assert "2..2" in r.problem


def test_deleting_the_newest_records_is_found(db):
    _fill(db)
    _sql(db, "DELETE FROM audit_events WHERE seq >= 5")
    r = audit.verify(db)
    assert not r.ok and r.kind == "deleted"


@pytest.mark.parametrize(
    "values",
    [
        "(NULL, NULL, NULL)",  # outside the chain
        "(7, '{h}', '{h}')",  # beyond the head, with a forged predecessor
    ],
)
def test_an_inserted_record_is_named(db, values):
    _fill(db)
    last = audit.events(db, limit=1)[0]["hash"]
    _sql(
        db,
        "INSERT INTO audit_events (at, actor, action, outcome, seq, prev_hash, hash) "
        f"VALUES ('2025-01-01 00:00:00', 'mallory', 'query', 'ok', {values.format(h=last)[1:-1]})",
    )
    r = audit.verify(db)
    assert not r.ok and r.kind == "inserted"


def test_a_different_key_is_reported_not_misread_as_tampering(db, tmp_path):
    _fill(db, 2)
    other = AppDB(db.url, audit_key="another-secret-key-456")
    r = audit.verify(other)
    assert not r.ok and r.kind == "key"
    other.dispose()


def test_concurrent_threads_keep_one_chain(db):
    def work(k: int) -> None:
        for i in range(20):
            audit.record(db, actor=f"t{k}", action="ask", detail={"i": i})

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    r = audit.verify(db)
    assert r.ok and r.checked == 80


def test_two_processes_appending_keep_one_chain(db):
    code = (
        "import sys; from revintel.appdb.base import AppDB; from revintel.appdb import audit\n"
        "d = AppDB(sys.argv[1], audit_key='a-test-secret-key-123')\n"
        "for i in range(25): audit.record(d, actor=sys.argv[2], action='query', detail={'i': i})\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, db.url, f"p{k}"]) for k in range(2)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    r = audit.verify(db)
    assert r.ok and r.checked == 50


def test_export_gives_every_event_with_its_hashes(db):
    _fill(db, 3)
    rows = list(audit.export(db))
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert rows[1]["prev_hash"] == rows[0]["hash"]
    json.dumps(rows, default=str)
