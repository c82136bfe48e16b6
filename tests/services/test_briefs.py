"""Briefs and schedules owned by users (issue 13, items 1, 2, 5 and 8)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from revintel.app import create_app
from revintel.appdb import users
from revintel.briefs.compose import save_brief
from revintel.config import Settings
from revintel.export.sample import sample_document
from revintel.runtime import Runtime
from revintel.scope import get_persona

SCHEDULE = {"name": "m", "cron": "0 7 * * *", "email_to": ["a@example.com"]}


def store(rt: Runtime, persona: str) -> int:
    doc = sample_document(as_of=rt.as_of())
    doc.persona = persona
    return save_brief(rt.appdb, doc, created_by=persona, scope=get_persona(persona).scope)


def test_a_marketing_lead_cannot_schedule_the_ceos_brief(client_as) -> None:
    r = client_as("marketing").post("/api/schedules", json={**SCHEDULE, "persona": "ceo"})
    assert r.status_code == 403 and "your own brief" in r.json()["message"]


def test_schedules_are_private_to_their_owner(client_as) -> None:
    cfo, cro = client_as("cfo"), client_as("cro")
    sid = cfo.post("/api/schedules", json=SCHEDULE).json()["id"]
    assert cro.get("/api/schedules").json()["schedules"] == []
    taken = cro.put(f"/api/schedules/{sid}", json={**SCHEDULE, "email_to": ["thief@example.com"]})
    assert taken.status_code == 404
    assert cro.delete(f"/api/schedules/{sid}").status_code == 404
    assert cfo.get("/api/schedules").json()["schedules"][0]["email_to"] == ["a@example.com"]


@pytest.mark.parametrize("reader", ["sponsor", "marketing", "emea_lead"])
def test_a_stored_brief_is_404_to_readers_it_is_not_covered_for(rt, client_as, reader: str) -> None:
    bid = store(rt, "cfo")
    c = client_as(reader)
    assert c.get(f"/api/briefs/{bid}").status_code == 404
    assert c.get(f"/api/briefs/{bid}/preview").status_code == 404
    assert c.get("/api/export/brief.pdf", params={"brief_id": bid}).status_code in (403, 404)
    assert bid not in [b["id"] for b in c.get("/api/briefs").json()["briefs"]]


def test_huge_brief_and_schedule_ids_are_a_4xx(client_as) -> None:
    c = client_as("cfo")
    for r in (c.get("/api/briefs/99999999999999999999"), c.delete("/api/schedules/99999999999999999999")):
        assert r.status_code == 400 and "_id" in str(r.json())


@pytest.fixture
def secure(home) -> Runtime:  # type: ignore[no-untyped-def]
    rt = Runtime(Settings(home=home, auth="secure", secret_key="k3y-for-tests-0123456789abcdef"))
    users.add_user(rt.appdb, "cfo", "regional_lead", "pw-123456789", {"region": ["EMEA"]})
    yield rt
    rt.close()


def test_a_restricted_secure_user_schedules_their_own_brief_and_no_persona(secure) -> None:
    token = users.create_token(secure.appdb, "cfo")
    with TestClient(create_app(secure.settings)) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        made = c.post("/api/schedules", json=SCHEDULE)
        assert made.status_code == 201 and made.json()["persona"] == "cfo" and made.json()["owner"] == "cfo"
        other = c.post("/api/schedules", json={**SCHEDULE, "persona": "ceo"})
        assert other.status_code == 400 and other.json()["details"]["parameter"] == "persona"
