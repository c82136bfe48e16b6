"""Ask answers about people on deals, from :func:`revintel.deals.people.buying_group` (the view the CLI,
API and Deals page show), so a question gives the same figures as ``revintel deals people`` and as
``revintel query economic_buyer_win_rate`` for the same period.

Registered as the ``people`` route in :mod:`revintel.ask.routes`: "what is our win rate when an
economic buyer is involved", "... without an executive", "which roles/titles appear on won vs lost
deals", "how often is a champion on our deals".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from revintel import format as fmt
from revintel.errors import Forbidden

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

_ROLE_WORDS = (
    r"economic buyers?|executive sponsors?|champions?|technical (?:evaluators?|buyers?)|influencers?|"
    r"decision[- ]makers?|end users?|buying (?:roles?|group|committee)|contact roles?|stakeholders?|"
    r"people on (?:the |our )?deals"
)
PEOPLE = (
    rf"\b(?:{_ROLE_WORDS})\b"
    r"|\b(?:job )?titles?\b.*\b(?:deals?|won|lost|win\w*|los\w*)\b"
    r"|\b(?:seniority|executives?|c-level|c-suite)\b.*\b(?:deals?|won|lost|win\w*|involved)\b"
    r"|\b(?:deals?|won|lost|win\w*)\b.*\b(?:seniority|executives?|c-level|c-suite)\b"
    r"|\broles?\b.*\b(?:won|lost|deals?)\b"
)
_WITHOUT = r"\b(?:without|no|lacking|missing)\b(?:\s+\w+){0,2}\s+"


def matches(text: str) -> dict[str, str] | None:
    """The figure and breakdown a (normalised) question about people on deals asks for, if it is one."""
    if not re.search(PEOPLE, text):
        return None
    by = (
        "title"
        if re.search(r"\btitles?\b", text)
        else "seniority"
        if re.search(r"\bseniority\b", text)
        else "role"
    )
    rate = re.search(r"\bwin\w*\b|\bconver\w*|\bclose rate\b", text)
    figure = "breakdown"
    if rate and re.search(r"\beconomic buyers?\b", text) and by == "role":
        figure = (
            "no_economic_buyer_win_rate"
            if re.search(_WITHOUT + r"economic", text)
            else "economic_buyer_win_rate"
        )
    elif (
        rate
        and re.search(r"\b(?:executives?|c-level|c-suite)\b", text)
        and not re.search(r"\bsponsors?\b", text)
    ):
        no = re.search(_WITHOUT + r"(?:executive|c-level|c-suite)", text)
        figure = "no_executive_win_rate" if no else "executive_win_rate"
    won, lost = re.search(r"\b(?:won|wins?|winning)\b", text), re.search(r"\b(?:lost|los[es]\w*)\b", text)
    order = "won" if won and not lost else "lost" if lost and not won else "deals"
    return {"figure": figure, "by": by, "order": order}


_FIGURE_WORDS = {
    "economic_buyer_win_rate": "Win rate with an economic buyer",
    "no_economic_buyer_win_rate": "Win rate without an economic buyer",
    "executive_win_rate": "Win rate with an executive (C-level or VP contact)",
    "no_executive_win_rate": "Win rate without an executive (no C-level or VP contact)",
}


def people_answer(
    rt: Runtime, scope: Scope, period: str | None, figure: str, by: str, order: str = "deals"
) -> dict[str, Any]:
    """The buying-group view as an answer: text, the figure asked for, the table and the SQL."""
    from revintel.deals.people import buying_group, summary_sentence

    if "pipeline" not in scope.domains:
        raise Forbidden("your role cannot see pipeline data", hint="needs the 'pipeline' domain")
    out = buying_group(rt, scope, period, by, order=order)
    h = out["headline"]
    when = out["period"]["label"]
    if figure in _FIGURE_WORDS:
        value = h.get(figure)
        text = (
            f"{_FIGURE_WORDS[figure]}, deals closed {when}: {fmt.percent(value)} "
            f"(all closed deals: {fmt.percent(h.get('win_rate'))}). " + summary_sentence(out)
        )
    else:
        value = None
        text = summary_sentence(out)
    rows = [[r[c] for c in out["columns"]] for r in out["rows"]]
    return {
        "text": text,
        "value": value,
        "columns": out["columns"],
        "rows": rows,
        "sql": out["sql"],
        "definitions": out["definitions"],
        "period": out["period"],
        "by": out["by"],
        "order": out["order"],
    }
