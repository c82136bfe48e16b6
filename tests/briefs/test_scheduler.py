"""The scheduler: due slots delivered once on every channel, even across a crash and restart."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from revintel.appdb.schedules import Delivery, Schedule
from revintel.briefs import schedules as sched
from revintel.briefs.scheduler import Scheduler
from revintel.briefs.schedules import ScheduleSpec
from revintel.config import Settings
from revintel.delivery import base as delivery_base
from revintel.delivery import delivery_log
from revintel.errors import NotFound
from revintel.export.sample import sample_document
from revintel.runtime import Runtime
from revintel.scope import get_persona

NOW = dt.datetime(2026, 1, 6, 7, 5)  # a Tuesday, 07:05 UTC


def composer(rt, scope, persona):  # type: ignore[no-untyped-def]
    doc = sample_document()
    doc.persona = persona.id if persona else None
    return doc


@pytest.fixture
def srt(home, smtp_server, receiver):  # type: ignore[no-untyped-def]
    s = Settings(
        home=home,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        delivery_retries=2,
        delivery_backoff_seconds=0.001,
    )
    r = Runtime(s)
    yield r
    r.close()


def make_schedule(rt, receiver, channels=("email", "slack", "teams"), **kw) -> int:  # type: ignore[no-untyped-def]
    spec = ScheduleSpec(
        name="Morning",
        persona="cfo",
        cron="0 7 * * *",
        timezone="UTC",
        channels=list(channels),
        email_to=["cfo@example.com"],
        slack_webhook_url=receiver.url + "/slack",
        teams_webhook_url=receiver.url + "/teams",
        **kw,
    )
    sid = sched.create(rt.appdb, spec, actor="cfo", scope=get_persona("cfo").scope)["id"]
    with rt.appdb.session() as s:
        s.get(Schedule, sid).created_at = dt.datetime(2026, 1, 1)
    return sid


def test_a_due_slot_is_delivered_on_every_channel_once(srt, smtp_server, receiver):
    make_schedule(srt, receiver)
    reports = Scheduler(srt, composer=composer).run_once(NOW)
    assert [o.outcome for o in reports[0].outcomes] == ["sent", "sent", "sent"]
    assert len(smtp_server.messages) == 1
    assert sorted(p["path"] for p in receiver.posts) == ["/slack", "/teams"]
    assert Scheduler(srt, composer=composer).run_once(NOW + dt.timedelta(minutes=1)) == []
    assert len(smtp_server.messages) == 1 and len(receiver.posts) == 2


def test_restart_mid_schedule_sends_nothing_twice(srt, smtp_server, receiver, monkeypatch):
    sid = make_schedule(srt, receiver)
    real_finish = delivery_base._finish

    def crash_after_slack_send(db, delivery_id, outcome, attempts, error):  # type: ignore[no-untyped-def]
        with db.session() as s:
            channel = s.get(Delivery, delivery_id).channel
        if channel == "slack":
            raise KeyboardInterrupt("process killed after Slack accepted the message")
        real_finish(db, delivery_id, outcome, attempts, error)

    monkeypatch.setattr(delivery_base, "_finish", crash_after_slack_send)
    with pytest.raises(KeyboardInterrupt):
        Scheduler(srt, composer=composer).run_once(NOW)
    assert len(smtp_server.messages) == 1 and [p["path"] for p in receiver.posts] == ["/slack"]
    monkeypatch.setattr(delivery_base, "_finish", real_finish)

    # a new process: new runtime on the same home, the same slot is still due
    again = Runtime(srt.settings)
    try:
        report = Scheduler(again, composer=composer).run_once(NOW + dt.timedelta(minutes=2))[0]
        outcomes = {o.channel: o.outcome for o in report.outcomes}
        assert outcomes == {"email": "skipped", "slack": "skipped", "teams": "sent"}
        assert len(smtp_server.messages) == 1
        assert sorted(p["path"] for p in receiver.posts) == ["/slack", "/teams"]
        assert Scheduler(again, composer=composer).run_once(NOW + dt.timedelta(minutes=3)) == []
        assert sched.get(again.appdb, sid)["last_slot"] == "2026-01-06T07:00:00"
    finally:
        again.close()


def test_interrupted_claims_are_marked_in_the_log_not_resent(srt, receiver):
    make_schedule(srt, receiver, channels=("slack",))
    with srt.appdb.session() as s:
        s.add(
            Delivery(
                idempotency_key="schedule:1:2026-01-06T07:00:00:slack",
                schedule_id=1,
                actor="cfo",
                what="brief",
                channel="slack",
                started_at=dt.datetime(2026, 1, 6, 7, 0),
            )
        )
    Scheduler(srt, composer=composer).run_once(NOW)
    assert receiver.posts == []
    (entry,) = delivery_log(srt.appdb)
    assert entry["outcome"] == "interrupted" and "not re-sent" in entry["error"]


def test_one_failing_channel_does_not_hold_up_the_others(srt, smtp_server, receiver, closed_port):
    make_schedule(srt, receiver, channels=("teams", "email", "slack"))
    with srt.appdb.session() as s:
        s.get(Schedule, 1).teams_webhook_url = f"http://127.0.0.1:{closed_port}/teams"
    report = Scheduler(srt, composer=composer).run_once(NOW)[0]
    assert [o.outcome for o in report.outcomes] == ["failed", "sent", "sent"]
    assert len(smtp_server.messages) == 1 and [p["path"] for p in receiver.posts] == ["/slack"]
    failed = next(e for e in delivery_log(srt.appdb) if e["channel"] == "teams")
    assert (
        failed["outcome"] == "failed"
        and failed["attempts"] == 2
        and "teams delivery failed" in failed["error"]
    )


def test_a_brief_that_cannot_be_composed_is_logged_per_channel(srt, receiver):
    make_schedule(srt, receiver, channels=("email", "slack"))

    def broken(rt, scope, persona):  # type: ignore[no-untyped-def]
        raise NotFound("unknown persona 'cfo2'")

    report = Scheduler(srt, composer=broken).run_once(NOW)[0]
    assert "could not compose the brief" in report.error
    log = delivery_log(srt.appdb)
    assert {e["channel"] for e in log} == {"email", "slack"}
    assert all(e["outcome"] == "failed" and "unknown persona" in e["error"] for e in log)


def test_disabled_schedules_are_not_run(srt, receiver):
    make_schedule(srt, receiver, enabled=False)
    assert Scheduler(srt, composer=composer).run_once(NOW) == []


def test_background_thread_starts_and_stops(srt, receiver):
    make_schedule(srt, receiver, channels=("slack",))
    s = Scheduler(srt, composer=composer, interval_seconds=0.05).start()
    deadline = time.monotonic() + 10
    while not receiver.posts and time.monotonic() < deadline:
        time.sleep(0.05)
    s.stop()
    assert s._thread is not None and not s._thread.is_alive()
    assert len(receiver.posts) == 1  # the real clock is far past 2026-01-01 07:00


@pytest.mark.parametrize("enabled", [True, False])
def test_serve_runs_the_scheduler_thread_only_when_enabled_and_stops_it(home, enabled):
    import threading

    from fastapi.testclient import TestClient

    from revintel.app import create_app

    with TestClient(create_app(Settings(home=home, scheduler_enabled=enabled))):
        running = {t.name for t in threading.enumerate() if t.is_alive()}
        assert ("revintel-scheduler" in running) is enabled
    assert "revintel-scheduler" not in {t.name for t in threading.enumerate() if t.is_alive()}


def test_two_schedules_for_one_persona_due_together_compose_the_brief_once(srt, receiver):
    make_schedule(srt, receiver, channels=("slack",))
    make_schedule(srt, receiver, channels=("teams",))
    calls: list[str] = []

    def counting(rt, scope, persona):  # type: ignore[no-untyped-def]
        calls.append(persona.id)
        return composer(rt, scope, persona)

    reports = Scheduler(srt, composer=counting).run_once(NOW)
    assert [o.outcome for r in reports for o in r.outcomes] == ["sent", "sent"]
    assert calls == ["cfo"]


def _owned_schedule(rt, owner: str, persona: str) -> int:  # type: ignore[no-untyped-def]
    """A due schedule row written directly (as an older release, or a tampered database, would)."""
    with rt.appdb.session() as s:
        row = Schedule(
            name="m",
            owner=owner,
            persona=persona,
            cron="0 7 * * *",
            timezone="UTC",
            channels=["email"],
            email_to=["x@example.com"],
            created_at=dt.datetime(2026, 1, 1),
        )
        s.add(row)
        s.flush()
        return row.id


def test_secure_mode_composes_with_the_owners_current_account_scope_not_a_persona_of_that_name(home):
    from revintel.appdb import users

    rt = Runtime(Settings(home=home, auth="secure", secret_key="k3y-for-tests-0123456789abcdef"))
    try:
        users.add_user(rt.appdb, "cfo", "regional_lead", "pw-123456789", {"region": ["EMEA"]})
        _owned_schedule(rt, "cfo", "cfo")
        seen: list = []

        def recording(rt, scope, persona):  # type: ignore[no-untyped-def]
            seen.append((scope, persona))
            raise NotFound("stop here")  # nothing to deliver in this test

        Scheduler(rt, composer=recording).run_once(NOW)
        ((scope, persona),) = seen
        assert persona is None and scope.filters == {"region": ("EMEA",)} and scope.role == "regional_lead"
    finally:
        rt.close()


def test_a_disabled_owners_schedule_stops_with_the_reason_in_the_delivery_log(home):
    from revintel.appdb import users
    from revintel.delivery import delivery_log

    rt = Runtime(Settings(home=home, auth="secure", secret_key="k3y-for-tests-0123456789abcdef"))
    try:
        users.add_user(rt.appdb, "ana", "cfo", "pw-123456789")
        _owned_schedule(rt, "ana", "ana")
        users.set_disabled(rt.appdb, "ana", True)
        calls: list = []
        report = Scheduler(rt, composer=lambda *a: calls.append(a)).run_once(NOW)[0]
        assert calls == [] and "disabled" in (report.error or "")
        assert delivery_log(rt.appdb)[0]["outcome"] == "failed"
    finally:
        rt.close()


def test_demo_mode_refuses_a_schedule_whose_owner_is_not_its_persona(srt):  # type: ignore[no-untyped-def]
    _owned_schedule(srt, "marketing", "ceo")
    calls: list = []
    report = Scheduler(srt, composer=lambda *a: calls.append(a)).run_once(NOW)[0]
    assert calls == [] and "may not receive ceo" in (report.error or "")
