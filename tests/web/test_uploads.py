"""Staged uploads leave nothing behind: rejected ones are deleted, unconfirmed ones expire, a quota holds."""

from __future__ import annotations

import io
import os
import time

import pytest

from revintel.config import Settings
from revintel.errors import InvalidRequest, ValidationFailed
from revintel.runtime import Runtime
from revintel.web import uploads

HTML = {"accept": "text/html"}
GOOD = b"rep_id,name,region,team\nr1,Ann,EMEA,North\n"


def _staged(rt: Runtime) -> list[str]:
    root = uploads.uploads_dir(rt)
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


def test_a_rejected_upload_is_deleted_at_once(client_as, rt):
    c = client_as("data_steward")
    for route in ("/admin/upload", "/api/admin/uploads"):
        r = c.post(
            route,
            data={"source": "canonical"},
            files={"files": ("opportunities.csv", b"opportunity_id,amount\nx1,not-a-number\n")},
            headers=HTML if route == "/admin/upload" else {},
        )
        assert r.status_code in (400, 422)
    assert _staged(rt) == []


def test_rejection_names_the_file_not_the_server_path(client_as, rt):
    r = client_as("data_steward").post(
        "/api/admin/uploads",
        data={"source": "canonical"},
        files={"files": ("opportunities.csv", b"opportunity_id,amount\nx1,not-a-number\n")},
    )
    assert r.status_code == 422 and "opportunities.csv" in r.text
    assert str(rt.settings.home) not in r.text and "/uploads/" not in r.text


def test_unconfirmed_uploads_expire_after_the_configured_time(home):
    rt = Runtime(Settings(home=home, upload_ttl_minutes=30))
    try:
        old = uploads.stage(rt, [("reps.csv", io.BytesIO(GOOD))])
        fresh = uploads.stage(rt, [("reps.csv", io.BytesIO(GOOD))])
        an_hour_ago = time.time() - 3600
        os.utime(uploads.uploads_dir(rt) / old, (an_hour_ago, an_hour_ago))
        assert uploads.sweep(rt) == 1
        assert _staged(rt) == [fresh]
        with pytest.raises(Exception, match="gone"):
            uploads.validate(rt, old, "canonical")
    finally:
        rt.close()


def test_uploads_are_swept_when_the_server_starts(home):
    from fastapi.testclient import TestClient

    from revintel.app import create_app

    settings = Settings(home=home, upload_ttl_minutes=5)
    rt = Runtime(settings)
    stale = uploads.stage(rt, [("reps.csv", io.BytesIO(GOOD))])
    rt.close()
    past = time.time() - 600
    os.utime(settings.home / "uploads" / stale, (past, past))
    with TestClient(create_app(settings)):
        assert not (settings.home / "uploads" / stale).exists()


def test_the_total_quota_refuses_a_new_upload_until_space_is_freed(home):
    rt = Runtime(Settings(home=home, upload_quota_mb=1))
    try:
        first = uploads.stage(rt, [("a.csv", io.BytesIO(b"x" * 700_000))])
        with pytest.raises(InvalidRequest, match="staging area is full") as exc:
            uploads.stage(rt, [("b.csv", io.BytesIO(b"y" * 700_000))])
        assert exc.value.details["parameter"] == "files"
        assert _staged(rt) == [first]  # the refused one left nothing
        uploads.discard(rt, first)
        uploads.stage(rt, [("b.csv", io.BytesIO(b"y" * 700_000))])
    finally:
        rt.close()


def test_stage_and_validate_keeps_nothing_when_validation_fails(rt):
    with pytest.raises(ValidationFailed):
        uploads.stage_and_validate(
            rt, [("opportunities.csv", io.BytesIO(b"opportunity_id,amount\nx,y\n"))], "canonical"
        )
    assert _staged(rt) == []
