"""In Chromium: every data page carries Export buttons that download a PDF or deck of what is on screen."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def sign_in(page, base: str, persona: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.click(f'button[data-persona="{persona}"]')
    page.wait_for_selector('[data-testid="who"]')


@pytest.mark.parametrize("path", ["/", "/kpi/chargeable_hours", "/deals", "/forecast"])
def test_data_pages_offer_pdf_and_powerpoint_export(page, demo_server, path):
    sign_in(page, demo_server.url, "cfo")
    page.goto(f"{demo_server.url}{path}")
    buttons = page.locator(".export-buttons")
    assert buttons.count() >= 1, page.locator("main").inner_text()[:600]
    assert buttons.first.locator('[data-export-format="pdf"]').count() == 1
    assert buttons.first.locator('[data-export-format="pptx"]').count() >= 1


def test_dashboard_export_downloads_a_pdf_for_the_current_filters(page, demo_server, tmp_path):
    sign_in(page, demo_server.url, "cfo")
    page.goto(f"{demo_server.url}/?region=EMEA")
    with page.expect_download(timeout=120_000) as info:
        page.locator('.export-buttons [data-export-format="pdf"]').first.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(str(path))
    assert path.read_bytes().startswith(b"%PDF")


def test_an_ask_answer_can_be_exported(page, demo_server):
    sign_in(page, demo_server.url, "cfo")
    page.goto(f"{demo_server.url}/ask")
    page.locator("#ask-input").fill("Won revenue by region")
    page.locator('[data-testid="ask-submit"]').click()
    page.wait_for_selector(
        '[data-testid="answer"] .export-buttons [data-export-format="pdf"]', timeout=60_000
    )
    with page.expect_download(timeout=120_000) as info:
        page.locator('[data-testid="answer"] .export-buttons [data-export-format="pdf"]').last.click()
    assert info.value.suggested_filename.endswith(".pdf")
