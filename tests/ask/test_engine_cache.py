"""Ask keeps how each question read per data version: a repeat is cheap, never another user's, never stale."""

from __future__ import annotations

import pyarrow as pa
import pytest

from revintel.ask import entities
from revintel.runtime import Runtime
from revintel.scope import get_persona
from revintel.warehouse.base import Change, conform


def ask(rt: Runtime, question: str, persona: str):
    return rt.ask.ask(question, get_persona(persona).scope, actor=persona)


def test_a_repeated_question_is_answered_in_each_asker_s_own_scope(demo_rt: Runtime) -> None:
    ceo = ask(demo_rt, "Fees by region this year", "ceo")
    assert len(ceo.rows) > 1
    reads = demo_rt.ask._understood  # how each question read, kept for its repeats
    assert len(reads) == 1
    # the same question in other words' case and punctuation, from a regional lead
    emea = ask(demo_rt, "fees by region this year?!", "emea_lead")
    assert len(reads) == 1  # read once for both
    assert [r[0] for r in emea.rows] == ["EMEA"]
    assert emea.understood["question"] == "fees by region this year?!"
    assert ceo.understood["question"] == "Fees by region this year"
    assert ceo.conversation_id != emea.conversation_id
    # and the CEO's repeat still gets every region (the lead's answer did not replace it)
    assert [r[0] for r in ask(demo_rt, "Fees by region this year", "ceo").rows] == [r[0] for r in ceo.rows]


def test_a_load_changes_how_a_question_reads_and_what_it_answers(
    demo_rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entities, "VERSION_TTL_SECONDS", 0.0)  # see a new load at once
    question = "Chargeable hours for Quantum Advisory in December 2025"
    before = ask(demo_rt, question, "ceo")
    assert "capability" not in before.filters
    row = (
        demo_rt.warehouse.cursor()
        .sql("SELECT * FROM services_monthly WHERE month = DATE '2025-12-01' LIMIT 1")
        .to_arrow_table()
    )
    new = row.set_column(
        row.schema.get_field_index("capability"), "capability", pa.array(["Quantum Advisory"])
    )
    demo_rt.warehouse.apply([Change("services_monthly", conform("services_monthly", new), "append")])
    after = ask(demo_rt, question, "ceo")
    assert after.filters.get("capability") == ["Quantum Advisory"]
    assert after.value == pytest.approx(row.column("chargeable_hours")[0].as_py())
