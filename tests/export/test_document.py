"""The document model: formatting, citations, JSON round trip."""

from __future__ import annotations

import json

import pytest

from revintel.export.document import Document, format_value
from revintel.export.sample import sample_document


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (4_820_000, "currency", "$4.82M"),
        (-2_500, "currency", "-$2,500"),
        (12_400, "currency", "$12.4K"),
        (1.5e9, "currency", "$1.50B"),
        (-0.031, "percent", "-3.1%"),
        (41_200, "hours", "41.2K h"),
        (3, "count", "3"),
        (1.234, "ratio", "1.23x"),
        (None, "currency", "–"),
        (-0.006, "points", "-0.6 pp"),
        (float("nan"), "percent", "–"),
    ],
)
def test_numbers_are_formatted_the_same_everywhere(value, unit, text):
    assert format_value(value, unit) == text


def test_document_survives_a_json_round_trip():
    doc = sample_document()
    again = Document.from_dict(json.loads(json.dumps(doc.to_dict())))
    assert again == doc


def test_citations_are_listed_once_each_in_reading_order():
    cites = sample_document().citations()
    labels = [c.label for c in cites]
    assert labels[0] == "Revenue" and len(labels) == len(set(c.key for c in cites))


def test_a_document_with_no_items_or_headline_is_empty():
    assert Document(kind="brief", title="x").is_empty()
    assert not sample_document().is_empty()
