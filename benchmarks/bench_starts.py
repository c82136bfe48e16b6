"""Benchmark: 20 starts of the real server in a row (issue 13: no 500 first, one signal stops each).

Each round starts ``revintel serve`` on the same home (the demo dataset is generated on the first
start). As soon as the port answers it asks ``/api/health`` (it must answer 200 within the first
second), signs in, makes the first requests (the KPI summary, then the dashboard page) while the
background precompute runs, then sends ONE signal (SIGTERM; ``--signals both`` alternates SIGTERM
and SIGINT) and waits for the exit. It reports per round: seconds to listen, the health answer and
its latency, the first requests' status and latency, seconds to stop and the exit status.

Run: ``OMP_WAIT_POLICY=passive .venv/bin/python benchmarks/bench_starts.py [--rounds 20] [--home DIR]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from bench_load import free_port, sign_in, start_server, wait_listening


async def first_requests(url: str) -> list[tuple[str, int, float]]:
    out = []
    async with httpx.AsyncClient(base_url=url, timeout=120) as c:
        start = time.monotonic()
        r = await c.get("/api/health")  # the very first request, as the port starts answering
        out.append(("/api/health", r.status_code, time.monotonic() - start))
        await sign_in(c, "cro")
        for path in ("/api/kpis/summary", "/"):
            start = time.monotonic()
            r = await c.get(path)
            out.append((path, r.status_code, time.monotonic() - start))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--home", type=Path)
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--signals", choices=("term", "both"), default="term", help="SIGTERM, or alternating with SIGINT"
    )
    a = ap.parse_args()
    home = a.home or Path(tempfile.mkdtemp(prefix="revintel-bench-starts-"))
    home.mkdir(parents=True, exist_ok=True)
    rounds = []
    for i in range(a.rounds):
        port = free_port()
        proc = start_server(home, port)
        listen = wait_listening(proc, port)
        try:
            first = asyncio.run(first_requests(f"http://127.0.0.1:{port}"))
        except Exception as exc:
            first = [("sign-in", 0, 0.0)]
            print(f"round {i + 1}: {type(exc).__name__}: {exc}")
        sig = signal.SIGINT if a.signals == "both" and i % 2 else signal.SIGTERM
        t0 = time.monotonic()
        proc.send_signal(sig)
        try:
            code: int | None = proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = None  # did not stop on one signal
        stop = time.monotonic() - t0
        rounds.append(
            {
                "round": i + 1,
                "listen_s": round(listen, 2),
                "first": [{"path": p, "status": s, "ms": round(1000 * t)} for p, s, t in first],
                "signal": sig.name,
                "stop_s": round(stop, 2),
                "exit": code,
            }
        )
        if not a.json:
            r = rounds[-1]
            firsts = ", ".join(f"{f['path']} {f['status']} in {f['ms']} ms" for f in r["first"])
            print(
                f"round {i + 1:>2}: listening after {listen:.1f} s; {firsts}; "
                f"{sig.name} -> exit {code} in {stop:.1f} s"
            )
    bad_first = sum(1 for r in rounds for f in r["first"] if f["status"] != 200)
    server_errors = sum(1 for r in rounds for f in r["first"] if f["status"] >= 500 or f["status"] == 0)
    health = [f for r in rounds for f in r["first"] if f["path"] == "/api/health"]
    late_health = sum(1 for f in health if f["status"] != 200 or f["ms"] > 1000)
    not_stopped = sum(1 for r in rounds if r["exit"] != 0)
    summary = {
        "rounds": len(rounds),
        "first_requests_not_200": bad_first,
        "first_requests_5xx_or_failed": server_errors,
        "health_not_200_within_1s": late_health,
        "health_ms_max": max((f["ms"] for f in health), default=None),
        "not_stopped_cleanly_by_one_signal": not_stopped,
        "listen_s_median": statistics.median(r["listen_s"] for r in rounds[1:] or rounds),
        "stop_s_max": max(r["stop_s"] for r in rounds),
        "details": rounds,
    }
    if a.json:
        print(json.dumps(summary))
    else:
        print({k: v for k, v in summary.items() if k != "details"})


if __name__ == "__main__":
    main()
