"""``revintel brief``, ``revintel export``, ``revintel schedules`` and ``revintel scheduler`` end to end.

The data-heavy commands run in-process (Typer's runner) over one warm runtime on the shared demo
home, with a local SMTP server and a local webhook receiver; error paths run as real processes to
check exit codes and messages.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from briefs.receivers import Mailbox, Receiver, http_receiver, smtp_mailbox
from revintel.cli import app, state
from revintel.runtime import Runtime
from revintel.scope import get_persona


def run(home, *args: str) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVINTEL_")}
    env.update({"REVINTEL_HOME": str(home), "OMP_WAIT_POLICY": "passive", "COLUMNS": "200"})
    return subprocess.run(
        [sys.executable, "-c", "from revintel.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def invoke(rt: Runtime, *args: str):  # type: ignore[no-untyped-def]
    """Run a command in-process with ``rt`` as its runtime."""
    state.runtime = rt
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        state.runtime = None
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with smtp_mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def hooks() -> Iterator[Receiver]:
    with http_receiver() as rec:
        yield rec


@pytest.fixture(scope="module")
def warm_rt(demo_runtime_shared, mailbox, hooks) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    """The session's warm demo runtime, pointed at the local SMTP server and webhook receiver."""
    s = demo_runtime_shared.settings
    changes = {
        "smtp_host": mailbox.host,
        "smtp_port": mailbox.port,
        "slack_webhook_url": hooks.url + "/slack",
        "teams_webhook_url": hooks.url + "/teams",
        "delivery_backoff_seconds": 0.01,
    }
    saved = {k: getattr(s, k) for k in changes}
    for k, v in changes.items():
        setattr(s, k, v)
    yield demo_runtime_shared
    for k, v in saved.items():
        setattr(s, k, v)


@pytest.mark.slow
def test_brief_for_the_cfo_writes_pdf_and_deck_with_the_dashboards_numbers_and_sends_it(
    warm_rt, mailbox, hooks, tmp_path
):
    from pptx import Presentation

    pdf, pptx = tmp_path / "brief.pdf", tmp_path / "brief.pptx"
    r = invoke(
        warm_rt,
        "brief",
        "--persona",
        "cfo",
        "--pdf",
        str(pdf),
        "--pptx",
        str(pptx),
        "--send",
        "--to",
        "cfo@example.com",
        "--json",
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert {d["channel"]: d["outcome"] for d in out["deliveries"]} == {
        "email": "sent",
        "slack": "sent",
        "teams": "sent",
    }
    assert len(mailbox.messages) == 1 and sorted(p["path"] for p in hooks.posts) == ["/slack", "/teams"]
    assert out["files"] == {"pdf": str(pdf), "pptx": str(pptx)} and pdf.read_bytes().startswith(b"%PDF")

    cards = warm_rt.kpis.summary(get_persona("cfo").scope, None)
    kpis = next(s for s in out["document"]["sections"] if s["id"] == "kpis")
    shown = {it["citations"][0]["metric"]: it["figures"][0] for it in kpis["items"]}
    assert shown
    for c in cards[: len(shown)]:
        assert shown[c.metric]["value"] == pytest.approx(c.value)

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    deck = Presentation(io.BytesIO(pptx.read_bytes()))
    deck_text = " ".join(sh.text_frame.text for s in deck.slides for sh in s.shapes if sh.has_text_frame)
    for fig in shown.values():
        assert fig["text"] in text and fig["text"] in deck_text
    assert any(sh.has_chart for s in deck.slides for sh in s.shapes)
    assert all(s.notes_slide.notes_text_frame.text.strip() for s in deck.slides)


@pytest.mark.slow
def test_export_board_deck_has_at_least_ten_slides_with_native_charts(warm_rt, tmp_path):
    from pptx import Presentation

    out = tmp_path / "board.pptx"
    r = invoke(
        warm_rt, "export", "board", "--format", "pptx", "--out", str(out), "--persona", "cfo", "--json"
    )
    assert r.exit_code == 0, r.output
    deck = Presentation(str(out))
    assert len(deck.slides) >= 10
    assert sum(1 for s in deck.slides for sh in s.shapes if sh.has_chart) >= 4


def test_invalid_schedule_is_refused_with_the_reason_and_exit_code_1(home):
    r = run(
        home,
        "schedules",
        "add",
        "--name",
        "x",
        "--cron",
        "0 25 * * *",
        "--tz",
        "Europe/Pariss",
        "--persona",
        "cfo",
        "--to",
        "cfo@example.com",
    )
    assert r.returncode == 1
    assert "invalid cron expression" in r.stderr and "Europe/Paris" in r.stderr
    assert "Traceback" not in r.stderr


def test_send_without_any_channel_configured_explains_what_to_set(home):
    r = run(home, "brief", "--persona", "cfo", "--send")
    assert r.returncode == 1 and "REVINTEL_SMTP_HOST" in r.stderr and "Traceback" not in r.stderr


def test_schedule_add_edit_list_remove_and_scheduler_once_with_nothing_due(rt):
    r = invoke(
        rt,
        "schedules",
        "add",
        "--name",
        "Morning",
        "--cron",
        "0 7 * * 1-5",
        "--tz",
        "Europe/London",
        "--persona",
        "cfo",
        "--to",
        "cfo@example.com",
        "--json",
    )
    sid = json.loads(r.stdout)["id"]
    invoke(rt, "schedules", "edit", str(sid), "--cron", "30 6 * * 1", "--disabled")
    listed = json.loads(invoke(rt, "schedules", "list", "--json").stdout)["schedules"]
    assert [(s["cron"], s["timezone"], s["enabled"]) for s in listed] == [
        ("30 6 * * 1", "Europe/London", False)
    ]
    assert json.loads(invoke(rt, "scheduler", "--once", "--json").stdout) == {"runs": []}
    invoke(rt, "schedules", "remove", str(sid))
    assert json.loads(invoke(rt, "schedules", "list", "--json").stdout) == {"schedules": []}
    assert json.loads(invoke(rt, "schedules", "deliveries", "--json").stdout) == {"deliveries": []}


def test_export_of_an_empty_view_says_so_and_exits_1(home, tmp_path):
    r = run(home, "export", "dashboard", "--format", "pdf", "--out", str(tmp_path / "d.pdf"))
    assert r.returncode == 1 and "nothing to export: the dashboard view is empty" in r.stderr
    assert not (tmp_path / "d.pdf").exists()
