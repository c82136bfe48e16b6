"""In Chromium: the Ask page's prompt chips land on the demo's planted answers, with chart and SQL."""

from __future__ import annotations

import pytest

from .live import shot

pytestmark = pytest.mark.browser


def sign_in(page, base: str, persona: str) -> None:
    page.goto(f"{base}/login")
    page.click(f'button[data-persona="{persona}"]')
    page.wait_for_selector('[data-testid="who"]')


def ask_chip(page, index: int) -> str:
    before = page.locator('[data-testid="answer-text"]').count()
    page.locator('[data-testid="prompt-chips"] .chip').nth(index).click()
    page.wait_for_function(f"() => document.querySelectorAll('[data-testid=answer-text]').length > {before}")
    return page.locator('[data-testid="answer-text"]').last.inner_text()


def test_prompt_chips_give_the_planted_answers(page, demo_server):
    sign_in(page, demo_server.url, "ceo")
    page.goto(f"{demo_server.url}/ask")
    assert "most of this is seasonal" in ask_chip(page, 0)
    page.wait_for_selector('[data-testid="answer-chart"] .main-svg')
    assert "volume was bought with price" in ask_chip(page, 1)
    assert "concentrated in Technology" in ask_chip(page, 2)
    bva = ask_chip(page, 3)
    assert "Chargeable hours" in bva and "Net fees" in bva
    last = page.locator('[data-testid="answer"]').last
    last.locator('[data-testid="answer-sql"] summary').click()
    assert "SELECT" in last.locator('[data-testid="answer-sql"] pre').inner_text()
    shot(page, "ask")
    last.locator('[data-testid="thumbs-up"]').click()
    page.wait_for_selector("text=feedback saved")
    page.reload()
    assert page.locator('[data-testid="answer"]').count() == 4  # the conversation persisted


def test_follow_up_in_the_page_keeps_the_conversation(page, demo_server):
    sign_in(page, demo_server.url, "emea_lead")
    page.goto(f"{demo_server.url}/ask")
    page.fill("#ask-input", "Net fees by region this year")
    page.click('[data-testid="ask-submit"]')
    page.wait_for_selector('[data-testid="answer-table"]')
    assert "APAC" not in page.locator('[data-testid="answer-table"]').inner_text()
    page.fill("#ask-input", "and for all regions?")
    page.click('[data-testid="ask-submit"]')
    page.wait_for_function("() => document.querySelectorAll('[data-testid=answer-table]').length > 1")
    assert "APAC" not in page.locator('[data-testid="answer-table"]').last.inner_text()
    assert "/ask?c=" in page.url
