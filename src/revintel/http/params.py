"""Page query parameters, validated the same way as the API's: a bad value is a 400 that names the
parameter and what was expected, never a server error."""

from __future__ import annotations

import datetime as dt

from fastapi import Request

from revintel.errors import InvalidRequest

MAX_TEXT = 60


def query_int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    """``?name=`` as an integer in ``[lo, hi]`` (``default`` when absent or empty).

    Raises:
        InvalidRequest: not an integer, or out of range (``details.parameter`` names it).
    """
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if len(raw) <= 20 else None
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        raise InvalidRequest(
            f"{name} must be a whole number from {lo} to {hi}",
            details={"parameter": name, "value": raw[:40], "expected": f"integer {lo}..{hi}"},
        )
    return value


def query_date(request: Request, name: str, default: dt.date | None = None) -> dt.date | None:
    """``?name=`` as an ISO date between years 1900 and 2999 (``default`` when absent).

    Raises:
        InvalidRequest: not a date in that range.
    """
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return default
    from revintel.dates import problem

    why = problem(raw)
    if why:  # "2025-02-30 is not a date (February 2025 has 28 days)"
        raise InvalidRequest(
            f"{name}: {why}", details={"parameter": name, "value": raw[:40], "expected": "YYYY-MM-DD"}
        )
    value = dt.date.fromisoformat(raw) if len(raw) == 10 else dt.date(*map(int, raw.split("-")))
    if not 1900 <= value.year <= 2999:
        raise InvalidRequest(
            f"{name} must be a date (YYYY-MM-DD) between 1900 and 2999",
            details={"parameter": name, "value": raw[:40], "expected": "YYYY-MM-DD"},
        )
    return value


def query_text(request: Request, name: str, max_len: int = MAX_TEXT) -> str | None:
    """``?name=`` stripped (None when empty).

    Raises:
        InvalidRequest: longer than ``max_len`` characters or containing a control character.
    """
    raw = (request.query_params.get(name) or "").strip()
    if len(raw) > max_len or any(ord(c) < 32 for c in raw):
        raise InvalidRequest(
            f"{name} must be text of at most {max_len} characters",
            details={"parameter": name, "value": raw[:40], "expected": f"text <= {max_len} chars"},
        )
    return raw or None
