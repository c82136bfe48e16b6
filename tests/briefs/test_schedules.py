"""Schedule validation (cron, time zone, channels, addresses), CRUD and due slots."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel.appdb.schedules import Schedule
from revintel.briefs import schedules as sched
from revintel.briefs.schedules import ScheduleSpec, due_slot
from revintel.errors import Forbidden, NotFound, ValidationFailed
from revintel.scope import get_persona


def spec(**kw) -> ScheduleSpec:
    base = {
        "name": "Morning brief",
        "persona": "cfo",
        "cron": "0 7 * * 1-5",
        "timezone": "Europe/London",
        "channels": ["email"],
        "email_to": ["cfo@example.com"],
    }
    return ScheduleSpec(**{**base, **kw})


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("0 7 * *", "5 fields, this one has 4"),
        ("61 7 * * *", "invalid cron expression"),
        ("0 7 * * funday", "invalid cron expression"),
        ("", "5 fields, this one has 0"),
    ],
)
def test_invalid_cron_is_refused_with_the_field_value_and_an_example(cron, message):
    with pytest.raises(ValidationFailed) as exc:
        spec(cron=cron).validate()
    (p,) = exc.value.problems
    assert p.column == "cron" and p.value == cron and message in p.message
    assert "0 7 * * 1-5" in p.expected


@pytest.mark.parametrize(("tz", "hint"), [("Europe/Londn", "Europe/London"), ("Mars/Olympus", "")])
def test_invalid_time_zone_is_refused_with_a_suggestion(tz, hint):
    with pytest.raises(ValidationFailed) as exc:
        spec(timezone=tz).validate()
    (p,) = exc.value.problems
    assert p.column == "timezone" and p.expected == "an IANA time zone name"
    assert hint in p.message
    assert "unknown time zone" in str(exc.value)


def test_all_problems_are_reported_at_once():
    bad = spec(
        cron="x",
        timezone="Nowhere",
        channels=["email", "fax"],
        email_to=["not-an-address"],
        teams_webhook_url="ftp://x",
    )
    cols = sorted(p.column for p in bad.problems())
    assert cols == ["channels", "cron", "email_to", "teams_webhook_url", "timezone"]


def test_crud_round_trip_with_next_run_in_the_schedules_zone(rt):
    scope = get_persona("cfo").scope
    created = sched.create(rt.appdb, spec(), actor="cfo", scope=scope)
    assert created["next_run"].endswith(("+00:00", "+01:00"))  # London: GMT or BST
    assert dt.datetime.fromisoformat(created["next_run"]).hour == 7
    updated = sched.update(
        rt.appdb,
        created["id"],
        spec(cron="30 6 * * 1", channels=["slack"], email_to=[]),
        actor="cfo",
        scope=scope,
    )
    assert updated["cron"] == "30 6 * * 1" and updated["channels"] == ["slack"]
    assert [s["id"] for s in sched.list_schedules(rt.appdb, owner="cfo")] == [created["id"]]
    sched.delete(rt.appdb, created["id"], actor="cfo", scope=scope)
    with pytest.raises(NotFound):
        sched.get(rt.appdb, created["id"])


def test_a_regional_lead_cannot_schedule_someone_elses_wider_brief(rt):
    scope = get_persona("emea_lead").scope
    with pytest.raises(Forbidden, match="only schedule your own brief"):
        sched.create(rt.appdb, spec(persona="ceo"), actor="emea_lead", scope=scope)
    ok = sched.create(rt.appdb, spec(persona="emea_lead"), actor="emea_lead", scope=scope)
    assert ok["persona"] == "emea_lead"


def test_roles_without_the_schedule_permission_are_refused(rt):
    with pytest.raises(Forbidden):
        sched.create(rt.appdb, spec(persona="fpa"), actor="fpa", scope=get_persona("fpa").scope)


def row(cron: str, tz: str, created: dt.datetime, last: dt.datetime | None = None) -> Schedule:
    return Schedule(cron=cron, timezone=tz, created_at=created, last_slot=last)


def test_due_slot_is_the_latest_slot_in_local_time_since_the_last_run():
    s = row("0 7 * * *", "America/New_York", created=dt.datetime(2026, 3, 1))
    # 07:00 New York in winter = 12:00 UTC
    assert due_slot(s, dt.datetime(2026, 3, 2, 11, 59)) == dt.datetime(2026, 3, 1, 12, 0)
    assert due_slot(s, dt.datetime(2026, 3, 2, 12, 0)) == dt.datetime(2026, 3, 2, 12, 0)
    # after the DST change (8 March 2026) 07:00 New York = 11:00 UTC
    assert due_slot(s, dt.datetime(2026, 3, 9, 11, 30)) == dt.datetime(2026, 3, 9, 11, 0)


def test_a_slot_already_run_is_not_due_and_a_long_outage_gives_one_slot():
    s = row("0 7 * * *", "UTC", created=dt.datetime(2026, 1, 1), last=dt.datetime(2026, 1, 5, 7))
    assert due_slot(s, dt.datetime(2026, 1, 5, 20)) is None
    assert due_slot(s, dt.datetime(2026, 1, 12, 8)) == dt.datetime(2026, 1, 12, 7)


def test_secure_mode_refuses_plain_http_webhooks():
    s = spec(channels=["teams"], email_to=[], teams_webhook_url="http://10.0.0.5/hook")
    assert s.problems() == []
    (p,) = s.problems(require_https=True)
    assert p.column == "teams_webhook_url" and "https" in p.message
