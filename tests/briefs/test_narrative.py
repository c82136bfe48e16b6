"""Deterministic narrative and the LLM polish that may change words but never numbers.

The LLM is a local HTTP server speaking the OpenAI ``/v1/chat/completions`` protocol.
"""

from __future__ import annotations

import json

from revintel.briefs.narrative import numbers_in, polish, source_numbers, variance_sentence
from revintel.config import Settings
from revintel.export.sample import sample_document


def chat_reply(rewrite):  # type: ignore[no-untyped-def]
    """A /v1/chat/completions responder applying ``rewrite`` to each text it is sent."""

    def respond(path: str, body: dict) -> tuple[int, dict]:
        assert path == "/v1/chat/completions"
        texts = json.loads(body["messages"][-1]["content"])["texts"]
        content = json.dumps({"texts": [rewrite(t) for t in texts]})
        return 200, {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    return respond


def llm_settings(rt, receiver) -> Settings:
    return Settings(
        home=rt.settings.home,
        llm_base_url=receiver.url + "/v1",
        llm_model="local-test",
        llm_timeout_seconds=5,
    )


def test_variance_sentence_is_written_from_the_numbers():
    text = variance_sentence("Revenue", 4_820_000, "currency", -0.031, 0.064, "EMEA Consulting")
    assert text == (
        "Revenue was $4.82M, 3.1% below budget and 6.4% above prior year; the main driver is EMEA Consulting."
    )


def test_numbers_are_normalised_for_comparison():
    assert numbers_in("$1,204.50K and 3.10% on 2025-12-31") == {"1204.5", "3.1", "2025", "12", "31"}


def test_polished_text_uses_only_source_numbers(rt, receiver):
    receiver.respond = chat_reply(lambda t: "In short: " + t.replace(" was ", " came in at "))
    doc = sample_document()
    result = polish(doc, llm_settings(rt, receiver))
    assert result.accepted > 0 and not result.rejected
    polished = result.document
    assert polished.polished_by == "local-test"
    assert polished.sections[0].items[0].text.startswith("In short: Revenue came in at $4.82M")
    allowed = source_numbers(doc)
    for text in polished.texts():
        assert numbers_in(text) <= allowed, text
    assert [f.value for f in polished.figures()] == [f.value for f in doc.figures()]


def test_a_polish_that_changes_a_number_is_rejected_and_the_original_kept(rt, receiver):
    receiver.respond = chat_reply(lambda t: t.replace("$4.82M", "$4.9M").replace("3.1%", "about 3%"))
    doc = sample_document()
    result = polish(doc, llm_settings(rt, receiver))
    assert len(result.rejected) >= 1
    assert result.document.sections[0].items[0].text == doc.sections[0].items[0].text
    for text in result.document.texts():
        assert numbers_in(text) <= source_numbers(doc)


def test_a_polish_that_drops_a_number_is_rejected(rt, receiver):
    receiver.respond = chat_reply(
        lambda t: "Revenue was lower than planned." if t.startswith("Revenue") else t
    )
    doc = sample_document()
    result = polish(doc, llm_settings(rt, receiver))
    assert result.document.sections[0].items[0].text == doc.sections[0].items[0].text


def test_unreachable_llm_falls_back_to_the_deterministic_text(rt, closed_port):
    s = Settings(
        home=rt.settings.home, llm_base_url=f"http://127.0.0.1:{closed_port}/v1", llm_timeout_seconds=2
    )
    doc = sample_document()
    result = polish(doc, s)
    assert result.document == doc and "LLM polish failed" in result.error


def test_garbage_reply_falls_back(rt, receiver):
    receiver.respond = lambda path, body: (
        200,
        {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Sure!"}}
            ],
        },
    )
    result = polish(sample_document(), llm_settings(rt, receiver))
    assert result.document == sample_document() and "texts" in result.error


def test_no_llm_configured_means_no_call(rt):
    result = polish(sample_document(), Settings(home=rt.settings.home))
    assert result.error == "no LLM configured" and result.document == sample_document()
