"""Ask conversations persist with titles, context, feedback, rename and delete, per owner."""

from __future__ import annotations

import pytest

from revintel.appdb import conversations as conv
from revintel.errors import InvalidRequest, NotFound
from revintel.runtime import Runtime


def test_conversation_is_titled_after_its_first_question_and_keeps_turns(rt: Runtime) -> None:
    cid = conv.create(rt.appdb, "ceo", "Why did chargeable hours drop in December?")
    conv.add_turn(
        rt.appdb,
        "ceo",
        cid,
        "Why did chargeable hours drop in December?",
        {"answer": "a"},
        {"metric": "chargeable_hours"},
        "local",
    )
    conv.add_turn(
        rt.appdb,
        "ceo",
        cid,
        "and in EMEA?",
        {"answer": "b"},
        {"metric": "chargeable_hours", "filters": {"region": ["EMEA"]}},
        "local",
    )
    got = conv.get(rt.appdb, "ceo", cid)
    assert got["title"] == "Why did chargeable hours drop in December?"
    assert [t["question"] for t in got["turns"]] == [
        "Why did chargeable hours drop in December?",
        "and in EMEA?",
    ]
    assert conv.last_context(rt.appdb, "ceo", cid) == {
        "metric": "chargeable_hours",
        "filters": {"region": ["EMEA"]},
    }
    assert conv.list_for(rt.appdb, "ceo")[0]["id"] == cid


def test_another_user_cannot_see_rename_or_delete_a_conversation(rt: Runtime) -> None:
    cid = conv.create(rt.appdb, "emea_lead", "Fees YTD")
    for action in (
        lambda: conv.get(rt.appdb, "apac_lead", cid),
        lambda: conv.rename(rt.appdb, "apac_lead", cid, "mine"),
        lambda: conv.delete(rt.appdb, "apac_lead", cid),
        lambda: conv.last_context(rt.appdb, "apac_lead", cid),
    ):
        with pytest.raises(NotFound):
            action()
    assert conv.list_for(rt.appdb, "apac_lead") == []


def test_rename_and_delete(rt: Runtime) -> None:
    cid = conv.create(rt.appdb, "ceo", "q")
    assert conv.rename(rt.appdb, "ceo", cid, "  Board prep  ")["title"] == "Board prep"
    with pytest.raises(InvalidRequest):
        conv.rename(rt.appdb, "ceo", cid, "   ")
    conv.delete(rt.appdb, "ceo", cid)
    with pytest.raises(NotFound):
        conv.get(rt.appdb, "ceo", cid)


def test_feedback_thumbs_with_comment_only_by_owner(rt: Runtime) -> None:
    cid = conv.create(rt.appdb, "ceo", "q")
    tid = conv.add_turn(rt.appdb, "ceo", cid, "q", {"answer": "a"}, None, "local")
    out = conv.feedback(rt.appdb, "ceo", tid, -1, "wrong region")
    assert (out["feedback"], out["feedback_comment"]) == (-1, "wrong region")
    with pytest.raises(InvalidRequest):
        conv.feedback(rt.appdb, "ceo", tid, 5)
    with pytest.raises(NotFound):
        conv.feedback(rt.appdb, "cfo", tid, 1)


def test_long_first_question_gives_a_short_title(rt: Runtime) -> None:
    cid = conv.create(rt.appdb, "ceo", "word " * 60)
    assert len(conv.get(rt.appdb, "ceo", cid)["title"]) <= conv.TITLE_LENGTH
