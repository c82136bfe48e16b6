"""A PNG of an answer's chart for chat messages (matplotlib, Agg), kept briefly under an unguessable id."""

from __future__ import annotations

import io
import secrets
import time
from pathlib import Path
from typing import Any

from revintel.format import axis_label

TTL_SECONDS = 24 * 3600


def render_png(answer: dict[str, Any]) -> bytes | None:
    """A bar or line chart of the answer's table (label, value), or None when there is nothing to draw."""
    rows = (answer.get("table") or {}).get("rows") or []
    points = [(str(r[0]), float(r[1])) for r in rows if len(r) >= 2 and isinstance(r[1], int | float)]
    if len(points) < 2:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import FuncFormatter

    unit = answer.get("unit") or ""
    labels, values = [p[0][:18] for p in points[:24]], [p[1] for p in points[:24]]
    with matplotlib.rc_context({"text.parse_math": False}):  # "$1.2M" is money, not TeX
        return _draw(plt, FuncFormatter, answer, labels, values, unit)


def _draw(
    plt: Any, formatter: Any, answer: dict[str, Any], labels: list[str], values: list[float], unit: str
) -> bytes:
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=110)
    try:
        if (answer.get("chart") or {}).get("type") == "line":
            ax.plot(labels, values, marker="o", color="#2563eb")
        else:
            ax.bar(labels, values, color="#2563eb")
        ax.yaxis.set_major_formatter(formatter(lambda v, _p: axis_label(v, unit)))
        ax.set_title(str(answer.get("answer") or "")[:90], fontsize=9, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        plt.setp(ax.get_xticklabels(), rotation=30, ha="right", fontsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


def store(home: Path, png: bytes) -> str:
    """Keep ``png`` for a day under a random id; returns the id."""
    folder = home / "cache" / "chat-charts"
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.png"):
        if now - old.stat().st_mtime > TTL_SECONDS:
            old.unlink(missing_ok=True)
    chart_id = secrets.token_urlsafe(24)
    (folder / f"{chart_id}.png").write_bytes(png)
    return chart_id


def load(home: Path, chart_id: str) -> bytes | None:
    if not chart_id.replace("-", "").replace("_", "").isalnum() or len(chart_id) > 64:
        return None
    path = home / "cache" / "chat-charts" / f"{chart_id}.png"
    if not path.exists() or time.time() - path.stat().st_mtime > TTL_SECONDS:
        return None
    return path.read_bytes()
