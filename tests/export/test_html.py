"""HTML rendering (screen and email body)."""

from __future__ import annotations

from revintel.export.html import render_html, render_text
from revintel.export.sample import sample_document


def test_html_shows_numbers_citation_marks_sources_and_link():
    html = render_html(sample_document())
    assert html.startswith("<!doctype html>")
    assert "$4.82M" in html and "<sup>[1]</sup>" in html
    assert "Sources" in html and "SUM(gross_fee)" in html
    assert 'href="http://127.0.0.1:8000/briefs"' in html
    assert "<script" not in html


def test_text_is_escaped():
    doc = sample_document()
    doc.sections[0].items[0].text = "<b>Revenue</b> & more"
    html = render_html(doc, full_page=False)
    assert "&lt;b&gt;Revenue&lt;/b&gt; &amp; more" in html


def test_plain_text_alternative_lists_each_section():
    text = render_text(sample_document())
    assert "KPIS VS BUDGET AND PRIOR YEAR" in text and "- 3 deals worth $2.10M are at high risk." in text
