"""The OpenAPI document: readable, unique operation ids that generated clients can use as method names."""

from __future__ import annotations

import re

from revintel.app import create_app


def test_operation_ids_are_readable_and_unique(settings):
    spec = create_app(settings).openapi()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) >= 30 and len(ids) == len(set(ids))
    for op_id in ids:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", op_id), op_id
        assert "_api_" not in op_id and not op_id.endswith(("_get", "_post", "_put", "_delete")), op_id
