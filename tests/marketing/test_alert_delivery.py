"""Alerts reach Slack through the brief delivery: once per alert and channel, then a cool-down."""

from __future__ import annotations

import pytest

from briefs.receivers import http_receiver
from revintel.config import Settings
from revintel.errors import ConfigError
from revintel.runtime import Runtime
from revintel.scope import get_persona
from revintel.services.identity import User
from revintel.services.marketing import send_alerts

ALERT = {
    "metric": "lead_to_mql",
    "label": "Lead-to-MQL conversion (21 days)",
    "dimension": "region",
    "value": "EMEA",
    "start": "2025-10-13",
    "before": 0.56,
    "after": 0.16,
    "change": -0.71,
    "days": 59,
    "p_value": 2e-20,
    "unit": "ratio",
    "driver": "channel Paid Search",
    "evidence": None,
    "key": "lead_to_mql:region=EMEA:2025-10-13",
}


def _user(persona: str) -> User:
    p = get_persona(persona)
    return User(id=p.id, name=p.name, role=p.role, scope=p.scope, via="cli")


def test_an_alert_is_sent_once_and_a_new_one_on_the_same_slice_waits_out_the_cool_down(home):
    with http_receiver() as rec:
        rt = Runtime(Settings(home=home, slack_webhook_url=f"{rec.url}/hook"))
        try:
            user = _user("cro")
            first = send_alerts(rt, user, {"as_of": "2025-12-31", "alerts": [ALERT]}, [])
            assert [d["outcome"] for d in first] == ["sent"] and len(rec.posts) == 1
            assert "EMEA" in str(rec.posts[0]["json"]) and "Paid Search" in str(rec.posts[0]["json"])
            again = send_alerts(rt, user, {"as_of": "2025-12-31", "alerts": [ALERT]}, [])
            assert again[0]["outcome"] == "skipped" and len(rec.posts) == 1  # the same alert: never twice
            later = {**ALERT, "start": "2025-10-20", "key": "lead_to_mql:region=EMEA:2025-10-20"}
            cooled = send_alerts(rt, user, {"as_of": "2025-12-31", "alerts": [later]}, [])
            assert cooled[0] == {
                "alert": later["key"],
                "channel": "slack",
                "outcome": "skipped",
                "error": "cool-down",
            }
            other = {**ALERT, "value": "APAC", "key": "lead_to_mql:region=APAC:2025-10-13"}
            assert (
                send_alerts(rt, user, {"as_of": "2025-12-31", "alerts": [other]}, [])[0]["outcome"] == "sent"
            )
            assert len(rec.posts) == 2
        finally:
            rt.close()


def test_sending_needs_a_configured_channel_and_the_schedule_permission(rt):
    with pytest.raises(ConfigError):
        send_alerts(rt, _user("cro"), {"as_of": "2025-12-31", "alerts": [ALERT]}, [])
    with pytest.raises(Exception, match="does not allow"):
        send_alerts(rt, _user("account_exec"), {"as_of": "2025-12-31", "alerts": [ALERT]}, [])
