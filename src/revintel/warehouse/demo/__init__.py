"""The deterministic demo dataset: a services firm with a sales pipeline, marketing and subscriptions.

:func:`seed_demo` generates every canonical data table from a seed and a scale and writes them
with one atomic :meth:`~revintel.warehouse.backends.Warehouse.apply` (replace mode). The large fact
tables (services_monthly, opportunity_history, touchpoints, opportunities) are streamed to the
warehouse as Arrow record batches, so ``--scale`` grows them without growing memory with them.
The planted signals the demo questions rely on are documented in ``docs/demo-data.md``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from revintel.errors import InvalidRequest
from revintel.warehouse.backends import Change, Warehouse
from revintel.warehouse.demo import conversations, customers, marketing, people, pipeline, services, targets
from revintel.warehouse.demo.common import AS_OF, DEFAULT_SEED, Context, Dimensions, forget_codes, to_table
from revintel.warehouse.demo.dimensions import build_accounts, build_contacts, build_products, build_reps
from revintel.warehouse.demo.quality import findings_table
from revintel.warehouse.schema import DATA_TABLES, TABLES_BY_NAME

__all__ = ["AS_OF", "DEFAULT_SEED", "DemoResult", "demo_changes", "ensure_demo", "seed_demo"]
GENERATOR_VERSION = "1"
MAX_SCALE = 2_000.0


@dataclass
class DemoResult:
    """What :func:`seed_demo` wrote."""

    seed: int
    scale: float
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        total = sum(self.rows.values())
        return {
            "dataset": "demo",
            "as_of": AS_OF.isoformat(),
            "seed": self.seed,
            "scale": self.scale,
            "rows": dict(self.rows),
            "total_rows": total,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(total / self.seconds) if self.seconds else None,
        }


class _Counter:
    """Counts rows of streamed batches (and drives an optional progress bar)."""

    def __init__(self, progress: Any = None):
        self.rows: dict[str, int] = {}
        self.progress = progress

    def stream(
        self, name: str, batches: Iterator[pa.RecordBatch], expected: int | None
    ) -> pa.RecordBatchReader:
        self.rows[name] = 0
        task = self.progress.add_task(name, total=expected) if self.progress is not None else None

        def counted() -> Iterator[pa.RecordBatch]:
            for batch in batches:
                self.rows[name] += batch.num_rows
                if task is not None:
                    self.progress.advance(task, batch.num_rows)
                yield batch

        return pa.RecordBatchReader.from_batches(TABLES_BY_NAME[name].arrow_schema(), counted())

    def table(self, name: str, rows: pa.Table) -> pa.Table:
        self.rows[name] = rows.num_rows
        if self.progress is not None:
            self.progress.add_task(name, total=rows.num_rows, completed=rows.num_rows)
        return rows


def _check(seed: int, scale: float) -> None:
    if seed < 0:
        raise InvalidRequest(
            "the demo seed must be a non-negative integer", details={"value": seed}, hint="e.g. --seed 42"
        )
    if not (0.05 <= scale <= MAX_SCALE):
        raise InvalidRequest(
            f"the demo scale must be between 0.05 and {MAX_SCALE:g}",
            details={"value": scale},
            hint="1 is the default size (500 clients, 4,000 opportunities)",
        )


@dataclass
class _Generation:
    """State shared by the phases of one generation (dimensions, pipeline, counters)."""

    ctx: Context
    count: _Counter
    reps: pa.Table
    accounts: pa.Table
    dims: Dimensions
    contacts: pa.Table
    contact_index: tuple[np.ndarray, np.ndarray]
    camps: marketing.Campaigns
    pipe: pipeline.Pipeline

    @property
    def account_names(self) -> np.ndarray:
        return np.asarray(self.accounts.column("name").to_pylist(), dtype=object)

    def table(self, name: str, rows: pa.Table) -> Change:
        return Change(name, self.count.table(name, rows))

    def stream(self, name: str, batches: Iterator[pa.RecordBatch], expected: int | None = None) -> Change:
        return Change(name, self.count.stream(name, batches, expected))


def _start(seed: int, scale: float, count: _Counter) -> _Generation:
    forget_codes()
    ctx = Context(seed=seed, scale=scale)
    reps, team_idx, region_idx, skill = build_reps(ctx)
    accounts, dims = build_accounts(ctx, team_idx)
    dims.rep_region, dims.rep_skill = region_idx, skill
    contacts, contact_index = build_contacts(ctx, dims)
    camps = marketing.build_campaigns(ctx)
    pipe = pipeline.simulate(ctx, dims, camps.regular)
    return _Generation(ctx, count, reps, accounts, dims, contacts, contact_index, camps, pipe)


def _sales_and_marketing(g: _Generation) -> Iterator[Change]:
    names, camps, pipe = g.account_names, g.camps, g.pipe
    yield g.table("campaigns", camps.table)
    yield g.stream("opportunities", pipeline.opportunity_batches(pipe, names, camps.ids), pipe.n)
    yield g.stream("opportunity_history", pipeline.history_batches(pipe), pipeline.history_rows(pipe))
    yield g.stream("deal_contacts", people.deal_contact_batches(g.ctx, pipe, g.contacts, g.contact_index))
    leads, lead_info = marketing.build_leads(g.ctx, pipe, camps, names)
    yield g.table("leads", leads)
    yield g.stream(
        "touchpoints", marketing.touchpoint_batches(g.ctx, pipe, lead_info, camps, g.contact_index)
    )
    yield g.table("quotas", targets.quotas_table(g.ctx, g.dims, pipe))
    yield g.table("forecast_submissions", targets.forecast_table(g.ctx, g.dims, pipe))
    rep_names = np.asarray(g.reps.column("name").to_pylist(), dtype=object)
    calls = conversations.conversations_table(g.ctx, pipe, names, rep_names)
    yield g.table("conversations", calls)
    yield g.table("conversation_turns", conversations.turns_table(calls, rep_names))


def _delivery(g: _Generation) -> Iterator[Change]:
    account_ids = g.accounts.column("account_id").combine_chunks()
    expected = services.services_rows(g.ctx, g.dims) if g.count.progress is not None else None
    yield g.stream("services_monthly", services.services_batches(g.ctx, g.dims, account_ids), expected)
    yield g.table("budgets", services.budgets_table(g.ctx, g.dims, targets.won_budget(g.pipe)))
    yield g.table("headcount", services.headcount_table(g.ctx, g.dims))


def _customers(g: _Generation) -> Iterator[Change]:
    book = customers.build_book(g.ctx, g.dims)
    yield g.table("subscriptions", customers.subscriptions_table(g.ctx, book))
    yield g.table("usage_monthly", customers.usage_table(g.ctx, book))
    yield g.table("tickets", customers.tickets_table(g.ctx, book))


def demo_changes(seed: int = DEFAULT_SEED, scale: float = 1.0, counter: Any = None) -> Iterator[Change]:
    """Generate the demo dataset as a stream of :class:`Change` objects, one per table (replace mode).

    Tables are generated lazily, as the consumer (``Warehouse.apply``) reaches them; the fact tables
    are themselves streams of record batches.

    Args:
        seed: Seed of every random stream; the same seed and scale give the same rows.
        scale: Multiplies clients, opportunities, leads and the tables derived from them.
        counter: Internal row counter/progress driver.

    Yields:
        A replace ``Change`` for every canonical data table and ``dq_audit_log``, then an append
        ``Change`` for ``ingest_lineage`` recording the load.
    """
    _check(seed, scale)
    g = _start(seed, scale, counter or _Counter())
    yield g.table("reps", g.reps)
    yield g.table("accounts", g.accounts)
    yield g.table("products", build_products())
    yield g.table("contacts", g.contacts)
    yield from _sales_and_marketing(g)
    yield from _delivery(g)
    yield from _customers(g)
    load_id = f"demo-{seed}-{scale:g}"
    yield g.table("dq_audit_log", findings_table(load_id, g.accounts, g.reps, g.pipe))
    yield Change("ingest_lineage", _lineage(load_id, seed, scale, g.count.rows), "append")
    forget_codes()  # release the id label caches


def _lineage(load_id: str, seed: int, scale: float, rows: dict[str, int]) -> pa.Table:
    """One lineage row per table written (read when the stream reaches it, after every table)."""
    recipe = f"revintel demo seed --seed {seed} --scale {scale:g}"
    digest = hashlib.sha256(f"{recipe} generator={GENERATOR_VERSION}".encode()).hexdigest()
    names = [n for n in rows if n != "ingest_lineage"]
    loaded = np.datetime64(time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "us")
    return to_table(
        "ingest_lineage",
        {
            "load_id": [load_id] * len(names),
            "source": ["demo"] * len(names),
            "file": [recipe] * len(names),
            "sha256": [digest] * len(names),
            "table_name": names,
            "rows": [rows[n] for n in names],
            "loaded_at": [loaded] * len(names),
        },
    )


def _data_rows(warehouse: Warehouse) -> int:
    present = warehouse.table_names() & set(DATA_TABLES)
    if not present:
        return 0
    counts = warehouse.row_counts()
    return sum(counts[name] for name in present)


def _refuse_to_overwrite(warehouse: Warehouse) -> None:
    """Loaded (non-demo) data is only replaced on request."""
    dataset = warehouse.get_meta().get("dataset")
    if dataset == "demo":
        return
    rows = _data_rows(warehouse)
    if rows:
        raise InvalidRequest(
            f"the warehouse holds {rows:,} rows of {dataset or 'loaded'} data; "
            "seeding the demo would replace them",
            hint="re-run with --force to replace them, or point REVINTEL_WAREHOUSE/REVINTEL_HOME elsewhere",
            details={"dataset": dataset, "rows": rows},
        )


def seed_demo(
    warehouse: Warehouse,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    progress: bool = False,
    force: bool = False,
) -> DemoResult:
    """Replace the warehouse's data with the demo dataset, atomically.

    Args:
        warehouse: Target warehouse.
        seed: Random seed (same seed and scale, same rows).
        scale: Size multiplier (1 = 500 clients, 4,000 opportunities, ~80k services rows).
        progress: Show a Rich progress bar on stderr.
        force: Replace data that is not a demo dataset (ingested data) too.

    Returns:
        The seed, scale, rows written per table and the time taken.

    Raises:
        InvalidRequest: For an impossible seed or scale, or when the warehouse holds loaded
            (non-demo) data and ``force`` is false.
    """
    _check(seed, scale)
    if not force:
        _refuse_to_overwrite(warehouse)
    meta = {"dataset": "demo", "as_of": AS_OF.isoformat(), "seed": str(seed), "scale": f"{scale:g}"}
    started = time.perf_counter()
    if progress:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        with bar:
            counter = _Counter(bar)
            warehouse.apply(demo_changes(seed, scale, counter), meta=meta)
    else:
        counter = _Counter()
        warehouse.apply(demo_changes(seed, scale, counter), meta=meta)
    rows = {k: v for k, v in counter.rows.items() if k in TABLES_BY_NAME}
    return DemoResult(seed, scale, rows, time.perf_counter() - started)


def ensure_demo(warehouse: Warehouse, progress: bool = False) -> bool:
    """Generate the default demo dataset if the warehouse holds no data yet.

    Args:
        warehouse: The warehouse ``revintel serve`` is about to use.
        progress: Show a progress bar while generating.

    Returns:
        True if the demo was generated, False if the warehouse already had data (left untouched).
    """
    if _data_rows(warehouse):
        return False
    seed_demo(warehouse, DEFAULT_SEED, 1.0, progress=progress)
    return True
