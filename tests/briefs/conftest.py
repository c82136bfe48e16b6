"""Fixtures for brief tests: a runtime over the shared demo home (receivers: the root conftest)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def demo_runtime(demo_runtime_shared):  # type: ignore[no-untyped-def]
    """The session's warm runtime over the shared demo home (read-only warehouse)."""
    return demo_runtime_shared
