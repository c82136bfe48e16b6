"""The app-database suite runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import pytest

from pgtest import postgres_server
from revintel.config import Settings


@pytest.fixture(scope="session")
def postgres():
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, home):
    if request.param == "postgres":
        server = request.getfixturevalue("postgres")
        return Settings(home=home, app_db=server.create_database())
    return Settings(home=home)
