"""Gong exports: ``callTranscripts`` JSON (``POST /v2/calls/transcript``) and call metadata
(``POST /v2/calls/extensive``: ``metaData``, ``parties``, CRM ``context``).

A transcript file holds ``{"callTranscripts": [{"callId", "transcript": [{"speakerId", "topic",
"sentences": [{"start", "end", "text"}]}]}]}`` with times in milliseconds; a metadata file holds
``{"calls": [{"metaData": {"id", "started", "duration", "title", "url"}, "parties": [{"speakerId",
"name", "emailAddress", "affiliation"}], "context": [{"system", "objects": [{"objectType",
"objectId"}]}]}]}``. One file may carry both keys. Transcripts are matched to metadata by call id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from revintel.conversations.formats import Party, RawCall, RawTurn, parse_time
from revintel.errors import Problem
from revintel.warehouse.ingest.readers import Problems


def is_gong(doc: Any) -> bool:
    return isinstance(doc, dict) and ("callTranscripts" in doc or "calls" in doc)


def load_json(path: Path, problems: Problems) -> Any:
    """The parsed JSON document, or ``None`` with a located problem."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.add(Problem("text is not valid UTF-8", file=path.name, line=line, expected="UTF-8 JSON"))
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(
            Problem(f"not valid JSON: {exc.msg}", file=path.name, line=exc.lineno, expected="a JSON document")
        )
        return None


def _line_of(text: str, needle: str) -> int | None:
    at = text.find(needle)
    return None if at < 0 else text[:at].count("\n") + 1


def _line_in(path: Path, needle: str) -> int | None:
    try:
        return _line_of(path.read_text(encoding="utf-8-sig"), needle)
    except (OSError, UnicodeDecodeError):
        return None


def read_metadata(doc: dict[str, Any], path: Path, problems: Problems) -> dict[str, dict[str, Any]]:
    """Call id -> metadata (``metaData``, ``parties``, ``context``) from a ``calls`` document."""
    calls = doc.get("calls", [])
    if not isinstance(calls, list):
        problems.add(Problem("'calls' is not a list", file=path.name, expected='{"calls": [...]}'))
        return {}
    out: dict[str, dict[str, Any]] = {}
    for i, call in enumerate(calls):
        meta = call.get("metaData") if isinstance(call, dict) else None
        cid = meta.get("id") if isinstance(meta, dict) else None
        if not cid:
            problems.add(
                Problem(
                    f"call {i + 1} has no metaData.id",
                    file=path.name,
                    column="calls[].metaData.id",
                    expected="the Gong call id",
                )
            )
            continue
        out[str(cid)] = {**call, "_file": path.name}
    return out


def read_transcripts(
    doc: dict[str, Any], path: Path, text: str, metadata: dict[str, dict[str, Any]], problems: Problems
) -> list[RawCall]:
    """Calls from a ``callTranscripts`` document, joined to their metadata."""
    items = doc.get("callTranscripts", [])
    if not isinstance(items, list):
        problems.add(Problem("'callTranscripts' is not a list", file=path.name, expected="a list of calls"))
        return []
    calls = []
    for i, item in enumerate(items):
        cid = item.get("callId") if isinstance(item, dict) else None
        where = f"callTranscripts[{i}]"
        if not cid:
            problems.add(Problem(f"{where} has no callId", file=path.name, expected="the Gong call id"))
            continue
        cid = str(cid)
        meta = metadata.get(cid, {})
        call = _call(cid, path, meta, problems, _line_of(text, cid))
        speakers = {p.speaker_id: p for p in call.parties if p.speaker_id}
        blocks = item.get("transcript")
        if not isinstance(blocks, list):
            problems.add(
                Problem(
                    f"call {cid}: 'transcript' is not a list of speaker blocks",
                    file=path.name,
                    line=_line_of(text, cid),
                    expected='[{"speakerId", "sentences": [{"start", "end", "text"}]}]',
                )
            )
            continue
        for block in blocks:
            party = speakers.get(str(block.get("speakerId"))) if isinstance(block, dict) else None
            sentences = block.get("sentences") if isinstance(block, dict) else None
            if not isinstance(sentences, list):
                problems.add(
                    Problem(
                        f"call {cid}: a speaker block has no 'sentences' list",
                        file=path.name,
                        line=_line_of(text, cid),
                        expected="sentences with start, end (ms) and text",
                    )
                )
                break
            turn = _turn(cid, block, sentences, party, path, text, problems)
            if turn:
                call.turns.append(turn)
        calls.append(call)
    return calls


def _turn(
    cid: str,
    block: dict[str, Any],
    sentences: list[Any],
    party: Party | None,
    path: Path,
    text: str,
    problems: Problems,
) -> RawTurn | None:
    words, start, end = [], None, None
    for s in sentences:
        ok = isinstance(s, dict) and all(isinstance(s.get(k), int | float) for k in ("start", "end"))
        if not ok or not isinstance(s.get("text"), str):
            bad = json.dumps(s)[:80]
            problems.add(
                Problem(
                    f"call {cid}: a sentence has a malformed start/end or text",
                    file=path.name,
                    line=_line_of(text, bad[:30]) or _line_of(text, cid),
                    value=bad,
                    expected="start and end in milliseconds (numbers) and a text",
                )
            )
            return None
        start = s["start"] if start is None else start
        end = s["end"]
        words.append(s["text"].strip())
    if not words:
        return None
    speaker = (party.name or party.email) if party else str(block.get("speakerId") or "") or None
    return RawTurn(speaker, " ".join(words), (start or 0) / 1000.0, (end or 0) / 1000.0, party)


def _call(cid: str, path: Path, meta: dict[str, Any], problems: Problems, line: int | None) -> RawCall:
    md = meta.get("metaData", {}) if isinstance(meta.get("metaData"), dict) else {}
    started = md.get("started") or md.get("scheduled")
    when = parse_time(started)
    if started and when is None:
        source = meta.get("_file") or path.name  # the metadata file, when it is another one
        problems.add(
            Problem(
                f"call {cid}: malformed start time",
                file=source,
                line=_line_in(path.parent / source, str(started)) if source != path.name else line,
                column="metaData.started",
                value=started,
                expected="an ISO 8601 timestamp, e.g. 2025-11-03T15:00:00Z",
            )
        )
    parties = [
        Party(
            p.get("name"),
            (p.get("emailAddress") or "").lower() or None,
            {"internal": "internal", "external": "external"}.get(str(p.get("affiliation", "")).lower()),
            str(p["speakerId"]) if p.get("speakerId") is not None else None,
        )
        for p in meta.get("parties", []) or []
        if isinstance(p, dict)
    ]
    account = opportunity = account_name = None
    for ctx in meta.get("context", []) or []:
        for obj in (ctx.get("objects", []) if isinstance(ctx, dict) else []) or []:
            kind = str(obj.get("objectType", "")).lower()
            if kind == "account" and obj.get("objectId"):
                account = str(obj["objectId"])
                for f in obj.get("fields", []) or []:
                    if f.get("name", "").lower() == "name":
                        account_name = f.get("value")
            elif kind in ("opportunity", "deal") and obj.get("objectId"):
                opportunity = str(obj["objectId"])
    duration = md.get("duration")
    return RawCall(
        cid,
        path.name,
        "gong",
        "meeting" if str(md.get("media", "")).lower() == "video" else "call",
        when,
        title=md.get("title"),
        duration=int(duration) if isinstance(duration, int | float) else None,
        parties=parties,
        account_id=account,
        opportunity_id=opportunity,
        account_name=account_name,
    )
