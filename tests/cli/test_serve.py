"""``revintel serve`` refuses to start on an app database from an older release (not a 500 per sign-in)."""

from __future__ import annotations

import signal


def test_serve_refuses_an_old_app_database_before_listening(rt, run_cli):
    _ = rt.appdb  # creates the app database at the newest revision
    with rt.appdb.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    rt.close()
    before = signal.getsignal(signal.SIGTERM)
    code, _out, err = run_cli("serve", "--port", "1")
    assert code == 1
    assert "schema revision 0001" in err and "revintel db upgrade" in err and "Traceback" not in err
    assert signal.getsignal(signal.SIGTERM) is before  # the stop-signal handlers are put back
