"""PDF export: rendered to pixels with pdftoppm and read back as text."""

from __future__ import annotations

import pytest

from revintel.errors import InvalidRequest
from revintel.export.document import Document
from revintel.export.pdf import render_pdf
from revintel.export.sample import sample_document


def test_every_page_of_the_brief_pdf_has_visible_content(pages_of):
    shares = pages_of(render_pdf(sample_document()))
    assert len(shares) >= 3  # title page, body, sources
    assert all(s > 0.002 for s in shares), shares


def test_pdf_has_title_page_page_numbers_and_a_sources_section_with_sql(text_of):
    text = text_of(render_pdf(sample_document()))
    pages = text.split("\f")
    assert "Daily brief" in pages[0] and "$4.82M" in pages[0]
    assert "Page 1" in pages[0] and "Page 2" in pages[1]
    sources = next(p for p in pages if "Sources" in p and "SELECT" in p)
    assert "SUM(gross_fee)" in sources and "OPP-1042" in sources


def test_charts_are_vector_drawings_not_images():
    pdf = render_pdf(sample_document())
    assert b"/Subtype /Image" not in pdf  # ReportLab graphics are drawn as paths


def test_progress_is_reported_per_section_until_done():
    steps: list[tuple[str, float]] = []
    render_pdf(sample_document(), progress=lambda step, frac: steps.append((step, frac)))
    assert steps[-1] == ("PDF: done", 1.0)
    assert [f for _, f in steps] == sorted(f for _, f in steps)


def test_empty_view_is_refused_with_a_clear_message():
    with pytest.raises(InvalidRequest, match="nothing to export: the risks view is empty"):
        render_pdf(Document(kind="risks", title="Risk list", scope="region in (APAC)"))


def test_title_page_has_period_scope_key_numbers_and_key_messages_and_sql_waits_for_the_appendix(text_of):
    text = text_of(render_pdf(sample_document()))
    pages = text.split("\f")
    assert "Scope:" in pages[0] and "Figures as of" in pages[0] and "In brief" in pages[0]
    assert "Revenue is 3.1% below budget." in pages[0]  # the KPI section's summary leads the key messages
    body = "\f".join(pages[1:-1])
    assert "SELECT" not in body.split("Appendix: the SQL behind the numbers")[0]  # no SQL in the body
    assert "Appendix: the SQL behind the numbers" in text
