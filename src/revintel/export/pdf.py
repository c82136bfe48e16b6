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

from revintel import format as fmt_mod
from revintel.errors import InvalidRequest
from revintel.export.charts import reportlab_drawing
from revintel.export.document import Document, Figure, Item, TableSpec

ProgressFn = Callable[[str, float], None]

TONE = {"good": "#2e7d32", "bad": "#c62828", "warning": "#b26a00", "neutral": "#222222"}


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontSize=28, leading=34, spaceAfter=12),
        "subtitle": ParagraphStyle(
            "st", parent=base["Normal"], fontSize=13, leading=18, textColor=colors.grey
        ),
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
        "sql": ParagraphStyle(
            "q", parent=base["BodyText"], fontSize=6, leading=7.5, textColor=colors.grey, spaceAfter=3
        ),
    }


def _figures_table(
    figures: list[Figure], st: dict[str, ParagraphStyle], per_row: int = 4, width: float = 42
) -> Table:
    cells = [
        Paragraph(
            f"<font size=7 color='#666666'>{escape(f.label)}</font><br/>"
            f"<font size=13 color='{TONE.get(f.tone, '#222222')}'><b>{escape(f.text)}</b></font>",
            st["fig"],
        )
        for f in figures
    ]
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    t = Table(rows, colWidths=[width * mm] * min(per_row, len(cells)), hAlign="LEFT")
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
    return [KeepTogether(out), Spacer(1, 6)]  # an item moves to the next page whole: no orphaned rows


#: sections whose one-line summary makes the title page's "In brief" list, in this order
KEY_SECTIONS = ("kpis", "forecast", "pipeline", "risks")


def _title_page(doc: Document, st: dict[str, ParagraphStyle]) -> list:
    """Title, period and scope, the 4-6 key numbers and the key messages: a page a board can start on."""
    generated = doc.generated_at.strftime("%d %b %Y %H:%M UTC") if doc.generated_at else None
    meta = [
        f"Scope: {fmt_mod.scope_words(doc.scope)}",
        f"Figures as of {fmt_mod.date(doc.as_of)}" if doc.as_of else None,
        f"Prepared {generated}" if generated else None,
    ]
    if doc.polished_by:
        meta.append(f"Wording polished by {doc.polished_by}; every number is from the source data.")
    out: list = [
        Spacer(1, 30 * mm),
        Paragraph(escape(doc.title), st["title"]),
        Paragraph(escape(doc.subtitle), st["subtitle"]),
        Spacer(1, 4 * mm),
        *(Paragraph(escape(m), st["subtitle"]) for m in meta if m),
        Spacer(1, 10 * mm),
    ]
    if doc.headline:
        out += [_figures_table(doc.headline[:6], st, per_row=3, width=56), Spacer(1, 10 * mm)]
    by_id = {sec.id: sec for sec in doc.sections}
    messages = [by_id[k].summary for k in KEY_SECTIONS if k in by_id and by_id[k].summary]
    if messages:
        out.append(Paragraph("In brief", st["h1"]))
        out += [Paragraph("• " + escape(m or ""), st["body"]) for m in messages[:4]]
    return [*out, PageBreak()]


SQL_CHARS = 700  # per statement in the appendix; the app shows the full SQL beside each number


def _sources(doc: Document, st: dict[str, ParagraphStyle], refs: dict[tuple, int]) -> list:
    """Sources in words, then a compact appendix with the SQL behind the numbers (each query once)."""
    out: list = [PageBreak(), Paragraph("Sources", st["h1"])]
    cites = doc.citations()
    for c in cites:
        out.append(Paragraph(f"[{refs[c.key]}] {escape(c.summary())}", st["small"]))
    if not cites:
        out.append(Paragraph("No sources: this document shows no numbers.", st["body"]))
    seen: dict[str, list[int]] = {}
    for c in cites:
        if c.sql:
            seen.setdefault(c.sql, []).append(refs[c.key])
    if seen:
        out += [Spacer(1, 6), Paragraph("Appendix: the SQL behind the numbers", st["h2"])]
        for sql, nums in seen.items():
            text = sql if len(sql) <= SQL_CHARS else sql[:SQL_CHARS] + " …"
            label = ", ".join(f"[{n}]" for n in nums)
            code = escape(" ".join(text.split()))
            out.append(Paragraph(f"{label} <font face='Courier'>{code}</font>", st["sql"]))
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
        head: list = [Paragraph(escape(section.title), st["h1"])]
        if section.summary and section.summary not in {it.text for it in section.items}:
            head.append(Paragraph(escape(section.summary), st["body"]))
        if section.note and not section.items:
            head.append(Paragraph(escape(section.note), st["small"]))
        items = [_item_flowables(item, st, refs) for item in section.items]
        # a section title never ends a page: it travels with its first item
        story.append(KeepTogether(head + (items[0] if items else [])))
        for flow in items[1:]:
            story += flow
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
