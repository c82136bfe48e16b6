"""Trackers: competitors, objections, pricing, next steps, risks and smart trackers, found in a turn.

Declared in ``trackers.yaml`` (built in) plus ``REVINTEL_TRACKERS_FILE``. Matching works on word
keys (lemma + stem, :func:`revintel.conversations.text.lemma`) clause by clause:

* a phrase is a run of words; ``a + b`` needs both parts in one clause; ``@name`` is any entry of
  the word class ``name`` (``classes:``), so one line covers many wordings; a money amount counts
  as the word "money";
* next steps match word forms, not keys, so a commitment ("I'll send it over") is one and a thing
  already done ("the proposal we sent over") is not;
* a match is undone by a negation just before it ("not expensive"), inside a ``+`` span
  ("price isn't really a concern"), or a dismissal just after it ("budget is not an issue");
  a phrase that itself holds a negation ("no budget") is not undone by it; a *cancel* phrase
  ("good news", "within budget") rules the clause out;
* each tracker says whose words count (``customer`` also takes unknown speakers, ``rep``, ``any``);
* smart trackers are a few example sentences; a clause matches when its word-key overlap (cosine,
  words and word pairs) with an example reaches the tracker's threshold. No training calls needed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from revintel.conversations.dates import find_due
from revintel.conversations.money import find_amounts, mentions_money
from revintel.conversations.text import lemma, sentences
from revintel.errors import Problem, ValidationFailed

BUILTIN = Path(__file__).with_name("trackers.yaml")
_TOKEN = re.compile(r"([a-z0-9]+(?:'(?!s\b)[a-z]+)?)(?:'s\b)?")
_CLAUSE = re.compile(r";|\s+but\s+|\s+-\s+|\s+–\s+", re.IGNORECASE)
NEGATORS = frozenset({"not", "no", "never", "without", "none", "hardly", "nor", "neither", "cannot"})
OBJECTION_CUSTOMER = ("customer", "unknown")


def tokens(text: str) -> list[str]:
    """Lower-case words; possessive ``'s`` dropped ("Altura's" -> "altura")."""
    out: list[str] = _TOKEN.findall(text.lower().replace("’", "'"))
    return out


def keys(text: str) -> list[str]:
    return [lemma(t) for t in tokens(text)]


def _negates(token: str) -> bool:
    return token in NEGATORS or token.endswith("n't")


Run = tuple[str, ...]


@dataclass(frozen=True)
class Phrase:
    """One phrase: its parts, each a set of alternative runs of word keys.

    A run that holds a negation ("no budget", "can't pull") carries its own negation: a match
    through it is not undone by a negator. ``@name`` in a phrase stands for every entry of the
    word class ``name`` (``classes:`` in the YAML), so ``@price + @too_high`` is one phrase.
    """

    text: str
    parts: tuple[tuple[tuple[Run, bool], ...], ...]

    @classmethod
    def parse(cls, text: str, classes: dict[str, list[str]] | None = None, raw: bool = False) -> Phrase:
        """Read ``text`` (``a + b``, ``@class`` references) into runs of keys (of words when ``raw``)."""
        conv = tokens if raw else keys
        parts = []
        for part in str(text).split(" + "):
            pieces: list[list[tuple[Run, bool]]] = []
            for word in part.split():
                if word.startswith("@"):
                    alts = (classes or {}).get(word[1:])
                    if alts is None:
                        raise KeyError(word[1:])
                else:
                    alts = [word]
                pieces.append([(tuple(conv(a)), any(_negates(w) for w in tokens(a))) for a in alts])
            runs = tuple(
                dict.fromkeys(
                    (tuple(k for r, _ in combo for k in r), any(n for _, n in combo))
                    for combo in itertools.product(*pieces)
                    if any(r for r, _ in combo)
                )
            )
            if runs:
                parts.append(runs)
        return cls(str(text), tuple(parts))

    @cached_property
    def firsts(self) -> tuple[frozenset[str], ...]:
        """The first keys each part can start with (a cheap test before :meth:`find`)."""
        return tuple(frozenset(r[0] for r, _ in part) for part in self.parts)

    @cached_property
    def _by_first(self) -> tuple[tuple[dict[str, tuple[int, ...]], dict[Run, bool]], ...]:
        """Per part: first key -> the lengths of its runs (longest first), and run -> own negation."""
        out = []
        for part in self.parts:
            lengths: dict[str, set[int]] = {}
            for run, _ in part:
                lengths.setdefault(run[0], set()).add(len(run))
            out.append(({k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}, dict(part)))
        return tuple(out)

    @cached_property
    def anchors(self) -> frozenset[str]:
        """Words of which at least one is in every clause the phrase matches: the rarest word of each
        run of its most selective part ("@commit @act" is filed under "send", "book", ... and not
        under "I'll", "let's")."""
        options = [frozenset(min(run, key=_rareness) for run, _ in part) for part in self.parts]
        return min(options, key=_commonness, default=frozenset())

    @property
    def negated(self) -> bool:
        """Every way of matching the phrase carries a negation."""
        return bool(self.parts) and any(all(n for _, n in part) for part in self.parts)

    def find(self, ks: list[str], present: Positions | None = None) -> tuple[int, int, bool] | None:
        """(start, end, carries its own negation) of the span covering every part, or ``None``.

        ``present`` is :func:`positions` of ``ks`` (computed here when not given).
        """
        pos = positions(ks) if present is None else present
        firsts = self.firsts
        if (
            not firsts
            or firsts[0].isdisjoint(pos)
            or (len(firsts) > 1 and any(f.isdisjoint(pos) for f in firsts[1:]))
        ):
            return None
        lo, hi, neg = len(ks), -1, False
        for first, (lengths, runs) in zip(self.firsts, self._by_first, strict=True):
            keys_here = first & pos.keys() if len(first) > len(pos) else [k for k in pos if k in first]
            found: tuple[int, int, bool] | None = None
            for k in keys_here:
                for i in pos[k]:
                    if found is not None and i >= found[0]:
                        break
                    for n in lengths[k]:
                        run = tuple(ks[i : i + n])
                        if run in runs:
                            found = (i, i + n, runs[run])
                            break
            if found is None:
                return None
            lo, hi, neg = min(lo, found[0]), max(hi, found[1]), neg or found[2]
        return (lo, hi, neg) if hi >= 0 else None


Positions = dict[str, list[int]]


def positions(ks: list[str]) -> Positions:
    """Where each key occurs in ``ks`` (ascending)."""
    out: Positions = {}
    for i, k in enumerate(ks):
        if k in out:
            out[k].append(i)
        else:
            out[k] = [i]
    return out


def _find(ks: list[str], part: tuple[str, ...]) -> int:
    n = len(part)
    for i in range(len(ks) - n + 1):
        if ks[i] == part[0] and tuple(ks[i : i + n]) == part:
            return i
    return -1


# words said in almost every clause: a poor anchor for a phrase (keys and word forms)
_COMMON_WORDS = (
    "i we you it they he she that this the a an to of and or in on at for with be is are was were "
    "have has had do does did can could will would should shall let let's i'll we'll i'm we're "
    "it's that's not no don't can't won't isn't just so get got go going need want make take "
    "our your their my me us them there what how when if then about all more some any one"
)
_COMMON = frozenset(_COMMON_WORDS.split()) | frozenset(lemma(w) for w in _COMMON_WORDS.split())


def _rareness(word: str) -> tuple[bool, int]:
    """Sort key putting the word least likely to be said first (not a common word, then longer)."""
    return (word in _COMMON, -len(word))


def _commonness(words: frozenset[str]) -> tuple[int, int]:
    """How often a clause is likely to hold one of ``words`` (lower: rarer)."""
    return (len(words & _COMMON), len(words))


@dataclass
class Category:
    """A named list of phrases; ``raw`` categories match word forms, not keys ("sent" is not "send")."""

    name: str
    label: str
    speaker: str
    phrases: list[Phrase]
    raw: bool = False

    def __post_init__(self) -> None:
        # each phrase is filed under the rarest words of its most selective part (Phrase.anchors):
        # a phrase needs every part, so "@requires + @security" is looked at only when a security
        # word is said, not whenever someone says "need" or "before"
        self.anchors: dict[str, list[int]] = {}
        for i, p in enumerate(self.phrases):
            for word in p.anchors:
                self.anchors.setdefault(word, []).append(i)
        self.anchor_keys = frozenset(self.anchors)

    def candidates(self, present: Iterable[str]) -> list[Phrase]:
        """The phrases (in declared order) whose anchor words are present: the only ones that can match."""
        hit = self.anchor_keys.intersection(present)
        if not hit:
            return []
        if len(hit) == 1:
            return [self.phrases[i] for i in self.anchors[next(iter(hit))]]
        idx = sorted({i for k in hit for i in self.anchors[k]})
        return [self.phrases[i] for i in idx]


@dataclass
class Smart:
    """A tracker defined by example sentences, matched by similarity of word keys, word pairs and the
    word classes (synonyms) the words belong to, so "the champion resigned" is close to "our sponsor
    is leaving the company" (both a @person and a @leaving word) without sharing a word."""

    name: str
    label: str
    speaker: str
    threshold: float
    examples: list[Counter[str]]
    tags: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        said = {k for e in self.examples for k in e if " " not in k}
        wanted = {k for k in said if k.startswith("@")}
        self.vocab = frozenset(
            {k for k in said if not k.startswith("@")}
            | {k for k, cs in self.tags.items() if any(f"@{c}" in wanted for c in cs)}
        )


@dataclass
class Trackers:
    """Compiled trackers."""

    competitors: dict[str, list[tuple[str, ...]]]  # name -> alias key runs
    objections: list[Category]
    risks: Category
    next_steps: Category
    before: frozenset[str]
    after: Category
    cancel: Category
    with_competitor: Category | None = None
    cancel_words: Category | None = None
    unless_dated: Category | None = None  # "let me share my screen": a next step only with a date
    smart: list[Smart] = field(default_factory=list)
    pricing_speaker: str = "any"

    @cached_property
    def competitor_firsts(self) -> dict[str, list[tuple[str, Run]]]:
        """First key of an alias -> (competitor, alias run), to find names without a scan per name."""
        out: dict[str, list[tuple[str, Run]]] = {}
        for name, aliases in self.competitors.items():
            for a in aliases:
                if a:
                    out.setdefault(a[0], []).append((name, a))
        return out

    @cached_property
    def competitor_order(self) -> list[str]:
        return list(self.competitors)

    @cached_property
    def key_anchors(self) -> frozenset[str]:
        """Every key that can start a hit matched on keys: a clause holding none of them (and none of
        :attr:`word_anchors`) has nothing to find."""
        cats = [*self.objections, self.risks, self.cancel]
        if self.with_competitor is not None:
            cats.append(self.with_competitor)
        out = set(self.competitor_firsts)
        for c in cats:
            out |= c.anchor_keys
        for sm in self.smart:
            out |= sm.vocab
        return frozenset(out)

    @cached_property
    def word_anchors(self) -> frozenset[str]:
        """The same for the trackers matched on word forms (next steps, cancel words)."""
        out = set(self.next_steps.anchor_keys if self.next_steps.raw else ())
        if self.cancel_words is not None:
            out |= self.cancel_words.anchor_keys
        return frozenset(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "competitors": sorted(self.competitors),
            "objections": {c.name: c.label for c in self.objections},
            "smart": {s.name: s.label for s in self.smart},
        }


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for comp in extra.get("competitors", []) or []:
        known = next((c for c in out["competitors"] if c["name"] == comp.get("name")), None)
        if known:
            known["aliases"] = list(known.get("aliases", [])) + list(comp.get("aliases", []))
        else:
            out["competitors"].append(comp)
    for name, cat in (extra.get("objections") or {}).items():
        if name in out["objections"]:
            out["objections"][name]["phrases"] += list(cat.get("phrases", []))
        else:
            out["objections"][name] = cat
    classes = dict(out.get("classes") or {})
    for name, words in (extra.get("classes") or {}).items():
        classes[name] = list(classes.get(name, [])) + list(words or [])
    out["classes"] = classes
    for key in ("risks", "next_steps"):
        if extra.get(key):
            out[key]["phrases"] += list(extra[key].get("phrases", []))
    out["smart"] = list(out.get("smart", [])) + list(extra.get("smart", []) or [])
    return out


class _WordsLoader(yaml.SafeLoader):
    """YAML without implicit booleans: in a word list ``no``, ``on`` and ``yes`` are words, not
    ``False``/``True`` (YAML 1.1 would read ``[no, without]`` as ``[False, "without"]``)."""


_WordsLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read(path: Path) -> dict[str, Any]:
    try:
        # a SafeLoader subclass (no object construction), only without implicit booleans
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_WordsLoader) or {}  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ValidationFailed(
            f"the trackers file {path.name} is not valid YAML",
            problems=[
                Problem(
                    str(getattr(exc, "problem", exc)), file=path.name, line=mark.line + 1 if mark else None
                )
            ],
        ) from None
    if not isinstance(doc, dict):
        raise ValidationFailed(
            f"the trackers file {path.name} has the wrong shape",
            problems=[
                Problem(
                    "not a mapping", file=path.name, line=1, expected="competitors:, objections:, smart: ..."
                )
            ],
        )
    return doc


@lru_cache(maxsize=8)
def load_trackers(user_file: Path | None = None) -> Trackers:
    """The built-in trackers, extended by ``user_file``."""
    doc = _read(BUILTIN)
    name = BUILTIN.name
    if user_file:
        doc = _merge(doc, _read(Path(user_file)))
        name = Path(user_file).name
    try:
        return _compile(doc)
    except KeyError as exc:
        raise ValidationFailed(
            f"the trackers file {name} names an unknown word class",
            problems=[
                Problem(
                    f"@{exc.args[0]} is not declared",
                    file=name,
                    column="classes",
                    value=str(exc.args[0]),
                    expected="a class under classes:",
                )
            ],
        ) from None


def _compile(doc: dict[str, Any]) -> Trackers:
    neg = doc.get("negation", {})
    classes = {str(k): [str(a) for a in v] for k, v in (doc.get("classes") or {}).items()}

    def phrases(items: list[Any], raw: bool = False) -> list[Phrase]:
        return [Phrase.parse(p, classes, raw) for p in items]

    steps = doc["next_steps"]
    tags = _class_tags(classes)
    return Trackers(
        competitors={
            c["name"]: sorted(
                {tuple(keys(a)) for a in [c["name"], *c.get("aliases", [])]}, key=len, reverse=True
            )
            for c in doc.get("competitors", [])
        },
        objections=[
            Category(name, c.get("label", name), c.get("speaker", "customer"), phrases(c["phrases"]))
            for name, c in doc.get("objections", {}).items()
        ],
        risks=Category(
            "risk", "Risk", doc["risks"].get("speaker", "customer"), phrases(doc["risks"]["phrases"])
        ),
        next_steps=Category(
            "next_step",
            "Next step",
            steps.get("speaker", "any"),
            phrases(steps["phrases"], raw=steps.get("match") == "words"),
            raw=steps.get("match") == "words",
        ),
        before=frozenset(str(w) for w in neg.get("before", [])) | NEGATORS,
        after=Category("after", "after", "any", phrases(neg.get("after", []))),
        cancel=Category("cancel", "cancel", "any", phrases(neg.get("cancel", []))),
        cancel_words=Category(
            "cancel_words", "cancel", "any", phrases(neg.get("cancel_words", []), raw=True), raw=True
        ),
        unless_dated=Category(
            "unless_dated", "unless dated", "any", phrases(steps.get("unless_dated", []), raw=True), raw=True
        ),
        with_competitor=Category(
            "with_competitor",
            "competitor",
            "customer",
            phrases((doc.get("objections", {}).get("competitor") or {}).get("with_competitor") or []),
        ),
        smart=[
            Smart(
                s["name"],
                s.get("label", s["name"]),
                s.get("speaker", "any"),
                float(s.get("threshold", 0.5)),
                [_bag(e, tags) for e in s.get("examples", [])],
                tags,
            )
            for s in doc.get("smart", []) or []
        ],
        pricing_speaker=(doc.get("pricing") or {}).get("speaker", "any"),
    )


_STOP_WORDS = "the a an of to and or is are was be we our i you your it this that for in on at with have has"
_STOP = frozenset(_STOP_WORDS.split())


#: how much a shared word class counts against a shared word in a smart tracker's similarity
_TAG_WEIGHT = 2


def _class_tags(classes: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """Word key -> the classes that hold it as a one-word entry. Common words and words in more than
    two classes ("review": an action, a requirement, a project, a meeting) carry no class: they say
    too little about what a sentence means."""
    out: dict[str, list[str]] = {}
    for name, entries in classes.items():
        for entry in entries:
            ks = keys(entry)
            if len(ks) != 1 or ks[0] in _STOP or ks[0] in _COMMON:
                continue
            if name not in out.setdefault(ks[0], []):
                out[ks[0]].append(name)
    return {k: tuple(v) for k, v in out.items() if len(v) <= 2}


def _bag(text: str, tags: dict[str, tuple[str, ...]] | None = None) -> Counter[str]:
    """Word keys, adjacent key pairs and (weighted) word classes of ``text``."""
    return _bag_of(keys(text), tags)


def _bag_of(all_keys: list[str], tags: dict[str, tuple[str, ...]] | None = None) -> Counter[str]:
    ks = [k for k in all_keys if k not in _STOP]
    bag = Counter(ks + [f"{a} {b}" for a, b in itertools.pairwise(ks)])
    for k in ks:
        for c in (tags or {}).get(k, ()):
            bag[f"@{c}"] += _TAG_WEIGHT
    return bag


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _speaks(role: str, speaker: str) -> bool:
    if speaker == "any":
        return True
    if speaker == "customer":
        return role in OBJECTION_CUSTOMER
    return role == speaker


@dataclass(frozen=True)
class Match:
    """One tracker hit in a turn."""

    kind: str  # competitor | objection | risk | next_step | pricing | smart
    name: str
    phrase: str
    sentence: str
    amount: float | None = None
    currency: str | None = None
    due: str | None = None
    due_date: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "name": self.name,
            "phrase": self.phrase,
            "sentence": self.sentence,
        }
        if self.amount is not None:
            out.update(amount=self.amount, currency=self.currency)
        if self.due:
            out.update(due=self.due, due_date=self.due_date)
        return out


def _clauses(sentence: str) -> list[str]:
    return [c.strip(" ,") for c in _CLAUSE.split(sentence) if c.strip(" ,")]


def _negated(t: Trackers, ks: list[str], toks: list[str], span: tuple[int, int, bool]) -> bool:
    lo, hi, own = span
    if own:
        return False
    if any(_negates(w) or w in t.before for w in toks[max(0, lo - 3) : lo]):
        return True
    if any(_negates(w) for w in toks[lo:hi]):
        return True
    tail = ks[hi : hi + 6]
    return any(
        (f := p.find(tail)) is not None and f[0] <= 2
        for p in t.after.candidates(set(tail))
        if len(p.parts) == 1
    )


def _first(
    t: Trackers,
    cat: Category,
    ks: list[str],
    toks: list[str],
    present: Positions | None = None,
    word_pos: Positions | None = None,
    anchors: frozenset[str] | None = None,
) -> Phrase | None:
    """The first phrase of ``cat`` matched and not negated; ``anchors``: the clause's words that
    start any tracker (a small set, cheaper to test than the whole clause)."""
    seq = toks if cat.raw else ks
    if cat.raw:
        present = positions(toks) if word_pos is None else word_pos
    elif present is None:
        present = positions(ks)
    among = present.keys() if anchors is None else anchors
    if cat.anchor_keys.isdisjoint(among):
        return None
    for p in cat.candidates(among):
        span = p.find(seq, present)
        if span and not _negated(t, ks, toks, span):
            return p
    return None


def match_turn(text: str, role: str, trackers: Trackers, day: dt.date | None = None) -> list[Match]:
    """Every tracker hit in one turn said by ``role`` (``rep``, ``customer`` or ``unknown``)."""
    out: list[Match] = []
    seen: set[tuple[str, str]] = set()

    def add(m: Match) -> None:
        if (m.kind, m.name) not in seen or m.kind == "pricing":
            seen.add((m.kind, m.name))
            out.append(m)

    for sentence in sentences(text):
        # "forty grand a year, in dollars": a scaled amount takes the currency the turn states
        found = find_amounts(sentence, turn=text) if mentions_money(sentence) else []
        # an amount is a price word to the objections ("$95,000 is way more than we had in mind")
        plain = sentence
        for a in reversed(found):
            plain = f"{plain[: a.start]} money {plain[a.end :]}"
        for clause in _clauses(plain):
            _clause(clause, sentence, role, trackers, day, add)
        if _speaks(role, trackers.pricing_speaker):
            for a in found:
                raw = sentence[a.start : a.end]
                add(Match("pricing", a.currency, raw, sentence, a.value, a.currency))
    return out


def _clause(clause: str, sentence: str, role: str, t: Trackers, day: dt.date | None, add: Any) -> None:
    toks = tokens(clause)
    if not toks:
        return
    ks = [lemma(w) for w in toks]
    present = positions(ks)
    keyset = present.keys()
    hit = t.key_anchors.intersection(keyset)  # the clause's words any key tracker is filed under
    whit = t.word_anchors.intersection(toks)
    by_keys, by_words = bool(hit), bool(whit)
    if not (by_keys or by_words):
        return  # no tracker has a word to start from: the common case, kept cheap
    named: list[str] = []
    for k in t.competitor_firsts.keys() & hit:
        for name, alias in t.competitor_firsts[k]:
            if name not in named and _find(ks, alias) >= 0:
                named.append(name)
    if len(named) > 1:
        named.sort(key=t.competitor_order.index)
    for name in named:
        add(Match("competitor", name, name, sentence))
    word_pos = positions(toks) if by_words else {}
    cancelled = by_keys and any(p.find(ks, present) for p in t.cancel.candidates(hit))
    if not cancelled and by_words and t.cancel_words is not None:
        cancelled = any(p.find(toks, word_pos) for p in t.cancel_words.candidates(whit))
    customer = role in OBJECTION_CUSTOMER
    if not cancelled and by_keys:
        firsts: dict[str, Phrase | None] = {}
        for cat in t.objections:
            if _speaks(role, cat.speaker) and not cat.anchor_keys.isdisjoint(hit):
                firsts[cat.name] = p = _first(t, cat, ks, toks, present, anchors=hit)
                if p is not None:
                    add(Match("objection", cat.name, p.text, sentence))
        if (
            named
            and customer
            and firsts.get("competitor") is None
            and (
                any(firsts.values())
                or (
                    t.with_competitor is not None
                    and _first(t, t.with_competitor, ks, toks, present, anchors=hit)
                )
            )
        ):
            add(Match("objection", "competitor", named[0], sentence))
        if _speaks(role, t.risks.speaker) and (p := _first(t, t.risks, ks, toks, present, anchors=hit)):
            add(Match("risk", "risk", p.text, sentence))
    steps = t.next_steps
    if (
        (by_words if steps.raw else by_keys)
        and _speaks(role, steps.speaker)
        and (p := _first(t, steps, ks, toks, present, word_pos, whit if steps.raw else hit))
    ):
        due, due_date = find_due(sentence, day)
        # tried only once a next step is found: its words ("now", "show") must not open every clause
        now = (
            due is None
            and t.unless_dated is not None
            and any(q.find(toks, word_pos) for q in t.unless_dated.candidates(word_pos.keys()))
        )
        # the customer's own meeting with a competitor ("they booked a demo with Northwind") is not ours
        theirs = bool(named) and not p.text.startswith("@commit")
        if (due is not None or not now) and not theirs:
            add(Match("next_step", "next_step", p.text, sentence, due=due, due_date=due_date))
    if t.smart and by_keys:
        bag: Counter[str] | None = None
        for sm in t.smart:
            if len(hit & sm.vocab) < 2 or not _speaks(role, sm.speaker):
                continue
            bag = bag if bag is not None else _bag_of(ks, sm.tags)
            if max((_cosine(bag, e) for e in sm.examples), default=0) >= sm.threshold:
                add(Match("smart", sm.name, sm.label, sentence))


def amounts(text: str) -> list[tuple[float, str, str]]:
    """(amount, currency code, text) of every money amount in ``text`` (see ``money.py``)."""
    return [(a.value, a.currency, text[a.start : a.end]) for a in find_amounts(text, turn=text)]
