"""Ask answers the marketing questions from the same functions the Marketing page uses."""

from __future__ import annotations

import pytest

from revintel.marketing.report import campaigns_view, dropping_view
from revintel.scope import get_persona


@pytest.fixture
def ask(demo_app):
    rt = demo_app.state.runtime

    def run(question: str, persona: str = "marketing"):
        return rt.ask.ask(question, get_persona(persona).scope, actor=persona, persist=False)

    return run


def test_which_campaigns_influenced_the_most_closed_won_revenue(ask, demo_app):
    a = ask("Which campaigns influenced the most closed-won revenue in 2025?")
    assert a.route["service"] == "marketing_campaigns"
    table = campaigns_view(demo_app.state.runtime, get_persona("marketing").scope, "2025")
    best = next(c for c in table["campaigns"] if c["influenced_won"])
    assert a.value == best["influenced_won"] and a.answer.startswith("CFO Summit 2025 influenced the most")
    assert a.rows[0][0] == "CFO Summit 2025"


def test_which_region_is_dropping_in_the_funnel(ask, demo_app):
    a = ask("Which region is dropping in the funnel?")
    assert a.route["service"] == "marketing_funnel"
    d = dropping_view(demo_app.state.runtime, get_persona("marketing").scope, None)
    assert a.answer.startswith("EMEA is dropping most in the funnel") and "lead-to-MQL" in a.answer
    assert a.value == d["groups"][0]["change"] and a.sql and "leads" in a.sql[0]


def test_the_pipeline_funnel_question_is_not_taken_by_the_marketing_routes(ask):
    assert (ask("Pipeline funnel by stage").route or {}).get("service") not in ("marketing_funnel",)


def test_a_role_without_marketing_is_refused(ask):
    a = ask("Which region is dropping in the funnel?", persona="account_exec")
    assert not a.supported and "marketing" in a.answer
