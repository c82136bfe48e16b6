"""People on deals: the canonical buying roles and the seniority a job title implies.

A contact's **seniority** is read from their job title by :data:`SENIORITY_RULES` (first match wins):
``C-level`` (CEO, CFO, Chief ..., President, Founder), ``VP`` (VP, SVP, EVP, Vice President),
``Director`` (Director, Head of, Dean, General Manager), ``Manager`` (Manager, Lead, Supervisor),
else ``Staff``; no title, no seniority. **Executives** are C-level and VP contacts.

A contact's **buying role** on a deal is one of :data:`ROLES`; the role names CRMs use (Salesforce's
OpportunityContactRole picklist, HubSpot's buying roles) map onto them through :data:`ROLE_ALIASES`.
The same rules run as Python (the demo generator) and as one constant SQL expression (importers), so
a title reads the same whatever the source.
"""

from __future__ import annotations

import re

ECONOMIC_BUYER = "Economic Buyer"
EXECUTIVE_SPONSOR = "Executive Sponsor"
CHAMPION = "Champion"
TECHNICAL_EVALUATOR = "Technical Evaluator"
DECISION_MAKER = "Decision Maker"
INFLUENCER = "Influencer"
END_USER = "End User"
#: canonical buying roles, most senior first
ROLES = (
    ECONOMIC_BUYER,
    EXECUTIVE_SPONSOR,
    DECISION_MAKER,
    CHAMPION,
    TECHNICAL_EVALUATOR,
    INFLUENCER,
    END_USER,
)
OTHER = "Other"
#: source role names (lower case, no punctuation) -> canonical role
ROLE_ALIASES = {
    "economic buyer": ECONOMIC_BUYER,
    "economic decision maker": ECONOMIC_BUYER,
    "budget holder": ECONOMIC_BUYER,
    "executive sponsor": EXECUTIVE_SPONSOR,
    "sponsor": EXECUTIVE_SPONSOR,
    "decision maker": DECISION_MAKER,
    "champion": CHAMPION,
    "technical evaluator": TECHNICAL_EVALUATOR,
    "technical buyer": TECHNICAL_EVALUATOR,
    "evaluator": TECHNICAL_EVALUATOR,
    "influencer": INFLUENCER,
    "business user": END_USER,
    "end user": END_USER,
    "user": END_USER,
    "other": OTHER,
}

C_LEVEL, VP, DIRECTOR, MANAGER, STAFF = "C-level", "VP", "Director", "Manager", "Staff"
SENIORITIES = (C_LEVEL, VP, DIRECTOR, MANAGER, STAFF)
EXECUTIVE_LEVELS = (C_LEVEL, VP)
#: (seniority, regular expression over the lower-cased title); the first match wins
SENIORITY_RULES: tuple[tuple[str, str], ...] = (
    (C_LEVEL, r"\bc[a-z]?[eiotfmrs]o\b|\bchief\b|\bpresident\b|\bfounder\b"),
    (VP, r"\b[se]?vp\b|\bvice[- ]president\b"),
    (DIRECTOR, r"\bdirector\b|\bhead of\b|\bdean\b|\bgeneral manager\b"),
    (MANAGER, r"\bmanager\b|\blead\b|\bsupervisor\b"),
)
_VICE = re.compile(r"\bvice[- ]president\b")


def seniority(title: str | None) -> str | None:
    """The seniority a job title implies (None when there is no title).

    >>> seniority("SVP, Procurement"), seniority("Head of Finance"), seniority("Analyst")
    ('VP', 'Director', 'Staff')
    """
    if title is None or not title.strip():
        return None
    text = title.strip().lower()
    if _VICE.search(text):  # "Vice President" before the C-level rule's "president"
        return VP
    for level, pattern in SENIORITY_RULES:
        if re.search(pattern, text):
            return level
    return STAFF


def seniority_sql(column: str) -> str:
    """The same rules as one SQL CASE expression over ``column`` (a trusted identifier, never data)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*|\"[A-Za-z0-9_ ]+\"", column):
        raise ValueError(f"not an identifier: {column!r}")
    text = f"lower(trim({column}))"
    whens = [f"WHEN regexp_matches({text}, '{_VICE.pattern}') THEN '{VP}'"]
    whens += [
        f"WHEN regexp_matches({text}, '{pattern}') THEN '{level}'" for level, pattern in SENIORITY_RULES
    ]
    return f"CASE WHEN nullif(trim({column}), '') IS NULL THEN NULL {' '.join(whens)} ELSE '{STAFF}' END"


def canonical_role(text: str | None) -> str | None:
    """The canonical buying role of a source's role name (unknown names keep their own words)."""
    if text is None or not text.strip():
        return None
    key = re.sub(r"[^a-z ]+", " ", text.lower())
    key = " ".join(key.split())
    return ROLE_ALIASES.get(key, text.strip())


def role_sql(column: str) -> str:
    """:func:`canonical_role` as one SQL CASE expression over ``column`` (a trusted identifier)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", column):
        raise ValueError(f"not an identifier: {column!r}")
    key = f"trim(regexp_replace(regexp_replace(lower({column}), '[^a-z ]+', ' ', 'g'), ' +', ' ', 'g'))"
    whens = " ".join(f"WHEN '{alias}' THEN '{role}'" for alias, role in ROLE_ALIASES.items())
    mapped = f"CASE {key} {whens} ELSE trim({column}) END"
    return f"CASE WHEN nullif(trim({column}), '') IS NULL THEN NULL ELSE {mapped} END"
