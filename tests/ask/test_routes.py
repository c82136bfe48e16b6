"""Routing: forecast and deal-risk questions are answered by those services, with their figures."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel.runtime import Runtime
from revintel.scope import get_persona


@pytest.mark.slow
def test_forecast_and_risk_questions_get_the_services_figures(demo_rt: Runtime) -> None:
    from revintel.deals.risk import risk_list
    from revintel.forecast.rollup import forecast

    scope = get_persona("ceo").scope
    ask = lambda q: demo_rt.ask.ask(q, scope, actor="ceo", persist=False)  # noqa: E731
    a = ask("What's the forecast for next quarter?")
    service = forecast(demo_rt, scope, None).to_dict()
    assert a.intent == "route" and a.route["service"] == "forecast" and a.route["figure"] == "p50"
    assert (
        a.value == pytest.approx(service["total"]["p50"]) and a.period["label"] == service["period"]["label"]
    )
    assert ask("What is the P10 forecast for next quarter?").value == pytest.approx(service["total"]["p10"])
    risk = ask("Which deals are most at risk?")
    ids = [d["opportunity_id"] for d in risk_list(demo_rt, scope, None, 10, explain=False)["deals"]]
    assert risk.route["service"] == "deals_at_risk" and risk.route["deal_ids"] == ids
    submitted = ask("What was the submitted forecast last quarter?")
    assert submitted.route is None and submitted.definitions[0]["id"] == "sales_forecast"


def test_a_governed_expansion_figure_is_not_sent_to_the_expansion_list() -> None:
    import datetime as dt

    from revintel.ask.entities import Vocabulary
    from revintel.ask.intents import understand
    from revintel.ask.routes import match
    from revintel.semantic import load_catalogue

    cat, vocab = load_catalogue(), Vocabulary({"deal_type": ["Expansion", "New Business"]})
    as_of = dt.date(2025, 12, 31)
    for question in ("What share of won revenue comes from expansion deals?", "Expansion ARR by region"):
        assert match(understand(question, cat, vocab, as_of)) is None, question
    route = match(understand("Where can we expand?", cat, vocab, as_of))
    assert route is not None and route.service == "customers_expansion"


def test_a_forecast_years_after_the_data_abstains_instead_of_giving_a_number(demo_rt: Runtime) -> None:
    scope = get_persona("ceo").scope
    a = demo_rt.ask.ask("What's the bookings forecast for 2030?", scope, actor="ceo", persist=False)
    assert a.intent == "unsupported" and a.value is None and "2030" in a.answer


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("What is the EBITDA forecast for next quarter?", "EBITDA"),
        ("What's the fees forecast for next quarter?", "no forecast of net fees"),
        ("What's the forecast for win rate next quarter?", "no forecast of win rate"),
    ],
)
def test_a_forecast_of_another_figure_abstains_instead_of_giving_the_revenue_forecast(
    demo_rt: Runtime, question: str, reason: str
) -> None:
    a = demo_rt.ask.ask(question, get_persona("ceo").scope, actor="ceo", persist=False)
    demo_rt.close()
    assert a.value is None and a.route is None and reason in a.answer


def test_a_routed_question_with_a_filter_gets_the_filtered_figure(demo_rt: Runtime) -> None:
    from revintel.forecast.changes import pipeline_changes
    from revintel.forecast.rollup import forecast
    from revintel.scope import Scope

    ceo = get_persona("ceo").scope
    ask = lambda q: demo_rt.ask.ask(q, ceo, actor="ceo", persist=False)  # noqa: E731
    emea = Scope.build(ceo.role, {"region": ["EMEA"]})
    fc = ask("Forecast for EMEA next quarter")
    assert fc.route["service"] == "forecast" and "for EMEA" in fc.answer
    assert fc.value == pytest.approx(forecast(demo_rt, emea, None).to_dict()["total"]["p50"])
    assert fc.value < forecast(demo_rt, ceo, None).to_dict()["total"]["p50"]
    slipped = ask("Which deals slipped last quarter in EMEA?")
    r = slipped.route
    out = pipeline_changes(demo_rt, emea, *(dt.date.fromisoformat(r[k]) for k in ("from", "to")))
    assert slipped.value == pytest.approx(out["total"]["pushed_out"])
    people = ask("Which reps are at risk of missing quota?")  # reps, not the deal-risk list
    demo_rt.close()
    assert people.route is None and people.value is None


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        ("What's the forecast range for next quarter?", True),  # a word the service does not read
        ("Which deals are at risk of slipping?", True),
        ("What's the pipeline forecast for next quarter?", True),  # the pipeline the forecast is made of
        ("What is the zorblax forecast for next quarter?", False),  # the figure forecast is not read
        ("What is the utilisation forecast?", False),  # another metric than revenue
    ],
)
def test_what_the_routed_service_is_asked_for_decides_whether_it_answers(
    question: str, answered: bool
) -> None:
    import datetime as _dt

    from revintel.ask.entities import Vocabulary
    from revintel.ask.intents import understand
    from revintel.ask.routes import match, unanswerable
    from revintel.semantic import load_catalogue

    cat = load_catalogue()
    req = understand(question, cat, Vocabulary({"region": ["EMEA"]}), _dt.date(2025, 12, 31))
    route = match(req)
    assert route is not None
    assert (unanswerable(route, req, cat) is None) is answered
