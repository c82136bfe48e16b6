"""Schedules in words: presets people pick ("Every weekday at 7:00"), cron as the expert option.

A preset and a time of day become a five-field cron expression (``first Monday of the month`` is
croniter's ``1#1``); :func:`describe` reads any schedule back in words for the page.
"""

from __future__ import annotations

import re

from revintel.errors import InvalidRequest

#: id -> (words, cron with {minute} and {hour})
PRESETS: dict[str, tuple[str, str]] = {
    "weekdays": ("Every weekday", "{minute} {hour} * * 1-5"),
    "daily": ("Every day", "{minute} {hour} * * *"),
    "monday": ("Every Monday", "{minute} {hour} * * 1"),
    "first_monday": ("First Monday of the month", "{minute} {hour} * * 1#1"),
    "month_start": ("First day of the month", "{minute} {hour} 1 * *"),
}
CUSTOM = "custom"
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def to_cron(preset: str, at: str, cron: str = "") -> str:
    """The cron expression for ``preset`` at ``at`` (HH:MM); ``custom`` takes ``cron`` as typed.

    Raises:
        InvalidRequest: unknown preset or a time that is not HH:MM on a 24-hour clock.
    """
    if preset == CUSTOM:
        return cron.strip()
    if preset not in PRESETS:
        raise InvalidRequest(
            f"unknown schedule {preset!r}",
            details={"field": "preset", "value": preset, "expected": list(PRESETS)},
        )
    m = _TIME.match(at or "")
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InvalidRequest(
            f"{at!r} is not a time of day: write it as HH:MM, e.g. 07:00",
            details={"field": "at", "value": str(at)[:20], "expected": "HH:MM (00:00-23:59)"},
        )
    return PRESETS[preset][1].format(minute=int(m.group(2)), hour=int(m.group(1)))


def from_cron(cron: str) -> tuple[str, str]:
    """(preset id, HH:MM) when ``cron`` is one of the presets, else (``custom``, "")."""
    parts = cron.split()
    if len(parts) == 5 and parts[0].isdigit() and parts[1].isdigit():
        minute, hour = int(parts[0]), int(parts[1])
        for pid, (_, pattern) in PRESETS.items():
            if pattern.format(minute=minute, hour=hour) == " ".join(parts):
                return pid, f"{hour:02d}:{minute:02d}"
    return CUSTOM, ""


def describe(cron: str, timezone: str = "UTC") -> str:
    """``Every weekday at 7:00 Europe/London``; a custom expression reads ``cron 0 7 * * 2 (UTC)``."""
    pid, at = from_cron(cron)
    if pid == CUSTOM:
        return f"cron {cron} ({timezone})"
    hour, minute = at.split(":")
    return f"{PRESETS[pid][0]} at {int(hour)}:{minute} {timezone}"
