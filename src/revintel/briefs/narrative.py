"""The brief's words: deterministic sentences from numbers, and an optional LLM polish that may
change wording but never a number.

The polish sends every sentence to an OpenAI-compatible endpoint (settings ``llm_*``) and keeps a
rewritten sentence only if every number in it appears among the numbers of the original sentence
set. Anything else (timeout, bad JSON, a changed or invented number) keeps the deterministic text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from revintel import format as fmt_mod
from revintel.config import Settings, reveal
from revintel.errors import ProviderError
from revintel.export.document import Document, format_value

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")

SYSTEM_PROMPT = (
    "You edit an executive revenue brief. Rewrite each sentence to read naturally and concisely for a "
    "busy executive. Never add, remove, round or change any number, percentage, amount, date or id; "
    'copy them exactly as written. Reply with JSON: {"texts": [...]} with one string per input, in order.'
)


def numbers_in(text: str) -> set[str]:
    """The numbers a text states, normalised (``$1,204.5K`` -> ``1204.5``)."""
    out = set()
    for m in _NUMBER.findall(text):
        n = m.replace(",", "")
        if "." in n:
            n = n.rstrip("0").rstrip(".")
        out.add(n.lstrip("0") or "0")
    return out


def change(value: float | None, unit: str = "change") -> str:
    """'3.1% above' / '0.6 pp below' / 'in line with' for a signed variance (``change`` or ``points``)."""
    if value is None:
        return "with no comparison for"
    if abs(value) < 0.0005:
        return "in line with"
    text = fmt_mod.value(value, unit).lstrip("+-")
    return f"{text} {'above' if value > 0 else 'below'}"


def variance_sentence(
    label: str,
    value: float | None,
    unit: str,
    vs_budget: float | None,
    vs_py: float | None,
    driver: str | None = None,
) -> str:
    """``Revenue was $4.82M, 3.1% below budget and 6.4% above prior year; driven by EMEA.``

    ``vs_budget``/``vs_py`` are relative changes for a flow and differences of fractions (shown in
    points) for a rate (``unit`` percent): the caller passes what :func:`comparisons` picks.
    """
    parts = [f"{label} was {format_value(value, unit)}"]
    how = "points" if fmt_mod.is_rate(unit) else "change"
    comps = []
    if vs_budget is not None:
        comps.append(f"{change(vs_budget, how)} budget")
    if vs_py is not None:
        comps.append(f"{change(vs_py, how)} prior year")
    text = parts[0] + (", " + " and ".join(comps) if comps else "")
    if driver:
        text += f"; the main driver is {driver}"
    return text + "."


def comparisons(card: dict[str, Any]) -> tuple[float | None, float | None, str]:
    """A KPI card's variances as a reader wants them: (vs budget, vs PY, unit ``points``/``change``)."""
    if fmt_mod.is_rate(card.get("unit")):
        return card.get("var_budget"), card.get("var_py"), "points"
    return card.get("var_budget_pct"), card.get("var_py_pct"), "change"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 deal`` / ``3 deals`` (``many`` for irregular plurals: ``loss`` -> ``losses``)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


@dataclass
class PolishResult:
    document: Document
    accepted: int = 0
    rejected: list[str] = field(default_factory=list)
    error: str | None = None


def _chat(settings: Settings, texts: list[str]) -> list[str]:
    from openai import OpenAI, OpenAIError

    client = OpenAI(
        base_url=settings.llm_base_url,
        api_key=reveal(settings.llm_api_key) or "not-needed",
        timeout=settings.llm_timeout_seconds,
        max_retries=0,
    )
    try:
        resp = client.chat.completions.create(
            model=settings.llm_model or "default",
            temperature=0,
            messages=[
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": json.dumps({"texts": texts})},
            ],
        )
    except OpenAIError as exc:
        raise ProviderError(f"LLM polish failed: {exc}", hint="check REVINTEL_LLM_BASE_URL") from exc
    finally:
        client.close()
    content = (resp.choices[0].message.content or "").strip()
    content = content.removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    try:
        out = json.loads(content)["texts"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ProviderError(
            'LLM polish returned something other than {"texts": [...]}', details={"content": content[:300]}
        ) from exc
    if not isinstance(out, list) or len(out) != len(texts) or not all(isinstance(t, str) for t in out):
        raise ProviderError(
            "LLM polish returned the wrong number of texts",
            details={"expected": len(texts), "got": len(out) if isinstance(out, list) else None},
        )
    return out


def _replace_texts(doc: Document, new: dict[str, str]) -> Document:
    sections = []
    for s in doc.sections:
        items = [replace(it, text=new.get(it.text, it.text)) for it in s.items]
        sections.append(replace(s, items=items, summary=new.get(s.summary, s.summary) if s.summary else None))
    return replace(doc, sections=sections)


def polish(doc: Document, settings: Settings) -> PolishResult:
    """Polish the wording with the configured LLM; numbers are checked sentence by sentence.

    A rewritten sentence is kept only if ``numbers_in(new) <= numbers_in(all source texts and
    figures)`` and it still states every number of its original. Returns the document unchanged
    (with ``error`` set) when no LLM is configured or the call fails.
    """
    if not settings.llm_base_url:
        return PolishResult(doc, error="no LLM configured")
    texts = list(dict.fromkeys(doc.texts()))
    if not texts:
        return PolishResult(doc)
    try:
        polished = _chat(settings, texts)
    except ProviderError as exc:
        return PolishResult(doc, error=exc.message)
    source = source_numbers(doc)
    accepted: dict[str, str] = {}
    rejected: list[str] = []
    for old, new in zip(texts, polished, strict=True):
        got = numbers_in(new)
        if got <= source and numbers_in(old) <= got:
            accepted[old] = new
        else:
            rejected.append(new)
    out = _replace_texts(doc, accepted)
    if accepted:
        out = replace(out, polished_by=settings.llm_model or "LLM")
    return PolishResult(out, accepted=len(accepted), rejected=rejected)


def source_numbers(doc: Document) -> set[str]:
    """Every number the deterministic document states (texts and figures)."""
    out: set[str] = set()
    for t in doc.texts():
        out |= numbers_in(t)
    for f in doc.figures():
        out |= numbers_in(f.text)
    return out


def describe(result: PolishResult) -> dict[str, Any]:
    return {"accepted": result.accepted, "rejected": len(result.rejected), "error": result.error}
