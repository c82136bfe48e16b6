"""``revintel ingest calls PATH``: load calls and emails into ``conversations`` and their turns.

Reads Gong JSON (transcripts + call metadata), WebVTT with a ``calls.csv``/``calls.json`` sidecar,
``.eml`` and ``mbox`` files and the canonical ``conversations.csv``. Every problem in every file is
collected first; any problem rejects the whole input and nothing is written (the same guarantee
as every ingest). A good input is upserted on the call id, with its turns, lineage and
data-quality findings, in one atomic :meth:`Warehouse.apply`; loading it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from revintel.conversations.directory import Directory, Link
from revintel.conversations.formats import RawCall, gong, mail, vtt
from revintel.errors import InvalidRequest, NotFound, Problem, ValidationFailed
from revintel.warehouse.backends import Change, conform
from revintel.warehouse.ingest.base import LoadedFile, Progress, _quiet
from revintel.warehouse.ingest.readers import Problems, Scratch, sha256
from revintel.warehouse.quality import Finding, findings_table
from revintel.warehouse.schema import TABLES_BY_NAME
from revintel.warehouse.turns import Turn, split_transcript, turns_table

if TYPE_CHECKING:
    from revintel.warehouse.backends import Warehouse

SOURCE = "calls"
SUFFIXES = (".json", ".vtt", ".csv", ".eml", ".mbox")
_CALL_KEY = ("conversation_id",)


@dataclass
class CallsPlan:
    """Calls read, linked and checked; nothing has been written."""

    path: Path
    load_id: str
    conversations: pa.Table
    turns: pa.Table
    files: list[LoadedFile]
    findings: list[Finding]
    linked: dict[str, int]
    unlinked: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": SOURCE,
            "path": str(self.path),
            "load_id": self.load_id,
            "tables": {
                "conversations": self.conversations.num_rows,
                "conversation_turns": self.turns.num_rows,
            },
            "linked": self.linked,
            "unlinked": self.unlinked,
            "files": [f.to_dict() for f in self.files],
            "findings": [f.to_dict() for f in self.findings],
            "validate_seconds": round(self.seconds, 3),
        }


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(
        p for p in path.iterdir() if p.is_file() and (p.suffix.lower() in SUFFIXES or p.name == "mbox")
    )


def read_calls(path: Path, problems: Problems) -> tuple[list[RawCall], list[Path]]:
    """Every call in ``path`` (a file or folder), and the files that fed them."""
    calls: list[RawCall] = []
    used: list[Path] = []
    transcripts: list[tuple[Path, dict[str, Any], str]] = []
    metadata: dict[str, dict[str, Any]] = {}
    vtts: dict[str, Path] = {}
    sidecars: list[Path] = []
    for f in _files(path):
        suffix = f.suffix.lower()
        if suffix == ".json":
            doc = gong.load_json(f, problems)
            if doc is None:
                continue
            items = doc.get("calls") if isinstance(doc, dict) else doc
            if isinstance(doc, dict) and "callTranscripts" in doc:
                transcripts.append((f, doc, f.read_text(encoding="utf-8-sig")))
            if isinstance(items, list) and items and isinstance(items[0], dict) and "metaData" in items[0]:
                metadata.update(gong.read_metadata(doc, f, problems))
            elif isinstance(items, list) and items and isinstance(items[0], dict) and "call_id" in items[0]:
                sidecars.append(f)
                continue
            elif not (isinstance(doc, dict) and "callTranscripts" in doc):
                problems.add(
                    Problem(
                        "JSON of the wrong shape",
                        file=f.name,
                        line=1,
                        expected='Gong {"callTranscripts": [...]} or {"calls": [{"metaData": ...}]}, '
                        "or a call sidecar (a list of calls with call_id)",
                    )
                )
                continue
            used.append(f)
        elif suffix == ".vtt":
            vtts[f.name] = f
        elif suffix == ".csv":
            if f.stem.lower() == "conversations":
                calls += _canonical(f, problems)
                used.append(f)
            else:
                sidecars.append(f)
        elif suffix == ".eml":
            calls += mail.read_eml(f, problems)
            used.append(f)
        else:
            calls += mail.read_mbox(f, problems)
            used.append(f)
    for f, doc, text in transcripts:
        for c in gong.read_transcripts(doc, f, text, metadata, problems):
            said = (metadata.get(c.call_id, {}).get("metaData") or {}).get("started")
            if c.occurred_at is None and not said:  # a malformed one is reported where it is
                problems.add(
                    Problem(
                        f"call {c.call_id} has no start time",
                        file=f.name,
                        expected="the call metadata (calls[].metaData.started) in the same folder",
                    )
                )
            calls.append(c)
    calls += _vtt_calls(sidecars, vtts, problems, used)
    return calls, used


def _vtt_calls(
    sidecars: list[Path], vtts: dict[str, Path], problems: Problems, used: list[Path]
) -> list[RawCall]:
    calls, described = [], set()
    for sc in sidecars:
        used.append(sc)
        for row in vtt.read_sidecar(sc, problems):
            call = vtt.sidecar_call(row, sc, problems)
            if call is None:
                continue
            file = vtts.get(call.file)
            if file is None:
                problems.add(
                    Problem(
                        f"call {call.call_id}: transcript file not found",
                        file=sc.name,
                        line=row.get("_line"),
                        column="file",
                        value=call.file,
                        expected="a .vtt file in the same folder",
                    )
                )
                continue
            described.add(file.name)
            turns = vtt.read_vtt(file, problems)
            if turns is not None:
                call.turns = turns
                calls.append(call)
                used.append(file)
    for name in sorted(set(vtts) - described):
        problems.add(
            Problem(
                "WebVTT file with no call described in a sidecar",
                file=name,
                expected="a calls.csv or calls.json row (call_id, file, started_at, title, participants)",
            )
        )
    return calls


def _canonical(f: Path, problems: Problems) -> list[RawCall]:
    from revintel.warehouse.ingest.canonical import CanonicalSource

    scratch = Scratch()
    try:
        out = CanonicalSource().extract(f, scratch, problems)
        if "conversations" not in out.tables or problems:
            return []
        rows = scratch.con.sql(f'SELECT * FROM "{out.tables["conversations"]}"').to_arrow_table().to_pylist()
    finally:
        scratch.close()
    return [
        RawCall(
            str(r["conversation_id"]),
            f.name,
            "canonical",
            r.get("channel") or "call",
            r["occurred_at"],
            title=r.get("subject"),
            duration=r.get("duration_seconds"),
            parties=vtt.parties(r.get("participants")),
            account_id=r.get("account_id"),
            opportunity_id=r.get("opportunity_id"),
            rep_id=r.get("rep_id"),
            transcript=r.get("transcript"),
        )
        for r in rows
    ]


def _turns(call: RawCall, directory: Directory) -> list[Turn]:
    if call.turns:
        out, clock = [], 0.0
        for t in call.turns:
            start = t.start if t.start is not None else clock
            end = t.end if t.end is not None else start
            out.append(Turn(t.speaker, directory.role(t.party, t.speaker), start, end, t.text))
            clock = end
        return out
    names = [p.name for p in call.parties if p.name]
    turns = split_transcript(call.transcript, names, directory.rep_names, directory.rep_domains)
    return [
        Turn(t.speaker, directory.role(_party(call, t.speaker), t.speaker), t.start, t.end, t.text)
        for t in turns
    ]


def _party(call: RawCall, speaker: str | None) -> Any:
    return next((p for p in call.parties if speaker and p.name == speaker), None)


def _duplicates(calls: list[RawCall], problems: Problems) -> None:
    seen: dict[str, str] = {}
    for c in calls:
        if c.call_id in seen:
            problems.add(
                Problem(
                    f"call id {c.call_id} appears twice (also in {seen[c.call_id]})",
                    file=c.file,
                    value=c.call_id,
                    expected="each call once per load",
                )
            )
        seen[c.call_id] = c.file


def validate_calls(path: Path | str, warehouse: Warehouse, *, progress: Progress = _quiet) -> CallsPlan:
    """Read, check and link calls; nothing is written.

    Raises:
        ValidationFailed: any problem in any file (file, line or cue, and reason).
        NotFound: ``path`` does not exist.
    """
    started = time.perf_counter()
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise NotFound(f"no such file or folder: {path}", hint="give a folder of call exports or one file")
    problems = Problems()
    progress(f"reading calls from {path}")
    calls, used = read_calls(path, problems)
    _duplicates(calls, problems)
    if problems:
        raise ValidationFailed(
            f"calls in {path} were rejected: {problems.total} problem(s); nothing was loaded",
            problems=problems.items,
            total=problems.total,
            hint="fix the file(s) and run the ingest again",
        )
    if not calls:
        raise InvalidRequest(
            f"no calls found in {path}",
            hint="give Gong JSON, .vtt files with a calls.csv sidecar, .eml/.mbox or conversations.csv",
        )
    directory = Directory.read(warehouse)
    conv_rows, turn_rows, linked, unlinked = [], [], {"crm": 0, "email": 0, "title": 0, "none": 0}, []
    for c in calls:
        link = directory.link(c)
        linked[link.how or "none"] += 1
        if link.account_id is None:
            unlinked.append({"conversation_id": c.call_id, "file": c.file, "title": c.title})
        turns = _turns(c, directory)
        conv_rows.append(_row(c, link, turns))
        turn_rows.append((c.call_id, turns, SOURCE))
    findings = []
    if unlinked:
        findings.append(
            Finding(
                "unlinked_conversation",
                "conversations",
                len(unlinked),
                f"{len(unlinked)} conversation(s) matched no account by CRM id, participant email or "
                "title; they are loaded without an account",
                severity="warning",
                value=unlinked[0]["conversation_id"],
            )
        )
    schema = TABLES_BY_NAME["conversations"].arrow_schema()
    return CallsPlan(
        path,
        uuid.uuid4().hex[:16],
        conform("conversations", pa.Table.from_pylist(conv_rows, schema=schema)),
        turns_table(turn_rows),
        [LoadedFile(f, sha256(f), "conversations", sum(1 for c in calls if c.file == f.name)) for f in used],
        findings,
        linked,
        unlinked,
        time.perf_counter() - started,
    )


def _row(c: RawCall, link: Link, turns: list[Turn]) -> dict[str, Any]:
    duration = c.duration
    if duration is None and turns and c.channel != "email":
        duration = int(max(t.end for t in turns))
    text = (
        c.transcript
        if c.transcript is not None
        else "\n".join(f"{t.speaker}: {t.text}" if t.speaker else t.text for t in turns)
    )
    return {
        "conversation_id": c.call_id,
        "account_id": link.account_id,
        "opportunity_id": link.opportunity_id,
        "rep_id": link.rep_id,
        "channel": c.channel,
        "occurred_at": c.occurred_at,
        "duration_seconds": duration,
        "participants": "; ".join(p.label for p in c.parties if p.label) or None,
        "subject": c.title,
        "transcript": text,
        "source": c.kind,
    }


def load_calls(plan: CallsPlan, warehouse: Warehouse, *, progress: Progress = _quiet) -> dict[str, Any]:
    """Upsert the plan's conversations and turns, lineage and findings in one atomic apply."""
    started = time.perf_counter()
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    lineage = pa.Table.from_pylist(
        [
            {
                "load_id": plan.load_id,
                "source": SOURCE,
                "file": str(f.path),
                "sha256": f.sha256,
                "table_name": f.table,
                "rows": f.rows,
                "loaded_at": loaded_at,
            }
            for f in plan.files
        ],
        schema=TABLES_BY_NAME["ingest_lineage"].arrow_schema(),
    )
    progress(f"loading {plan.conversations.num_rows:,} conversation(s) (upsert on the call id)")
    warehouse.apply(
        [
            Change("conversations", plan.conversations, "upsert"),
            # every turn of a re-loaded call is replaced: a call now shorter keeps none of its old turns
            Change(
                "conversation_turns", plan.conversations.select(["conversation_id"]), "delete", key=_CALL_KEY
            ),
            Change("conversation_turns", plan.turns, "upsert"),
            Change("ingest_lineage", lineage, "upsert"),
            Change("dq_audit_log", findings_table(plan.findings, plan.load_id, SOURCE, loaded_at), "upsert"),
        ]
    )
    return {
        **plan.to_dict(),
        "loaded_at": loaded_at.isoformat(),
        "load_seconds": round(time.perf_counter() - started, 3),
        "warehouse_row_counts": {
            k: v for k, v in warehouse.row_counts().items() if k in ("conversations", "conversation_turns")
        },
    }
