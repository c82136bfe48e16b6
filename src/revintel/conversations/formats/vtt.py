"""Zoom and Microsoft Teams WebVTT transcripts, with a sidecar file describing each call.

A cue is an optional identifier line, a timing line ``HH:MM:SS.mmm --> HH:MM:SS.mmm`` (hours
optional) and its text; the speaker is a ``<v Name>`` voice tag (Teams) or a ``Name:`` prefix
(Zoom). Consecutive cues of one speaker become one turn. A malformed timing line is reported with
its cue number and line.

The sidecar (``calls.csv`` or ``calls.json`` beside the ``.vtt`` files) has one row per call:
``call_id``, ``file`` (the .vtt name; default ``<call_id>.vtt``), ``started_at``, ``title``,
``participants`` (``Name <email>`` items separated by ``;``) and optional ``account_id``,
``opportunity_id`` and ``duration_seconds``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from revintel.conversations.formats import Party, RawCall, RawTurn, parse_time
from revintel.errors import Problem
from revintel.warehouse.ingest.readers import Problems

_TIME = r"(?:(\d{1,2}):)?(\d{2}):(\d{2})[.,](\d{3})"
_TIMING = re.compile(rf"^{_TIME}\s+-->\s+{_TIME}(?:\s+.*)?$")
_VOICE = re.compile(r"^<v(?:\.[\w.]+)?\s+([^>]+)>(.*?)(?:</v>)?$", re.DOTALL)
_PREFIX = re.compile(r"^([A-Z][\w.'\-]*(?: [A-Z][\w.'\-]*){0,3}):\s+(.*)$", re.DOTALL)
_TAGS = re.compile(r"</?[^>]+>")
_PARTY = re.compile(r"^\s*(.*?)\s*<([^>]+@[^>]+)>\s*$")
SIDECAR_COLUMNS = ("call_id", "started_at")


def _seconds(groups: tuple[str | None, ...]) -> float:
    h, m, s, ms = groups
    return int(h or 0) * 3600 + int(m or 0) * 60 + int(s or 0) + int(ms or 0) / 1000


def read_vtt(path: Path, problems: Problems) -> list[RawTurn] | None:
    """The turns of a WebVTT file, or ``None`` when it is malformed (problems say where)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(
            Problem(
                "text is not valid UTF-8",
                file=path.name,
                line=raw[: exc.start].count(b"\n") + 1,
                expected="a UTF-8 WebVTT file (WebVTT is always UTF-8)",
            )
        )
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or not lines[0].startswith("WEBVTT"):
        problems.add(Problem("missing the WEBVTT header", file=path.name, line=1, value=lines[0][:40]))
        return None
    turns: list[RawTurn] = []
    before = problems.total
    i, cue = 1, 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        block_start = i
        block = []
        while i < len(lines) and lines[i].strip():
            block.append(lines[i])
            i += 1
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        cue += 1
        timing_at = next((k for k, line in enumerate(block) if "-->" in line), None)
        if timing_at is None or not (m := _TIMING.match(block[timing_at].strip())):
            # no arrow at all: the timing line is the first line, or the second after a cue id
            at = timing_at if timing_at is not None else (1 if len(block) > 1 and ":" not in block[0] else 0)
            bad = block[at]
            line_no = block_start + at + 1
            problems.add(
                Problem(
                    f"cue {cue}: malformed timing line",
                    file=path.name,
                    line=line_no,
                    value=bad.strip()[:60],
                    expected="HH:MM:SS.mmm --> HH:MM:SS.mmm",
                )
            )
            continue
        start, end = _seconds(m.groups()[:4]), _seconds(m.groups()[4:])
        if end < start:
            problems.add(
                Problem(
                    f"cue {cue}: ends before it starts",
                    file=path.name,
                    line=block_start + timing_at + 1,
                    value=block[timing_at].strip(),
                    expected="an end time after the start time",
                )
            )
            continue
        speaker, said = _speaker(" ".join(block[timing_at + 1 :]).strip())
        if not said:
            continue
        if turns and turns[-1].speaker == speaker and speaker is not None:
            turns[-1].text += " " + said
            turns[-1].end = end
        else:
            turns.append(RawTurn(speaker, said, start, end))
    return None if problems.total > before else turns


def _speaker(payload: str) -> tuple[str | None, str]:
    if m := _VOICE.match(payload):
        return m.group(1).strip(), _TAGS.sub("", m.group(2)).strip()
    payload = _TAGS.sub("", payload).strip()
    if m := _PREFIX.match(payload):
        return m.group(1).strip(), m.group(2).strip()
    return None, payload


def parties(text: str | None) -> list[Party]:
    """``Name <email>; Name; email`` -> parties."""
    out = []
    for item in (text or "").split(";"):
        item = item.strip()
        if not item:
            continue
        if m := _PARTY.match(item):
            out.append(Party(m.group(1) or None, m.group(2).strip().lower()))
        elif "@" in item:
            out.append(Party(None, item.lower()))
        else:
            out.append(Party(item))
    return out


def read_sidecar(path: Path, problems: Problems) -> list[dict[str, Any]]:
    """Rows of a sidecar CSV or JSON, each with its ``_line`` (CSV line or JSON item number)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.add(Problem("text is not valid UTF-8", file=path.name, expected="a UTF-8 file"))
        return []
    rows: list[dict[str, Any]] = []
    if path.suffix.lower() == ".json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.add(Problem(f"not valid JSON: {exc.msg}", file=path.name, line=exc.lineno))
            return []
        items = doc.get("calls") if isinstance(doc, dict) else doc
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            problems.add(
                Problem(
                    "wrong shape for a call sidecar",
                    file=path.name,
                    expected='a list of calls (or {"calls": [...]}) with call_id and started_at',
                )
            )
            return []
        rows = [{**x, "_line": n + 1} for n, x in enumerate(items)]
    else:
        reader = csv.DictReader(io.StringIO(text))
        rows = [{**r, "_line": reader.line_num} for r in reader]
        missing = [c for c in SIDECAR_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            problems.add(
                Problem(
                    f"missing column(s) {', '.join(missing)}",
                    file=path.name,
                    line=1,
                    expected="columns call_id, file, started_at, title, participants",
                )
            )
            return []
    return rows


def sidecar_call(row: dict[str, Any], sidecar: Path, problems: Problems) -> RawCall | None:
    """A call from a sidecar row (turns are read from its .vtt file by the caller)."""
    cid = str(row.get("call_id") or "").strip()
    line = row.get("_line")
    if not cid:
        problems.add(Problem("no call_id", file=sidecar.name, line=line, column="call_id"))
        return None
    when = parse_time(str(row.get("started_at") or ""))
    if when is None:
        problems.add(
            Problem(
                "malformed start time",
                file=sidecar.name,
                line=line,
                column="started_at",
                value=row.get("started_at"),
                expected="an ISO 8601 timestamp, e.g. 2025-11-03T15:00:00Z",
            )
        )
        return None
    dur = str(row.get("duration_seconds") or "").strip()
    who = row.get("participants")
    return RawCall(
        cid,
        str(row.get("file") or f"{cid}.vtt"),
        "vtt",
        "meeting",
        when,
        title=(row.get("title") or None),
        duration=int(float(dur)) if dur.replace(".", "", 1).isdigit() else None,
        parties=parties("; ".join(who) if isinstance(who, list) else who),
        account_id=(str(row.get("account_id") or "").strip() or None),
        opportunity_id=(str(row.get("opportunity_id") or "").strip() or None),
    )
