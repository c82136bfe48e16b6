"""Staged uploads for the admin ingest page: save, validate (nothing loaded), then load on confirm.

Files are staged under ``<home>/uploads/<id>/``; the confirm step validates the staged files again
and loads that plan, so nothing is kept in process memory between the two requests (works with
several workers and after a restart). Nothing is left behind: a staged upload is deleted once it
has been loaded, at once when its validation rejects it, and after ``upload_ttl_minutes`` when it
was never confirmed (swept at every new upload and at server start). All staged uploads together
stay under ``upload_quota_mb``.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from revintel.errors import InvalidRequest, NotFound, RevintelError
from revintel.runtime import Runtime

if TYPE_CHECKING:  # ingest is imported when used: the app starts without loading every source reader
    from revintel.services.identity import User
    from revintel.warehouse.ingest import IngestPlan, IngestReport

log = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]")
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def uploads_dir(rt: Runtime) -> Path:
    return rt.settings.ensure_home() / "uploads"


def safe_filename(name: str) -> str:
    """The base name of an uploaded file with anything unusual replaced (no path traversal)."""
    base = Path(name.replace("\\", "/")).name.strip()
    base = _SAFE_NAME.sub("_", base).lstrip(".")
    if not base:
        raise InvalidRequest(f"unusable file name {name!r}")
    return base[:120]


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def sweep(rt: Runtime, now: float | None = None) -> int:
    """Delete staged uploads older than ``upload_ttl_minutes`` (never confirmed); returns how many."""
    root = uploads_dir(rt)
    if not root.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - rt.settings.upload_ttl_minutes * 60
    removed = 0
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder)
                removed += 1
        except OSError:  # another worker removed it first
            continue
    if removed:
        log.info("removed %d expired staged upload(s)", removed)
    return removed


def discard(rt: Runtime, upload_id: str) -> None:
    """Delete a staged upload (rejected, or no longer wanted)."""
    if _ID.match(upload_id):
        shutil.rmtree(uploads_dir(rt) / upload_id, ignore_errors=True)


def stage(rt: Runtime, files: list[tuple[str, BinaryIO]]) -> str:
    """Save uploaded files into a new staging folder; returns its id.

    Expired uploads are swept first; the new one must fit both the per-upload limit and what is
    left of the total quota.

    Raises:
        InvalidRequest: no files, the upload is larger than MAX_UPLOAD_BYTES, or the staging area
            is full (``upload_quota_mb``).
    """
    if not files:
        raise InvalidRequest("choose at least one file to upload")
    sweep(rt)
    root = uploads_dir(rt)
    quota = rt.settings.upload_quota_mb << 20
    used = sum(_size(f) for f in root.iterdir() if f.is_dir()) if root.is_dir() else 0
    limit = min(MAX_UPLOAD_BYTES, quota - used)
    upload_id = secrets.token_urlsafe(18)
    folder = root / upload_id
    folder.mkdir(parents=True)
    total = 0
    try:
        for name, fh in files:
            with open(folder / safe_filename(name), "wb") as out:
                while chunk := fh.read(1 << 20):
                    total += len(chunk)
                    if total > limit:
                        raise _too_large(limit, used, quota)
                    out.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return upload_id


def _too_large(limit: int, used: int, quota: int) -> InvalidRequest:
    if limit >= MAX_UPLOAD_BYTES:
        return InvalidRequest(
            f"upload larger than {MAX_UPLOAD_BYTES >> 20} MB",
            details={"parameter": "files", "expected": f"at most {MAX_UPLOAD_BYTES >> 20} MB"},
        )
    return InvalidRequest(
        f"the staging area is full: {used >> 20} MB of {quota >> 20} MB are taken by uploads not yet loaded",
        hint="load or discard the staged uploads, or wait for them to expire",
        details={"parameter": "files", "expected": f"at most {max(limit, 0) >> 20} MB"},
    )


def stage_and_validate(rt: Runtime, files: list[tuple[str, BinaryIO]], source: str) -> tuple[str, IngestPlan]:
    """Stage files and validate them as ``source``; a rejected upload is deleted at once.

    Raises:
        RevintelError: staging failed or validation found problems (nothing is kept).
    """
    upload_id = stage(rt, files)
    try:
        return upload_id, validate(rt, upload_id, source)
    except BaseException:
        discard(rt, upload_id)
        raise


def stage_audited(
    rt: Runtime, user: User, files: list[tuple[str, BinaryIO]], source: str
) -> tuple[str, IngestPlan]:
    """:func:`stage_and_validate` for ``user``, with the audit record of the outcome (rejected or staged).

    Raises:
        RevintelError: as :func:`stage_and_validate` (the rejection is audited first).
    """
    from revintel.services.admin import record_admin

    try:
        upload_id, plan = stage_and_validate(rt, files, source)
    except RevintelError as exc:
        record_admin(rt, user, "upload_validate", None, source=source, outcome="rejected", reason=exc.message)
        raise
    record_admin(rt, user, "upload_validate", upload_id, source=source, tables=plan.row_counts)
    return upload_id, plan


def staged_path(rt: Runtime, upload_id: str) -> Path:
    """The folder of a staged upload (or its single file).

    Raises:
        NotFound: unknown or already loaded upload id.
    """
    folder = uploads_dir(rt) / upload_id
    if not _ID.match(upload_id) or not folder.is_dir():
        raise NotFound("this upload is gone (already loaded or never staged)", hint="upload the file again")
    files = sorted(p for p in folder.iterdir() if p.is_file())
    return files[0] if len(files) == 1 else folder


def validate(rt: Runtime, upload_id: str, source: str) -> IngestPlan:
    """Validate a staged upload; raises ValidationFailed with located problems, writes nothing.

    Problems name the uploaded files as the user named them, never the server's staging folder.
    """
    from revintel.warehouse import ingest

    try:
        return ingest.validate(source, staged_path(rt, upload_id), rt.settings)
    except RevintelError as exc:
        raise _without_paths(exc, uploads_dir(rt) / upload_id) from None


def _without_paths(exc: RevintelError, folder: Path) -> RevintelError:
    """The same error with the staging folder taken out of its message, hint and problems."""

    def clean(text: str | None) -> str | None:
        if not text:
            return text
        for root in (str(folder.resolve()), str(folder)):
            text = text.replace(root + "/", "").replace(root, "the upload")
        return text

    exc.message = clean(exc.message) or exc.message
    exc.hint = clean(exc.hint)
    exc.args = (exc.message,)
    for problem in getattr(exc, "problems", None) or []:
        problem.file = clean(problem.file)
        problem.message = clean(problem.message) or problem.message
        if isinstance(problem.value, str):
            problem.value = clean(problem.value)
    return exc


def load(rt: Runtime, upload_id: str, source: str) -> IngestReport:
    """Validate again and load atomically; the staging folder is removed after a successful load."""
    from revintel.warehouse import ingest

    plan = validate(rt, upload_id, source)
    report = ingest.load(plan, rt.warehouse)
    shutil.rmtree(uploads_dir(rt) / upload_id, ignore_errors=True)
    rt.precompute.refresh()  # the new data version's win model, scores and forecast inputs
    return report


def source_choices() -> list[dict[str, Any]]:
    """Registered ingest sources with their descriptions."""
    from revintel.warehouse import ingest

    return [
        {"id": name, "description": getattr(cls, "description", "")}
        for name, cls in sorted(ingest.sources().items())
    ]
