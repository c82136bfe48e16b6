"""Imports every module that defines app-database models, so ``create_all`` sees them all."""

from __future__ import annotations

from revintel.appdb import audit  # noqa: F401
from revintel.appdb import conversations  # noqa: F401
from revintel.appdb import schedules  # noqa: F401
from revintel.appdb import users  # noqa: F401
