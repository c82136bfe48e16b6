"""Ask answers for customer questions, from the same functions the Customers pages and CLI use.

Registered in :mod:`revintel.ask.routes`. Five kinds of question (:func:`matches`):

* **churn risk**: "which customers are likely to churn?" -> :func:`revintel.customers.views.risk_list`
  over every live customer, by ARR at risk;
* **renewals**: "which renewals in the next 90 days need attention?" -> the same list within N days;
* **health**: "how healthy are our customers?" -> :func:`revintel.customers.views.health_summary`, or one
  customer's score and components (:func:`revintel.customers.views.customer`) when the question names it;
* **expansion**: "where can we expand?" -> :func:`revintel.customers.expansion.expansion_list`;
* **retention forecast**: "what will NRR be next year?" -> :func:`revintel.customers.retention.forecast`.

Every answer is computed under the caller's scope by those functions; Ask never recomputes a figure.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from revintel import format as fmt
from revintel.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

_CUSTOMER = r"\b(?:customers?|accounts?|clients?|logos?)\b"
CHURN = (
    r"\bchurn (?:risk|probabilit\w*|scores?|alerts?|predictions?)\b"
    r"|\b(?:likely|going|about) to (?:churn|leave|cancel)\b"
    r"|\b(?:will|might|could|may) (?:\w+ )?churn\b"
    r"|\b(?:churn|leave|cancel)(?:ing)? at (?:their |the )?(?:next )?renewal\b"
    r"|\b(?:customers?|accounts?|clients?|logos?)\b(?: \w+){0,3} (?:at[- ]risk|leaving)\b"
    r"|\bat[- ]risk (?:customers?|accounts?|clients?|renewals?)\b"
)
RENEWALS = r"\brenewals?\b|\brenewing\b|\bup for renewal\b"
HEALTH = r"\bhealth(?:y|iest)?\b|\bhealth ?scores?\b|\bunhealthy\b"
EXPANSION = (  # prospects to expand, not the history of expansion deals (a metric's value)
    r"\bexpand\b|\bexpansion (?:opportunit\w*|prospects?|candidates?|potential|list|ideas?|propensity"
    r"|scores?)\b"
    r"|\bupsell\w*\b|\bcross[- ]?sell\w*\b|\bwhite ?space\b|\bgrow (?:our |the )?accounts?\b"
)
RETENTION = (
    r"\b(?:nrr|grr|net revenue retention|gross revenue retention|net retention|gross retention|"
    r"retention)\b"
)
FUTURE = (
    r"\bforecast\w*\b|\bnext (?:year|12 months)\b|\bwill\b|\bproject\w*\b|\bexpect\w*\b"
    r"|\bp(?:10|50|90)\b|\brange\b"
)
DAYS = re.compile(r"\b(?:next|coming|within(?: the next)?)\s+(\d{1,3})\s*(days?|weeks?|months?)\b")
ACCOUNT_ID = re.compile(r"\b(A\d{6})\b")


def matches(text: str) -> str | None:
    """``churn``, ``renewals``, ``health``, ``expansion`` or ``retention`` for a (normalised) customer
    question, else None."""
    if re.search(RETENTION, text) and re.search(FUTURE, text):
        return "retention"
    if re.search(RENEWALS, text) and (DAYS.search(text) or re.search(r"\bupcoming\b|\bcoming up\b", text)):
        return "renewals"
    if re.search(CHURN, text):
        return "churn"
    if re.search(HEALTH, text) and (re.search(_CUSTOMER, text) or ACCOUNT_ID.search(text.upper())):
        return "health"
    if re.search(EXPANSION, text) and not re.search(r"\bmarket expansion\b", text):
        return "expansion"
    return None


def days_in(text: str) -> int | None:
    """The N of "in the next N days/weeks/months" in days."""
    m = DAYS.search(text)
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    return n * (7 if unit.startswith("week") else 30 if unit.startswith("month") else 1)


def check(scope: Scope) -> None:
    """Forbidden unless the scope may open customer-level data (drill + the customers domain)."""
    from revintel.scope import DRILL

    if "customers" not in scope.domains or not scope.allows(DRILL):
        raise Forbidden("your role cannot see customer-level data", hint="needs the 'customers' domain")


def _name(r: dict[str, Any]) -> str:
    return str(r.get("account") or r["account_id"])


def risk_answer(rt: Runtime, scope: Scope, days: int | None, top: int = 10) -> dict[str, Any]:
    """Customers by ARR at risk at their next renewal (within ``days`` when given)."""
    from revintel.customers.views import risk_list

    check(scope)
    out = risk_list(rt, scope, days, top)
    rows = out["renewals"]
    columns = ["account_id", "account", "region", "arr", "renewal_date", "p_churn", "arr_at_risk", "health"]
    when = f"renewing in the next {days} days" if days is not None else "live"
    if not rows:
        text = f"No customers {when} in your scope."
    else:
        head = "; ".join(
            f"{_name(r)} ({fmt.percent(r['p_churn'], 0)} churn risk, "
            f"{fmt.money(r['arr_at_risk'])} ARR at risk"
            + (f": {r['drivers'][0]['text']}" if r.get("drivers") else "")
            + ")"
            for r in rows[:5]
        )
        text = (
            f"{out['customers']} customers {when}, {fmt.money(out['arr'])} ARR, "
            f"{fmt.money(out['arr_at_risk'])} of it at risk (P(churn) x ARR). Most at risk: {head}."
        )
    return {
        "text": text,
        "columns": columns,
        "rows": [[r.get(c) for c in columns] for r in rows],
        "value": out["arr_at_risk"],
        "ids": [r["account_id"] for r in rows],
    }


def find_account(rt: Runtime, scope: Scope, question: str) -> str | None:
    """The live customer the question names (by id, or by a name of 4+ characters), within ``scope``."""
    from revintel.customers.scoring import scored

    m = ACCOUNT_ID.search(question.upper())
    if m:
        return m.group(1)
    frame = scored(rt, scope)
    q = question.lower()
    best = None
    for account_id, name in zip(frame["account_id"], frame["account"], strict=True):
        n = str(name or "").lower()
        if len(n) >= 4 and n in q and (best is None or len(n) > len(best[1])):
            best = (str(account_id), n)
    return best[0] if best else None


def health_answer(rt: Runtime, scope: Scope, question: str) -> dict[str, Any]:
    """One named customer's health with its components, or the health distribution of the book."""
    from revintel.customers.views import customer, health_summary

    check(scope)
    account = find_account(rt, scope, question)
    if account is not None:
        try:
            c = customer(rt, scope, account)
        except NotFound as exc:  # outside the scope or not a live customer: say so, show nothing of it
            return {"text": exc.message + ".", "columns": [], "rows": [], "value": None, "account_id": None}
        comps = ", ".join(f"{k} {v:.0f}" for k, v in c["health_components"].items() if v is not None)
        moved = (
            f"; {c['health_change']:+d} points over 90 days, moved most by {c['health_moved_by']}"
            if c.get("health_change") is not None
            else ""
        )
        text = (
            f"{_name(c)}: health {c['health']}/100 ({comps}){moved}; churn risk "
            f"{fmt.percent(c['p_churn'], 0)} at the renewal on {c['renewal_date']}."
        )
        columns = ["component", "score"]
        rows = [[k, v] for k, v in c["health_components"].items()]
        return {"text": text, "columns": columns, "rows": rows, "value": c["health"], "account_id": account}
    out = health_summary(rt, scope)
    bands = out["bands"]
    text = (
        f"{out['customers']} live customers, average health {out['average']:.0f}/100: "
        + ", ".join(f"{b['customers']} {b['label']} ({fmt.money(b['arr'])} ARR)" for b in bands)
        + (
            ". Lowest: " + "; ".join(f"{_name(r)} {r['health']}" for r in out["lowest"][:5]) + "."
            if out["lowest"]
            else "."
        )
    )
    columns = ["band", "customers", "arr"]
    rows = [[b["label"], b["customers"], b["arr"]] for b in bands]
    return {"text": text, "columns": columns, "rows": rows, "value": out["average"], "account_id": None}


def expansion_answer(rt: Runtime, scope: Scope, top: int = 10) -> dict[str, Any]:
    """Customers by expected expansion ARR, each with its first whitespace idea."""
    from revintel.customers.expansion import expansion_list

    check(scope)
    out = expansion_list(rt, scope, top)
    rows = out["customers"]
    columns = ["account_id", "account", "region", "arr", "p_expand", "expected_expansion_arr", "idea"]
    table = [
        [r["account_id"], r.get("account"), r.get("region"), r["arr"], r["p_expand"],
         r["expected_expansion_arr"], (r["whitespace"][0]["product"] if r["whitespace"] else None)]
        for r in rows
    ]  # fmt: skip
    if not rows:
        text = "No live customers to expand in your scope."
    else:
        head = "; ".join(
            f"{_name(r)} ({fmt.money(r['expected_expansion_arr'])} expected, "
            f"{fmt.percent(r['p_expand'], 0)} likely"
            + (f", {r['whitespace'][0]['evidence']}" if r["whitespace"] else "")
            + ")"
            for r in rows[:3]
        )
        text = f"Best expansion prospects (expected expansion ARR in the next two quarters): {head}."
    return {
        "text": text,
        "columns": columns,
        "rows": table,
        "value": rows[0]["expected_expansion_arr"] if rows else None,
    }


def retention_answer(rt: Runtime, scope: Scope, question: str) -> dict[str, Any]:
    """Next year's GRR and NRR as P10/P50/P90, with the backtest's coverage."""
    from revintel.customers.retention import forecast

    check(scope)
    out = forecast(rt, scope)
    which = "grr" if re.search(r"\bgrr\b|\bgross\b", question.lower()) else "nrr"
    other = "nrr" if which == "grr" else "grr"
    f, g = out[which], out[other]
    b = out.get("backtest") or {}
    cover = (
        f" In the backtest the realised {which.upper()} fell inside P10-P90 at "
        f"{fmt.percent(b[which + '_coverage'], 0)} of {len(b['origins'])} past origins (80% expected)."
        if b.get(f"{which}_coverage") is not None
        else ""
    )
    text = (
        f"Next year's {which.upper()} for {out['customers']} customers ({fmt.money(out['arr'])} ARR): "
        f"P50 {fmt.percent(f['p50'], 1)} (P10 {fmt.percent(f['p10'], 1)}, P90 {fmt.percent(f['p90'], 1)}); "
        f"{other.upper()} P50 {fmt.percent(g['p50'], 1)} (P10 {fmt.percent(g['p10'], 1)}, "
        f"P90 {fmt.percent(g['p90'], 1)}).{cover}"
    )
    columns = ["measure", "p10", "p50", "p90"]
    rows = [[k.upper(), out[k]["p10"], out[k]["p50"], out[k]["p90"]] for k in ("grr", "nrr")]
    return {"text": text, "columns": columns, "rows": rows, "value": f["p50"], "figure": which}
