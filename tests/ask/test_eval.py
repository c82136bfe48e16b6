"""The evaluation question sets: size and coverage, and accuracy >= 95% on demo and maven data."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from revintel.ask.answer import INTENTS
from revintel.ask.eval import evaluate, load_questions
from revintel.config import Settings
from revintel.runtime import Runtime
from revintel.scope import get_persona


def test_blind_test_split_is_never_printed_question_by_question() -> None:
    from revintel.ask.eval import EvalReport, Outcome

    report = EvalReport(
        "demo", [Outcome("t-1", "secret question", "test", "value", "answer", "wrong", "value", 0.9)]
    )
    out = report.to_dict()
    assert out["failures"] == [] and out["splits"]["test"]["wrong_count"] == 1
    assert "secret question" not in str(out)


def test_dev_split_covers_every_intent_with_two_hundred_questions() -> None:
    items = load_questions(split="dev")
    assert len(items) >= 200
    assert {q["dataset"] for q in items} == {"demo", "maven"}
    generated = {q["intent"] for q in items if q.get("intent")}
    assert set(INTENTS) - {"route", "clarify"} <= generated
    assert all(q.get("gold_sql") or q["expect"] != "answer" or q["check"] == "route" for q in items)
    assert len({q["id"] for q in items}) == len(items)


@pytest.mark.slow
def test_demo_dev_accuracy_is_at_least_95_percent(demo_rt: Runtime) -> None:
    report = evaluate(demo_rt, load_questions("demo", "dev"))
    out = report.to_dict()
    assert report.accuracy >= 0.95, out["failures"]
    assert out["splits"]["dev"]["wrong"] <= 0.02 and len(out["reliability"]) == 5
    categories = {k: v["questions"] for k, v in out["by_category"].items()}
    assert categories["abstain"] >= 15 and categories["followup"] >= 15 and categories["periods"] >= 15


@pytest.fixture
def maven_rt(settings: Settings, shared_data: Path):
    from revintel.warehouse.ingest import ingest

    rt = Runtime(settings)
    ingest("maven", shared_data / "maven-crm", rt.settings, rt.warehouse)
    yield rt
    rt.close()


@pytest.mark.external
@pytest.mark.slow
def test_maven_dev_accuracy_is_at_least_95_percent(maven_rt: Runtime) -> None:
    report = evaluate(maven_rt, load_questions("maven", "dev"))
    assert report.accuracy >= 0.95, report.to_dict()["failures"]


RAW = "read_csv('{d}/sales_pipeline.csv')"
DONE_WHEN = {
    "What is our overall win rate?": (
        "SELECT count(*) FILTER (WHERE deal_stage = 'Won')::DOUBLE / count(*) FILTER (WHERE deal_stage IN "
        "('Won', 'Lost')) FROM {p}"
    ),
    "How much revenue did we win in Q2 2017?": (
        "SELECT sum(close_value) FROM {p} WHERE deal_stage = 'Won' AND close_date BETWEEN '2017-04-01' AND "
        "'2017-06-30'"
    ),
}


@pytest.mark.external
def test_maven_done_when_questions_match_sql_over_the_raw_files(maven_rt: Runtime, shared_data: Path) -> None:
    d = shared_data / "maven-crm"
    con = duckdb.connect()
    pipe = RAW.format(d=d)
    teams = f"read_csv('{d}/sales_teams.csv')"
    ask = lambda q: maven_rt.ask.ask(q, get_persona("ceo").scope, actor="ceo", persist=False)  # noqa: E731
    for question, sql in DONE_WHEN.items():
        assert ask(question).value == pytest.approx(con.execute(sql.format(p=pipe)).fetchone()[0], rel=1e-12)
    by_office = dict(
        con.execute(
            f"SELECT t.regional_office, sum(p.close_value) FROM {pipe} p JOIN {teams} t USING (sales_agent) "
            "WHERE p.deal_stage = 'Won' GROUP BY 1"
        ).fetchall()
    )
    answer = ask("Won revenue by regional office")
    assert {r[0]: r[1] for r in answer.rows} == pytest.approx(by_office, rel=1e-12)
    best = con.execute(
        f"SELECT sales_agent, count(*) FILTER (WHERE deal_stage = 'Won')::DOUBLE / count(*) FILTER (WHERE "
        f"deal_stage IN ('Won', 'Lost')) AS r FROM {pipe} GROUP BY 1 ORDER BY r DESC LIMIT 1"
    ).fetchone()
    agent = ask("Which sales agent has the best win rate?")
    assert agent.rows[0][0] == best[0] and agent.value == pytest.approx(best[1], rel=1e-12)
