"""How revenue people talk: jargon, inflections and misspellings, read into catalogue words.

:func:`read_words` is the first stage of reading a question. It rewrites the (lower-case) text so
that the catalogue's phrases and the intent rules can read it, and records every rewrite as
evidence (the words asked, the words read, and how close a fuzzy match was):

* sales and finance jargon: bookings / booked / closed-won -> won revenue; bill / billings -> net
  fees; pipe -> pipeline; logos -> customers; won or lost -> closed deals; days to close /
  cycle time / time to close -> sales cycle; mean / typical -> average;
* dimension synonyms: industry / vertical / sector, office / region, service line / capability,
  account tier / segment, salesperson / agent / rep;
* US/UK spelling (utilisation/utilization ...) and inflections (industries, offices);
* misspellings of catalogue words ("bookngs", "revnue", "chargable"), by rapidfuzz distance to
  the vocabulary; the distance lowers the answer's confidence.

Only words outside everyday English and outside the data's own values are corrected, so a name
in the data is never "corrected" into a metric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

WORDS_DIR = Path(__file__).parent / "words"


def load_words(name: str) -> frozenset[str]:
    """A word list of ``ask/words/`` (``#`` lines are comments)."""
    text = (WORDS_DIR / name).read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


#: (pattern, replacement): jargon read as the catalogue's words. Order matters (longest first).
JARGON: tuple[tuple[str, str], ...] = (
    (r"\bclosed[- ]won\b", "won"),
    (r"\bclosed[- ]lost\b", "lost"),
    (
        r"\b(?:won (?:or|and|/|vs\.?|versus) lost|won/lost|wins (?:and|or) losses|"
        r"closed (?:deals|opportunities))\b",
        "closed deals",
    ),
    (r"\bdeals? (?:we |that we |that )?(?:closed|close)\b", "closed deals"),
    (
        r"\b(?:how long|how many days)(?: does it| did it| do deals| does a deal| do we)? (?:take )?"
        r"(?:(?:us|we|you|them|a rep|reps) )?(?:on average |typically )?(?:to|until) (?:close|win)\b"
        r"(?: (?:a|the|our) (?:won )?deals?\b)?",
        "sales cycle",
    ),
    (r"\b(?:days|time|duration|length) (?:to|until) (?:close|win)\b", "sales cycle"),
    (
        r"\b(?:deal |sales )?(?:cycle time|cycle length|cycle duration|time-to-close|days-to-close)\b",
        "sales cycle",
    ),
    (r"\bwinn?ing (?:rate|ratio|percentage|pct)\b", "win rate"),
    (r"\b(?:success|hit|strike|closing|close) (?:rate|ratio)\b", "win rate"),
    (r"\b(quarter|month|year)[- ]on[- ](?:quarter|month|year)\b", r"\1 over \1"),
    (r"\b(?:average|typical|mean|avg) (?:won )?deal\b(?! (?:size|value|amount|count))", "average deal size"),
    (
        r"\b(?:average|typical|mean|avg) (?:won )?(?:revenue|value|amount|bookings?|sales) "
        r"(?:per|of an?|of each|for an?|for each) (?:won |closed )?(?:deal|opportunity|opp)\b|"
        r"\b(?:won )?(?:revenue|value|amount|bookings?|sales) per "
        r"(?:won |closed )?(?:deal|opportunity|opp)\b",
        "average deal size",
    ),
    (
        r"\b(?:closes?|closing|closed|wins?|winning) (?:deals? |their deals |business )?(?:the )?"
        r"(fastest|quickest|slowest)\b",
        r"has the \1 sales cycle",
    ),
    (r"\bbook(?:ed|ing|ings)?\b(?! (?:a|the) meeting)", "won revenue"),
    (r"\b(?:closed|won) (?:revenue|sales|amount|value|business)\b", "won revenue"),
    (r"\brevenue (?:closed|won|booked)\b", "won revenue"),
    (r"\b(?:net )?(?:fees?|revenue) per (?:chargeable |billable |billed )?hour\b", "rate per hour"),
    (
        r"\bhours? (?:were |was |we |did we |have we |do we |did you )?(?:billed|bill)\b|"
        r"\b(?:billed|billable) hours?\b",
        "chargeable hours",
    ),
    (r"\b(?:bill|billed|billing|billings|invoice|invoiced|invoicing)\b(?! ?able)", "net fees"),
    (r"\bbillable (?:utili[sz]ation|chargeability)\b", "chargeability"),
    (r"\bfee\b(?! (?:days?|income))", "fees"),
    (r"\bpipe\b", "pipeline"),
    (r"\bteh\b", "the"),
    (
        r"\b(?:average|avg|mean) (?:number of )?(won|lost|closed|open|new) deals\b",
        r"average number of \1 deals",
    ),
    (r"\b(?:average|typical|mean|avg) (?:close|closing|closed) (?:value|amount)\b", "average deal size"),
    (r"\b(?:close|closing) (?:value|amount)s?\b", "won revenue"),
    (r"\b(?:average|avg|mean) (?:contract|order) (?:value|size)\b|\bacv\b|\baov\b", "average deal size"),
    (r"\brevs?\b", "revenue"),
    (r"\bqtrs?\b", "quarter"),
    (r"\byrs?\b", "year"),
    (r"\bmos\b|\bmths?\b", "months"),
    (r"\bmgrs?\b", "manager"),
    (r"\b(?:amt|amnt)\b", "amount"),
    (r"\b(?:no\.|num|nbr|#) of\b", "number of"),
    (r"\blogos?\b(?! churn)", "customers"),
    (
        r"\b(?:who|whom) (?:do|did|have|are) we (?:lose|lost|losing) (?:to|against)\b|"
        r"\b(?:who|whom) (?:beats|beat|wins against) us\b|"
        r"\b(?:competitor|competition) (?:beats|beat|wins against|takes|took|steals) (?:us|deals from us)\b",
        "which competitor do we lose to",
    ),
    (r"\b(?:mean|typical|avg\.?)\b", "average"),
    (r"\barr (?:churned|lost)\b", "churned arr"),
    (
        r"\b(?:customers|accounts|clients|logos) (?:that |who |which )?"
        r"(?:churned|we lost|did we lose|left)\b|"
        r"\bchurned (?:customers|accounts|clients|logos)\b|\bcustomer churn count\b",
        "churned customers",
    ),
    (r"\bchurned (?:revenue|recurring revenue)\b", "churned arr"),
    (
        r"\b(?:lost|losing) (?:revenue|sales|bookings|amount|value|dollars)\b|"
        r"\b(?:revenue|sales|bookings) (?:we )?lost\b",
        "value of lost deals",
    ),
    (r"\b(?:realisation|realization) rate\b", "realisation"),
    (
        r"\bconversion(?: rate)? (?:from )?mqls? to sqls?\b|"
        r"\bmqls? to sqls? conversion rate\b",
        "mql to sql rate",
    ),
    (r"\b(?:industry|industries|verticals?|sectors)\b", "sector"),
    (r"\b(?:regional )?offices?\b", "region"),
    (r"\b(?:geos|geographies|territories|territory)\b", "region"),
    (r"\bservice lines?\b|\bpractices\b|\bcapabilities\b", "capability"),
    (r"\baccount (?:tiers?|segments?)\b|\bcustomer (?:tiers?|segments?)\b|\bsegments\b", "tier"),
    (
        r"\b(?:sales ?people|salespeople|salespersons?|sales agents?|agents|sellers|account executives|aes|"
        r"sales reps)\b",
        "reps",
    ),
    (r"\bsales managers\b", "managers"),
    (r"\b(?:utilization|utilisation)\b", "chargeability"),
    (r"\brealization\b", "realisation"),
    (r"\bcompetitors\b", "competitor"),
    (r"\b(?:opps|opportunities)\b", "deals"),
    (r"\b(?:opp|opportunity)\b", "deal"),
    (
        r"\b(?:new )?deals? (?:that )?(?:were |was |we |have been |got )?"
        r"(?:created|opened|generated|added|entered)\b",
        "deals created",
    ),
    (r"\b(?:new|created|opened) deals\b", "deals created"),
    (r"\bfor the (?:full |whole |entire |current )?year\b", "this year"),
    (r"\bfor the (?:current )?quarter\b", "this quarter"),
    (r"\b(?:over|during|in) the (?:course of the )?year\b", "this year"),
    (r"\b(?:end|ended|ending|ends) (?:up )?(?:in|as) (?:a )?(?:loss|lost|losses)\b", "are lost"),
    (r"\b(?:end|ended|ending|ends) (?:up )?(?:in|as) (?:a )?(?:win|won|wins)\b", "are won"),
)


#: words the jargon reads, never "corrected" into a catalogue word first ("contract" is not "contact")
JARGON_WORDS = frozenset({"contract", "contracts", "invoice", "invoices", "acv", "aov"})


def inflections(words: frozenset[str]) -> frozenset[str]:
    """``words`` with their regular inflections (-s, -es, -ed, -d, -ing, doubled consonants)."""
    out = set(words)
    for w in words:
        if "'" in w or "-" in w:
            continue
        stem = w[:-1] if w.endswith("e") else w
        out |= {w + "s", w + "es", w + "ed", w + "d", stem + "ing", stem + "ed"}
        if w.endswith("y"):
            out |= {w[:-1] + "ies", w[:-1] + "ied"}
        if len(w) >= 3 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou" and w[-3] not in "aeiou":
            out |= {w + w[-1] + "ed", w + w[-1] + "ing"}  # "sit" -> "sitting"
    return frozenset(out)


#: everyday words a question is made of: never corrected, never "unresolved"
FUNCTION_WORDS = load_words("function_words.txt") | inflections(load_words("everyday_words.txt"))
#: words that name a figure the catalogue does not define: the true reason to abstain
UNSUPPORTED_CONCEPTS: dict[str, str] = {
    "profit": "profit",
    "profits": "profit",
    "ebitda": "EBITDA",
    "cac": "customer acquisition cost",
    "ltv": "customer lifetime value",
    "clv": "customer lifetime value",
    "csat": "customer satisfaction",
    "salary": "salaries",
    "salaries": "salaries",
    "commission": "commissions",
    "commissions": "commissions",
    "payroll": "payroll",
    "cash": "cash",
    "ebit": "EBIT",
    "inventory": "inventory",
    "stock": "stock price",
    "share price": "share price",
    "tax": "tax",
    "taxes": "tax",
    "discount": "discounts",
    "discounts": "discounts",
    "refunds": "refunds",
    "refund": "refunds",
    "cogs": "cost of goods sold",
    "opex": "operating expenses",
    "expenses": "expenses",
    "spend": "spend",
    "cost per lead": "cost per lead",
    "emails": "emails sent",
    "calls": "calls made",
    "meetings": "meetings held",
    "weather": "the weather",
    "acquisition cost": "customer acquisition cost",
    "cost": "cost",
    "costs": "cost",
    "lifetime value": "customer lifetime value",
    "nps": "net promoter score",
    "employees": "employees",
    "headcount": "headcount",
    "age": "age",
    "gender": "gender",
    "satisfaction": "satisfaction",
    "sentiment": "sentiment",
}


@dataclass(frozen=True)
class Rewrite:
    """One piece of evidence: the words asked, the words read, and the match score (100 = exact)."""

    asked: str
    read: str
    kind: str  # jargon | fuzzy
    score: float = 100.0

    def to_dict(self) -> dict[str, Any]:
        return {"asked": self.asked, "read": self.read, "kind": self.kind, "score": round(self.score, 1)}


def normalise(question: str) -> str:
    """The question in lower case, markup and odd characters dropped, whitespace collapsed."""
    text = question.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"<[^>]{0,200}>", " ", text)  # markup tags
    text = re.sub(r"(?<=[a-z])'s\b", "", text)  # possessives: "west's bookings"
    text = re.sub(r"[?!;:\"`*_~^|\\{}\[\]()<>]", " ", text)
    text = re.sub(r"(?<=[a-z]),(?=\s)", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text


def apply_jargon(text: str) -> tuple[str, list[Rewrite]]:
    """``text`` with jargon replaced by catalogue words, and the rewrites made."""
    out: list[Rewrite] = []
    for pattern, repl in JARGON:
        found = [(m.group(0), m.expand(repl)) for m in re.finditer(pattern, text)]
        if found:
            text = re.sub(pattern, repl, text)
            out += [Rewrite(f, r, "jargon") for f, r in found if f != r]
    return text, out


@lru_cache(maxsize=8)
def _known_words(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(words)


def correct_spelling(text: str, targets: list[str], protected: frozenset[str]) -> tuple[str, list[Rewrite]]:
    """Misspelled catalogue words corrected to their closest target (rapidfuzz), with the evidence.

    A word is corrected only when it is not everyday English (:data:`FUNCTION_WORDS`), not a data
    value word (``protected``), at least 3 letters, and within 1 edit (2 for words of 7+ letters)
    of a target word starting with the same letter; a word of 3-4 letters is only completed by a
    missing letter ("sze" -> "size"). Two catalogue words run together are split ("winrate").
    """
    out: list[Rewrite] = []
    target_set = set(targets)

    def fix(m: re.Match[str]) -> str:
        w = m.group(0)
        if (
            len(w) < 3
            or w in target_set
            or w in FUNCTION_WORDS
            or w in JARGON_WORDS
            or w in protected
            or w.isdigit()
        ):
            return w
        if w.rstrip("s") in target_set or w in UNSUPPORTED_CONCEPTS:
            return w
        for i in range(3, len(w) - 2):  # "winrate" -> "win rate"
            if w[:i] in target_set and w[i:] in target_set:
                out.append(Rewrite(w, f"{w[:i]} {w[i:]}", "fuzzy", 90.0))
                return f"{w[:i]} {w[i:]}"
        same_start = [t for t in targets if t[0] == w[0]]  # a typo rarely changes the first letter
        best = process.extractOne(w, same_start, scorer=fuzz.ratio, score_cutoff=70)
        if best is None:
            return w
        cand, score = best[0], best[1]
        limit = 2 if len(w) >= 7 else 1
        dist = DamerauLevenshtein.distance(w, cand)
        if (
            dist > limit
            or (len(w) < 5 and len(cand) <= len(w))
            or (dist == 2 and abs(len(w) - len(cand)) > 1)
        ):
            return w  # a short word is only completed ("sze" -> "size"), never swapped for another
        out.append(Rewrite(w, cand, "fuzzy", score))
        return cand

    text = re.sub(r"[a-z][a-z'-]*[a-z]", fix, text)
    return text, out


def catalogue_words(catalogue: Any) -> list[str]:
    """Every single word of the catalogue's metric and dimension names and synonyms, and the jargon."""
    words: set[str] = set()
    for m in catalogue.metrics:
        for s in (m.label, m.id.replace("_", " "), *m.synonyms):
            words |= set(re.findall(r"[a-z]{3,}", s.lower()))
    for d in catalogue.dimensions:
        for s in (d.label, d.id.replace("_", " "), *d.synonyms):
            words |= set(re.findall(r"[a-z]{3,}", s.lower()))
    words |= {
        "bookings", "booked", "revenue", "pipeline", "forecast", "customers", "average", "median",
        "sector", "region", "capability", "deals", "closed", "prospecting", "engaging", "quota",
        "competitor", "risk", "risky", "slipped", "slippage", "budget", "actuals", "churned",
        "churn", "renewal", "renewing", "health", "healthy", "expansion", "expand", "upsell", "whitespace",
        "retention", "nrr", "grr",
    }  # fmt: skip
    words |= {w + "s" for w in words if not w.endswith("s")}
    return sorted(words)


def read_words(text: str, catalogue: Any, protected: frozenset[str]) -> tuple[str, list[Rewrite]]:
    """Stage one of reading: jargon rewritten, misspellings corrected (see module docstring)."""
    text, fixes = correct_spelling(text, catalogue_words(catalogue), protected)
    text, jargon = apply_jargon(text)
    return text, fixes + jargon
