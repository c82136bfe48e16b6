"""A real PostgreSQL server for tests: Debian's postgresql, started in a temporary folder.

The server runs as the ``postgres`` system user (PostgreSQL refuses to run as root), listens on
loopback only, trusts local connections, and is stopped at the end of the session. Where no server
is installed the tests that need it are skipped, except under CI, where that is a failure (the
Makefile's ``system-deps`` installs it).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


class PostgresServer:
    def __init__(self, folder: Path, port: int, proc: subprocess.Popen[bytes]):
        self.folder, self.port, self.proc = folder, port, proc

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://revintel@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=revintel dbname=postgres", autocommit=True
        ) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    initdb, postgres = _bin("initdb"), _bin("postgres")
    if not initdb or not postgres:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (make system-deps installs Debian's postgresql)")
        pytest.skip("PostgreSQL is not installed")
    folder = Path(tempfile.mkdtemp(prefix="revintel-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "revintel", "-E", "UTF8", "--no-sync"]),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    proc = subprocess.Popen(
        _as_postgres(
            [
                postgres,
                "-D",
                str(data),
                "-p",
                str(port),
                "-h",
                "127.0.0.1",
                "-k",
                str(folder),
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("PostgreSQL did not start") from None
                time.sleep(0.1)
        server = PostgresServer(folder, port, proc)
        for _ in range(50):  # accepting TCP is not yet accepting logins
            try:
                server.create_database()
                break
            except Exception:
                time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)
