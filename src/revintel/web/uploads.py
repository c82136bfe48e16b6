"""Staged uploads for the admin ingest page: save, validate (nothing loaded), then load on confirm.

Files are staged under ``<home>/uploads/<id>/``; the confirm step validates the staged files again
and loads that plan, so nothing is kept in process memory between the two requests (works with
several workers and after a restart). A staged upload is deleted once it has been loaded.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from revintel.errors import InvalidRequest, NotFound
from revintel.runtime import Runtime

if TYPE_CHECKING:  # ingest is imported when used: the app starts without loading every source reader
    from revintel.warehouse.ingest import IngestPlan, IngestReport

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


def stage(rt: Runtime, files: list[tuple[str, BinaryIO]]) -> str:
    """Save uploaded files into a new staging folder; returns its id.

    Raises:
        InvalidRequest: no files, or the upload is larger than MAX_UPLOAD_BYTES.
    """
    if not files:
        raise InvalidRequest("choose at least one file to upload")
    upload_id = secrets.token_urlsafe(18)
    folder = uploads_dir(rt) / upload_id
    folder.mkdir(parents=True)
    total = 0
    try:
        for name, fh in files:
            with open(folder / safe_filename(name), "wb") as out:
                while chunk := fh.read(1 << 20):
                    total += len(chunk)
                    if total > MAX_UPLOAD_BYTES:
                        raise InvalidRequest(f"upload larger than {MAX_UPLOAD_BYTES >> 20} MB")
                    out.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return upload_id


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
    """Validate a staged upload; raises ValidationFailed with located problems, writes nothing."""
    from revintel.warehouse import ingest

    return ingest.validate(source, staged_path(rt, upload_id), rt.settings)


def load(rt: Runtime, upload_id: str, source: str) -> IngestReport:
    """Validate again and load atomically; the staging folder is removed after a successful load."""
    from revintel.warehouse import ingest

    plan = validate(rt, upload_id, source)
    report = ingest.load(plan, rt.warehouse)
    shutil.rmtree(uploads_dir(rt) / upload_id, ignore_errors=True)
    return report


def source_choices() -> list[dict[str, Any]]:
    """Registered ingest sources with their descriptions."""
    from revintel.warehouse import ingest

    return [
        {"id": name, "description": getattr(cls, "description", "")}
        for name, cls in sorted(ingest.sources().items())
    ]
