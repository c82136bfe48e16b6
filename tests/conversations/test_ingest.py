"""``revintel ingest calls``: Gong JSON, WebVTT + sidecar, .eml/mbox and canonical CSV load, link and
are rejected with their location when malformed, leaving the warehouse unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.cli.app import state
from revintel.conversations.ingest import load_calls, validate_calls
from revintel.errors import ValidationFailed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calls"


def _turns(rt, conversation_id: str) -> list[dict]:
    t = rt.warehouse.table("conversation_turns")
    rows = rt.warehouse.execute(t.filter(t.conversation_id == conversation_id).order_by("turn_index"))
    return rows.to_dict("records")


def _conversation(rt, conversation_id: str) -> dict:
    t = rt.warehouse.table("conversations")
    return rt.warehouse.execute(t.filter(t.conversation_id == conversation_id)).to_dict("records")[0]


def test_gong_transcripts_join_their_metadata_with_roles_offsets_and_crm_link(demo_rt) -> None:
    plan = validate_calls(FIXTURES / "gong", demo_rt.warehouse)
    assert plan.linked == {"crm": 1, "email": 1, "title": 0, "none": 0}
    load_calls(plan, demo_rt.warehouse)
    call = _conversation(demo_rt, "7782342274025937895")
    assert call["account_id"] == "A000002" and call["rep_id"] == "R001"
    assert str(call["occurred_at"]) == "2025-11-04 14:02:11" and call["duration_seconds"] == 1860
    turns = _turns(demo_rt, "7782342274025937895")
    assert [t["role"] for t in turns] == ["rep", "customer", "rep", "customer"]
    assert turns[1]["speaker"] == "Mei Chen" and turns[1]["start_seconds"] == pytest.approx(10.1)
    assert "120,000 EUR" in turns[1]["text"]
    # no affiliation: the rep is known by email domain, the customer's email is a contact of A000003
    second = _conversation(demo_rt, "7782342274025937896")
    assert second["account_id"] == "A000003" and str(second["occurred_at"]) == "2025-11-18 08:30:00"
    assert [t["role"] for t in _turns(demo_rt, "7782342274025937896")] == ["rep", "customer"]


def test_webvtt_voice_tags_and_name_prefixes_with_a_sidecar(demo_rt) -> None:
    plan = validate_calls(FIXTURES / "vtt", demo_rt.warehouse)
    assert plan.linked["email"] == 1 and plan.linked["title"] == 1
    load_calls(plan, demo_rt.warehouse)
    zoom = _turns(demo_rt, "zoom-2025-11-20-01")
    assert [(t["speaker"], t["role"]) for t in zoom] == [
        ("Mei Wright", "rep"),
        ("Lucas Patel", "customer"),  # two consecutive cues of one speaker make one turn
        ("Mei Wright", "rep"),
    ]
    assert zoom[1]["start_seconds"] == 5.0 and zoom[1]["end_seconds"] == 13.8
    teams = _turns(demo_rt, "teams-2025-11-21-01")
    assert teams[1]["speaker"] == "Jordan Vale" and teams[1]["role"] == "customer"
    assert _conversation(demo_rt, "teams-2025-11-21-01")["account_id"] == "A000001"  # by title


def test_email_eml_and_mbox_one_conversation_per_message(demo_rt) -> None:
    load_calls(validate_calls(FIXTURES / "email", demo_rt.warehouse), demo_rt.warehouse)
    eml = _turns(demo_rt, "msg-oakview-001@client.example")
    assert len(eml) == 1 and eml[0]["role"] == "customer"
    assert "quoted text" not in eml[0]["text"]  # quoted replies are not part of the message
    latin = _turns(demo_rt, "mbox-002@client.example")[0]
    assert "no budget this year" in latin["text"]
    assert _conversation(demo_rt, "mbox-001@revintel-demo.example")["channel"] == "email"


def test_canonical_conversations_csv_is_split_into_turns(demo_rt) -> None:
    load_calls(validate_calls(FIXTURES / "canonical", demo_rt.warehouse), demo_rt.warehouse)
    turns = _turns(demo_rt, "CAN-001")
    assert [(t["speaker"], t["role"]) for t in turns] == [
        ("Mei Wright", "rep"),
        ("Lucas Patel", "customer"),
        ("Mei Wright", "rep"),
    ]


def test_loading_twice_is_idempotent_on_the_call_id(demo_rt) -> None:
    load_calls(validate_calls(FIXTURES / "gong", demo_rt.warehouse), demo_rt.warehouse)
    once = demo_rt.warehouse.row_counts()
    load_calls(validate_calls(FIXTURES / "gong", demo_rt.warehouse), demo_rt.warehouse)
    twice = demo_rt.warehouse.row_counts()
    assert once["conversations"] == twice["conversations"] == 1002
    assert once["conversation_turns"] == twice["conversation_turns"]


def test_a_call_reloaded_with_fewer_turns_keeps_none_of_its_old_turns(demo_rt, tmp_path) -> None:
    load_calls(validate_calls(FIXTURES / "canonical", demo_rt.warehouse), demo_rt.warehouse)
    assert len(_turns(demo_rt, "CAN-001")) == 3
    shorter = (FIXTURES / "canonical" / "conversations.csv").read_text().split("\nMei Wright: Great")[0]
    (tmp_path / "conversations.csv").write_text(shorter + '"\n')
    load_calls(validate_calls(tmp_path, demo_rt.warehouse), demo_rt.warehouse)
    turns = _turns(demo_rt, "CAN-001")
    assert [t["speaker"] for t in turns] == ["Mei Wright", "Lucas Patel"]
    assert "order form" not in " ".join(t["text"] for t in turns)
    # the other conversations' turns are untouched
    assert len(_turns(demo_rt, "V0000008")) > 0


@pytest.mark.parametrize(
    ("folder", "file", "line", "words"),
    [
        ("bad/shape", "export.json", 1, "wrong shape"),
        ("bad/vtt", "broken.vtt", 8, "cue 2: malformed timing"),
        ("bad/encoding", "odd.eml", None, "unknown encoding"),
        ("bad/gong_time", "calls.json", 11, "malformed start time"),
    ],
)
def test_a_bad_file_is_rejected_with_its_location_and_nothing_is_stored(
    demo_rt, folder, file, line, words
) -> None:
    before = demo_rt.warehouse.row_counts()
    with pytest.raises(ValidationFailed) as err:
        validate_calls(FIXTURES / folder, demo_rt.warehouse)
    problem = err.value.problems[0]
    assert problem.file == file and problem.line == line and words in problem.message
    assert demo_rt.warehouse.row_counts() == before


def test_an_unlinked_call_is_counted_and_listed(demo_rt, tmp_path) -> None:
    shutil.copy(FIXTURES / "vtt" / "zoom_call.vtt", tmp_path / "zoom_call.vtt")
    (tmp_path / "calls.json").write_text(
        json.dumps(
            [
                {
                    "call_id": "orphan-1",
                    "file": "zoom_call.vtt",
                    "started_at": "2025-11-20T16:00:00Z",
                    "title": "Intro call",
                    "participants": ["Pat Doe <pat@nowhere.example>"],
                }
            ]
        )
    )
    plan = validate_calls(tmp_path, demo_rt.warehouse)
    assert plan.linked["none"] == 1
    assert plan.unlinked == [{"conversation_id": "orphan-1", "file": "zoom_call.vtt", "title": "Intro call"}]
    assert plan.findings[0].rule == "unlinked_conversation"


def test_cli_ingest_calls_prints_one_json_object_and_locates_problems(demo_rt, monkeypatch) -> None:
    monkeypatch.setattr(state, "runtime", demo_rt)
    runner = CliRunner()
    ok = runner.invoke(app, ["ingest", "calls", str(FIXTURES / "vtt"), "--json"])
    assert ok.exit_code == 0, ok.output
    out = json.loads(ok.stdout)
    assert out["tables"] == {"conversations": 2, "conversation_turns": 6}
    assert out["warehouse_row_counts"]["conversations"] == 1002
    bad = runner.invoke(app, ["ingest", "calls", str(FIXTURES / "bad" / "vtt"), "--json"])
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["problems"][0]["line"] == 8
