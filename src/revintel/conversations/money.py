"""Money amounts as people write and say them: ``$1.2M``, ``45k USD``, ``EUR 1.200.000``, ``€1,2 Mio``,
``forty-five thousand dollars``, ``a million two``, ``Rs 12 lakh``, ``₹1.5 crore``, ``INR 15L``,
``between 40 and 50k dollars``.

An amount needs a currency: its own symbol, code or word ("dollars", "rupees", "quid"), or, for an
amount with a scale word ("40 grand", "twelve lakh"), the one currency the turn states elsewhere
("forty grand a year, in dollars"). A bare number ("forty people", "six to eight weeks") is none.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*)|(?P<sym>[$€£₹¥])|(?P<word>[a-z]+)|(?P<dash>[-–])", re.IGNORECASE
)
# every amount has a currency or a scale word (for the turn's currency): a text with neither is not scanned
HINT = re.compile(
    r"[$€£₹¥]|\d\s?(?:k|m|mm|bn|b|l|cr)\b|\b(?:dollars?|euros?|pounds?|rupees?|bucks|quid|sterling|francs?|usd|eur|gbp|"
    r"inr|chf|aud|cad|sgd|nzd|jpy|rs|grand|thousand|millions?|mil|mio|mn|mrd|lakhs?|lacs?|crores?|billion)\b",
    re.IGNORECASE,
)
_QUICK = re.compile(r"[\d$€£₹¥]")


def mentions_money(text: str) -> bool:
    """Whether ``text`` may hold an amount (a currency or a scale word): a digit, a symbol or a word an amount
    said in full needs, then the exact pattern (most texts hold none: this is on every turn's path)."""
    if _QUICK.search(text) is None:
        low = text.lower()
        if not (
            "thousand" in low
            or "million" in low
            or "billion" in low
            or "lakh" in low
            or "crore" in low
            or "grand" in low
            or "dollar" in low
            or "euro" in low
            or "pound" in low
            or "rupee" in low
            or "quid" in low
            or "buck" in low
            or "franc" in low
            or "sterling" in low
            or "mil " in low
            or "usd" in low
            or "lac " in low
            or "lacs" in low
        ):
            return False
    return HINT.search(text) is not None


SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "¥": "JPY"}
CODES = {c.lower(): c for c in ("USD", "EUR", "GBP", "INR", "CHF", "AUD", "CAD", "SGD", "NZD", "JPY")} | {
    "rs": "INR"
}
_WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "quid": "GBP",
    "sterling": "GBP",
    "rupee": "INR",
    "rupees": "INR",
    "franc": "CHF",
    "francs": "CHF",
}
# "Australian dollars", "US$", "Swiss francs": the word before names whose dollar or franc it is
_NATION = {"us": "USD", "australian": "AUD", "au": "AUD", "a": "AUD", "canadian": "CAD", "c": "CAD"}
_NATION |= {"singapore": "SGD", "s": "SGD", "new zealand": "NZD", "nz": "NZD", "swiss": "CHF"}
# scale words; the one-letter ones ("15L", "1.2M", "50k") only written against the number
SCALES = {"thousand": 1e3, "grand": 1e3, "million": 1e6, "millions": 1e6, "mil": 1e6, "mio": 1e6, "mn": 1e6}
SCALES |= {
    "mm": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "mrd": 1e9,
    "lakh": 1e5,
    "lakhs": 1e5,
    "lac": 1e5,
    "lacs": 1e5,
}
SCALES |= {"crore": 1e7, "crores": 1e7, "k": 1e3, "m": 1e6}
_SAID_SCALES = frozenset(w for w in SCALES if len(w) > 1 and w != "mm")  # "two mil", "forty grand"
_ATTACHED = {"l": 1e5, "cr": 1e7, "b": 1e9}
UNITS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])
}


@dataclass(frozen=True)
class Amount:
    value: float
    currency: str
    start: int
    end: int


@dataclass
class _Tok:
    kind: str
    text: str
    start: int
    end: int


@dataclass
class _Num:
    value: float
    scale: float  # 1.0 when no scale word was said
    currency: str | None
    first: int  # token indexes, inclusive
    last: int


def _tokens(text: str) -> list[_Tok]:
    return [_Tok(m.lastgroup or "", m.group(0).lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _digits(raw: str) -> float | None:
    """``1,200,000``, ``12,00,000``, ``1.200.000`` and ``1,2`` (a decimal comma) as a number."""
    if "," in raw and "." in raw:
        raw = (
            raw.replace(".", "").replace(",", ".")
            if raw.rfind(",") > raw.rfind(".")
            else raw.replace(",", "")
        )
    elif raw.count(".") > 1:
        raw = raw.replace(".", "")
    elif "," in raw:
        head, _, tail = raw.rpartition(",")
        raw = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else raw.replace(",", "")
    try:
        return float(raw)
    except ValueError:
        return None


def _word(toks: list[_Tok], i: int) -> str:
    return toks[i].text if 0 <= i < len(toks) and toks[i].kind == "word" else ""


def _spoken(toks: list[_Tok], i: int) -> tuple[float, float, int] | None:
    """A number said in words from token ``i``: (value, scale, last token index)."""
    total, current, seen, scale, j, last = 0.0, 0.0, False, 1.0, i, -1
    while j < len(toks):
        w = _word(toks, j)
        if w in UNITS and scale >= 1e6 and total and not current and _tenths(toks, j):
            total, last = total + UNITS[w] * scale / 10, j  # "a million two" is 1.2 million
            break
        if w in UNITS or w in TENS:
            current += UNITS.get(w, 0) + TENS.get(w, 0)
            seen, last = True, j
        elif w == "hundred" and (seen or j > i):
            current, seen, last = max(current, 1) * 100, True, j
        elif (
            w in ("a", "an")
            and not seen
            and _word(toks, j + 1) in ("hundred", "thousand", "million", "grand")
        ):
            current, seen = 1, True
        elif w in _SAID_SCALES and seen:
            total, current, scale, last = total + max(current, 1) * SCALES[w], 0, SCALES[w], j
        elif w == "point" and seen and _word(toks, j + 1) in UNITS:
            digits = ""
            while _word(toks, j + 1) in UNITS:
                j += 1
                digits += str(UNITS[_word(toks, j)])
            current += float(f"0.{digits}")
            last = j
        elif w == "and" and seen and (_word(toks, j + 1) in UNITS or _word(toks, j + 1) in TENS):
            pass  # "two hundred and fifty thousand"
        elif w == "and" and seen and _word(toks, j + 1) == "a" and _word(toks, j + 2) == "half":
            current += 0.5 if current else 0
            total += 0 if current else 0.5 * scale
            j, last = j + 2, j + 2
        elif toks[j].kind == "dash" and seen and _word(toks, j + 1) in UNITS:
            pass  # "forty-five"
        else:
            break
        j += 1
    if not seen or last < 0:
        return None
    return total + current, scale, last


def _tenths(toks: list[_Tok], j: int) -> bool:
    """Whether the digit word at ``j`` ends the number ("a million two", not "a million two hundred")."""
    nxt = _word(toks, j + 1)
    return (
        0 < UNITS[_word(toks, j)] < 10
        and nxt not in SCALES
        and nxt not in TENS
        and nxt not in ("hundred", "point")
    )


def _currency_at(toks: list[_Tok], i: int) -> tuple[str, int] | None:
    """A currency written before a number at token ``i``: (code, tokens used)."""
    t = toks[i]
    if t.kind == "sym":
        return SYMBOLS[t.text], 1
    if t.kind == "word":
        if t.text in CODES and i + 1 < len(toks) and toks[i + 1].kind != "word":
            return CODES[t.text], 1
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt and nxt.kind == "sym" and nxt.text == "$" and nxt.start == t.end and t.text in _NATION:
            return _NATION[t.text], 2
    return None


def _currency_after(toks: list[_Tok], i: int) -> tuple[str, int] | None:
    """A currency said after an amount, from token ``i``: (code, tokens used)."""
    w = _word(toks, i)
    if w in CODES and w != "rs":
        return CODES[w], 1
    if w in _WORDS:
        return _WORDS[w], 1
    if w in _NATION and len(w) > 2 and _word(toks, i + 1) in _WORDS:
        return _NATION[w], 2
    if w in ("us", "au", "nz") and _word(toks, i + 1) in ("dollar", "dollars"):
        return _NATION[w], 2
    return None


def _number(toks: list[_Tok], i: int) -> _Num | None:
    first, pre = i, _currency_at(toks, i)
    if pre:
        i += pre[1]
    if i >= len(toks):
        return None
    t = toks[i]
    if t.kind == "num":
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        scale, last = 1.0, i
        if nxt and nxt.kind == "word":
            if nxt.text in SCALES:
                scale, last = SCALES[nxt.text], i + 1
            elif nxt.text in _ATTACHED and nxt.start == t.end:
                scale, last = _ATTACHED[nxt.text], i + 1
        value = _digits(t.text)
        if value is None:
            return None
    else:
        said = _spoken(toks, i)
        if said is None:
            return None
        value, scale, last = said
    value *= scale if t.kind == "num" else 1
    post = _currency_after(toks, last + 1)
    if post:
        last += post[1]
        cents = _cents(toks, last + 1) if scale == 1 and value == int(value) else None
        if cents is not None:  # "nine euros fifty", "12 pounds 99"
            value, last = value + cents[0] / 100, cents[1]
    return _Num(value, scale, (pre or post or (None,))[0], first, last)


def _cents(toks: list[_Tok], i: int) -> tuple[float, int] | None:
    """Cents said after a currency word (a number under 100 and no scale): (cents, last token index)."""
    if i < len(toks) and toks[i].kind == "num" and len(toks[i].text) <= 2 and toks[i].text.isdigit():
        nxt = _word(toks, i + 1)
        return (float(toks[i].text), i) if nxt not in SCALES and nxt not in _ATTACHED else None
    said = _spoken(toks, i) if _word(toks, i) in UNITS or _word(toks, i) in TENS else None
    if said is not None and said[1] == 1 and said[0] < 100:
        return said[0], said[2]
    return None


def stated_currency(text: str) -> str | None:
    """The one currency a text names (symbol, code or word), or None when it names none or several."""
    toks = _tokens(text)
    found = set()
    for i in range(len(toks)):
        got = _currency_at(toks, i) or _currency_after(toks, i)
        if got:
            found.add(got[0])
    return found.pop() if len(found) == 1 else None


def find_amounts(text: str, context: str | None = None, turn: str | None = None) -> list[Amount]:
    """Every money amount in ``text``; ``context`` is the currency the turn states, for "40 grand" (read from
    the whole ``turn`` only when such an amount is found, as that is rare)."""
    if not mentions_money(text):
        return []
    toks = _tokens(text)
    nums: list[_Num] = []
    i = 0
    while i < len(toks):
        n = _number(toks, i)
        if n is None:
            i += 1
            continue
        nums.append(n)
        i = n.last + 1
    # a range: "between 40 and 50k dollars", "$40-50k": the low end takes the high end's scale and currency
    for a, b in itertools.pairwise(nums):
        joint = toks[a.last + 1 : b.first]
        words = [t.text for t in joint]
        is_range = words in (["to"], ["-"], ["–"], ["or"]) or (
            words == ["and"] and _word(toks, a.first - 1) == "between"
        )
        if is_range and a.scale == 1 and b.scale > 1 and a.value * b.scale <= b.value:
            a.value, a.scale = a.value * b.scale, b.scale
        if is_range and a.currency is None:
            a.currency = b.currency
    out = []
    if context is None and turn is not None and any(n.currency is None and n.scale > 1 for n in nums):
        context = stated_currency(turn)
    for n in nums:
        currency = n.currency or (context if n.scale > 1 else None)
        if currency and n.value > 0:
            out.append(Amount(n.value, currency, toks[n.first].start, toks[n.last].end))
    return out
