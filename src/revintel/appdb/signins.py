"""Sign-in throttling shared by every worker: failed sign-ins per account name and per client address.

Each failed password sign-in is one row of ``signin_failures`` (the name as typed, whether or not
such an account exists, and the client address). Before a password is checked,
:func:`check` counts the failures of the last window for that name and for that address and
answers 429 past either limit, so guessing one account's password and trying one password on many
accounts are both slowed, across processes and hosts (the rows live in the app database). The
refusal is the same whether or not the name exists: it reveals nothing about accounts.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import DateTime, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from revintel.appdb.base import AppDB, Base, utcnow
from revintel.errors import RateLimited

NO_ADDRESS = "-"


class SigninFailure(Base):
    __tablename__ = "signin_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


def _key(name: str) -> str:
    return name.strip().lower()[:200]


def check(
    db: AppDB, name: str, address: str | None, *, per_account: int, per_address: int, minutes: int
) -> None:
    """Refuse a sign-in attempt when the name or the address failed too often in the last window.

    A limit of 0 or less turns that check off.

    Raises:
        RateLimited: ``per_account`` failures for this name, or ``per_address`` from this address,
            within ``minutes``; ``details.retry_after`` (seconds) says when the oldest one expires.
    """
    now = utcnow()
    since = now - dt.timedelta(minutes=minutes)
    checks = (
        (SigninFailure.account, _key(name), per_account),
        (SigninFailure.address, address or NO_ADDRESS, per_address),
    )
    with db.session() as s:
        for column, value, limit in checks:
            if limit <= 0:
                continue
            count, oldest = s.execute(
                select(func.count(), func.min(SigninFailure.at)).where(
                    column == value, SigninFailure.at > since
                )
            ).one()
            if count >= limit:
                retry = max(1, math.ceil((oldest + dt.timedelta(minutes=minutes) - now).total_seconds()))
                raise RateLimited(
                    "too many failed sign-ins; wait before trying again",
                    hint=f"try again in {math.ceil(retry / 60)} minute(s), or ask an administrator",
                    details={"bucket": "signin", "retry_after": retry},
                )


def record_failure(db: AppDB, name: str, address: str | None, *, minutes: int) -> None:
    """Count one failed sign-in (and drop rows older than the window)."""
    now = utcnow()
    with db.session() as s:
        s.execute(delete(SigninFailure).where(SigninFailure.at <= now - dt.timedelta(minutes=minutes)))
        s.add(SigninFailure(account=_key(name), address=(address or NO_ADDRESS)[:64], at=now))


def clear_account(db: AppDB, name: str) -> None:
    """A successful sign-in forgets that name's failures (the address keeps its count)."""
    with db.session() as s:
        s.execute(delete(SigninFailure).where(SigninFailure.account == _key(name)))
