"""Fixtures for the ingest tests: the hand-made exports and a way to see that nothing changed."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from revintel.warehouse.backends import Warehouse
from revintel.warehouse.schema import TABLES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


@pytest.fixture
def fixtures() -> Path:
    """tests/fixtures/ingest: small hand-made canonical, Salesforce and HubSpot exports."""
    return FIXTURES


@pytest.fixture
def export_copy(tmp_path: Path):
    """``export_copy("canonical")`` -> a writable copy of a fixture export, to corrupt in a test."""

    def make(name: str) -> Path:
        target = tmp_path / f"export-{name}"
        shutil.copytree(FIXTURES / name, target)
        return target

    return make


def snapshot(wh: Warehouse) -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of its sorted rows, plus the dataset meta."""
    out: dict[str, tuple[int, str]] = {}
    for spec in TABLES:
        df = wh.execute(wh.table(spec.name))
        rows = sorted(map(repr, df.astype(object).where(df.notna(), None).itertuples(index=False)))
        out[spec.name] = (len(df), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    out["_meta"] = (0, repr(sorted(wh.get_meta().items())))
    return out


def dataset_meta(wh: Warehouse) -> dict[str, str]:
    """The dataset meta without ``data_version`` (a fresh stamp on every successful load)."""
    meta = wh.get_meta()
    assert meta.get("data_version"), "every load stamps a data version"
    return {k: v for k, v in meta.items() if k != "data_version"}


def data_snapshot(wh: Warehouse) -> dict[str, tuple[int, str]]:
    """:func:`snapshot` without the bookkeeping tables (lineage and findings grow with every load)
    and without the data version (which every load renews)."""
    snap = snapshot(wh)
    snap["_meta"] = (0, repr(sorted(dataset_meta(wh).items())))
    return {k: v for k, v in snap.items() if k not in ("ingest_lineage", "dq_audit_log")}


@pytest.fixture
def snap():
    """``snap(wh)`` -> row counts and row hashes of every table (see :func:`snapshot`)."""
    return snapshot


@pytest.fixture
def data_snap():
    """``data_snap(wh)`` -> :func:`data_snapshot`."""
    return data_snapshot


@pytest.fixture
def meta_of():
    """``meta_of(wh)`` -> :func:`dataset_meta`."""
    return dataset_meta
