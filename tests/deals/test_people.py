"""People on deals on the demo: the buying-group view, its CLI, API and Ask route give the catalogue's
numbers, under the caller's scope."""

from __future__ import annotations

import pytest

from revintel.ask.engine import AskEngine
from revintel.deals.people import buying_group
from revintel.errors import InvalidRequest
from revintel.scope import get_persona
from revintel.semantic import MetricQuery

CEO = get_persona("ceo").scope
EMEA = get_persona("emea_lead").scope


def metric(rt, name: str, scope=CEO, period: str | None = None) -> float:
    return rt.semantic.query(MetricQuery(metrics=[name], period=period), scope).records()[0][name]


def test_the_view_shows_the_planted_roles_and_the_catalogue_figures(demo_rt) -> None:
    out = buying_group(demo_rt, CEO, "2025")
    rows = {r["key"]: r for r in out["rows"]}
    eb, te = rows["Economic Buyer"], rows["Technical Evaluator"]
    assert eb["share_of_won"] > 2 * eb["share_of_lost"]  # planted: on won deals far more often
    assert abs(te["share_of_won"] - te["share_of_lost"]) < 0.1  # the control
    assert eb["share_of_won"] == eb["won_deals"] / out["won_with_contacts"]
    for name in ("economic_buyer_win_rate", "no_economic_buyer_win_rate", "executive_win_rate", "win_rate"):
        assert out["headline"][name] == pytest.approx(metric(demo_rt, name, period="2025"))
    h = out["headline"]
    assert h["economic_buyer_win_rate"] > 2 * h["no_economic_buyer_win_rate"]
    assert h["executive_win_rate"] > 2 * h["no_executive_win_rate"]
    assert all("deal_contacts" in sql for sql in out["sql"][1:])


def test_the_view_follows_the_scope_and_refuses_an_unknown_breakdown(demo_rt) -> None:
    mine = buying_group(demo_rt, EMEA, None, "seniority")
    assert mine["won_with_contacts"] < buying_group(demo_rt, CEO, None, "seniority")["won_with_contacts"]
    assert {r["key"] for r in mine["rows"]} <= {"C-level", "VP", "Director", "Manager", "Staff"}
    assert "'EMEA'" in mine["sql"][1]
    with pytest.raises(InvalidRequest, match="cannot break the buying group down by 'rank'"):
        buying_group(demo_rt, CEO, None, "rank")


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("What is our win rate when an economic buyer is involved in 2025?", "economic_buyer_win_rate"),
        ("win rate without an economic buyer in 2025", "no_economic_buyer_win_rate"),
        ("How often do we win deals with executives involved in 2025?", "executive_win_rate"),
    ],
)
def test_ask_answers_with_the_same_number_as_the_catalogue(demo_rt, question: str, figure: str) -> None:
    a = AskEngine(demo_rt).ask(question, CEO, actor="t", persist=False, provider="local")
    assert a.route["service"] == "people" and a.route["figure"] == figure
    assert a.value == pytest.approx(metric(demo_rt, figure, period="2025"))
    assert a.sql and "deal_contacts" in " ".join(a.sql)


def test_ask_ranks_titles_on_won_deals_and_keeps_the_scope(demo_rt) -> None:
    a = AskEngine(demo_rt).ask(
        "Which contact job titles appear most on deals we won in 2025?", EMEA, actor="t", persist=False
    )
    assert a.route["by"] == "title" and a.route["order"] == "won"
    won = [r[1] for r in a.rows]
    assert won == sorted(won, reverse=True)
    expected = demo_rt.semantic.query(
        MetricQuery(
            metrics=["deals_with_contacts"],
            dimensions=["title"],
            filters={"stage": ["Closed Won"]},
            period="2025",
        ),
        EMEA,
    ).records()
    assert dict((r[0], r[1]) for r in a.rows) == {r["title"]: r["deals_with_contacts"] for r in expected}


def test_cli_and_api_give_the_views_figures(demo_rt, run_cli, client_as, monkeypatch) -> None:
    import json

    monkeypatch.setenv("REVINTEL_HOME", str(demo_rt.settings.home))
    code, out, _ = run_cli("deals", "people", "--by", "title", "--period", "2025", "--json")
    assert code == 0
    cli = json.loads(out)
    view = buying_group(demo_rt, CEO, "2025", "title")
    assert cli["rows"] == view["rows"] and cli["headline"] == view["headline"]
    api = client_as("emea_lead").get("/api/deals/people", params={"by": "role"}).json()
    assert api["headline"] == buying_group(demo_rt, EMEA, None, "role")["headline"]
    assert client_as("emea_lead").get("/api/deals/people", params={"by": "rank"}).status_code == 400
