"""Local accounts: argon2 hashes, scope validation, lockout, sessions and tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from revintel.appdb import users
from revintel.errors import AuthRequired, InvalidRequest, NotFound


def test_passwords_are_stored_as_argon2_hashes(rt):
    users.add_user(rt.appdb, "ann", "cfo", "a-good-password")
    with rt.appdb.session() as s:
        stored = s.scalar(select(users.UserAccount.password_hash))
    assert stored.startswith("$argon2") and "a-good-password" not in stored


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bob", "nope", "password123"), "unknown role"),
        (("bob", "cfo", "short"), "too short"),
        (("b ob", "cfo", "password123"), "invalid user name"),
        (("bob", "regional_lead", "password123"), "needs a region scope"),
    ],
)
def test_bad_accounts_are_refused_with_a_reason(rt, args, message):
    with pytest.raises((InvalidRequest, NotFound), match=message):
        users.add_user(rt.appdb, *args)


def test_unknown_scope_dimension_suggests_the_nearest(rt):
    with pytest.raises(InvalidRequest) as exc:
        users.add_user(rt.appdb, "bob", "cfo", "password123", {"regoin": ["EMEA"]})
    assert exc.value.hint and "region" in exc.value.hint


def test_duplicate_user_is_refused(rt):
    users.add_user(rt.appdb, "ann", "cfo", "a-good-password")
    with pytest.raises(InvalidRequest, match="already exists"):
        users.add_user(rt.appdb, "ann", "ceo", "a-good-password")


def test_lockout_counts_failures_then_expires(rt):
    users.add_user(rt.appdb, "ann", "cfo", "a-good-password")
    for _ in range(2):
        with pytest.raises(AuthRequired, match="wrong"):
            users.verify_password(rt.appdb, "ann", "bad", attempts=2, minutes=15)
    with pytest.raises(users.SignInFailed) as exc:  # the caller sees the common message only
        users.verify_password(rt.appdb, "ann", "a-good-password", attempts=2, minutes=15)
    assert "locked" in exc.value.reason and "locked" not in exc.value.message
    with rt.appdb.session() as s:  # time passes
        acc = s.scalar(select(users.UserAccount))
        acc.locked_until = dt.datetime(2000, 1, 1)
    assert users.verify_password(rt.appdb, "ann", "a-good-password", attempts=2, minutes=15).name == "ann"


def test_a_success_resets_the_failure_count(rt):
    users.add_user(rt.appdb, "ann", "cfo", "a-good-password")
    for _ in range(3):
        with pytest.raises(AuthRequired):
            users.verify_password(rt.appdb, "ann", "bad", attempts=4, minutes=1)
        users.verify_password(rt.appdb, "ann", "a-good-password", attempts=4, minutes=1)


def test_expired_sessions_sign_nobody_in(rt):
    users.add_user(rt.appdb, "ann", "cfo", "a-good-password")
    sid = users.create_session(rt.appdb, "ann", hours=1)
    assert users.session_user(rt.appdb, sid).name == "ann"
    with rt.appdb.session() as s:
        s.scalar(select(users.UserSession)).expires_at = dt.datetime(2000, 1, 1)
    assert users.session_user(rt.appdb, sid) is None


def test_token_only_accounts_cannot_sign_in_with_a_password(rt):
    users.add_user(rt.appdb, "robot", "fpa_analyst", None)
    token = users.create_token(rt.appdb, "robot")
    assert token.startswith("rvi_") and users.token_user(rt.appdb, token).name == "robot"
    with pytest.raises(AuthRequired):
        users.verify_password(rt.appdb, "robot", "", attempts=5, minutes=1)
