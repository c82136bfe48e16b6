"""Calls pages and API: search, one conversation, Competitive intel, the deal copilot; scope on each."""

from __future__ import annotations

from fastapi.testclient import TestClient

DEAL = "O0000022"  # EMEA


def test_calls_search_page_and_api_agree_and_follow_the_scope(demo_as) -> None:
    emea: TestClient = demo_as("emea_lead")
    page = emea.get("/calls", params={"q": "security questionnaire", "speaker": "customer"})
    assert page.status_code == 200 and 'data-testid="call-results"' in page.text
    api = emea.get("/api/calls/search", params={"q": "security questionnaire", "speaker": "customer"}).json()
    assert api["results"] and {h["region"] for h in api["results"]} == {"EMEA"}
    assert api["results"][0]["link"] in page.text
    bad = emea.get("/api/calls/search", params={"q": "x", "speaker": "robot"})
    assert bad.status_code == 400


def test_conversation_page_shows_turns_and_flags_the_planted_instruction(demo_as) -> None:
    ceo = demo_as("ceo")
    page = ceo.get("/calls/V0000008")
    assert page.status_code == 200 and 'data-testid="turns"' in page.text and "flagged" in page.text
    assert "Traceback" not in page.text
    other = demo_as("apac_lead").get("/api/calls/V0000009")
    assert other.status_code == 404  # an EMEA call is not found for the APAC lead


def test_competitive_intel_page_shows_the_emea_surge(demo_as) -> None:
    page = demo_as("ceo").get("/calls/competitors")
    assert page.status_code == 200
    assert 'data-testid="surge"' in page.text and "Quantive</strong> surged in EMEA in 2025-Q4" in page.text
    americas = demo_as("americas_lead").get("/api/calls/competitors").json()
    assert {r["region"] for r in americas["heatmap"]} == {"Americas"} and not americas["surges"]


def test_copilot_from_the_deal_page_and_the_api(demo_as) -> None:
    emea = demo_as("emea_lead")
    page = emea.get("/calls/copilot", params={"deal": DEAL, "q": "What objections did the customer raise?"})
    assert page.status_code == 200 and "not answered in the call" in page.text
    email = emea.post(
        "/api/calls/copilot", json={"question": "Draft a follow-up email", "deal": DEAL, "tone": "concise"}
    ).json()
    assert email["intent"] == "email" and email["answer"].startswith("Karim - thanks")
    refused = demo_as("americas_lead").post(
        "/api/calls/copilot", json={"question": "summarize", "deal": DEAL}
    )
    assert refused.status_code == 404


def test_a_role_without_pipeline_data_is_refused(demo_as) -> None:
    assert demo_as("consulting_lead").get("/api/calls/search", params={"q": "pricing"}).status_code == 403
