"""Export API: jobs with progress, downloads, empty views refused with a clear message, audited."""

from __future__ import annotations

import re
import time

import pytest

from revintel.appdb import audit
from revintel.briefs.compose import save_brief
from revintel.export.sample import sample_document


@pytest.fixture
def cfo(rt, client_as):  # type: ignore[no-untyped-def]
    doc = sample_document(as_of=rt.as_of())
    rt.brief_id = save_brief(rt.appdb, doc, created_by="cfo")
    c = client_as("cfo")
    page = c.get("/briefs").text
    c.headers["X-CSRF-Token"] = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return c


def wait(client, job_id: str) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        s = client.get(f"/api/exports/{job_id}").json()
        if s["status"] != "running":
            return s
        time.sleep(0.1)
    raise AssertionError("export job did not finish")


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF"), ("pptx", b"PK")])
def test_export_job_reports_progress_and_serves_the_file(rt, cfo, fmt, magic):
    r = cfo.post("/api/exports", json={"view": "brief", "format": fmt, "params": {"brief_id": rt.brief_id}})
    assert r.status_code == 202
    s = wait(cfo, r.json()["id"])
    assert s["status"] == "done" and s["progress"] == 1.0 and s["filename"].endswith(f".{fmt}")
    f = cfo.get(f"/api/exports/{r.json()['id']}/file")
    assert f.status_code == 200 and f.content.startswith(magic)
    assert f.headers["content-disposition"].startswith("attachment")


def test_board_deck_of_a_stored_brief_downloads_synchronously(rt, cfo):
    r = cfo.get(f"/api/export/board.pptx?brief_id={rt.brief_id}")
    assert r.status_code == 200
    from io import BytesIO

    from pptx import Presentation

    assert len(Presentation(BytesIO(r.content)).slides) >= 10


def test_export_of_an_empty_view_fails_with_a_clear_message_and_is_audited(rt, cfo):
    r = cfo.get("/api/export/dashboard.pdf")
    assert r.status_code == 400
    assert r.json()["message"].startswith("nothing to export: the dashboard view is empty")
    job = cfo.post("/api/exports", json={"view": "dashboard", "format": "pdf"}).json()
    s = wait(cfo, job["id"])
    assert s["status"] == "failed" and "nothing to export" in s["error"]
    ev = audit.events(rt.appdb, action="export")
    assert ev[0]["outcome"] == "error" and ev[0]["target"] == "dashboard.pdf"


def test_someone_elses_job_is_not_found(rt, cfo, client_as):
    job = cfo.post(
        "/api/exports", json={"view": "brief", "format": "pdf", "params": {"brief_id": rt.brief_id}}
    )
    other = client_as("cro")
    assert other.get(f"/api/exports/{job.json()['id']}").status_code == 404
    wait(cfo, job.json()["id"])


def test_unknown_view_or_format_is_refused(cfo):
    assert cfo.get("/api/export/deals.pdf").status_code == 400
    assert cfo.get("/api/export/brief.docx").status_code == 400
