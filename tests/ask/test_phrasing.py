"""How revenue people phrase questions: read as they mean it, or asked back (never another figure)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from revintel.ask.check import check, resolve_data
from revintel.ask.conversation import resolve
from revintel.ask.entities import Vocabulary
from revintel.ask.intents import understand
from revintel.ask.routes import match
from revintel.runtime import Runtime
from revintel.scope import get_persona
from revintel.semantic import load_catalogue

CAT = load_catalogue()
VALUES = {
    "region": ["Americas", "EMEA", "APAC", "UK"],
    "capability": ["Technology", "Audit", "Tax"],
    "competitor": ["Altura", "Corvex"],
    "client": ["Silverline Pharma"],
    "sector": ["Retail & Consumer", "Public Sector"],
    "rep": ["Laura Lopez"],
    "product": ["Cyber Defense Retainer"],
}
VOCAB = Vocabulary(VALUES)
AS_OF = dt.date(2025, 12, 31)
ALL = {t: 100 for t in ("services_monthly", "opportunities", "budgets", "subscriptions", "quotas", "leads")}


def read(question: str, previous=None):
    req = understand(question, CAT, VOCAB, AS_OF)
    return resolve(req, previous.to_dict() if previous is not None else None)


def verdict(question: str):
    req = understand(question, CAT, VOCAB, AS_OF)
    resolve_data(req, CAT, ALL)
    return check(req, CAT, ALL, VALUES, AS_OF)


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("Loss rate in 2025", "loss"),  # not the rate per hour
        ("The lose rate for 2025", "lose"),
        ("Wn rate in 2025", "wn"),  # a fragment too short to correct
        ("Open rate in 2025", "open"),  # an email open rate is not in the catalogue
    ],
)
def test_a_word_that_qualifies_a_one_word_metric_is_asked_about(question: str, word: str) -> None:
    v = verdict(question)
    assert v.action == "clarify" and word in v.words


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("Revenue per billable hour in Q4 2025", "rate_per_hour"),
        ("Fees per chargeable hour in 2025", "rate_per_hour"),
        ("Revenue per won deal in 2025", "avg_deal_size"),
        ("Bookings per deal in 2025", "avg_deal_size"),
        ("Rate in 2025", "rate_per_hour"),
        ("Our rate in 2025", "rate_per_hour"),
    ],
)
def test_a_figure_per_unit_is_the_ratio_not_one_of_its_parts(question: str, metric: str) -> None:
    assert read(question).metric == metric
    assert verdict(question).action == "answer"


def test_deals_lost_to_competitors_leave_out_deals_with_no_competitor() -> None:
    req = read("How many deals did we lose to competitors in 2025?")
    assert (req.metric, req.intent, req.dimension) == ("lost_deals", "value", None)
    assert sorted(req.filters["competitor"]) == ["Altura", "Corvex"]
    ranked = read("Which competitor do we lose to most?")
    assert (ranked.intent, ranked.dimension, ranked.filters) == ("ranking", "competitor", {})


@pytest.mark.parametrize(
    ("question", "dimension", "kept"),
    [
        ("Net fees in 2025 excluding Technology", "capability", ["Audit", "Tax"]),
        ("Net fees in 2025 for all regions except APAC", "region", ["Americas", "EMEA", "UK"]),
        ("Chargeable hours in 2025 other than in the UK", "region", ["Americas", "EMEA", "APAC"]),
    ],
)
def test_an_excluded_value_keeps_every_other_value(question: str, dimension: str, kept: list[str]) -> None:
    req = read(question)
    assert sorted(req.filters[dimension]) == sorted(kept) and req.intent == "value"
    assert verdict(question).action == "answer"


def test_our_clients_is_everyone_not_one_row_per_client() -> None:
    assert read("What did we bill our clients in Q2 2025?").intent == "value"
    assert read("Net fees by client in 2025").dimension == "client"


@pytest.mark.parametrize(
    ("question", "order"),
    [
        ("Which capability had the smallest share of fees in 2025?", "asc"),
        ("Which region has the largest share of net fees in 2025?", "desc"),
    ],
)
def test_which_segment_has_the_largest_share_ranks_the_segments(question: str, order: str) -> None:
    req = read(question)
    assert (req.intent, req.order) == ("ranking", order)
    assert read("What share of fees comes from the top 5 clients?").intent == "share"


@pytest.mark.parametrize(
    ("question", "period"),
    [
        ("Won revenue in the last 2 quarters of 2024", "2024-07-01..2024-12-31"),
        ("Bookings in the last three quarters of 2024", "2024-04-01..2024-12-31"),
    ],
)
def test_the_last_quarters_of_a_year_are_that_span_not_a_comparison(question: str, period: str) -> None:
    req = read(question)
    assert req.intent == "value" and req.compare is None
    assert req.period.split("|")[0] == period


@pytest.mark.parametrize(
    "question",
    [
        "Which opportunities are at highest risk in APAC?",
        "Deals with the highest risk",
        "Which deals are in jeopardy?",
    ],
)
def test_deals_at_high_risk_go_to_the_risk_list(question: str) -> None:
    route = match(read(question))
    assert route is not None and route.service == "deals_at_risk"


def test_a_follow_up_asking_what_share_is_a_share_of_the_previous_figure() -> None:
    follow = read("and what share came from EMEA?", read("Won revenue in 2025"))
    assert (follow.intent, follow.metric, follow.filters) == ("share", "won_revenue", {"region": ["EMEA"]})


def test_the_lowest_after_a_breakdown_ranks_its_segments() -> None:
    follow = read("and the lowest?", read("Win rate by sector in 2025"))
    assert (follow.intent, follow.dimension, follow.order) == ("ranking", "sector", "asc")


def _one(rt: Runtime, query: str) -> float:
    con = duckdb.connect(str(rt.settings.home / "warehouse.duckdb"), read_only=True)
    try:
        return float(con.execute(query).fetchall()[0][0])
    finally:
        con.close()


def test_the_numbers_a_user_sees(demo_rt: Runtime) -> None:
    scope = get_persona("ceo").scope
    ask = lambda q: demo_rt.ask.ask(q, scope, actor="ceo", persist=False)  # noqa: E731
    lost = ask("How many deals did we lose to competitors in 2025?")
    excluding = ask("Net fees in 2025 excluding Technology")
    per_hour = ask("Revenue per billable hour in Q4 2025")
    loss_rate = ask("Loss rate in 2025")
    demo_rt.close()
    assert lost.value == _one(
        demo_rt,
        "SELECT count(*) FROM opportunities WHERE status = 'lost' AND competitor IS NOT NULL "
        "AND year(close_date) = 2025",
    )
    assert excluding.value == pytest.approx(
        _one(
            demo_rt,
            "SELECT sum(fees) FROM services_monthly WHERE capability <> 'Technology' AND year(month) = 2025",
        )
    )
    assert per_hour.value == pytest.approx(
        _one(
            demo_rt,
            "SELECT sum(fees) / sum(chargeable_hours) FROM services_monthly "
            "WHERE month BETWEEN DATE '2025-10-01' AND DATE '2025-12-01'",
        )
    )
    assert loss_rate.value is None and loss_rate.intent == "clarify"


def test_the_reps_of_a_region_are_ranked_within_it() -> None:
    ranked = read("Who has the best win rate among EMEA reps in 2025?")
    assert (ranked.intent, ranked.dimension, ranked.filters) == ("ranking", "rep", {"region": ["EMEA"]})
    value = read("Win rate of our EMEA reps in 2025")
    assert (value.intent, value.dimension, value.filters) == ("value", None, {"region": ["EMEA"]})
    assert verdict("Who has the best win rate among EMEA reps in 2025?").action == "answer"


def test_one_part_of_a_value_named_with_an_ampersand_names_it() -> None:
    assert read("Total fees from retail clients in 2025").filters == {"sector": ["Retail & Consumer"]}
    assert "public" not in Vocabulary({"sector": ["Public Sector"]}).by_phrase  # only "&" values
    media = Vocabulary({"sector": ["Technology & Media"]})
    assert [e.value for e in media.find("deals for media accounts", [])] == ["Technology & Media"]
    assert media.find("and the median?", []) == []  # a part is matched exactly, never fuzzily


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("What's our average contract value?", "avg_deal_size"),  # not "contact"
        ("How much did we invoice Silverline Pharma in 2025?", "fees"),
        ("Whats teh win rate in APAC this yr", "win_rate"),
        ("Total close value in 2025", "won_revenue"),
        ("Success rate by region in 2025", "win_rate"),  # not the rate per hour
        ("Best-selling product in 2025", "won_revenue"),
    ],
)
def test_finance_and_crm_words(question: str, metric: str) -> None:
    assert read(question).metric == metric
    assert verdict(question).action == "answer"


def test_next_quarters_commit_is_the_forecast_services_commit_call() -> None:
    route = match(read("What's the commit for next quarter?"))
    assert route is not None and (route.service, route.figure) == ("forecast", "commit")


def test_an_exclusion_is_every_other_value_the_caller_can_see(demo_rt: Runtime) -> None:
    ceo = get_persona("ceo").scope
    lead = get_persona("emea_lead").scope
    a = demo_rt.ask.ask("Net fees in 2025 for all regions except APAC", ceo, actor="ceo", persist=False)
    b = demo_rt.ask.ask("Net fees in 2025 for all regions except APAC", lead, actor="emea", persist=False)
    demo_rt.close()
    assert "other than APAC" in a.reading and "all but APAC" in a.answer
    assert a.value == pytest.approx(
        _one(demo_rt, "SELECT sum(fees) FROM services_monthly WHERE region <> 'APAC' AND year(month) = 2025")
    )
    # a regional lead's complement is the rest of what they can see: their region, not a refusal
    assert b.value == pytest.approx(
        _one(demo_rt, "SELECT sum(fees) FROM services_monthly WHERE region = 'EMEA' AND year(month) = 2025")
    )


@pytest.mark.parametrize(
    ("question", "word"), [("Fees per head in 2025", "head"), ("Net fees per FTE", "fte")]
)
def test_a_unit_after_per_that_nothing_reads_is_not_dropped(question: str, word: str) -> None:
    v = verdict(question)
    assert v.action in ("clarify", "abstain") and word in read(question).unresolved


def test_a_unit_after_per_that_is_read_is_answered() -> None:
    assert verdict("Average won revenue per month in 2025").action == "answer"
    assert read("Average won revenue per rep in 2025").operation == "average_per_segment"


def test_go_up_or_down_asks_for_a_change_not_the_level() -> None:
    v = verdict("Did fees go up or down in Q4 2025?")
    assert v.action == "clarify" and "Net fees in 2025-Q4 vs prior year?" in v.options


def test_the_same_period_a_year_before_split_by_a_dimension_is_the_prior_year_comparison() -> None:
    req = read("Q4 2025 fees vs Q4 2024 by capability")
    assert (req.intent, req.compare, req.dimension, req.period.split("|")[0]) == (
        "comparison",
        "py",
        "capability",
        "2025-10-01..2025-12-31",
    )
    v = verdict("Net fees by region Q3 vs Q2 2025")  # two other periods: not split, so asked back
    assert v.action == "clarify" and v.words == ["region"]


@pytest.mark.parametrize("question", ["Running total of fees in 2025", "Cumulative bookings in 2025"])
def test_a_running_total_is_asked_back_not_answered_with_the_total(question: str) -> None:
    v = verdict(question)
    assert v.action == "clarify" and any(o.endswith("trend in 2025?") for o in v.options)


def test_a_year_first_quarter_range_is_the_span() -> None:
    req = read("Won revenue in 2024 Q2 through Q4")
    assert (req.intent, req.period.split("|")[0]) == ("value", "2024-04-01..2024-12-31")


def test_the_difference_between_two_segments_compares_them() -> None:
    req = read("What's the difference in win rate between EMEA and APAC?")
    assert (req.intent, req.compare, req.segments) == (
        "comparison",
        "segments",
        [["region", "EMEA"], ["region", "APAC"]],
    )


def test_an_amount_of_lost_deals_is_not_the_won_revenue() -> None:
    assert verdict("Sum of close value for lost deals").action == "abstain"
    assert read("Average won deals per month in 2025").metric == "won_deals"


@pytest.mark.parametrize(
    "question",
    [
        "Bookings this quarter vs the same quarter last year",
        "Fees in Q3 2025 compared with a year ago",
        "Net fees in Q4 2025 vs the same period last year",
    ],
)
def test_the_same_period_a_year_before_is_the_prior_year_not_last_year(question: str) -> None:
    req = read(question)
    assert (req.intent, req.compare, req.compare_period) == ("comparison", "py", None)
    assert req.period.split("|")[1] in ("quarter", "fiscal_quarter")


def test_bigger_than_compares_the_two_segments() -> None:
    req = read("Is Technology bigger than Audit in fees for 2025?")
    assert (req.intent, req.compare) == ("comparison", "segments")
    assert read("Were fees higher than budget in 2025?").intent == "budget_vs_actual"


def test_how_a_figure_moved_over_a_period_is_its_trend() -> None:
    req = read("How did win rate move over 2025?")
    assert (req.intent, req.grain) == ("trend", "month")


@pytest.mark.parametrize(
    ("question", "period"),
    [
        ("Won deals in 24Q3", "2024-07-01..2024-09-30"),
        ("Bookings Q3FY24", "2024-07-01..2024-09-30"),
        ("Top 10 Q3 deals by value", "2025-07-01..2025-09-30"),  # "10 Q3" is not 2010
    ],
)
def test_compact_quarter_forms_are_read_not_dropped(question: str, period: str) -> None:
    assert read(question).period.split("|")[0] == period
