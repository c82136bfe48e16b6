"""Export jobs interrupted by a restart are marked failed with the reason, never left "running"."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys

from revintel.appdb.base import utcnow
from revintel.appdb.schedules import ExportJob
from revintel.services import export_jobs as service

HOST = socket.gethostname()


def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    return int(proc.stdout)


def _job(rt, job_id: str, owner: str | None, beat_minutes_ago: float = 0.0) -> None:
    with rt.appdb.session() as s:
        s.add(
            ExportJob(
                id=job_id,
                actor="cfo",
                view="brief",
                format="pdf",
                step="rendering",
                progress=0.4,
                owner=owner,
                heartbeat_at=utcnow() - dt.timedelta(minutes=beat_minutes_ago),
            )
        )


def test_a_restart_marks_the_jobs_it_interrupted_as_failed_with_the_reason(rt, client_as):
    _job(rt, "dead-process", f"{HOST}:{_dead_pid()}:aaaa")
    _job(rt, "same-pid-earlier-start", f"{HOST}:{service.os.getpid()}:old0")  # a container restarted
    _job(rt, "before-owners", None)
    _job(rt, "other-host-silent", "elsewhere:12:beef", beat_minutes_ago=45)
    _job(rt, "other-host-busy", "elsewhere:12:beef", beat_minutes_ago=1)  # another worker, still alive
    _job(rt, "this-process", service.OWNER)
    with client_as("cfo") as c:  # the app's start-up runs the clean-up
        states = {
            j: c.get(f"/api/exports/{j}").json()
            for j in (
                "dead-process",
                "same-pid-earlier-start",
                "before-owners",
                "other-host-silent",
                "other-host-busy",
                "this-process",
            )
        }
    failed = {j for j, s in states.items() if s["status"] == "failed"}
    assert failed == {"dead-process", "same-pid-earlier-start", "before-owners", "other-host-silent"}
    for j in failed:
        assert states[j]["step"] == "interrupted" and "interrupted by a server restart" in states[j]["error"]
        assert "start it again" in states[j]["error"]
    assert states["other-host-busy"]["status"] == states["this-process"]["status"] == "running"


def test_a_job_whose_process_died_reads_as_failed_even_before_a_restart(rt):
    _job(rt, "orphan", f"{HOST}:{_dead_pid()}:cafe")
    status = service.job_status(rt, "orphan", "cfo")
    assert status["status"] == "failed" and "interrupted" in status["error"]
    with rt.appdb.session() as s:  # stored, so every worker answers the same
        assert s.get(ExportJob, "orphan").status == "failed"


def test_an_unexpected_failure_reaches_the_user_in_words_and_the_log_keeps_it(rt, monkeypatch, caplog):
    from revintel.scope import Scope

    def boom(*args, **kwargs):
        raise KeyError("/srv/secret/path/model.bin")

    monkeypatch.setattr(service, "export", boom)
    with rt.appdb.session() as s:
        s.add(ExportJob(id="j1", actor="cfo", view="brief", format="pdf", owner=service.OWNER))
    service._run_job(rt, "j1", "brief", "pdf", Scope.everything(), "cfo", None)
    status = service.job_status(rt, "j1", "cfo")
    assert status["status"] == "failed" and "failed unexpectedly" in status["error"]
    assert "KeyError" not in status["error"] and "/srv/" not in status["error"]
    assert "/srv/secret/path/model.bin" in caplog.text
