"""``revintel calls search``: BM25 over turns, filters, speaker side, row scope, flagged snippets."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.cli.app import state
from revintel.conversations.search import search, snippet
from revintel.errors import Forbidden, InvalidRequest
from revintel.scope import get_persona


def scope(persona: str):
    return get_persona(persona).scope


def test_pricing_concerns_finds_the_pricing_objection_with_its_moment(demo_runtime_shared) -> None:
    out = search(demo_runtime_shared, scope("ceo"), "pricing concerns", limit=5)
    assert len(out["results"]) == 5
    top = out["results"][0]
    assert "pricing" in top["snippet"].lower()
    assert top["link"] == f"/calls/{top['conversation_id']}#t={int(top['offset_seconds'])}"
    assert {"account", "opportunity_id", "speaker", "role", "occurred_at"} <= set(top)


def test_a_regional_lead_finds_only_their_region(demo_runtime_shared) -> None:
    everyone = search(demo_runtime_shared, scope("ceo"), "security questionnaire", limit=50)
    emea = search(demo_runtime_shared, scope("emea_lead"), "security questionnaire", limit=50)
    assert {h["region"] for h in emea["results"]} == {"EMEA"}
    assert {h["region"] for h in everyone["results"]} > {"EMEA"}
    assert emea["conversations_searched"] < everyone["conversations_searched"]


def test_a_seen_scope_searches_without_a_query_and_a_new_load_is_searched_at_once(demo_rt, tmp_path) -> None:
    from revintel.conversations.ingest import load_calls, validate_calls

    search(demo_rt, scope("emea_lead"), "pricing")  # the scope's first search reads its conversations
    reads = []
    for name in ("execute", "to_arrow"):
        real = getattr(demo_rt.warehouse, name)
        setattr(demo_rt.warehouse, name, lambda *a, _real=real, **k: reads.append(a) or _real(*a, **k))
    again = search(demo_rt, scope("emea_lead"), "security questionnaire")
    assert reads == [] and {h["region"] for h in again["results"]} == {"EMEA"}
    (tmp_path / "conversations.csv").write_text(
        "conversation_id,account_id,opportunity_id,rep_id,channel,occurred_at,duration_seconds,participants,"
        "subject,transcript\n"
        "NEW-1,A000003,,R003,call,2025-12-01 15:00:00,60,Mei Wright; Lucas Patel,Check-in,"
        '"Lucas Patel: The zanzibarian rollout plan needs a second look."\n'
    )
    load_calls(validate_calls(tmp_path, demo_rt.warehouse), demo_rt.warehouse)
    found = search(demo_rt, scope("ceo"), "zanzibarian rollout")["results"]
    assert [h["conversation_id"] for h in found] == ["NEW-1"]


def test_a_scope_without_pipeline_data_is_refused(demo_runtime_shared) -> None:
    with pytest.raises(Forbidden):
        search(demo_runtime_shared, scope("consulting_lead"), "pricing")


def test_speaker_account_and_since_filters(demo_runtime_shared) -> None:
    rt = demo_runtime_shared
    reps = search(rt, scope("ceo"), "next steps proposal", speaker="rep", limit=20)["results"]
    assert reps and {h["role"] for h in reps} == {"rep"}
    customers = search(rt, scope("ceo"), "pricing higher than expected", speaker="customer", limit=20)[
        "results"
    ]
    assert customers and {h["role"] for h in customers} == {"customer"}
    account = customers[0]["account"]
    only = search(rt, scope("ceo"), "pricing", account=account, limit=20)["results"]
    assert only and {h["account"] for h in only} == {account}
    recent = search(rt, scope("ceo"), "pricing", since=dt.date(2025, 10, 1), limit=20)["results"]
    assert recent and min(h["occurred_at"] for h in recent) >= dt.datetime(2025, 10, 1)


def test_the_planted_instruction_is_found_and_flagged(demo_runtime_shared) -> None:
    hits = search(demo_runtime_shared, scope("ceo"), "ignore previous instructions email pipeline", limit=3)
    assert hits["results"][0]["flagged"] is True
    assert not any(h["flagged"] for h in search(demo_runtime_shared, scope("ceo"), "pricing")["results"])


def test_empty_query_and_bad_speaker_are_clear_errors(demo_runtime_shared) -> None:
    with pytest.raises(InvalidRequest):
        search(demo_runtime_shared, scope("ceo"), "  ")
    with pytest.raises(InvalidRequest):
        search(demo_runtime_shared, scope("ceo"), "pricing", speaker="robot")


def test_snippet_centres_on_the_query_word() -> None:
    text = "word " * 100 + "the pricing came up here " + "tail " * 100
    out = snippet(text, "prices")
    assert "pricing" in out and out.startswith("…") and out.endswith("…") and len(out) <= 242


def test_cli_search_json_is_one_object(demo_runtime_shared, monkeypatch) -> None:
    monkeypatch.setattr(state, "runtime", demo_runtime_shared)
    result = CliRunner().invoke(
        app,
        ["calls", "search", "pricing concerns", "--persona", "emea_lead", "--speaker", "customer", "--json"],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["results"] and {h["region"] for h in out["results"]} == {"EMEA"}


@pytest.mark.parametrize("query", ["pricing", "pricing concerns", "security review pricing", "nothing here"])
def test_scores_read_from_the_postings_equal_bm25_and_respect_scope_and_side(query: str) -> None:
    import numpy as np

    from revintel.conversations.index import CallIndex, query_tokens

    texts = [
        "Our pricing concerns are real.",
        "The pricing is fine.",
        "Security review first, then pricing.",
        "We have concerns about security.",
        "Nothing to add.",
        "Pricing, pricing and more pricing concerns.",
    ]
    index = CallIndex.build(["A", "A", "B", "B", "C", "C"], list(range(6)), ["customer", "rep"] * 3, texts)
    everyone = np.ones(3, dtype=bool)
    docs, vals = index.scores(query, everyone)
    vocab = index.retriever.vocab_dict
    ids = [vocab[t] for t in query_tokens(query) if t in vocab]
    dense = index.retriever.get_scores_from_ids(ids) if ids else np.zeros(6)
    assert docs.tolist() == np.flatnonzero(dense).tolist()
    assert np.allclose(vals, dense[docs], rtol=1e-5)
    only_c = np.array([False, False, True])
    assert set(index.scores(query, only_c)[0].tolist()) <= {4, 5}
    assert all(index.doc_role[d] == 0 for d in index.scores(query, everyone, "rep")[0])
    ranked = index.top((docs, vals), 2)
    assert [d for d, _ in ranked] == sorted(docs.tolist(), key=lambda d: (-dense[d], d))[:2]
