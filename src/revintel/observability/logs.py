"""Structured logging: one JSON object per line, with the request id, user and route in force.

``configure(level, fmt)`` is called once by ``revintel serve`` (and by the CLI with ``--debug``);
libraries and tests that never call it keep Python's default logging.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

from revintel.observability.context import current

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, logger, message, request fields, extras, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update({k: v for k, v in current().items() if k != "started"})
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


class ContextFilter(logging.Filter):
    """Adds the request id to plain-text records (``%(request_id)s``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current().get("request_id", "-")
        return True


def configure(level: str = "INFO", fmt: str = "json", stream: Any = None) -> logging.Handler:
    """Route the ``revintel`` and server loggers to one handler in ``fmt`` (``json`` or ``text``)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
        handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for h in list(root.handlers):  # ours from before, and any a library installed with basicConfig
        if getattr(h, "_revintel", False) or type(h).__name__ == "RichHandler":
            root.removeHandler(h)
    handler._revintel = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers = []
        lg.propagate = True
    return handler
