"""Brief API: stored briefs per persona, previews, send now, schedules CRUD, delivery log."""

from __future__ import annotations

import re

import pytest

from briefs.receivers import http_receiver
from revintel.briefs.compose import save_brief
from revintel.export.sample import sample_document
from revintel.scope import get_persona


def store(rt, persona: str, scope: str = "all rows") -> int:  # type: ignore[no-untyped-def]
    doc = sample_document(as_of=rt.as_of())
    doc.persona, doc.scope = persona, scope
    return save_brief(rt.appdb, doc, created_by=persona, scope=get_persona(persona).scope)


def csrf(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/briefs").text
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.fixture
def cfo(rt, client_as):  # type: ignore[no-untyped-def]
    store(rt, "cfo")
    c = client_as("cfo")
    c.headers["X-CSRF-Token"] = csrf(c)
    return c


def test_today_returns_the_stored_brief_for_the_callers_persona(rt, cfo):
    body = cfo.get("/api/briefs/today").json()
    assert body["document"]["persona"] == "cfo"
    assert body["document"]["headline"][0]["text"] == "$4.82M"


def test_a_regional_lead_sees_only_its_own_past_briefs(rt, client_as):
    mine = store(rt, "emea_lead", "region in (EMEA)")
    theirs = store(rt, "cfo")
    emea = client_as("emea_lead")
    assert [b["id"] for b in emea.get("/api/briefs").json()["briefs"]] == [mine]
    assert emea.get(f"/api/briefs/{theirs}").status_code == 404
    assert emea.get(f"/api/briefs/{theirs}/preview").status_code == 404


def test_preview_shows_each_channels_message(rt, cfo):
    bid = cfo.get("/api/briefs/today").json()["id"]
    p = cfo.get(f"/api/briefs/{bid}/preview").json()
    assert p["email"]["subject"].startswith("Daily brief") and "$4.82M" in p["email"]["html"]
    assert p["slack"]["blocks"][0]["type"] == "header"
    assert p["teams"]["attachments"][0]["content"]["type"] == "AdaptiveCard"


def test_send_now_reaches_slack_and_teams_and_logs_each_delivery(rt, cfo):
    bid = cfo.get("/api/briefs/today").json()["id"]
    with http_receiver() as hooks:
        rt.settings.slack_webhook_url = hooks.url + "/slack"
        rt.settings.teams_webhook_url = hooks.url + "/teams"
        r = cfo.post(f"/api/briefs/{bid}/send", json={"channels": ["slack", "teams", "email"]})
    assert r.status_code == 200
    outcomes = {d["channel"]: d["outcome"] for d in r.json()["deliveries"]}
    assert outcomes == {"slack": "sent", "teams": "sent", "email": "failed"}  # no SMTP host: others proceed
    log = cfo.get("/api/deliveries").json()["deliveries"]
    assert {(d["channel"], d["outcome"]) for d in log} == {
        ("slack", "sent"),
        ("teams", "sent"),
        ("email", "failed"),
    }
    assert "REVINTEL_SMTP_HOST" in next(d["error"] for d in log if d["channel"] == "email")


def test_schedule_crud_and_invalid_cron_or_time_zone_is_a_422_with_located_problems(cfo):
    bad = cfo.post(
        "/api/schedules",
        json={"name": "m", "cron": "0 7 * *", "timezone": "Europe/Berln", "email_to": ["cfo@example.com"]},
    )
    assert bad.status_code == 422
    cols = {p["column"] for p in bad.json()["problems"]}
    assert cols == {"cron", "timezone"}
    made = cfo.post(
        "/api/schedules",
        json={
            "name": "Morning",
            "cron": "0 7 * * 1-5",
            "timezone": "Europe/Berlin",
            "channels": ["email"],
            "email_to": ["cfo@example.com"],
        },
    )
    assert made.status_code == 201 and made.json()["persona"] == "cfo"
    sid = made.json()["id"]
    upd = cfo.put(
        f"/api/schedules/{sid}",
        json={
            "name": "Weekly",
            "cron": "0 8 * * 1",
            "timezone": "UTC",
            "channels": ["slack"],
            "slack_webhook_url": "https://hooks.x/y",
        },
    )
    assert upd.json()["cron"] == "0 8 * * 1"
    assert [s["name"] for s in cfo.get("/api/schedules").json()["schedules"]] == ["Weekly"]
    assert cfo.delete(f"/api/schedules/{sid}").status_code == 204
    assert cfo.get("/api/schedules").json()["schedules"] == []


def test_a_regional_lead_cannot_schedule_the_ceos_brief_or_read_the_delivery_log(rt, client_as):
    store(rt, "emea_lead", "region in (EMEA)")
    emea = client_as("emea_lead")
    emea.headers["X-CSRF-Token"] = csrf(emea)
    r = emea.post(
        "/api/schedules",
        json={"name": "x", "persona": "ceo", "cron": "0 7 * * *", "email_to": ["a@example.com"]},
    )
    assert r.status_code == 403
    assert emea.get("/api/deliveries").status_code == 403
