"""The QBR / board deck template."""

from __future__ import annotations

from revintel.export.deck import MIN_SLIDES, STORYLINE, render_board_deck
from revintel.export.sample import sample_document


def test_board_deck_has_at_least_ten_slides_in_storyline_order(reopen):
    prs = reopen(render_board_deck(sample_document()))
    titles = [s.shapes.title.text for s in prs.slides]
    assert len(titles) >= MIN_SLIDES
    assert titles[:3] == ["Quarterly business review", "Agenda", "Executive summary"]
    assert titles[-1] == "Sources"
    assert titles.index("Quarter forecast") < titles.index("At-risk deals") < titles.index("Churn alerts")


def test_missing_sections_still_get_a_plain_statement_slide(reopen):
    prs = reopen(render_board_deck(sample_document()))
    slides = {s.shapes.title.text: s for s in prs.slides}
    churn = slides["Churn alerts"]
    body = " ".join(sh.text_frame.text for sh in churn.shapes if sh.has_text_frame)
    assert "No data for this topic" in body


def test_board_deck_carries_native_charts_and_notes_on_every_slide(reopen):
    prs = reopen(render_board_deck(sample_document()))
    assert sum(1 for s in prs.slides for sh in s.shapes if sh.has_chart) >= 3
    assert all(s.notes_slide.notes_text_frame.text.strip() for s in prs.slides)


def test_agenda_lists_every_storyline_topic(reopen):
    prs = reopen(render_board_deck(sample_document()))
    agenda = next(s for s in prs.slides if s.shapes.title.text == "Agenda")
    text = " ".join(sh.text_frame.text for sh in agenda.shapes if sh.has_text_frame)
    assert text.count("•") == len(STORYLINE)
