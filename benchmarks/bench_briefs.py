"""Brief composition, rendering and delivery: how long a morning brief takes end to end.

* **render**: the fixed sample brief (``revintel.export.sample``) to PDF, PPTX and the board deck,
  and the email/Slack/Teams payloads (no data needed);
* **compose**: ``compose_brief`` on the default demo dataset for the CFO (all rows) and the EMEA lead,
  cold (first in the process: win model trained, KPI engine first use) and warm;
* **deliver**: one brief to a local SMTP server and a local webhook (3 channels, retries on).

    .venv/bin/python benchmarks/bench_briefs.py            # 10 render repeats, 2 warm composes
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def timed(n: int, fn: Callable[[], object]) -> dict[str, float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return {
        "n": n,
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


def bench_render(n: int) -> dict[str, dict]:
    from revintel.delivery.slack import slack_payload
    from revintel.delivery.teams import teams_payload
    from revintel.export.deck import render_board_deck
    from revintel.export.html import render_html
    from revintel.export.pdf import render_pdf
    from revintel.export.pptx import render_pptx
    from revintel.export.sample import sample_document

    doc = sample_document()
    return {
        "pdf": {**timed(n, lambda: render_pdf(doc)), "bytes": len(render_pdf(doc))},
        "pptx": {**timed(n, lambda: render_pptx(doc)), "bytes": len(render_pptx(doc))},
        "board_deck": {**timed(n, lambda: render_board_deck(doc)), "bytes": len(render_board_deck(doc))},
        "email_html+slack+teams": timed(
            n, lambda: (render_html(doc), slack_payload(doc), teams_payload(doc))
        ),
    }


def bench_compose(home: Path, warm: int) -> dict[str, dict]:
    from revintel.briefs.compose import compose_brief
    from revintel.config import Settings
    from revintel.runtime import Runtime
    from revintel.scope import get_persona
    from revintel.warehouse.demo import seed_demo

    rt = Runtime(Settings(home=home))
    seed_demo(rt.warehouse)
    out = {}
    for pid in ("cfo", "emea_lead"):
        p = get_persona(pid)
        start = time.perf_counter()
        doc = compose_brief(rt, p.scope, persona=p)
        cold = time.perf_counter() - start
        out[pid] = {
            "cold_s": round(cold, 2),
            "warm": timed(warm, lambda p=p: compose_brief(rt, p.scope, persona=p)),
            "items": sum(len(s.items) for s in doc.sections),
        }
    rt.close()
    return out


def bench_deliver(home: Path) -> dict[str, float]:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from briefs.receivers import http_receiver, smtp_mailbox
    from revintel.briefs.scheduler import make_message, send_brief
    from revintel.config import Settings
    from revintel.delivery import Target
    from revintel.export.sample import sample_document
    from revintel.runtime import Runtime

    with smtp_mailbox() as box, http_receiver() as hooks:
        rt = Runtime(
            Settings(
                home=home / "deliver",
                smtp_host=box.host,
                smtp_port=box.port,
                slack_webhook_url=hooks.url + "/s",
                teams_webhook_url=hooks.url + "/t",
            )
        )
        msg = make_message(sample_document())
        start = time.perf_counter()
        for i in range(5):
            send_brief(
                rt,
                msg,
                ["email", "slack", "teams"],
                Target(email_to=["a@example.com"]),
                actor="bench",
                key_prefix=f"bench:{i}",
            )
        per = (time.perf_counter() - start) / 5
        rt.close()
    return {"three_channels_ms": round(per * 1000, 1), "emails": len(box.messages), "posts": len(hooks.posts)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10, help="render repeats")
    ap.add_argument("--warm", type=int, default=2, help="warm composes per persona")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-briefs-") as tmp:
        result = {
            "render": bench_render(args.repeat),
            "deliver": bench_deliver(Path(tmp)),
            "compose": bench_compose(Path(tmp) / "demo", args.warm),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
