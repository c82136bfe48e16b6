"""The error hierarchy.

Every error a user can cause or meet is a :class:`RevintelError`. Each class carries an HTTP
status and structured fields so that one handler can render it as JSON (API), a page (web) or a
clean message without a traceback (CLI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Problem:
    """One located problem in an input: a file, a line, a column, a value and what was expected."""

    message: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    value: Any = None
    expected: str | None = None

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        parts = [where] if where else []
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        head = ", ".join(parts)
        text = f"{head}: {self.message}" if head else self.message
        if self.expected:
            text += f" (expected {self.expected})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "value": None if self.value is None else str(self.value),
            "expected": self.expected,
        }


@dataclass
class RevintelError(Exception):
    """Root of every error revintel raises on purpose."""

    message: str
    hint: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    status = 500
    code = "internal_error"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nHint: {self.hint}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        if self.details:
            out["details"] = self.details
        return out


class ConfigError(RevintelError):
    """A setting is missing, malformed or unsafe."""

    status = 500
    code = "config_error"


class NotFound(RevintelError):
    """A named thing (metric, deal, persona, table, file) does not exist."""

    status = 404
    code = "not_found"


class InvalidRequest(RevintelError):
    """A request names something impossible: unknown metric, bad period, bad dimension."""

    status = 400
    code = "invalid_request"


@dataclass
class ValidationFailed(RevintelError):
    """An input file (or record set) failed validation; nothing was written."""

    problems: list[Problem] = field(default_factory=list)
    total: int = 0
    status = 422
    code = "validation_failed"
    shown = 20

    def __str__(self) -> str:
        lines = [self.message]
        lines += [f"  - {p}" for p in self.problems[: self.shown]]
        more = max(self.total, len(self.problems)) - min(len(self.problems), self.shown)
        if more > 0:
            lines.append(f"  ... and {more} more problem(s)")
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["problems"] = [p.to_dict() for p in self.problems[: self.shown]]
        out["total_problems"] = max(self.total, len(self.problems))
        return out


class AuthRequired(RevintelError):
    """No signed-in user, or the credentials were refused."""

    status = 401
    code = "auth_required"


class Forbidden(RevintelError):
    """The caller's role or row scope does not allow this."""

    status = 403
    code = "forbidden"


class RateLimited(RevintelError):
    """Too many requests from one user in the window."""

    status = 429
    code = "rate_limited"


class UnsafeSql(RevintelError):
    """SQL from outside the compiler was refused by the guard."""

    status = 400
    code = "unsafe_sql"


class ProviderError(RevintelError):
    """An optional outside service (LLM, Genie, SMTP, Slack, Teams) failed or timed out."""

    status = 502
    code = "provider_error"


class WarehouseError(RevintelError):
    """The analytical warehouse could not be reached or refused an operation."""

    status = 503
    code = "warehouse_error"
