"""HTML rendering of a document: the on-screen brief and the email body (inline styles, no scripts)."""

from __future__ import annotations

from html import escape

from revintel import format as fmt_mod
from revintel.export.document import ChartSpec, Document, Figure, Item, TableSpec, format_value

TONE = {"good": "#2e7d32", "bad": "#c62828", "warning": "#b26a00", "neutral": "#222"}
_CELL = "padding:4px 8px;border-bottom:1px solid #e5e5e5;text-align:left;font-size:13px"


def _figures(figs: list[Figure]) -> str:
    tiles = "".join(
        f'<td style="padding:6px 14px 6px 0;vertical-align:top">'
        f'<div style="font-size:11px;color:#666">{escape(f.label)}</div>'
        f'<div style="font-size:20px;font-weight:bold;color:{TONE.get(f.tone, "#222")}">'
        f"{escape(f.text)}</div></td>"
        for f in figs
    )
    return f'<table role="presentation" style="border-collapse:collapse"><tr>{tiles}</tr></table>'


def _table(t: TableSpec) -> str:
    head = "".join(f'<th style="{_CELL};background:#eef3f8">{escape(c)}</th>' for c in t.columns)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{escape(str(v))}</td>' for v in r) + "</tr>" for r in t.rows
    )
    return f'<table style="border-collapse:collapse;margin:6px 0"><tr>{head}</tr>{body}</table>'


def chart_bars(spec: ChartSpec) -> str:
    """A chart as plain HTML bars (renders in every mail client; screen pages add Plotly on top)."""
    rows = []
    values = [v for s in spec.series for v in s.values if v is not None]
    top = max([abs(v) for v in values] or [1.0]) or 1.0
    for s in spec.series[:2]:
        for cat, v in zip(spec.categories, s.values, strict=False):
            width = 0 if v is None else max(1, int(220 * abs(v) / top))
            label = f"{escape(cat)}" + (f" · {escape(s.name)}" if len(spec.series) > 1 else "")
            rows.append(
                f'<tr><td style="font-size:11px;color:#555;padding:1px 6px 1px 0">{label}</td>'
                f'<td style="padding:1px 0">'
                f'<div style="background:#1f4e79;height:9px;width:{width}px"></div></td>'
                f'<td style="font-size:11px;padding:1px 6px">{escape(format_value(v, spec.unit))}</td></tr>'
            )
    return (
        f'<div style="font-size:12px;font-weight:bold;margin-top:6px">{escape(spec.title)}</div>'
        f'<table role="presentation" style="border-collapse:collapse">{"".join(rows[:24])}</table>'
    )


def _item(it: Item, refs: dict[tuple, int]) -> str:
    marks = "".join(f"<sup>[{refs[c.key]}]</sup>" for c in it.citations if c.key in refs)
    out = [
        f'<h3 style="font-size:15px;margin:12px 0 2px">{escape(it.title)}</h3>',
        f'<p style="margin:2px 0 6px;font-size:14px">{escape(it.text)}{marks}</p>',
    ]
    if it.figures:
        out.append(_figures(it.figures))
    if it.chart and not it.chart.is_empty():
        out.append(chart_bars(it.chart))
    if it.table and it.table.rows:
        out.append(_table(it.table))
    return "".join(out)


def render_html(doc: Document, *, full_page: bool = True) -> str:
    """The document as HTML; ``full_page=False`` gives a fragment to embed in a page."""
    refs = {c.key: i for i, c in enumerate(doc.citations(), start=1)}
    parts = [
        f'<h1 style="font-size:22px;margin:0">{escape(doc.title)}</h1>',
        f'<div style="color:#666;font-size:13px">{escape(doc.subtitle)} · scope: {escape(doc.scope)}</div>',
    ]
    if doc.headline:
        parts.append(_figures(doc.headline))
    for s in doc.sections:
        parts.append(
            f'<h2 style="font-size:18px;border-bottom:2px solid #1f4e79;margin-top:18px">'
            f"{escape(s.title)}</h2>"
        )
        if s.summary and s.summary not in {it.text for it in s.items}:
            parts.append(f'<p style="font-size:14px">{escape(s.summary)}</p>')
        if s.note and not s.items:
            parts.append(f'<p style="color:#777;font-size:13px">{escape(s.note)}</p>')
        parts.extend(_item(it, refs) for it in s.items)
    cites = doc.citations()
    if cites:
        parts.append('<h2 style="font-size:16px;margin-top:18px">Sources</h2><ol style="font-size:12px">')
        for c in cites:
            sql = f'<br><code style="font-size:11px">{escape(c.sql[:600])}</code>' if c.sql else ""
            parts.append(f"<li>{escape(c.summary())}{sql}</li>")
        parts.append("</ol>")
    if doc.link:
        parts.append(f'<p><a href="{escape(doc.link)}">Open in revintel</a></p>')
    body = "".join(parts)
    if not full_page:
        return f'<div class="brief-doc">{body}</div>'
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{escape(doc.title)}</title></head>"
        f'<body style="font-family:Helvetica,Arial,sans-serif;color:#222;max-width:760px;margin:0 auto;'
        f'padding:16px">{body}</body></html>'
    )


def render_text(doc: Document) -> str:
    """Plain-text alternative (email text part, CLI)."""
    lines = [doc.title, doc.subtitle, f"Scope: {fmt_mod.scope_words(doc.scope)}", ""]
    if doc.headline:
        lines.append("  ".join(f"{f.label}: {f.text}" for f in doc.headline))
        lines.append("")
    for s in doc.sections:
        lines.append(s.title.upper())
        if s.note and not s.items:
            lines.append(f"  {s.note}")
        for it in s.items:
            lines.append(f"- {it.text}")
        lines.append("")
    if doc.link:
        lines.append(doc.link)
    return "\n".join(lines)
