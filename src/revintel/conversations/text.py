"""Words and lemmas: one tokenizer shared by search and trackers.

A word's key is its lemma (``simplemma``: "went" -> "go") reduced by the Snowball English stemmer
(``PyStemmer``: "pricing", "prices", "priced" -> "price"), both offline, so the index and the
trackers match a word in any of its forms.
"""

from __future__ import annotations

import re
from functools import lru_cache

import simplemma
import Stemmer

_SNOWBALL = Stemmer.Stemmer("english")
# words the stemmer folds into another word's key ("quite" -> "quit", so "he's quite keen" read as leaving)
_UNSTEMMED = frozenset({"quite"})
WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The key of a lower-case word: its English lemma, stemmed (the word itself when not alphabetic)."""
    if not word.isalpha():
        return word
    if word in _UNSTEMMED:
        return word
    base: str = simplemma.lemmatize(word, lang="en").lower()
    out: str = _SNOWBALL.stemWord(base)
    return out


def words(text: str) -> list[str]:
    """Lower-case word tokens of ``text`` (apostrophes kept: "isn't", "don't")."""
    return WORD.findall(text.lower().replace("’", "'"))


def lemmas(text: str) -> list[str]:
    """The lemma of every word of ``text``."""
    return [lemma(w) for w in words(text)]


def sentences(text: str) -> list[str]:
    """Split ``text`` into sentences (on . ! ? followed by a space and a capital or digit)."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])", text.strip())
    return [p for p in parts if p]
