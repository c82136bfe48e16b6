"""In Chromium: the brief page's Export buttons start a job, show its progress and download the file;
the channel previews render."""

from __future__ import annotations

import pytest

from revintel.briefs.compose import save_brief
from revintel.export.sample import sample_document

from .live import shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stored(demo_app) -> int:  # type: ignore[no-untyped-def]
    """Today's brief for the CFO, stored so the page shows it without composing."""
    rt = demo_app.state.runtime
    doc = sample_document(as_of=rt.as_of())
    return save_brief(rt.appdb, doc, created_by="cfo")


def sign_in(page, base: str, persona: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.click(f'button[data-persona="{persona}"]')
    page.wait_for_selector('[data-testid="who"]')


@pytest.mark.parametrize(
    ("button", "suffix", "magic"),
    [
        ('[data-export-format="pdf"]', ".pdf", b"%PDF"),
        ('[data-export-as="board"]', ".pptx", b"PK"),
    ],
)
def test_export_button_shows_progress_and_downloads_the_file(
    page, demo_server, stored, tmp_path, button, suffix, magic
):
    sign_in(page, demo_server.url, "cfo")
    page.goto(f"{demo_server.url}/briefs")
    page.wait_for_selector('[data-testid="brief"]')
    assert "$4.82M" in page.locator('[data-testid="brief"]').inner_text()
    with page.expect_download() as info:
        page.click(button)
    download = info.value
    assert download.suggested_filename.endswith(suffix)
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))
    assert path.read_bytes().startswith(magic)
    assert "ready:" in page.locator(".export-progress").inner_text()
    shot(page, "brief")


def test_channel_previews_show_email_slack_and_teams(page, demo_server, stored):
    sign_in(page, demo_server.url, "cfo")
    page.goto(f"{demo_server.url}/briefs/{stored}/preview")
    assert "Revenue" in page.locator('[data-testid="slack-preview"]').inner_text()
    assert "$4.82M" in page.locator('[data-testid="teams-preview"]').inner_text()
    frame = page.frame_locator('[data-testid="email-preview"]')
    assert "Sources" in frame.locator("body").inner_text()
