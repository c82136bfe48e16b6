"""Split a transcript into speaker turns (``conversation_turns`` rows).

A transcript written as ``Name: text`` lines (or an email body quoting ``Name: text`` inline) is
split at each known speaker name followed by a colon; without known names, at any line that
starts with a capitalised name and a colon. A turn's offset is estimated from the words spoken
before it (:data:`WORDS_PER_SECOND`) when the source gives no timestamps. The role is ``rep`` when
the speaker is one of our reps (by name or email domain), ``customer`` for any other named
speaker and ``unknown`` when nobody is named.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import pyarrow as pa

from revintel.warehouse.schema import TABLES_BY_NAME

#: speaking pace used to place turns in time when a transcript carries no timestamps (150 wpm)
WORDS_PER_SECOND = 2.5
REP, CUSTOMER, UNKNOWN = "rep", "customer", "unknown"
_LINE_SPEAKER = re.compile(r"^([A-Z][\w.'\-]*(?: [A-Z][\w.'\-]*){0,3}):\s+", re.MULTILINE)


@dataclass(frozen=True)
class Turn:
    """One speaker turn."""

    speaker: str | None
    role: str
    start: float
    end: float
    text: str


def role_of(speaker: str | None, rep_names: Collection[str], rep_domains: Collection[str] = ()) -> str:
    """``rep`` when ``speaker`` is one of our reps (name or email domain), else customer/unknown."""
    if not speaker:
        return UNKNOWN
    s = speaker.strip().lower()
    if s in rep_names:
        return REP
    if "@" in s and s.rsplit("@", 1)[1] in rep_domains:
        return REP
    return CUSTOMER


def _pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    known = sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)
    if not known:
        return None
    alts = "|".join(re.escape(n) for n in known)
    return re.compile(rf"(?:(?<=\s)|^)({alts}):\s+", re.MULTILINE)


def split_transcript(
    text: str | None,
    speakers: Iterable[str] = (),
    rep_names: Collection[str] = (),
    rep_domains: Collection[str] = (),
) -> list[Turn]:
    """Turns of a plain-text transcript, with estimated offsets.

    Args:
        text: The transcript or email body.
        speakers: Names known to take part (participants); split at ``Name:`` for these.
        rep_names: Lower-case names of our reps (their turns get role ``rep``).
        rep_domains: Lower-case email domains of our reps.
    """
    if not text or not text.strip():
        return []
    pattern = _pattern(speakers)
    marks = list(pattern.finditer(text)) if pattern else []
    if not marks:
        marks = list(_LINE_SPEAKER.finditer(text))
    pieces: list[tuple[str | None, str]] = []
    if not marks:
        pieces.append((None, text.strip()))
    else:
        head = text[: marks[0].start()].strip()
        if head:
            pieces.append((None, head))
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            body = text[m.end() : end].strip()
            if body:
                pieces.append((m.group(1), body))
    turns, clock = [], 0.0
    for speaker, body in pieces:
        length = max(len(body.split()) / WORDS_PER_SECOND, 1.0)
        turns.append(Turn(speaker, role_of(speaker, rep_names, rep_domains), clock, clock + length, body))
        clock += length
    return turns


def turns_table(rows: Iterable[tuple[str, list[Turn], str | None]]) -> pa.Table:
    """``conversation_turns`` rows from ``(conversation_id, turns, source)`` triples."""
    cols: dict[str, list[object]] = {c: [] for c in TABLES_BY_NAME["conversation_turns"].column_names}
    for conversation_id, turns, source in rows:
        for i, t in enumerate(turns):
            cols["conversation_id"].append(conversation_id)
            cols["turn_index"].append(i)
            cols["speaker"].append(t.speaker)
            cols["role"].append(t.role)
            cols["start_seconds"].append(round(t.start, 2))
            cols["end_seconds"].append(round(t.end, 2))
            cols["text"].append(t.text)
            cols["source"].append(source)
    return pa.Table.from_pydict(cols, schema=TABLES_BY_NAME["conversation_turns"].arrow_schema())
