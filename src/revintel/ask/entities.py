"""Data values a question can name: regions, reps, products, accounts, capabilities, teams ...

The vocabulary is read from the warehouse (distinct values of each dimension column of the
scoped tables) and cached per data version, so the engine answers about whatever data is loaded,
not only the demo. Matching is exact on word boundaries first (longest phrase wins), then fuzzy
(``difflib`` ratio) for misspellings of longer names.

The vocabulary is read with the system scope so that a scoped user naming a value outside their
scope is *recognised* (and refused, with an audit record) rather than silently ignored; values
are only ever echoed back when the user typed them.
"""

from __future__ import annotations

import difflib
import re
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from revintel.warehouse.backends import DuckDBWarehouse

if TYPE_CHECKING:
    from revintel.runtime import Runtime

#: dimension -> (canonical table, column) pairs its values are read from
DIMENSION_SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "region": (("services_monthly", "region"), ("reps", "region"), ("accounts", "region")),
    "capability": (("services_monthly", "capability"), ("products", "capability")),
    "rep": (("reps", "name"),),
    "team": (("reps", "team"),),
    "manager": (("reps", "manager"),),
    "product": (("products", "name"),),
    "product_series": (("products", "series"),),
    "account": (("accounts", "name"),),
    "tier": (("accounts", "tier"),),
    "sector": (("accounts", "sector"),),
    "stage": (("opportunities", "stage"),),
    "deal_type": (("opportunities", "deal_type"),),
    "lead_source": (("opportunities", "lead_source"),),
    "competitor": (("opportunities", "competitor"),),
    "channel": (("campaigns", "channel"),),
    "campaign": (("campaigns", "name"),),
}
#: when a value belongs to several dimensions, the first in this order wins
PRIORITY = (
    "region",
    "capability",
    "team",
    "rep",
    "manager",
    "product_series",
    "product",
    "sector",
    "tier",
    "stage",
    "deal_type",
    "channel",
    "lead_source",
    "competitor",
    "campaign",
    "account",
)
#: words that are never values on their own (they are metric or question words)
STOPWORDS = frozenset(
    {
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "in",
        "on",
        "for",
        "by",
        "to",
        "vs",
        "versus",
        "what",
        "which",
        "who",
        "how",
        "why",
        "is",
        "are",
        "was",
        "were",
        "did",
        "do",
        "does",
        "our",
        "we",
        "my",
        "me",
        "show",
        "total",
        "all",
        "revenue",
        "won",
        "win",
        "rate",
        "deals",
        "deal",
        "pipeline",
        "hours",
        "fees",
        "budget",
        "actual",
        "year",
        "quarter",
        "month",
        "last",
        "this",
        "top",
        "bottom",
        "best",
        "worst",
        "highest",
        "lowest",
        "most",
        "least",
        "new",
        "open",
        "closed",
        "lost",
        "sales",
        "time",
    }
)
FUZZY_MIN_LENGTH = 5
FUZZY_RATIO = 0.86
VERSION_TTL_SECONDS = 2.0


@dataclass(frozen=True)
class EntityMatch:
    """A data value found in a question."""

    dimension: str
    value: str
    text: str  # the words of the question that matched
    start: int
    end: int
    exact: bool


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9&+ ]+", " ", text.lower()).strip()


#: the characters normalised phrases are made of, one count column each (any other: the last column)
_ALPHABET = {ch: i for i, ch in enumerate("abcdefghijklmnopqrstuvwxyz0123456789&+ ")}


def _char_counts(texts: list[str]) -> np.ndarray:
    """Per text, how often each character occurs (characters outside the alphabet share a column,
    which can only overstate what two texts share, never understate it)."""
    out = np.zeros((len(texts), len(_ALPHABET) + 1), dtype=np.int32)
    other = len(_ALPHABET)
    for i, text in enumerate(texts):
        for ch in text:
            out[i, _ALPHABET.get(ch, other)] += 1
    return out


class Vocabulary:
    """Distinct dimension values of the loaded data, indexed for phrase matching."""

    def __init__(self, values: dict[str, list[str]], aliases: dict[str, dict[str, str]] | None = None):
        self.values = values
        #: dimension -> {source spelling: canonical value} ("Engaging" -> "Qualification")
        self.aliases = aliases or {}
        self.by_phrase: dict[str, tuple[str, str]] = {}
        for dim in sorted(values, key=lambda d: PRIORITY.index(d) if d in PRIORITY else 99, reverse=True):
            for v in values[dim]:
                key = _norm(v)
                if key and key not in STOPWORDS:
                    self.by_phrase[key] = (dim, v)
        for dim, mapping in self.aliases.items():
            for source, canonical in mapping.items():
                key = _norm(source)
                if key and key not in STOPWORDS and key not in self.by_phrase:
                    self.by_phrase[key] = (dim, canonical)
        self.max_words = max((len(k.split()) for k in self.by_phrase), default=1)
        #: every word of every value (never "corrected" into a catalogue word)
        self.words = frozenset(w for k in self.by_phrase for w in k.split() if len(w) >= 3)
        #: character counts of every phrase, to skip (exactly) phrases fuzzy matching would reject
        self._keys = list(self.by_phrase)
        self._lengths = np.array([len(k) for k in self._keys], dtype=np.int64)
        self._counts = _char_counts(self._keys)
        self._add_part_names(values)  # after the fuzzy index: a part is matched exactly only ("median")

    def _add_part_names(self, values: dict[str, list[str]]) -> None:
        """ "Retail & Consumer" is also "retail" and "consumer" (matched exactly) when no other value is."""
        parts: dict[str, list[tuple[str, str]]] = {}
        for dim, vals in values.items():
            for v in vals:
                for part in (v or "").split(" & ") if " & " in (v or "") else ():
                    parts.setdefault(_norm(part), []).append((dim, v))
        for key, hits in parts.items():
            if len(hits) == 1 and len(key) >= 4 and key not in STOPWORDS and key not in self.by_phrase:
                self.by_phrase[key] = hits[0]

    def close_match(self, phrase: str) -> str | None:
        """The vocabulary phrase closest to ``phrase`` (``difflib`` ratio >= FUZZY_RATIO), if any.

        Same result as ``difflib.get_close_matches(phrase, self.by_phrase, n=1, cutoff=FUZZY_RATIO)``:
        difflib scores a phrase only when its ``quick_ratio`` (2 x the characters both share, counted
        as multisets, / both lengths) reaches the cutoff. That bound is computed here for the whole
        vocabulary at once, so only the few phrases that pass it are scored by difflib (a 65,000-account
        vocabulary otherwise costs ~150 ms per question).
        """
        if not self._keys:
            return None
        shared = np.minimum(self._counts, _char_counts([phrase])[0]).sum(axis=1)
        bound = 2.0 * shared / (self._lengths + len(phrase))
        candidates = [self._keys[i] for i in np.flatnonzero(bound >= FUZZY_RATIO)]
        close = difflib.get_close_matches(phrase, candidates, n=1, cutoff=FUZZY_RATIO)
        return close[0] if close else None

    def find(self, text: str, taken: list[tuple[int, int]] | None = None) -> list[EntityMatch]:
        """Values named in ``text`` (longest phrases first, non-overlapping, not in ``taken`` spans)."""
        words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[A-Za-z0-9&+']+", text)]
        used = list(taken or [])
        out: list[EntityMatch] = []
        # exact values first, then fuzzy ones: "enterprise deals" is the Enterprise tier, never a
        # fuzzy "many enterprise" ~ "EMEA Enterprise" found first because it is longer
        for fuzzy in (False, True):
            for n in range(min(self.max_words, 6), 0, -1):
                for i in range(len(words) - n + 1):
                    start, end = words[i][1], words[i + n - 1][2]
                    if any(s < end and start < e for s, e in used):
                        continue
                    phrase = _norm(" ".join(w[0] for w in words[i : i + n]))
                    hit = None
                    if not fuzzy:
                        hit = self.by_phrase.get(phrase) or self.by_phrase.get(phrase.rstrip("s"))
                    elif len(phrase) >= FUZZY_MIN_LENGTH and phrase not in STOPWORDS:
                        close = self.close_match(phrase)
                        hit = self.by_phrase[close] if close else None
                    if hit is not None:
                        out.append(EntityMatch(hit[0], hit[1], text[start:end], start, end, not fuzzy))
                        used.append((start, end))
        return sorted(out, key=lambda m: m.start)

    def lookup(self, dimension: str, text: str) -> str | None:
        """The stored spelling of ``text`` as a value of ``dimension`` (case-insensitive), if any."""
        key = _norm(text)
        for v in self.values.get(dimension, []):
            if _norm(v) == key:
                return v
        return None


class VocabularyCache:
    """One :class:`Vocabulary` per data version of a runtime's warehouse."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: str | None = None
        self._checked = 0.0
        self._vocab: Vocabulary | None = None

    def data_version(self, rt: Runtime) -> str:
        """The semantic layer's data version (meta + row counts)."""
        return str(rt.semantic.data_version())

    def get(self, rt: Runtime) -> Vocabulary:
        return self.current(rt)[1]

    def current(self, rt: Runtime) -> tuple[str, Vocabulary]:
        """(the data version the vocabulary was read at, the vocabulary)."""
        with self._lock:
            now = time.monotonic()
            if self._vocab is None or now - self._checked > VERSION_TTL_SECONDS:
                version = self.data_version(rt)
                self._checked = now
                if version != self._version or self._vocab is None:
                    self._vocab = Vocabulary(read_values(rt), read_aliases(rt))
                    self._version = version
            assert self._version is not None
            return self._version, self._vocab


def read_values(rt: Runtime, limit: int = 5000) -> dict[str, list[str]]:
    """Distinct values per dimension, read from the canonical tables in one query.

    This is the matching vocabulary only (answers always go through the scoped semantic layer).
    The query is built as a sqlglot AST and transpiled to the warehouse's dialect.
    """
    from sqlglot import exp

    wh = rt.warehouse
    present = wh.table_names()
    parts: list[exp.Select] = []
    for dim, sources in DIMENSION_SOURCES.items():
        for table, column in sources:
            if table in present:
                col = exp.cast(exp.column(column, quoted=True), "VARCHAR")
                parts.append(
                    exp.select(exp.Literal.string(dim).as_("d"), col.as_("v"))
                    .from_(exp.to_table(table, quoted=True))
                    .where(exp.Not(this=exp.Is(this=col.copy(), expression=exp.Null())))
                    .distinct()
                    .limit(limit)
                )
    if not parts:
        return {}
    union: exp.Expression = exp.select("d", "v").from_(parts[0].subquery("p0"))
    for i, p in enumerate(parts[1:], 1):
        union = exp.union(union, exp.select("d", "v").from_(p.subquery(f"p{i}")), distinct=False)
    sql = union.sql(dialect=wh.dialect)
    if isinstance(wh, DuckDBWarehouse):
        pairs = wh.cursor().execute(sql).fetchall()
    else:
        frame = wh.execute(wh.con.sql(sql, dialect=wh.dialect))
        pairs = list(zip(frame["d"], frame["v"], strict=True))
    out: dict[str, set[str]] = {}
    for d, v in pairs:
        if str(v).strip():
            out.setdefault(str(d), set()).add(str(v))
    return {d: sorted(v) for d, v in out.items()}


def read_aliases(rt: Runtime) -> dict[str, dict[str, str]]:
    """Source spellings of canonical values: the source's own stage names ("Engaging" -> "Qualification")."""
    wh = rt.warehouse
    if "opportunities" not in wh.table_names() or not isinstance(wh, DuckDBWarehouse):
        return {}
    sql = (
        'SELECT DISTINCT CAST("source_stage" AS VARCHAR), CAST("stage" AS VARCHAR) FROM "opportunities" '
        'WHERE "source_stage" IS NOT NULL AND "stage" IS NOT NULL LIMIT 200'
    )
    try:
        pairs = wh.cursor().execute(sql).fetchall()
    except Exception:
        return {}
    out: dict[str, str] = {}
    for source, stage in pairs:
        if str(source).strip() and str(source) != str(stage):
            out.setdefault(str(source), str(stage))
    return {"stage": out} if out else {}
