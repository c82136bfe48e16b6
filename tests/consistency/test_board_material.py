"""Board material never shows internals: no error class, traceback, server path or engine name in any
brief, PDF or board deck, for any demo persona with no filter, a region filter or a capability filter."""

from __future__ import annotations

import io
import re
import subprocess
from typing import Any

import pytest

from revintel.briefs.compose import compose_brief
from revintel.scope import DEMO_PERSONAS
from revintel.services.export_jobs import render
from revintel.services.export_views import narrow

#: what an internal error looks like when it leaks: a class name, a traceback, a path, an engine
INTERNALS = re.compile(
    r"Traceback|\b[A-Z][A-Za-z]+(Error|Exception)\b|File \"|/work/|/tmp/|site-packages|\w\.py\b"
    r"|\bibis\b|\bduckdb\b|\bpandas\b|internal error|NoneType|\bnan\b|\bNaN\b"
)
FILTERS = ({}, {"region": "EMEA"}, {"capability": "Consulting"})


def _leaks(text: str) -> list[str]:
    return sorted({text[max(m.start() - 40, 0) : m.end() + 40] for m in INTERNALS.finditer(text)})


def _strings(node: Any) -> list[str]:
    """Every text a reader sees in a document (its words; the SQL appendix is for analysts)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [t for k, v in node.items() if k not in ("sql", "citations") for t in _strings(v)]
    if isinstance(node, list | tuple):
        return [t for v in node for t in _strings(v)]
    return []


def _pdf_text(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, timeout=120, check=True
    )
    return out.stdout.decode("utf-8", "replace")


def _deck_text(data: bytes) -> str:
    from pptx import Presentation

    deck = Presentation(io.BytesIO(data))
    return "\n".join(
        shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
    )


@pytest.mark.slow
def test_no_brief_shows_internals_for_any_persona_and_filter(demo_runtime_shared) -> None:
    problems: list[str] = []
    for persona in DEMO_PERSONAS:
        for filters in FILTERS:
            scope = narrow(persona.scope, filters)
            doc = compose_brief(demo_runtime_shared, scope, persona=persona, polish=False)
            text = "\n".join(_strings(doc.to_dict()))
            problems += [f"{persona.id} {filters}: {leak!r}" for leak in _leaks(text)]
    assert not problems, "\n".join(problems[:30])


@pytest.mark.slow
@pytest.mark.parametrize("persona_id", ["ceo", "cfo", "emea_lead", "sales_manager", "marketing"])
def test_no_pdf_or_board_deck_shows_internals(demo_runtime_shared, persona_id: str) -> None:
    persona = next(p for p in DEMO_PERSONAS if p.id == persona_id)
    for filters in FILTERS[:2]:
        doc = compose_brief(
            demo_runtime_shared, narrow(persona.scope, filters), persona=persona, polish=False
        )
        pdf = _pdf_text(render(doc, "brief", "pdf"))
        deck = _deck_text(render(doc, "board", "pptx"))
        assert len(pdf) > 500 and len(deck) > 200
        leaks = _leaks(pdf) + _leaks(deck)
        assert not leaks, f"{persona_id} {filters}: {leaks[:10]}"
