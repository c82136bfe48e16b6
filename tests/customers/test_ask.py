"""Ask routes customer questions to the functions the Customers pages use, under the caller's scope."""

from __future__ import annotations

import pytest

from revintel.ask.parse import Request
from revintel.ask.routes import match
from revintel.customers.ask import days_in, matches
from revintel.runtime import Runtime
from revintel.scope import get_persona


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which customers are likely to churn at their next renewal, and why?", "churn"),
        ("show me churn risk", "churn"),
        ("which accounts are at risk of leaving", "churn"),
        ("Which customers are at risk?", "churn"),
        ("Which renewals in the next 90 days need an executive call?", "renewals"),
        ("renewals coming up in the next 6 weeks", "renewals"),
        ("How healthy are our customers?", "health"),
        ("what is the health score of A000123", "health"),
        ("Where can we expand?", "expansion"),
        ("upsell opportunities", "expansion"),
        ("Which customers have the most expansion potential?", "expansion"),
        ("What proportion of won revenue comes from expansion deals?", None),  # a metric's value
        ("What will NRR be next year?", "retention"),
        ("GRR forecast with a range", "retention"),
        ("What was NRR last year?", None),
        ("What was our churn rate in 2025?", None),  # history as well
        ("Which customers will churn?", "churn"),  # history: the metric catalogue answers it
        ("Which deals are most at risk?", None),
        ("What's the forecast for next quarter?", None),
    ],
)
def test_customer_questions_are_told_apart_from_deal_forecast_and_history_questions(
    question: str, kind: str | None
) -> None:
    from revintel.ask.vocab import normalise

    assert matches(normalise(question)) == kind


def test_renewal_window_is_read_in_days() -> None:
    assert days_in("renewals in the next 90 days") == 90
    assert days_in("renewals in the next 6 weeks") == 42
    assert days_in("renewals within 3 months") == 90
    assert match(Request(question="Which renewals in the next 30 days are at risk?")).args["days"] == 30


@pytest.mark.slow
def test_answers_carry_the_pages_figures_under_the_callers_scope(demo_runtime_shared: Runtime) -> None:
    from revintel.customers.expansion import expansion_list
    from revintel.customers.retention import forecast
    from revintel.customers.views import health_summary, risk_list

    rt = demo_runtime_shared
    emea = get_persona("emea_lead").scope
    ask = lambda q, s=emea: rt.ask.ask(q, s, actor="t", persist=False)  # noqa: E731
    churn = ask("Which customers are likely to churn?")
    page = risk_list(rt, emea, None, 10)
    assert churn.route["service"] == "customers_churn"
    assert churn.route["account_ids"] == [r["account_id"] for r in page["renewals"]]
    assert churn.value == pytest.approx(page["arr_at_risk"])
    assert {row[2] for row in churn.rows} == {"EMEA"}  # a regional lead sees only their region
    soon = ask("Which renewals in the next 90 days need an executive call?")
    assert soon.route["days"] == 90 and soon.value == pytest.approx(
        risk_list(rt, emea, 90, 10)["arr_at_risk"]
    )
    health = ask("How healthy are our customers?")
    assert health.value == pytest.approx(health_summary(rt, emea)["average"])
    one = page["renewals"][0]
    named = ask(f"What is the health of {one['account_id']}?")
    assert named.route["account_id"] == one["account_id"] and named.value == one["health"]
    exp = ask("Where can we expand?")
    assert exp.value == pytest.approx(expansion_list(rt, emea, 10)["customers"][0]["expected_expansion_arr"])
    nrr = ask("What will NRR be next year?")
    assert nrr.route["figure"] == "nrr" and nrr.value == pytest.approx(forecast(rt, emea)["nrr"]["p50"])
    assert "P10" in nrr.answer and "backtest" in nrr.answer
    # a customer outside the lead's region is not found, not answered
    everyone = risk_list(rt, get_persona("cfo").scope, None, 500)["renewals"]
    other = next(r["account_id"] for r in everyone if r["region"] != "EMEA")
    outside = ask(f"What is the health of {other}?")
    assert outside.value is None and other not in str(outside.rows)


@pytest.mark.slow
def test_a_role_without_the_customers_domain_is_refused(demo_runtime_shared: Runtime) -> None:
    scope = get_persona("marketing").scope
    assert "customers" not in scope.domains
    a = demo_runtime_shared.ask.ask("Which customers are likely to churn?", scope, actor="m", persist=False)
    assert a.value is None and not a.rows
