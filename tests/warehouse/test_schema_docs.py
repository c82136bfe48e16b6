"""The canonical model is documented: every table and column appears in docs/data-model.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from revintel.warehouse.schema import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"


def _documented() -> dict[str, set[str]]:
    tables: dict[str, set[str]] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^## (\w+)\s*$", line):
            current = m.group(1)
            tables[current] = set()
        elif current and (m := re.match(r"^\| `(\w+)` \| (\w+) \|.*\| (.+) \|$", line)):
            tables[current].add(m.group(1))
    return tables


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
def test_every_table_and_column_is_documented(spec):
    documented = _documented()
    assert spec.name in documented, f"table {spec.name} missing from docs/data-model.md"
    missing = set(spec.column_names) - documented[spec.name]
    assert not missing, f"{spec.name}: columns not documented: {sorted(missing)}"


def test_docs_name_no_table_or_column_that_does_not_exist():
    by_name = {t.name: set(t.column_names) for t in TABLES}
    for name, cols in _documented().items():
        assert name in by_name, f"docs/data-model.md documents unknown table {name}"
        assert cols <= by_name[name], (
            f"{name}: documented columns not in the schema: {sorted(cols - by_name[name])}"
        )


def test_every_column_has_a_description():
    for spec in TABLES:
        for col in spec.columns:
            assert col.doc.strip(), f"{spec.name}.{col.name} has no description"
