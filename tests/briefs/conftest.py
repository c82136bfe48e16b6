"""Fixtures for brief tests: local SMTP/HTTP receivers and a runtime over the shared demo home."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .receivers import Mailbox, Receiver, free_port, http_receiver, smtp_mailbox


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with http_receiver() as rec:
        yield rec


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    with smtp_mailbox() as box:
        yield box


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (connections are refused)."""
    return free_port()


@pytest.fixture(scope="module")
def demo_runtime(demo_runtime_shared):  # type: ignore[no-untyped-def]
    """The session's warm runtime over the shared demo home (read-only warehouse)."""
    return demo_runtime_shared
