"""Words that change the figure: used by the reading, or the question is clarified (never substituted)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from revintel.ask.check import check, resolve_data
from revintel.ask.entities import Vocabulary
from revintel.ask.intents import understand
from revintel.runtime import Runtime
from revintel.scope import get_persona
from revintel.semantic import load_catalogue

CAT = load_catalogue()
VALUES = {
    "region": ["EMEA", "APAC"],
    "stage": ["Negotiation"],
    "rep": ["Laura Lopez"],
    "team": ["EMEA Enterprise"],
    "capability": ["Technology"],
    "channel": ["Content"],
}
VOCAB = Vocabulary(VALUES)
AS_OF = dt.date(2025, 12, 31)
#: every table of the demo holds rows
ALL = {t: 100 for t in ("services_monthly", "opportunities", "budgets", "subscriptions", "quotas", "leads")}


def verdict(question: str):
    req = understand(question, CAT, VOCAB, AS_OF)
    resolve_data(req, CAT, ALL)
    return req, check(req, CAT, ALL, VALUES, AS_OF)


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("What's our fee growth?", "growth"),  # no period to grow from
        ("Did chargeable hours increase in Q3 2025?", "increase"),  # QoQ or YoY: ask
        ("Median net fees in 2025", "median"),  # the catalogue has no median of fees
        ("Average net fees in 2025", "average"),  # the total is not an average
        ("What is the value of new deals in 2025?", "value"),  # new deals is a count
    ],
)
def test_an_operation_word_the_reading_would_drop_is_clarified(question: str, word: str) -> None:
    _, v = verdict(question)
    assert v.action == "clarify" and v.words == [word]
    assert v.options


def test_growth_options_are_whole_questions_with_the_period() -> None:
    _, v = verdict("Did chargeable hours increase in Q3 2025?")
    assert "Chargeable hours in 2025-Q3 vs prior year?" in v.options


def test_two_different_metrics_are_clarified_not_answered_for_the_first() -> None:
    req, v = verdict("Net fees and win rate in 2025")
    assert req.also_named == ["win_rate"]
    assert v.action == "clarify" and v.options == ["Net fees", "Win rate"]


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("How much ARR did we lose to churn in 2025?", "churned_arr"),  # the specific of ARR / churn
        ("Days to close for won deals in 2025", "sales_cycle_days"),  # "won deals" qualifies
        ("How long does it take us to close a deal?", "sales_cycle_days"),
        ("What is the total value of open deals?", "open_pipeline"),  # the value, not the count
        ("How many new deals were created in Q4?", "deal_count"),
        ("Sales revenue in 2025", "won_revenue"),
    ],
)
def test_the_metric_the_words_mean_is_answered(question: str, metric: str) -> None:
    req, v = verdict(question)
    assert req.metric == metric and v.action == "answer"


def test_growth_in_a_year_is_that_year_against_the_year_before() -> None:
    req, v = verdict("What was our fee growth in 2025?")
    assert (req.intent, req.compare) == ("comparison", "py") and v.action == "answer"


def test_off_budget_compares_with_budget() -> None:
    req, v = verdict("How far are we off budget on fees this year?")
    assert req.intent == "budget_vs_actual" and v.action == "answer"


def test_weighted_pipeline_by_stage_is_not_the_open_pipeline_funnel() -> None:
    req, _ = verdict("What's the weighted pipeline by stage?")
    assert (req.intent, req.metric, req.dimension) == ("breakdown", "weighted_pipeline", "stage")


def _sql(rt: Runtime, query: str) -> float:
    con = duckdb.connect(str(rt.settings.home / "warehouse.duckdb"), read_only=True)
    try:
        return float(con.execute(query).fetchall()[0][0])
    finally:
        con.close()


def test_average_per_segment_is_the_mean_over_the_segments(demo_rt: Runtime) -> None:
    scope = get_persona("ceo").scope
    avg = demo_rt.ask.ask("Average won revenue per rep in 2025", scope, actor="ceo", persist=False)
    growth = demo_rt.ask.ask("What was our fee growth in 2025?", scope, actor="ceo", persist=False)
    pipe = demo_rt.ask.ask("What is the total value of open deals?", scope, actor="ceo", persist=False)
    demo_rt.close()
    mean = _sql(
        demo_rt,
        "SELECT sum(amount) / count(DISTINCT rep_id) FROM opportunities "
        "WHERE status = 'won' AND year(close_date) = 2025",
    )
    assert avg.value == pytest.approx(mean) and "per rep" in avg.answer
    fees = [
        _sql(demo_rt, f"SELECT sum(fees) FROM services_monthly WHERE year(month) = {y}") for y in (2025, 2024)
    ]
    assert growth.intent == "comparison" and growth.value == pytest.approx(fees[0] / fees[1] - 1)
    assert pipe.value == pytest.approx(
        _sql(demo_rt, "SELECT sum(amount) FROM opportunities WHERE status = 'open'")
    )


def test_the_value_of_deals_in_a_named_stage_is_that_stage_not_the_funnel() -> None:
    req, v = verdict("What's the value of deals in the negotiation stage?")
    assert (req.intent, req.metric, req.filters) == ("value", "open_pipeline", {"stage": ["Negotiation"]})
    assert v.action == "answer"


@pytest.mark.parametrize(
    ("question", "dimension"),
    [
        ("Which month had the highest net fees in 2025?", "month"),
        ("What was the best quarter for bookings?", "quarter"),
    ],
)
def test_which_month_or_quarter_ranks_the_time_buckets(question: str, dimension: str) -> None:
    req, v = verdict(question)
    assert (req.intent, req.dimension) == ("ranking", dimension) and v.action == "answer"


def test_a_ranking_that_names_no_segments_asks_which_instead_of_ranking_regions() -> None:
    _, v = verdict("What's the highest win rate?")
    assert v.action == "clarify" and "Which region has the highest win rate?" in v.options


def test_best_selling_is_won_revenue() -> None:
    req, _ = verdict("What's our best selling product?")
    assert (req.intent, req.metric, req.dimension) == ("ranking", "won_revenue", "product")


def test_growth_without_data_in_the_base_period_abstains_instead_of_ranking_by_size(demo_rt: Runtime) -> None:
    scope = get_persona("ceo").scope
    a = demo_rt.ask.ask("Which region grew net fees the most in 2023?", scope, actor="ceo", persist=False)
    top = demo_rt.ask.ask("Which month had the highest net fees in 2025?", scope, actor="ceo", persist=False)
    demo_rt.close()
    assert a.intent == "unsupported" and a.value is None and "2022" in a.answer
    best = _sql(
        demo_rt,
        "SELECT max(f) FROM (SELECT sum(fees) f FROM services_monthly "
        "WHERE year(month) = 2025 GROUP BY month)",
    )
    assert top.value == pytest.approx(best) and top.answer.split(" has ")[0].endswith("2025")


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("Net fees in the first 3 months of 2025", "2025-01–2025-03"),
        ("Net fees in the last two months of 2025", "2025-11–2025-12"),
        ("Whats the win rate this yr?", "FY2025"),
    ],
)
def test_month_spans_and_abbreviated_years_are_read_exactly(question: str, label: str) -> None:
    req, v = verdict(question)
    assert req.period is not None and req.period.endswith("|" + label) and v.action == "answer"


@pytest.mark.parametrize("question", ["Which reps are below quota?", "Which team hit quota in 2025?"])
def test_results_against_quota_abstain_naming_attainment(question: str) -> None:
    _, v = verdict(question)
    assert v.action == "abstain" and "attainment" in v.reason


def test_a_trend_split_by_a_dimension_is_clarified_not_drawn_unsplit() -> None:
    _, v = verdict("Quota by team over time")
    assert v.action == "clarify" and "Quota by team?" in v.options


def test_which_competitor_beats_us_is_lost_deals_by_competitor() -> None:
    req, _ = verdict("Which competitor beats us most often?")
    assert (req.intent, req.metric, req.dimension) == ("ranking", "lost_deals", "competitor")


def test_top_n_share_and_the_segment_furthest_behind_budget(demo_rt: Runtime) -> None:
    scope = get_persona("ceo").scope
    share = demo_rt.ask.ask(
        "What percentage of fees came from the top 5 clients?", scope, actor="ceo", persist=False
    )
    behind = demo_rt.ask.ask(
        "Which region is furthest behind budget on chargeable hours in 2025?",
        scope,
        actor="ceo",
        persist=False,
    )
    demo_rt.close()
    top5 = _sql(
        demo_rt,
        "SELECT sum(f) / (SELECT sum(fees) FROM services_monthly) FROM (SELECT sum(s.fees) f "
        "FROM services_monthly s JOIN accounts a USING (account_id) GROUP BY a.name ORDER BY f DESC LIMIT 5)",
    )
    assert share.value == pytest.approx(top5) and "top 5 clients" in share.answer
    assert behind.answer.startswith("Americas is furthest below budget") and behind.value < 0


@pytest.mark.parametrize(
    "question",
    [
        "How much above or below budget were fees in Q3 2025 in percent?",
        "Budget variance in units for chargeable hours in Q4 2025",
    ],
)
def test_above_below_budget_and_budget_variance_compare_with_budget(question: str) -> None:
    req, v = verdict(question)
    assert req.intent == "budget_vs_actual" and v.action == "answer"


def test_a_ranking_word_on_a_single_figure_is_clarified() -> None:
    _, v = verdict("Show me the biggest open deals")
    assert v.action == "clarify" and v.words == ["biggest"]


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("What's the upside case next quarter?", "p90"),
        ("What's the most likely outcome for next quarter?", "p50"),
    ],
)
def test_forecast_scenarios_route_to_the_forecast(question: str, figure: str) -> None:
    from revintel.ask import routes

    req = understand(question, CAT, VOCAB, AS_OF)
    route = routes.match(req)
    assert route is not None and (route.service, route.figure) == ("forecast", figure)


def test_a_series_name_before_products_filters_the_series() -> None:
    values = {"product": ["GTX Pro", "GTX Basic", "MG Special"], "product_series": ["GTX", "MG"]}
    values["capability"] = ["GTX", "MG"]
    req = understand("What percent of won revenue came from GTX products?", CAT, Vocabulary(values), AS_OF)
    assert req.filters == {"product_series": ["GTX"]} and not req.blocked


def test_a_grain_over_two_periods_joined_by_and_is_one_series() -> None:
    req, v = verdict("Quarterly chargeable hours for 2024 and 2025")
    assert (req.intent, req.grain) == ("trend", "quarter") and v.action == "answer"
    assert req.period is not None and req.period.startswith("2024-01-01..2025-12-31|")


def test_weekly_figures_abstain_with_the_true_reason() -> None:
    _, v = verdict("Weekly fees in December 2025")
    assert v.action == "abstain" and "month" in v.reason


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("How has our pipeline changed over the year?", "FY2025"),
        ("Fees per month on average in 2025", "2025"),
    ],
)
def test_the_year_and_per_month_on_average_are_read(question: str, label: str) -> None:
    req, v = verdict(question)
    assert req.period is not None and req.period.endswith("|" + label) and v.action == "answer"


def test_an_all_time_trend_stops_at_the_as_of_date(demo_rt: Runtime) -> None:
    scope = get_persona("ceo").scope
    a = demo_rt.ask.ask("How many deals did we win each quarter?", scope, actor="ceo", persist=False)
    assert a.intent == "trend" and a.rows and str(a.rows[-1][0]) <= "2025-12-31"
    assert "(Q4 2025)" in a.answer


def test_compare_on_a_single_figure_is_clarified() -> None:
    _, v = verdict("Compare net fees")
    assert v.action == "clarify" and v.words == ["compare"]


def test_a_routed_answer_reads_as_the_services_figure(demo_rt: Runtime) -> None:
    scope = get_persona("ceo").scope
    a = demo_rt.ask.ask("What's the forecast for next quarter?", scope, actor="ceo", persist=False)
    assert a.interpretation["metric"]["value"] == "forecast: P50 (median)"
    assert a.reading.startswith("Read as: forecast: p50 (median)")


def test_two_breakdowns_are_clarified_not_answered_for_the_first() -> None:
    _, v = verdict("Show net fees by capability and region")
    assert v.action == "clarify" and v.options == ["Net fees by capability?", "Net fees by region?"]


@pytest.mark.parametrize(
    ("question", "reason"),
    [("Lost revenue in 2025", "no value of lost deals"), ("Revenue from new logos in 2025", "new customers")],
)
def test_lost_revenue_and_new_customers_abstain_with_the_true_reason(question: str, reason: str) -> None:
    _, v = verdict(question)
    assert v.action == "abstain" and reason in v.reason


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("What's the conversion rate from MQL to SQL by channel?", "mql_to_sql_rate"),
        ("What's our realisation rate in 2025?", "recoverability"),
    ],
)
def test_marketing_and_services_jargon(question: str, metric: str) -> None:
    req, v = verdict(question)
    assert req.metric == metric and v.action == "answer"


def test_campaigns_that_drove_the_most_leads_rank_leads_not_influenced_revenue() -> None:
    from revintel.ask import routes

    req = understand("Which campaigns drove the most leads in 2025?", CAT, VOCAB, AS_OF)
    assert routes.match(req) is None and (req.metric, req.dimension) == ("leads", "campaign")


def test_a_possessive_grouping_is_one_breakdown() -> None:
    req, v = verdict("Which manager's team had the highest win rate in 2025?")
    assert req.also_by == [] and v.action != "clarify"


def test_which_account_bought_the_most_is_won_revenue_by_account() -> None:
    req, _ = verdict("Which account bought the most?")
    assert (req.intent, req.metric, req.dimension) == ("ranking", "won_revenue", "account")


def test_a_period_after_deal_is_not_a_deal_name() -> None:
    req, _ = verdict("Largest deal in 2017")
    assert req.intent != "deal_lookup" and req.search is None


def test_how_much_the_top_n_generated_is_their_total(demo_rt: Runtime) -> None:
    scope = get_persona("ceo").scope
    a = demo_rt.ask.ask(
        "How much won revenue did the top 3 reps generate in 2025?", scope, actor="ceo", persist=False
    )
    demo_rt.close()
    top3 = _sql(
        demo_rt,
        "SELECT sum(v) FROM (SELECT sum(amount) v FROM opportunities WHERE status = 'won' "
        "AND year(close_date) = 2025 GROUP BY rep_id ORDER BY v DESC LIMIT 3)",
    )
    assert a.value == pytest.approx(top3) and a.answer.startswith("The top 3 reps together")


@pytest.mark.parametrize("question", ["Revenue by account size", "Win rate by account revenue tier"])
def test_account_size_bands_are_clarified_not_split_per_account(question: str) -> None:
    _, v = verdict(question)
    assert v.action == "clarify" and v.options and v.options[0].endswith("by tier?")


def test_deals_we_closed_asks_won_or_closed() -> None:
    _, v = verdict("How many deals did we close in 2025?")
    assert v.action == "clarify" and v.options == [
        "How many deals did we win in 2025?",
        "How many deals were won or lost in 2025?",
    ]


def test_the_best_month_ranks_months() -> None:
    req, _ = verdict("Best month for bookings in 2025")
    assert (req.intent, req.dimension) == ("ranking", "month")


@pytest.mark.parametrize(
    ("question", "metric", "filters"),
    [
        ("How many hours were billed in EMEA in H1 2025?", "chargeable_hours", {"region": ["EMEA"]}),
        ("What's the velocity of our pipeline?", "pipeline_velocity", {}),
    ],
)
def test_billed_hours_and_pipeline_velocity(question: str, metric: str, filters: dict) -> None:
    req, v = verdict(question)
    assert (req.metric, req.filters) == (metric, filters) and v.action == "answer"


def test_an_exact_value_wins_over_a_longer_fuzzy_one() -> None:
    vocab = Vocabulary({"tier": ["Enterprise"], "team": ["EMEA Enterprise"]})
    req = understand("How many enterprise deals did we win last year?", CAT, vocab, AS_OF)
    assert req.filters == {"tier": ["Enterprise"]}


@pytest.mark.parametrize(
    "question", ["What is the average revenue per won deal in 2025?", "Average value of a deal in Q3 2025"]
)
def test_the_average_revenue_per_deal_is_the_average_deal_size(question: str) -> None:
    req, v = verdict(question)
    assert req.metric == "avg_deal_size" and v.action == "answer"
