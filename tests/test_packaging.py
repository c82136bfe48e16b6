"""The release artefacts: the wheel (with the locked dependencies) installs into a clean virtualenv and
serves; where a Docker engine runs, the image builds and answers its health check."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 240) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.status
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the server did not answer its health check")


@pytest.mark.soak  # 2+ minutes of pip installs: an acceptance run (`make test-soak`), like the Docker image
def test_the_wheel_installs_into_a_clean_venv_and_serves(tmp_path):
    lock = ROOT / "requirements.lock"
    assert lock.exists(), "requirements.lock is missing: make lock"
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        timeout=600,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(lock)], check=True, timeout=1200)
    subprocess.run([*pip, "--no-deps", *map(str, wheels.glob("revintel-*.whl"))], check=True, timeout=300)
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REVINTEL_", "PYTHONPATH"))}
    env.update(REVINTEL_HOME=str(tmp_path / "home"), OMP_WAIT_POLICY="passive")
    proc = subprocess.Popen(
        [str(venv / "bin" / "revintel"), "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert _wait_healthy(f"http://127.0.0.1:{port}/api/health", proc) == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10) as r:
            assert r.status == 200 and b"revintel" in r.read()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _docker_engine() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


@pytest.mark.skipif(
    not _docker_engine(), reason="no Docker engine here (the wheel test of `make test-soak` stands in)"
)
def test_the_image_builds_and_passes_its_health_check():  # pragma: no cover - needs a Docker engine
    tag = "revintel-test:latest"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, timeout=1800)
    port = _port()
    cid = subprocess.run(
        ["docker", "run", "-d", "-p", f"127.0.0.1:{port}:8000", tag],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    try:
        proc = subprocess.Popen(["docker", "wait", cid])
        assert _wait_healthy(f"http://127.0.0.1:{port}/api/health", proc) == 200
        user = subprocess.run(
            ["docker", "exec", cid, "id", "-u"], capture_output=True, text=True
        ).stdout.strip()
        assert user != "0"
    finally:
        subprocess.run(["docker", "rm", "-f", cid], capture_output=True)
