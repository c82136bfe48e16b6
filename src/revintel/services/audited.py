"""The helper that writes the audit record of a service call (it lives with the trail itself)."""

from __future__ import annotations

from revintel.appdb.audit import audited

__all__ = ["audited"]
