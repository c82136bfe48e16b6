"""Small text helpers shared by every layer: suggestions for misspelt names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def close_matches(word: str, choices: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """The choices nearest to ``word``, best first (case-insensitive)."""
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    hits = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=cutoff)
    return [lowered[h] for h in hits]


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean' hint, or None when nothing is close."""
    options = list(choices)
    hits = close_matches(word, options)
    if hits:
        return "did you mean " + " or ".join(repr(h) for h in hits) + "?"
    if len(options) <= 30:
        return "valid names: " + ", ".join(sorted(options))
    return None
