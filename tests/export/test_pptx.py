"""PowerPoint export: reopened with python-pptx, native charts and speaker notes present."""

from __future__ import annotations

import pytest

from revintel.errors import InvalidRequest
from revintel.export.document import Document
from revintel.export.pptx import render_pptx
from revintel.export.sample import sample_document


def test_one_slide_per_idea_plus_title_and_sources(reopen):
    doc = sample_document()
    prs = reopen(render_pptx(doc))
    items = sum(len(s.items) for s in doc.sections)
    assert len(prs.slides) == items + 2
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles[0] == "Daily brief" and titles[-1] == "Sources"


def test_charts_are_native_editable_chart_objects_with_the_source_numbers(reopen):
    prs = reopen(render_pptx(sample_document()))
    charts = [sh.chart for s in prs.slides for sh in s.shapes if sh.has_chart]
    assert len(charts) == 3
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert not pictures
    forecast = next(c for c in charts if c.chart_title.text_frame.text == "Forecast range vs quota")
    assert list(forecast.plots[0].categories) == ["P10", "P50", "P90", "Quota"]
    assert list(forecast.plots[0].series[0].values) == [11.1e6, 12.4e6, 13.6e6, 13.0e6]


def test_every_slide_has_speaker_notes_and_data_slides_cite_sql_or_deals(reopen):
    prs = reopen(render_pptx(sample_document()))
    notes = [s.notes_slide.notes_text_frame.text for s in prs.slides]
    assert all(n.strip() for n in notes)
    revenue = next(n for n in notes if n.startswith("KPIs vs budget and prior year: Revenue was"))
    assert "Sources:" in revenue and "SQL: SELECT SUM(gross_fee)" in revenue
    risks = next(n for n in notes if "at high risk" in n)
    assert "OPP-1042" in risks


def test_figures_on_slides_match_the_document(reopen):
    prs = reopen(render_pptx(sample_document()))
    text = " ".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    for value in ("$4.82M", "-3.1%", "$12.40M", "$2.10M"):
        assert value in text


def test_empty_view_is_refused():
    with pytest.raises(InvalidRequest, match="nothing to export"):
        render_pptx(Document(kind="dashboard", title="Dashboard"))
