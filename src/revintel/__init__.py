"""revintel: an open-source revenue command center."""

from __future__ import annotations

__version__ = "0.1.0"
