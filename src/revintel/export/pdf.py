"""PDF export (ReportLab): title page, one block per section, vector charts, page numbers, sources."""

from __future__ import annotations

import io
from collections.abc import Callable
from html import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from revintel.errors import InvalidRequest
from revintel.export.charts import reportlab_drawing
from revintel.export.document import Document, Figure, Item, TableSpec

ProgressFn = Callable[[str, float], None]

TONE = {"good": "#2e7d32", "bad": "#c62828", "warning": "#b26a00", "neutral": "#222222"}


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontSize=28, leading=34, spaceAfter=12),
        "subtitle": ParagraphStyle("st", parent=base["Normal"], fontSize=13, textColor=colors.grey),
        "h1": ParagraphStyle("h1", parent=base["Heading1"], fontSize=16, spaceBefore=8, keepWithNext=1),
        "h2": ParagraphStyle(
            "h2", parent=base["Heading3"], fontSize=11, spaceBefore=6, spaceAfter=2, keepWithNext=1
        ),
        "body": ParagraphStyle("b", parent=base["BodyText"], fontSize=10, leading=14),
        "small": ParagraphStyle(
            "s", parent=base["BodyText"], fontSize=7.5, leading=9.5, textColor=colors.grey
        ),
        "cell": ParagraphStyle("c", parent=base["BodyText"], fontSize=8, leading=10),
        "fig": ParagraphStyle("f", parent=base["BodyText"], fontSize=8, leading=15),
    }


def _figures_table(figures: list[Figure], st: dict[str, ParagraphStyle]) -> Table:
    cells = [
        Paragraph(
            f"<font size=7 color='#666666'>{escape(f.label)}</font><br/>"
            f"<font size=13 color='{TONE.get(f.tone, '#222222')}'><b>{escape(f.text)}</b></font>",
            st["fig"],
        )
        for f in figures
    ]
    rows = [cells[i : i + 4] for i in range(0, len(cells), 4)]
    t = Table(rows, colWidths=[42 * mm] * min(4, len(cells)), hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.3, colors.lightgrey),
                ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return t


def _data_table(spec: TableSpec, st: dict[str, ParagraphStyle]) -> Table:
    rows = [[Paragraph(f"<b>{escape(c)}</b>", st["cell"]) for c in spec.columns]]
    rows += [[Paragraph(escape(str(v)), st["cell"]) for v in r] for r in spec.rows]
    t = Table(rows, repeatRows=1, hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


def _item_flowables(item: Item, st: dict[str, ParagraphStyle], refs: dict[tuple, int]) -> list:
    marks = "".join(f"<super>[{refs[c.key]}]</super>" for c in item.citations if c.key in refs)
    out: list = [Paragraph(escape(item.title), st["h2"]), Paragraph(escape(item.text) + marks, st["body"])]
    if item.figures:
        out += [Spacer(1, 3), _figures_table(item.figures, st)]
    if item.chart and not item.chart.is_empty():
        out += [Spacer(1, 4), reportlab_drawing(item.chart)]
    if item.table and item.table.rows:
        out += [Spacer(1, 4), _data_table(item.table, st)]
    return [KeepTogether(out[:3]), *out[3:], Spacer(1, 6)]


def _title_page(doc: Document, st: dict[str, ParagraphStyle]) -> list:
    meta = [
        f"Scope: {doc.scope}",
        f"As of: {doc.as_of.isoformat() if doc.as_of else 'n/a'}",
        f"Generated: {doc.generated_at.strftime('%Y-%m-%d %H:%M UTC') if doc.generated_at else 'n/a'}",
    ]
    if doc.polished_by:
        meta.append(f"Wording polished by {doc.polished_by}; every number is from the source data.")
    out: list = [
        Spacer(1, 60 * mm),
        Paragraph(escape(doc.title), st["title"]),
        Paragraph(escape(doc.subtitle), st["subtitle"]),
        Spacer(1, 12 * mm),
    ]
    if doc.headline:
        out += [_figures_table(doc.headline, st), Spacer(1, 10 * mm)]
    out += [Paragraph(escape(m), st["small"]) for m in meta]
    return [*out, PageBreak()]


def _sources(doc: Document, st: dict[str, ParagraphStyle], refs: dict[tuple, int]) -> list:
    out: list = [PageBreak(), Paragraph("Sources", st["h1"])]
    for c in doc.citations():
        out.append(Paragraph(f"[{refs[c.key]}] {escape(c.summary())}", st["body"]))
        if c.sql:
            out.append(Paragraph(f"<font face='Courier'>{escape(c.sql[:1500])}</font>", st["small"]))
        out.append(Spacer(1, 3))
    if len(out) == 2:
        out.append(Paragraph("No sources: this document shows no numbers.", st["body"]))
    return out


def render_pdf(doc: Document, progress: ProgressFn | None = None) -> bytes:
    """Render ``doc`` to PDF bytes. Raises :class:`InvalidRequest` for an empty document."""
    if doc.is_empty():
        raise InvalidRequest(
            f"nothing to export: the {doc.kind} view is empty for this scope ({doc.scope})",
            hint="widen the filters or load data first",
        )
    st = _styles()
    refs = {c.key: i for i, c in enumerate(doc.citations(), start=1)}
    story = _title_page(doc, st)
    total = max(1, len(doc.sections))
    for n, section in enumerate(doc.sections):
        if progress:
            progress(f"PDF: {section.title}", n / total)
        story.append(Paragraph(escape(section.title), st["h1"]))
        if section.summary and section.summary not in {it.text for it in section.items}:
            story.append(Paragraph(escape(section.summary), st["body"]))
        if section.note and not section.items:
            story.append(Paragraph(escape(section.note), st["small"]))
        for item in section.items:
            story += _item_flowables(item, st, refs)
    story += _sources(doc, st, refs)
    buf = io.BytesIO()
    title = doc.title

    def footer(canvas, pdoc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(18 * mm, 10 * mm, f"revintel · {title}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {pdoc.page}")
        canvas.restoreState()

    pdoc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=doc.title,
        author="revintel",
        subject=doc.subtitle,
    )
    pdoc.build(story, onFirstPage=footer, onLaterPages=footer)
    if progress:
        progress("PDF: done", 1.0)
    return buf.getvalue()
