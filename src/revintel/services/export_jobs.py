"""Export a view to PDF or PPTX: synchronously (CLI, API download) or as a job whose progress is
stored in the app database (the page polls it). Every export is audited, including refusals.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from revintel.appdb import audit
from revintel.appdb.base import utcnow
from revintel.appdb.schedules import ExportJob
from revintel.errors import Forbidden, InvalidRequest, NotFound, RevintelError
from revintel.export.document import Document
from revintel.scope import EXPORT, Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

ProgressFn = Callable[[str, float], None]
log = logging.getLogger(__name__)
#: this process, as recorded on the jobs it runs (host, pid and a per-start token)
BOOT = secrets.token_hex(4)
OWNER = f"{socket.gethostname()}:{os.getpid()}:{BOOT}"
#: a running job with no progress for this long is taken as interrupted
STALE_AFTER = dt.timedelta(minutes=30)
INTERRUPTED = "the export was interrupted by a server restart before it finished; start it again"
FORMATS = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@dataclass
class ExportResult:
    filename: str
    content_type: str
    data: bytes
    document: Document


def render(doc: Document, view: str, fmt: str, progress: ProgressFn | None = None) -> bytes:
    """Render a document: PDF, PPTX, or the board deck template for ``view == "board"``."""
    if fmt == "pdf":
        from revintel.export.pdf import render_pdf

        return render_pdf(doc, progress)
    if view == "board":
        from revintel.export.deck import render_board_deck

        return render_board_deck(doc, progress)
    from revintel.export.pptx import render_pptx

    return render_pptx(doc, progress)


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidRequest(f"unknown export format {fmt!r}", hint="pdf or pptx")
    return fmt


def export(
    rt: Runtime,
    view: str,
    fmt: str,
    scope: Scope,
    *,
    actor: str,
    params: dict[str, Any] | None = None,
    progress: ProgressFn | None = None,
) -> ExportResult:
    """Build ``view`` within ``scope`` and render it as ``fmt``; audited (ok or error)."""
    from revintel.services.export_views import build_document

    check_format(fmt)
    if not scope.allows(EXPORT):
        raise Forbidden("your role may not export", hint="ask an administrator for the export permission")
    try:
        doc = build_document(rt, view, scope, params, _part(progress, 0.0, 0.7))
        data = render(doc, view, fmt, _part(progress, 0.7, 1.0))
    except RevintelError as exc:
        audit.audited(
            rt.appdb,
            actor,
            "export",
            scope=scope,
            target=f"{view}.{fmt}",
            detail={"params": params, "error": exc.message},
            outcome="error",
        )
        raise
    day = doc.as_of.isoformat() if doc.as_of else dt.date.today().isoformat()
    name = f"revintel-{view}-{scope.persona or 'all'}-{day}.{fmt}"
    audit.audited(
        rt.appdb,
        actor,
        "export",
        scope=scope,
        target=f"{view}.{fmt}",
        detail={"params": params, "bytes": len(data), "file": name},
    )
    return ExportResult(name, FORMATS[fmt], data, doc)


def _part(progress: ProgressFn | None, lo: float, hi: float) -> ProgressFn | None:
    if progress is None:
        return None
    return lambda step, frac: progress(step, lo + (hi - lo) * max(0.0, min(1.0, frac)))


# --- jobs (the page's progress bar) -----------------------------------------------------------
def start_job(
    rt: Runtime, view: str, fmt: str, scope: Scope, *, actor: str, params: dict[str, Any] | None = None
) -> str:
    """Start an export in a background thread; returns the job id to poll with :func:`job_status`."""
    check_format(fmt)
    job_id = uuid.uuid4().hex
    with rt.appdb.session() as s:
        s.add(
            ExportJob(
                id=job_id,
                actor=actor,
                view=view,
                format=fmt,
                params=params or {},
                owner=OWNER,
                heartbeat_at=utcnow(),
            )
        )
    threading.Thread(
        target=_run_job,
        args=(rt, job_id, view, fmt, scope, actor, params),
        daemon=True,
        name=f"export-{job_id[:8]}",
    ).start()
    return job_id


def _update(rt: Runtime, job_id: str, **fields: Any) -> None:
    with rt.appdb.session() as s:
        job = s.get(ExportJob, job_id)
        if job is not None:
            for k, v in fields.items():
                setattr(job, k, v)
            job.heartbeat_at = utcnow()


def _run_job(
    rt: Runtime, job_id: str, view: str, fmt: str, scope: Scope, actor: str, params: dict[str, Any] | None
) -> None:
    try:
        res = export(
            rt,
            view,
            fmt,
            scope,
            actor=actor,
            params=params,
            progress=lambda step, frac: _update(rt, job_id, step=step, progress=round(frac, 3)),
        )
        folder = rt.settings.ensure_home() / "exports"
        folder.mkdir(exist_ok=True)
        path = folder / f"{job_id}.{fmt}"
        path.write_bytes(res.data)
        _update(
            rt,
            job_id,
            status="done",
            progress=1.0,
            step="done",
            path=str(path),
            filename=res.filename,
            finished_at=utcnow(),
        )
    except RevintelError as exc:
        _update(rt, job_id, status="failed", step="failed", error=str(exc), finished_at=utcnow())
    except Exception:  # a process boundary: the log keeps the traceback, the user gets words
        log.exception("export job %s (%s %s) failed", job_id, view, fmt)
        _update(
            rt,
            job_id,
            status="failed",
            step="failed",
            error="the export failed unexpectedly; try again, and tell an administrator if it fails again",
            finished_at=utcnow(),
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _interrupted(job: ExportJob, now: dt.datetime, stale: dt.timedelta) -> bool:
    """Whether a job still marked running can no longer finish: its process is gone (this host),
    it was started by an earlier process with this pid (a container restarted), or it has shown no
    sign of life for ``stale`` (another host)."""
    beat = job.heartbeat_at or job.created_at
    if beat is None or now - beat > stale:
        return True
    host, _, rest = (job.owner or "").partition(":")
    pid, _, boot = rest.partition(":")
    if not job.owner or host != socket.gethostname():
        return not job.owner
    if not pid.isdigit():
        return True
    if int(pid) == os.getpid():
        return boot != BOOT
    return not _alive(int(pid))


def recover_jobs(rt: Runtime, stale: dt.timedelta = STALE_AFTER) -> int:
    """Mark export jobs a restart interrupted as failed, with the reason (run at server start).

    Returns:
        How many jobs were marked.
    """
    now = utcnow()
    marked = 0
    with rt.appdb.session() as s:
        for job in s.scalars(select(ExportJob).where(ExportJob.status == "running")):
            if _interrupted(job, now, stale):
                job.status, job.step, job.finished_at = "failed", "interrupted", now
                job.error = INTERRUPTED
                marked += 1
    if marked:
        log.warning("marked %d interrupted export job(s) as failed", marked)
    return marked


def job_status(rt: Runtime, job_id: str, actor: str) -> dict[str, Any]:
    """A job's status, progress and step; only its owner may see it.

    A running job whose process is gone is reported (and stored) as failed, with the reason.
    """
    with rt.appdb.session() as s:
        job = s.get(ExportJob, job_id)
        if job is None or job.actor != actor:
            raise NotFound(f"no export job {job_id!r}")
        if job.status == "running" and _interrupted(job, utcnow(), STALE_AFTER):
            job.status, job.step, job.finished_at, job.error = "failed", "interrupted", utcnow(), INTERRUPTED
        return {
            "id": job.id,
            "view": job.view,
            "format": job.format,
            "status": job.status,
            "progress": job.progress,
            "step": job.step,
            "error": job.error,
            "filename": job.filename,
        }


def job_file(rt: Runtime, job_id: str, actor: str) -> tuple[Path, str, str]:
    """(path, filename, content type) of a finished job."""
    info = job_status(rt, job_id, actor)
    if info["status"] != "done":
        raise InvalidRequest(f"export job {job_id} is {info['status']}", hint=info.get("error"))
    with rt.appdb.session() as s:
        job = s.get(ExportJob, job_id)
        if job is None or not job.path:
            raise NotFound(f"no file for export job {job_id!r}")
        return Path(job.path), job.filename or Path(job.path).name, FORMATS[job.format]
