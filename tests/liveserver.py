"""A real ``revintel serve`` process for tests: started on a free port, stopped with one signal."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SRC = Path(__file__).resolve().parents[1] / "src"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(home: Path) -> dict[str, str]:
    """The environment of a revintel process over ``home`` (no REVINTEL_* leaks in from outside)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVINTEL_")}
    env.update(
        REVINTEL_HOME=str(home),
        PYTHONPATH=os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        OMP_WAIT_POLICY="passive",
    )
    return env


def cli(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``revintel ARGS`` as its own process over ``home``."""
    return subprocess.run(
        [sys.executable, "-m", "revintel.cli", *args],
        env=env_for(home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class LiveServer:
    home: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: float = 120) -> float:
        """Start and wait until the port answers; returns the seconds that took."""
        log = (self.home / f"serve-{self.port}.log").open("w")
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "revintel.cli", "serve", "--port", str(self.port)],
            env=env_for(self.home),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        while time.monotonic() - started < wait:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return time.monotonic() - started
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"serve did not listen within {wait} s:\n{self.log()}")

    def log(self) -> str:
        return (self.home / f"serve-{self.port}.log").read_text(errors="replace")

    def client(self, persona: str | None = "cro") -> httpx.Client:
        """A client signed in as a browser does: the sign-in form's CSRF token, then the session cookie."""
        c = httpx.Client(base_url=self.url, timeout=60)
        if persona:
            page = c.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token, page.text[:500]
            r = c.post("/login", data={"persona": persona, "csrf_token": token.group(1), "next": "/"})
            assert r.status_code in (200, 303), r.text[:500]
            c.headers["X-CSRF-Token"] = token.group(1)
        return c

    def stop(self, sig: int = signal.SIGTERM, wait: float = 30) -> int:
        """Send one signal; return the exit status (raises if the process outlives ``wait``)."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"serve did not stop within {wait} s of one signal:\n{self.log()}") from None
