"""The ingest pipeline: a source reads files into canonical tables; ``validate`` plans, ``load`` applies.

``validate(source, path, settings)`` parses, checks and maps an export without writing anything and
returns an :class:`IngestPlan` (the canonical tables with their rows, the files read with their
checksums, and the data-quality findings). Any problem rejects the whole input with one
:class:`~revintel.errors.ValidationFailed`. ``load(plan, warehouse)`` then writes the plan, its
lineage and its findings in **one** atomic :meth:`Warehouse.apply`.

Sources are classes registered by name, built in or third party (entry-point group
``revintel.sources``), exactly like warehouse backends.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import pyarrow as pa
from sqlglot import exp

from revintel.errors import InvalidRequest, NotFound, Problem, ValidationFailed
from revintel.warehouse.backends import Change, conform
from revintel.warehouse.ingest.readers import Problems, Scratch, col, table_ref
from revintel.warehouse.quality import Finding, findings_table
from revintel.warehouse.schema import DATA_TABLES, TABLES_BY_NAME

if TYPE_CHECKING:
    from revintel.config import Settings
    from revintel.warehouse.backends import Warehouse

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class LoadedFile:
    """One source file and the canonical table it feeds (one lineage row)."""

    path: Path
    sha256: str
    table: str
    rows: int

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "sha256": self.sha256, "table": self.table, "rows": self.rows}


@dataclass
class Extract:
    """What a source read: scratch tables in canonical shape, the files, the findings."""

    tables: dict[str, str] = field(default_factory=dict)
    files: list[LoadedFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    as_of: dt.date | None = None


class Source(ABC):
    """An export format that can be read into canonical tables.

    Subclasses set ``name`` and ``description`` and implement :meth:`extract`; they report every
    problem into ``problems`` (never raise for bad data) so a user sees them all at once.
    """

    name: ClassVar[str]
    description: ClassVar[str]

    def __init__(self, settings: Settings | None = None, mapping_file: Path | None = None):
        self.settings = settings
        self.mapping_file = mapping_file or (settings.stage_mapping_file if settings else None)

    @abstractmethod
    def extract(self, path: Path, scratch: Scratch, problems: Problems) -> Extract:
        """Read ``path`` into scratch tables named and shaped like canonical tables."""


_SOURCES: dict[str, type[Source]] = {}


def register_source(cls: type[Source]) -> type[Source]:
    """Register a source class under its ``name`` (usable as a decorator)."""
    _SOURCES[cls.name] = cls
    return cls


def sources() -> dict[str, type[Source]]:
    """Every registered source, built-in and plugins."""
    for ep in entry_points(group="revintel.sources"):
        if ep.name not in _SOURCES:
            register_source(ep.load())
    return dict(_SOURCES)


def get_source(name: str) -> type[Source]:
    known = sources()
    if name not in known:
        from revintel.text import nearest

        raise NotFound(
            f"unknown ingest source {name!r}", hint=nearest(name, known) or "one of " + ", ".join(known)
        )
    return known[name]


@dataclass
class IngestPlan:
    """An export parsed, validated and mapped, ready to load; nothing has been written."""

    source: str
    path: Path
    load_id: str
    tables: dict[str, pa.Table]
    files: list[LoadedFile]
    findings: list[Finding]
    as_of: dt.date | None
    seconds: float = 0.0
    #: extra dataset meta the load records (e.g. ``undated: <dataset>`` for a file without dates)
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def row_counts(self) -> dict[str, int]:
        return {name: t.num_rows for name, t in self.tables.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "path": str(self.path),
            "load_id": self.load_id,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "tables": self.row_counts,
            "files": [f.to_dict() for f in self.files],
            "findings": [f.to_dict() for f in self.findings],
            "validate_seconds": round(self.seconds, 3),
        }


@dataclass
class IngestReport:
    """What a load wrote."""

    plan: IngestPlan
    mode: str
    replaced_demo: bool
    row_counts: dict[str, int]
    loaded_at: dt.datetime
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        out = self.plan.to_dict()
        out.update(
            mode=self.mode,
            replaced_demo=self.replaced_demo,
            loaded_at=self.loaded_at.isoformat(),
            load_seconds=round(self.seconds, 3),
            warehouse_row_counts=self.row_counts,
        )
        return out


def validate(
    source: str,
    path: Path | str,
    settings: Settings | None = None,
    *,
    mapping_file: Path | None = None,
    progress: Progress = _quiet,
) -> IngestPlan:
    """Parse, validate and map an export; nothing is written.

    Args:
        source: Registered source name: ``canonical``, ``salesforce``, ``hubspot``, ``maven`` ...
        path: A folder of export files, or one file.
        settings: Settings (for the stage mapping file).
        mapping_file: Stage mapping YAML overriding the setting.
        progress: Called with short progress messages.

    Raises:
        ValidationFailed: Any problem in any file; ``problems`` name file, line, column and value.
        NotFound: Unknown source or missing path.
    """
    started = time.perf_counter()
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise NotFound(f"no such file or folder: {path}", hint="give the export folder or file to ingest")
    reader = get_source(source)(settings, mapping_file)
    scratch = Scratch()
    try:
        problems = Problems()
        progress(f"validating {source} export {path}")
        extract = reader.extract(path, scratch, problems)
        if not problems and not extract.tables:
            raise InvalidRequest(f"nothing to ingest in {path}", hint=f"{reader.description}")
        if problems:
            raise ValidationFailed(
                f"{source} export {path} was rejected: {problems.total} problem(s); nothing was loaded",
                problems=problems.items,
                total=problems.total,
                hint="fix the file(s) and run the ingest again",
            )
        tables = {name: _to_arrow(scratch, name, t) for name, t in extract.tables.items()}
    finally:
        scratch.close()
    _check_required(tables)
    return IngestPlan(
        source,
        path,
        uuid.uuid4().hex[:16],
        tables,
        extract.files,
        extract.findings,
        extract.as_of,
        time.perf_counter() - started,
    )


def _to_arrow(scratch: Scratch, name: str, table: str) -> pa.Table:
    spec = TABLES_BY_NAME[name]
    have = set(scratch.columns(table))
    query = exp.select(*[col(c) for c in spec.column_names if c in have]).from_(table_ref(table))
    return conform(name, scratch.con.sql(query.sql("duckdb")).to_arrow_table())


def _check_required(tables: dict[str, pa.Table]) -> None:
    problems = []
    for name, rows in tables.items():
        for c in TABLES_BY_NAME[name].columns:
            nulls = rows.column(c.name).null_count
            if not c.nullable and nulls:
                problems.append(
                    Problem(
                        f"{nulls} row(s) of {name} have no {c.name}",
                        column=c.name,
                        expected="a value in every row",
                    )
                )
    if problems:
        raise ValidationFailed(
            "the mapped data is missing required values; nothing was loaded",
            problems=problems,
            total=len(problems),
        )


def load(plan: IngestPlan, warehouse: Warehouse, *, progress: Progress = _quiet) -> IngestReport:
    """Write a validated plan, its lineage and its findings in one atomic apply.

    When the warehouse holds the demo dataset, every data table is replaced (the demo is cleared
    in the same transaction); otherwise rows are upserted on the canonical primary keys, so
    loading the same export twice leaves the same rows.
    """
    started = time.perf_counter()
    replaced_demo = warehouse.get_meta().get("dataset") == "demo"
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    changes: list[Change] = []
    if replaced_demo:
        for name in DATA_TABLES:
            changes.append(Change(name, plan.tables.get(name, TABLES_BY_NAME[name].empty()), "replace"))
    else:
        changes += [Change(name, rows, "upsert") for name, rows in plan.tables.items()]
    # keyed by load id: loading one plan twice records it once
    internal_mode: Literal["replace", "upsert"] = "replace" if replaced_demo else "upsert"
    changes.append(Change("ingest_lineage", _lineage(plan, loaded_at), internal_mode))
    changes.append(
        Change(
            "dq_audit_log", findings_table(plan.findings, plan.load_id, plan.source, loaded_at), internal_mode
        )
    )
    meta = {"dataset": plan.source, **plan.meta}
    if plan.as_of:
        meta["as_of"] = plan.as_of.isoformat()
    total = sum(plan.row_counts.values())
    progress(
        f"loading {total:,} rows into {len(plan.tables)} table(s) of {warehouse.url} "
        + ("(replacing the demo dataset)" if replaced_demo else "(upsert on primary keys)")
    )
    warehouse.apply(changes, meta)
    progress("load committed")
    return IngestReport(
        plan,
        "replace" if replaced_demo else "upsert",
        replaced_demo,
        warehouse.row_counts(),
        loaded_at,
        time.perf_counter() - started,
    )


def _lineage(plan: IngestPlan, loaded_at: dt.datetime) -> pa.Table:
    rows = [
        {
            "load_id": plan.load_id,
            "source": plan.source,
            "file": str(f.path.resolve()),
            "sha256": f.sha256,
            "table_name": f.table,
            "rows": f.rows,
            "loaded_at": loaded_at,
        }
        for f in plan.files
    ]
    return pa.Table.from_pylist(rows, schema=TABLES_BY_NAME["ingest_lineage"].arrow_schema())
