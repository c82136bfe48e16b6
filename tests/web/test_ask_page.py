"""The Ask page (server-rendered shell): chips, conversation list, a reopened conversation."""

from __future__ import annotations

import json
import re

from revintel.ask.suggest import CANONICAL


def test_ask_page_shows_the_four_prompt_chips(demo_as) -> None:
    r = demo_as("ceo").get("/ask")
    assert r.status_code == 200
    chips = re.findall(r'data-question="([^"]+)"', r.text)
    assert chips == list(CANONICAL)
    assert "/static/ask.js" in r.text and "plotly" in r.text


def test_reopened_conversation_renders_its_turns(demo_as) -> None:
    c = demo_as("cfo")
    first = c.post("/api/ask", json={"question": "What were net fees in 2025?"}).json()
    page = c.get(f"/ask?c={first['conversation_id']}").text
    turns = json.loads(
        re.search(r'<script type="application/json" id="ask-turns">(.*?)</script>', page, re.S)[1]
    )
    assert (
        turns[0]["question"] == "What were net fees in 2025?"
        and turns[0]["answer"]["value"] == first["value"]
    )
    assert "What were net fees in 2025?" in page  # in the conversation list


def test_another_users_conversation_is_not_found(demo_as) -> None:
    first = demo_as("cfo").post("/api/ask", json={"question": "Net fees YTD"}).json()
    assert demo_as("cro").get(f"/ask?c={first['conversation_id']}").status_code == 404


def test_summary_only_role_cannot_open_ask(demo_as) -> None:
    assert demo_as("sponsor").get("/ask").status_code == 403
