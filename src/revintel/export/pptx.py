"""PowerPoint export (python-pptx): one idea per slide, native editable charts, speaker notes with sources."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Inches, Pt

from revintel import format as fmt_mod
from revintel.errors import InvalidRequest
from revintel.export.charts import add_pptx_chart
from revintel.export.document import Citation, Document, Figure, Item, TableSpec

ProgressFn = Callable[[str, float], None]

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
TONE_RGB = {"good": "2E7D32", "bad": "C62828", "warning": "B26A00", "neutral": "1F1F1F"}
BLANK, TITLE_ONLY, TITLE = 6, 5, 0


def new_presentation() -> Any:
    """A 16:9 presentation built on python-pptx's default template."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    return prs


def notes_for(citations: list[Citation], extra: str = "") -> str:
    """Speaker notes: what the slide says plus every source (definition, SQL, deal ids)."""
    lines = [extra] if extra else []
    if citations:
        lines.append("Sources:")
    for c in citations:
        lines.append(f"- {c.summary()}")
        if c.sql:
            lines.append(f"  SQL: {c.sql}")
    return "\n".join(lines) if lines else "No numeric sources on this slide."


def set_notes(slide: Any, text: str) -> None:
    slide.notes_slide.notes_text_frame.text = text


def add_title_slide(prs: Any, title: str, subtitle: str, notes: str = "") -> Any:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE])
    slide.shapes.title.text = title
    slide.placeholders[1].text = subtitle
    set_notes(slide, notes or "Title slide.")
    return slide


def _textbox(
    slide: Any,
    x: int,
    y: int,
    cx: int,
    cy: int,
    text: str,
    size: int = 16,
    bold: bool = False,
    color: str = "1F1F1F",
) -> Any:
    box = slide.shapes.add_textbox(x, y, cx, cy)
    tf = box.text_frame
    tf.word_wrap = True
    tf.text = text
    for p in tf.paragraphs:
        for r in p.runs:
            r.font.size, r.font.bold = Pt(size), bold
            r.font.color.rgb = RGBColor.from_string(color)
    return box


def add_figures(slide: Any, figures: list[Figure], y: int, x0: int = Inches(0.6)) -> None:
    """Big-number tiles across the slide."""
    n = min(len(figures), 4)
    if not n:
        return
    w = int((WIDTH - Inches(1.2)) / n)
    for i, f in enumerate(figures[:4]):
        x = x0 + w * i
        _textbox(slide, x, y, w - Inches(0.2), Inches(0.4), f.label, 12, color="666666")
        _textbox(
            slide,
            x,
            y + Inches(0.35),
            w - Inches(0.2),
            Inches(0.7),
            f.text,
            28,
            True,
            TONE_RGB.get(f.tone, "1F1F1F"),
        )


def add_table(slide: Any, spec: TableSpec, x: int, y: int, cx: int, max_rows: int = 12) -> Any:
    rows = spec.rows[:max_rows]
    shape = slide.shapes.add_table(len(rows) + 1, len(spec.columns), x, y, cx, Inches(0.3) * (len(rows) + 1))
    table = shape.table
    for j, c in enumerate(spec.columns):
        table.cell(0, j).text = c
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r):
            table.cell(i, j).text = str(v)
    for row in table.rows:
        for cell in row.cells:
            for p in cell.text_frame.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(11)
    return table


def add_item_slide(prs: Any, item: Item, section_title: str) -> Any:
    """One slide for one idea: title, the sentence, its numbers, then a chart or a table."""
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = item.title if item.title != section_title else section_title
    slide.shapes.title.text_frame.paragraphs[0].runs[0].font.size = Pt(30)
    _textbox(slide, Inches(0.6), Inches(1.35), WIDTH - Inches(1.2), Inches(0.9), item.text, 16)
    y: int = Inches(2.3)
    if item.figures:
        add_figures(slide, item.figures, y)
        y += Inches(1.2)
    room = HEIGHT - y - Inches(0.3)
    if item.chart and not item.chart.is_empty():
        add_pptx_chart(slide, item.chart, Inches(0.6), y, WIDTH - Inches(1.2), room)
    elif item.table and item.table.rows:
        add_table(slide, item.table, Inches(0.6), y, WIDTH - Inches(1.2))
    set_notes(slide, notes_for(item.citations, f"{section_title}: {item.text}"))
    return slide


def add_section_slides(prs: Any, section: Any) -> int:
    """One slide per item; a list-like section (recommended actions) becomes one bullet slide."""
    if section.id == "actions" and section.items:
        slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
        slide.shapes.title.text = section.title
        _textbox(
            slide,
            Inches(0.8),
            Inches(1.5),
            WIDTH - Inches(1.6),
            HEIGHT - Inches(2.0),
            "\n".join(f"• {it.text}" for it in section.items),
            18,
        )
        cites = [c for it in section.items for c in it.citations]
        set_notes(slide, notes_for(cites, f"{section.title}, each drawn from a slide before."))
        return 1
    for item in section.items:
        add_item_slide(prs, item, section.title)
    return len(section.items)


def add_sources_slide(prs: Any, doc: Document) -> Any:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = "Sources"
    lines = [f"[{i}] {c.summary()}" for i, c in enumerate(doc.citations(), start=1)]
    _textbox(
        slide,
        Inches(0.6),
        Inches(1.4),
        WIDTH - Inches(1.2),
        HEIGHT - Inches(1.8),
        "\n".join(lines[:18]) or "No numeric sources.",
        11,
    )
    set_notes(slide, notes_for(doc.citations(), "Every source behind the numbers in this deck."))
    return slide


def save(prs: Any) -> bytes:
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def render_pptx(doc: Document, progress: ProgressFn | None = None) -> bytes:
    """Render ``doc`` as a deck: title slide, one slide per item, a sources slide."""
    if doc.is_empty():
        raise InvalidRequest(
            f"nothing to export: the {doc.kind} view is empty for this scope ({doc.scope})",
            hint="widen the filters or load data first",
        )
    prs = new_presentation()
    meta = f"{doc.subtitle}\nScope: {fmt_mod.scope_words(doc.scope)}"
    title = add_title_slide(prs, doc.title, meta, f"Generated by revintel as of {doc.as_of}.")
    if doc.headline:
        add_figures(title, doc.headline, Inches(5.4))
    total = max(1, len(doc.sections))
    for n, section in enumerate(doc.sections):
        if progress:
            progress(f"PPTX: {section.title}", n / total)
        add_section_slides(prs, section)
    add_sources_slide(prs, doc)
    if progress:
        progress("PPTX: done", 1.0)
    return save(prs)
