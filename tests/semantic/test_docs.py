"""docs/metrics.md is generated from the catalogue and must match it."""

from __future__ import annotations

from pathlib import Path

from revintel.semantic import load_catalogue
from revintel.semantic.docs import missing_descriptions, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_metrics_doc_is_up_to_date() -> None:
    expected = render(load_catalogue())
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/metrics.md is out of date: run `revintel metrics --write-docs docs/metrics.md`"
    )


def test_every_metric_and_dimension_has_a_description() -> None:
    assert missing_descriptions(load_catalogue()) == []


def test_every_metric_is_in_the_doc() -> None:
    text = DOC.read_text(encoding="utf-8")
    for m in load_catalogue().metrics:
        assert f"### `{m.id}`" in text
