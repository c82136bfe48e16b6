"""Slack delivery: Block Kit shape, webhook and bot token paths, retries with backoff."""

from __future__ import annotations

from revintel.briefs.scheduler import make_message
from revintel.config import Settings
from revintel.delivery import Target, channel, deliver, delivery_log
from revintel.delivery.slack import slack_payload
from revintel.export.sample import sample_document

BLOCK_TYPES = {"header", "section", "divider", "context", "actions"}


def assert_block_kit(payload: dict) -> None:
    assert isinstance(payload["text"], str) and payload["text"]
    blocks = payload["blocks"]
    assert 0 < len(blocks) <= 50
    for b in blocks:
        assert b["type"] in BLOCK_TYPES
        if b["type"] == "header":
            assert b["text"]["type"] == "plain_text" and len(b["text"]["text"]) <= 150
        if b["type"] == "section":
            assert "text" in b or "fields" in b
            if "text" in b:
                assert b["text"]["type"] in ("mrkdwn", "plain_text") and len(b["text"]["text"]) <= 3000
            assert len(b.get("fields", [])) <= 10
        if b["type"] == "actions":
            for e in b["elements"]:
                assert e["type"] == "button" and e["url"].startswith("http")


def settings_for(rt, **kw) -> Settings:
    return Settings(home=rt.settings.home, **{"delivery_backoff_seconds": 0.001, **kw})


def test_webhook_receives_block_kit_with_headline_numbers_and_a_link(rt, receiver):
    s = settings_for(rt)
    out = deliver(
        rt.appdb,
        s,
        channel("slack", s),
        make_message(sample_document()),
        Target(slack_webhook_url=receiver.url + "/services/T0/B0/secret"),
        key="k:slack",
        actor="cfo",
    )
    assert out.outcome == "sent"
    payload = receiver.posts[0]["json"]
    assert_block_kit(payload)
    fields = [f["text"] for b in payload["blocks"] if b["type"] == "section" for f in b.get("fields", [])]
    assert "*Revenue*\n$4.82M" in fields and "*P50 forecast*\n$12.40M" in fields
    buttons = [e for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons[0]["url"] == "http://127.0.0.1:8000/briefs"
    assert "secret" not in delivery_log(rt.appdb)[0]["target"]


def test_bot_token_posts_chat_post_message_with_channel_and_bearer(rt, receiver):
    receiver.respond = lambda path, body: (200, {"ok": True, "ts": "1.2"})
    s = settings_for(
        rt, slack_bot_token="xoxb-test", slack_api_url=receiver.url + "/api", slack_channel="#exec"
    )
    out = deliver(
        rt.appdb, s, channel("slack", s), make_message(sample_document()), Target(), key="k2", actor="cfo"
    )
    assert out.outcome == "sent"
    post = receiver.posts[0]
    assert post["path"] == "/api/chat.postMessage"
    assert post["headers"]["Authorization"] == "Bearer xoxb-test"
    assert post["json"]["channel"] == "#exec"
    assert_block_kit(post["json"])


def test_slack_api_error_reply_is_a_failure(rt, receiver):
    receiver.respond = lambda path, body: (200, {"ok": False, "error": "channel_not_found"})
    s = settings_for(
        rt, slack_bot_token="xoxb", slack_api_url=receiver.url, slack_channel="#nope", delivery_retries=1
    )
    out = deliver(
        rt.appdb, s, channel("slack", s), make_message(sample_document()), Target(), key="k3", actor="cfo"
    )
    assert out.outcome == "failed" and "channel_not_found" in out.error


def test_receiver_failing_twice_then_succeeding_is_delivered_on_the_third_attempt(rt, receiver):
    receiver.fail_first = 2
    sleeps: list[float] = []
    s = settings_for(rt, delivery_retries=3, delivery_backoff_seconds=0.01)
    out = deliver(
        rt.appdb,
        s,
        channel("slack", s),
        make_message(sample_document()),
        Target(slack_webhook_url=receiver.url + "/hook"),
        key="k4",
        actor="cfo",
        sleep=sleeps.append,
    )
    assert out.outcome == "sent" and out.attempts == 3
    assert receiver.calls == 3 and len(receiver.posts) == 1
    assert sleeps == [0.01, 0.02]  # exponential backoff
    entry = delivery_log(rt.appdb)[0]
    assert entry["attempts"] == 3 and entry["outcome"] == "sent"


def test_same_idempotency_key_is_never_sent_twice(rt, receiver):
    s = settings_for(rt)
    msg = make_message(sample_document())
    t = Target(slack_webhook_url=receiver.url + "/hook")
    first = deliver(rt.appdb, s, channel("slack", s), msg, t, key="same", actor="cfo")
    second = deliver(rt.appdb, s, channel("slack", s), msg, t, key="same", actor="cfo")
    assert (first.outcome, second.outcome) == ("sent", "skipped")
    assert len(receiver.posts) == 1


def test_payload_without_link_or_headline_is_still_valid_block_kit():
    doc = sample_document()
    doc.link, doc.headline = None, []
    assert_block_kit(slack_payload(doc))
