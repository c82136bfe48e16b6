"""Imports every module that defines app-database models, so ``create_all`` sees them all."""

from __future__ import annotations

from revintel.appdb import (
    audit,  # noqa: F401
    conversations,  # noqa: F401
    schedules,  # noqa: F401
    signins,  # noqa: F401
    users,  # noqa: F401
)
