"""Collect one headline figure from every surface that shows it, as the reader sees it (text).

Each collector returns ``{metric: (value text, vs budget text, vs PY text)}`` or a single text, so
the tests compare surfaces at display precision: what a CFO would read off the page, the CSV, the
API, the CLI, the export and the brief.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from revintel import format as fmt_mod

HTML = {"accept": "text/html"}
Triple = tuple[str, str, str]
TEXT_COLUMNS = ("metric", "label", "unit", "period_start", "period_end")


def expected_cards(cards: list[Any]) -> dict[str, Triple]:
    """The owner's figures (``KpiEngine.summary``) formatted once by :mod:`revintel.format`."""
    out = {}
    for c in cards:
        d = c if isinstance(c, dict) else c.to_dict()
        out[d["metric"]] = _triple(d)
    return out


def _triple(d: dict[str, Any]) -> Triple:
    u = d["unit"]
    return (
        fmt_mod.value(d["value"], u),
        fmt_mod.variance_short(d.get("var_budget"), d.get("var_budget_pct"), u) if _has(d, "budget") else "",
        fmt_mod.variance_short(d.get("var_py"), d.get("var_py_pct"), u) if _has(d, "prior_year") else "",
    )


def _has(d: dict[str, Any], key: str) -> bool:
    return d.get(key) is not None


def dashboard_page(html: str) -> dict[str, Triple]:
    """The dashboard's cards as rendered (each card's chunk of HTML up to the next card)."""
    out = {}
    for chunk in html.split('data-metric="')[1:]:
        metric, body = chunk.split('"', 1)
        out[metric] = (_testid(body, "kpi-value"), _testid(body, "kpi-vs-budget"), _testid(body, "kpi-vs-py"))
    return out


def _testid(body: str, tid: str) -> str:
    m = re.search(rf'data-testid="{tid}"[^>]*>([^<]*)<', body)
    return m.group(1).strip() if m else ""


def dashboard_csv(text: str) -> dict[str, Triple]:
    """The dashboard CSV's machine values, formatted as the page formats them."""
    out = {}
    for r in csv.DictReader(io.StringIO(text)):
        d = {k: (float(v) if v and k not in TEXT_COLUMNS else (v or None)) for k, v in r.items()}
        out[r["metric"]] = _triple(d)
    return out


def api_cards(body: dict[str, Any]) -> dict[str, Triple]:
    return expected_cards(body["cards"])


def cli_cards(out: str) -> dict[str, Triple]:
    return expected_cards(json.loads(out)["cards"])


NOT_SHOWN = None


def document_cards(doc: Any) -> dict[str, Triple]:
    """A document's KPI items (brief, dashboard export): value and the two variance figures."""
    out = {}
    for s in doc.sections:
        if s.id != "kpis":
            continue
        for it in s.items:
            figs = {f.label: f.text for f in it.figures}
            metric = it.citations[0].metric if it.citations else it.title
            # a variance the document leaves out (no budget / no prior year) is "not shown", not a value
            out[metric] = (it.figures[0].text, figs.get("vs budget", NOT_SHOWN), figs.get("vs PY", NOT_SHOWN))
    return out


def same_where_shown(expected: dict[str, Triple], got: dict[str, Triple]) -> list[str]:
    """Differences (as sentences) between the owner's figures and a surface's, metric by metric."""
    problems = []
    for metric, want in expected.items():
        have = got.get(metric)
        if have is None:
            problems.append(f"{metric}: missing")
        elif any(h != w for h, w in zip(have, want, strict=True) if h is not NOT_SHOWN):
            problems.append(f"{metric}: {have} != {want}")
    extra = set(got) - set(expected)
    if extra:
        problems.append(f"not from the owner: {sorted(extra)}")
    return problems
