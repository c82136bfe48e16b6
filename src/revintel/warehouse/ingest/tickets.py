"""Support tickets from the formats help desks export: Zendesk (CSV or JSON) and Salesforce Case.csv.

``revintel ingest tickets PATH`` finds the format from the file: a Salesforce ``Case.csv`` (API field
names), a Zendesk JSON export (``{"tickets": [...]}`` or one ticket object per line) or a Zendesk CSV
export (``Id``, ``Subject``, ``Status``, ``Priority``, ``Created at`` ...). Rows go to ``tickets``:

* ``account_id``: Salesforce ``AccountId``; Zendesk ``organization_id`` (JSON) or ``Organization`` (CSV);
* ``priority``: Low, Medium (Zendesk "normal"), High, Urgent; ``status``: closed when solved/closed;
* ``sentiment``: the export's own when it has one (Zendesk satisfaction good = 1, bad = -1), else the
  VADER compound score (-1 to 1) of the subject and description, computed offline.

A row without an id or a created date, or with a date that does not parse, rejects the file with its
line, column and value; nothing is stored.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from revintel.errors import NotFound, Problem, ValidationFailed
from revintel.warehouse.backends import conform
from revintel.warehouse.ingest.base import IngestPlan, LoadedFile

PRIORITY = {
    "low": "Low",
    "normal": "Medium",
    "medium": "Medium",
    "high": "High",
    "urgent": "Urgent",
    "critical": "Urgent",
}
CLOSED = {"closed", "solved", "resolved"}
SATISFACTION = {"good": 1.0, "bad": -1.0}
SHOWN = 20


def sentiment(texts: list[str]) -> list[float]:
    """VADER compound sentiment (-1 to 1) of each text (0 for an empty one)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    return [round(sia.polarity_scores(t)["compound"], 4) if t.strip() else 0.0 for t in texts]


def _find(path: Path) -> tuple[Path, str]:
    files = (
        [path]
        if path.is_file()
        else sorted(p for p in path.iterdir() if p.suffix.lower() in {".csv", ".json"})
    )
    for f in files:
        if f.name.lower() == "case.csv":
            return f, "salesforce"
    for f in files:
        if f.suffix.lower() == ".json":
            return f, "zendesk-json"
    for f in files:
        head = f.read_text("utf-8-sig", errors="replace").split("\n", 1)[0].lower()
        if "subject" in head and ("created at" in head or "created_at" in head):
            return f, "zendesk-csv"
    raise NotFound(
        f"no ticket export in {path}",
        hint="expected a Salesforce Case.csv, a Zendesk JSON export or a Zendesk CSV export",
    )


def _zendesk_json(file: Path) -> pd.DataFrame:
    text = file.read_text("utf-8-sig")
    try:
        doc: Any = json.loads(text)
        items = doc.get("tickets", []) if isinstance(doc, dict) else doc
    except json.JSONDecodeError:
        items = [json.loads(line) for line in text.splitlines() if line.strip()]
    rows = []
    for t in items:
        sat = (
            (t.get("satisfaction_rating") or {}).get("score")
            if isinstance(t.get("satisfaction_rating"), dict)
            else None
        )
        rows.append(
            {
                "ticket_id": t.get("id"),
                "account_id": t.get("organization_id"),
                "created": t.get("created_at"),
                "closed": t.get("solved_at") or (t.get("updated_at") if t.get("status") in CLOSED else None),
                "priority": t.get("priority"),
                "status": t.get("status"),
                "category": t.get("type"),
                "subject": t.get("subject"),
                "text": t.get("description") or "",
                "satisfaction": sat,
            }
        )
    return pd.DataFrame(rows)


def _zendesk_csv(file: Path) -> pd.DataFrame:
    raw = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    col = {c.lower().strip(): c for c in raw.columns}

    def get(*names: str) -> pd.Series:
        for n in names:
            if n in col:
                return raw[col[n]]
        return pd.Series([""] * len(raw))

    return pd.DataFrame(
        {
            "ticket_id": get("id", "ticket id"),
            "account_id": get("organization", "organization id"),
            "created": get("created at", "created_at"),
            "closed": get("solved at", "solved_at"),
            "priority": get("priority"),
            "status": get("status"),
            "category": get("ticket type", "type"),
            "subject": get("subject"),
            "text": get("description"),
            "satisfaction": get("satisfaction score"),
        }
    )


def _salesforce(file: Path) -> pd.DataFrame:
    raw = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return pd.DataFrame(
        {
            "ticket_id": raw.get("Id", ""),
            "account_id": raw.get("AccountId", ""),
            "created": raw.get("CreatedDate", ""),
            "closed": raw.get("ClosedDate", ""),
            "priority": raw.get("Priority", ""),
            "status": raw.get("Status", ""),
            "category": raw.get("Type", ""),
            "subject": raw.get("Subject", ""),
            "text": raw.get("Description", ""),
            "satisfaction": "",
        }
    )


def validate(path: Path | str) -> IngestPlan:
    """Read and check a ticket export; nothing is written.

    Raises:
        ValidationFailed: located problems (file, line, column, value); nothing is loaded.
    """
    started = time.perf_counter()
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise NotFound(f"no such file or folder: {path}")
    file, kind = _find(path)
    reader = {"salesforce": _salesforce, "zendesk-json": _zendesk_json, "zendesk-csv": _zendesk_csv}[kind]
    f = reader(file).fillna("")
    f = f.astype({c: str for c in f.columns if c != "satisfaction"})
    created = pd.to_datetime(f["created"], errors="coerce", utc=True)
    closed = pd.to_datetime(f["closed"].replace("", None), errors="coerce", utc=True)
    problems: list[Problem] = []
    total = 0
    label = {"salesforce": "CreatedDate", "zendesk-json": "created_at", "zendesk-csv": "Created at"}[kind]
    for mask, column, what, expected in (
        (f["ticket_id"].str.strip() == "", "id", "no ticket id", "an id in every row"),
        (created.isna(), label, "created date missing or not a date", "an ISO date or date-time"),
        (
            closed.isna() & (f["closed"].str.strip() != ""),
            "closed",
            "closed date is not a date",
            "an ISO date",
        ),
    ):
        idx = np.flatnonzero(mask.to_numpy())
        total += len(idx)
        for i in idx[: max(0, SHOWN - len(problems))]:
            value = f.iloc[i]["created"] if column == label else f.iloc[i].get(column.split()[0], "")
            problems.append(
                Problem(
                    what,
                    file=file.name,
                    line=int(i) + 2 if kind != "zendesk-json" else int(i) + 1,
                    column=column,
                    value=value,
                    expected=expected,
                )
            )
    if total:
        raise ValidationFailed(
            f"{file.name} was rejected: {total} problem(s); nothing was loaded",
            problems=problems,
            total=total,
            hint="fix the export and run the ingest again",
        )
    sat = f["satisfaction"].astype(str).str.lower().map(SATISFACTION)
    needs = sat.isna().to_numpy()
    texts = (f["subject"] + ". " + f["text"]).tolist()
    scores = np.array(sat.fillna(0.0).to_numpy(float))
    if needs.any():
        scores[needs] = sentiment([t for t, n in zip(texts, needs, strict=True) if n])
    source = "salesforce" if kind == "salesforce" else "zendesk"
    tickets = pd.DataFrame(
        {
            "ticket_id": f["ticket_id"].str.strip(),
            "account_id": f["account_id"].replace("", None),
            "created_date": created.dt.date,
            "closed_date": closed.dt.date,
            "priority": f["priority"].str.lower().map(PRIORITY).fillna(f["priority"].replace("", None)),
            "status": np.where(f["status"].str.lower().isin(CLOSED), "closed", "open"),
            "category": f["category"].replace("", None),
            "subject": f["subject"].replace("", None),
            "sentiment": scores,
            "source": source,
        }
    )
    table = conform("tickets", pa.Table.from_pandas(tickets, preserve_index=False))
    sha = hashlib.sha256(file.read_bytes()).hexdigest()
    as_of = max(created.max(), closed.max()) if closed.notna().any() else created.max()
    plan = IngestPlan(
        source,
        path,
        uuid.uuid4().hex[:16],
        {"tickets": table},
        [LoadedFile(file, sha, "tickets", table.num_rows)],
        [],
        as_of.date() if pd.notna(as_of) else None,
        time.perf_counter() - started,
    )
    plan.meta = {"tickets_format": kind, "sentiment": "export" if not needs.any() else "vader"}
    return plan
