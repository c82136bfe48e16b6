"""A batch of queries reads the data version once, also when batches nest (a brief's KPI summary)."""

from __future__ import annotations

import pytest

from revintel.runtime import Runtime
from revintel.semantic import compile as compile_module


def test_a_nested_batch_keeps_the_outer_pin(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    layer = rt.semantic
    layer.state()
    reads: list[int] = []
    real = compile_module.data_version

    def counted(wh):  # type: ignore[no-untyped-def]
        reads.append(1)
        return real(wh)

    monkeypatch.setattr(compile_module, "data_version", counted)
    with layer.pinned() as outer:
        assert len(reads) == 1
        with layer.pinned() as inner:
            assert inner is outer
        layer.data_version()  # after the inner batch: still pinned, nothing read
        layer.table_counts()
    assert len(reads) == 1
    layer.data_version()  # outside every batch: read again
    assert len(reads) == 2
