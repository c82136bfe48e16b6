"""Teams delivery: an Adaptive Card in an incoming-webhook message."""

from __future__ import annotations

from revintel.appdb import audit
from revintel.briefs.scheduler import make_message
from revintel.config import Settings
from revintel.delivery import Target, channel, deliver
from revintel.export.sample import sample_document

ELEMENTS = {"TextBlock", "FactSet", "ColumnSet", "Container", "Image"}


def assert_adaptive_card_message(payload: dict) -> dict:
    assert payload["type"] == "message"
    (att,) = payload["attachments"]
    assert att["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = att["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] in ("1.2", "1.3", "1.4", "1.5")
    assert card["$schema"].startswith("http://adaptivecards.io/schemas/")
    for el in card["body"]:
        assert el["type"] in ELEMENTS
        if el["type"] == "TextBlock":
            assert isinstance(el["text"], str) and el["text"]
        if el["type"] == "FactSet":
            assert all(set(f) == {"title", "value"} for f in el["facts"])
    for a in card.get("actions", []):
        assert a["type"] == "Action.OpenUrl" and a["url"].startswith("http")
    return card


def test_teams_webhook_receives_an_adaptive_card_with_the_headline_facts(rt, receiver):
    s = Settings(
        home=rt.settings.home, teams_webhook_url=receiver.url + "/webhookb2/abc", delivery_backoff_seconds=0
    )
    out = deliver(
        rt.appdb, s, channel("teams", s), make_message(sample_document()), Target(), key="t1", actor="cfo"
    )
    assert out.outcome == "sent"
    card = assert_adaptive_card_message(receiver.posts[0]["json"])
    facts = next(el for el in card["body"] if el["type"] == "FactSet")["facts"]
    assert {"title": "Revenue", "value": "$4.82M"} in facts
    assert card["actions"][0]["url"] == "http://127.0.0.1:8000/briefs"


def test_unreachable_teams_webhook_fails_and_is_audited(rt, closed_port):
    s = Settings(home=rt.settings.home, delivery_retries=2, delivery_backoff_seconds=0.001)
    t = Target(teams_webhook_url=f"http://127.0.0.1:{closed_port}/hook")
    out = deliver(rt.appdb, s, channel("teams", s), make_message(sample_document()), t, key="t2", actor="cfo")
    assert out.outcome == "failed" and out.attempts == 2 and "teams delivery failed" in out.error
    ev = audit.events(rt.appdb, action="delivery")[0]
    assert ev["outcome"] == "error" and ev["actor"] == "cfo"


def test_teams_without_any_webhook_explains_the_setting(rt):
    s = Settings(home=rt.settings.home)
    out = deliver(
        rt.appdb, s, channel("teams", s), make_message(sample_document()), Target(), key="t3", actor="x"
    )
    assert out.outcome == "failed" and "REVINTEL_TEAMS_WEBHOOK_URL" in out.error
