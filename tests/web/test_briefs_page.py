"""The briefs page: today's brief with export buttons, past briefs, schedules CRUD with clear errors,
channel previews, and the admin delivery log."""

from __future__ import annotations

import re

import pytest

from revintel.briefs.compose import save_brief
from revintel.briefs.scheduler import make_message
from revintel.delivery import Target, channel, deliver
from revintel.export.sample import sample_document

HTML = {"accept": "text/html"}


def store(rt, persona: str = "cfo", scope: str = "all rows") -> int:  # type: ignore[no-untyped-def]
    doc = sample_document(as_of=rt.as_of())
    doc.persona, doc.scope = persona, scope
    return save_brief(rt.appdb, doc, created_by=persona)


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def cfo(rt, client_as):  # type: ignore[no-untyped-def]
    rt.brief_id = store(rt)
    c = client_as("cfo")
    c.headers.update(HTML)
    return c


def test_page_shows_todays_brief_with_numbers_sources_and_export_buttons(rt, cfo):
    page = cfo.get("/briefs")
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="brief"' in html and "$4.82M" in html and "Sources" in html
    assert 'data-export-format="pdf"' in html and 'data-export-as="board"' in html
    assert f"/briefs/{rt.brief_id}/preview" in html and 'data-testid="past-briefs"' in html


def test_invalid_schedule_form_shows_each_problem_and_keeps_the_input(cfo):
    page = cfo.get("/briefs").text
    form = {
        "csrf_token": token(page),
        "name": "Morning",
        "cron": "0 7 * * mon-fry",
        "timezone": "Mars/Base",
        "channels": ["email"],
        "email_to": "cfo@example.com",
        "enabled": "on",
    }
    r = cfo.post("/briefs/schedules", data=form)
    assert r.status_code == 422
    assert 'data-testid="problems"' in r.text and "invalid cron expression" in r.text
    assert "unknown time zone" in r.text and 'value="0 7 * * mon-fry"' in r.text


def test_schedule_is_created_listed_edited_and_deleted_from_the_page(cfo):
    page = cfo.get("/briefs").text
    form = {
        "csrf_token": token(page),
        "name": "Morning",
        "cron": "0 7 * * 1-5",
        "timezone": "Europe/London",
        "channels": ["email", "teams"],
        "email_to": "cfo@example.com, fd@example.com",
        "teams_webhook_url": "https://example.webhook.office.com/x",
        "enabled": "on",
    }
    r = cfo.post("/briefs/schedules", data=form, follow_redirects=False)
    assert r.status_code == 303
    page = cfo.get("/briefs").text
    assert (
        'data-testid="schedules"' in page
        and "Europe/London" in page
        and "cfo@example.com, fd@example.com" in page
    )
    sid = re.search(r"/briefs\?edit=(\d+)", page).group(1)
    edit = cfo.get(f"/briefs?edit={sid}").text
    assert "Edit schedule" in edit
    r = cfo.post(
        "/briefs/schedules",
        data={**form, "csrf_token": token(edit), "id": sid, "persona": "cfo", "cron": "0 6 * * 1"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "0 6 * * 1" in cfo.get("/briefs").text
    r = cfo.post(f"/briefs/schedules/{sid}/delete", data={"csrf_token": token(edit)}, follow_redirects=False)
    assert r.status_code == 303 and "No schedules yet." in cfo.get("/briefs").text


def test_channel_previews_render_email_slack_and_teams(rt, cfo):
    html = cfo.get(f"/briefs/{rt.brief_id}/preview").text
    for testid in ("email-preview", "slack-preview", "teams-preview"):
        assert f'data-testid="{testid}"' in html
    assert "Subject:" in html and "Open the brief" in html and "Revenue" in html


def test_delivery_log_page_lists_outcomes_for_auditors_only(rt, cfo, client_as, free_tcp_port):
    rt.settings.delivery_backoff_seconds = 0.001
    rt.settings.delivery_retries = 1
    t = Target(teams_webhook_url=f"http://127.0.0.1:{free_tcp_port}/x")
    deliver(
        rt.appdb,
        rt.settings,
        channel("teams", rt.settings),
        make_message(sample_document()),
        t,
        key="page:1:teams",
        actor="cfo",
    )
    html = cfo.get("/admin/deliveries").text
    assert 'data-testid="delivery-log"' in html and "teams delivery failed" in html and "page:1:teams" in html
    emea = client_as("emea_lead")
    assert emea.get("/admin/deliveries", headers=HTML).status_code == 403


def test_send_now_from_the_page_shows_each_channels_outcome_and_error(rt, cfo, free_tcp_port):
    rt.settings.delivery_backoff_seconds = 0.001
    rt.settings.teams_webhook_url = f"http://127.0.0.1:{free_tcp_port}/unreachable"
    page = cfo.get("/briefs").text
    r = cfo.post(
        f"/briefs/{rt.brief_id}/send",
        data={"csrf_token": token(page), "channels": ["teams", "email"], "email_to": "cfo@example.com"},
    )
    assert r.status_code == 200 and 'data-testid="send-outcomes"' in r.text
    assert "teams delivery failed" in r.text and "REVINTEL_SMTP_HOST" in r.text
    r = cfo.post(f"/briefs/{rt.brief_id}/send", data={"csrf_token": token(page)})
    assert r.status_code == 400 and "pick at least one channel" in r.text
