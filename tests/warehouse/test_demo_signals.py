"""The planted demo signals, each recomputed independently with plain SQL over the generated tables.

Each test is the question a demo user asks (docs/demo-data.md lists them) and asserts the answer
the demo is built to give.
"""

from __future__ import annotations

import duckdb
import pytest

from revintel.warehouse.backends import connect
from revintel.warehouse.demo import seed_demo


@pytest.fixture(scope="module", params=[42, 7], ids=["seed42", "seed7"])
def con(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> duckdb.DuckDBPyConnection:
    """The default demo (shared session file), and a second seed: the signals do not depend on luck."""
    if request.param == 42:
        path = request.getfixturevalue("demo_warehouse_file")
    else:
        folder = tmp_path_factory.mktemp(f"demo-seed-{request.param}")
        path = folder / "warehouse.duckdb"
        wh = connect(f"duckdb:///{path}", folder)
        try:
            seed_demo(wh, seed=request.param)
        finally:
            wh.close()
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    return con.execute(sql).fetchone()


def hours(con: duckdb.DuckDBPyConnection, month: str, where: str = "TRUE") -> float:
    return one(
        con, f"SELECT sum(chargeable_hours) FROM services_monthly WHERE month = DATE '{month}' AND {where}"
    )[0]


# 1. "Why did chargeable hours drop in December?" ------------------------------------------------
@pytest.mark.parametrize("year", [2023, 2024])
def test_every_december_dips_to_about_088_of_the_trend(con, year: int) -> None:
    trend = (hours(con, f"{year}-11-01") + hours(con, f"{year + 1}-01-01")) / 2
    assert 0.84 <= hours(con, f"{year}-12-01") / trend <= 0.92


def test_december_2025_is_below_budget_and_november_but_flat_on_last_december(con) -> None:
    dec, nov, dec_ly = hours(con, "2025-12-01"), hours(con, "2025-11-01"), hours(con, "2024-12-01")
    budget = one(
        con, "SELECT sum(value) FROM budgets WHERE metric = 'chargeable_hours' AND month = DATE '2025-12-01'"
    )[0]
    assert dec < 0.95 * budget
    assert 0.85 <= dec / nov <= 0.91
    assert 0.97 <= dec / dec_ly <= 1.10


@pytest.mark.parametrize("dim", ["region", "capability"])
def test_the_december_dip_is_broad_across_regions_and_capabilities(con, dim: str) -> None:
    rows = con.execute(
        f"SELECT {dim}, sum(chargeable_hours) FILTER (WHERE month = DATE '2025-12-01') "
        f"/ sum(chargeable_hours) FILTER (WHERE month = DATE '2025-11-01') FROM services_monthly GROUP BY 1"
    ).fetchall()
    assert len(rows) >= 4
    assert all(0.8 <= ratio <= 0.95 for _, ratio in rows), rows


# 2. "Is APAC growing through volume or price?" --------------------------------------------------
def _rate_and_volume(con) -> dict[str, tuple[float, float]]:
    rows = con.execute(
        "SELECT region, sum(fees) FILTER (WHERE year(month) = 2025) / sum(chargeable_hours) FILTER "
        "(WHERE year(month) = 2025) / (sum(fees) FILTER (WHERE year(month) = 2024) / sum(chargeable_hours) "
        "FILTER (WHERE year(month) = 2024)) - 1, sum(chargeable_hours) FILTER (WHERE year(month) = 2025) / "
        "sum(chargeable_hours) FILTER (WHERE year(month) = 2024) - 1 FROM services_monthly GROUP BY 1"
    ).fetchall()
    return {r: (rate, vol) for r, rate, vol in rows}


def test_apac_rate_per_hour_falls_while_its_hours_rise(con) -> None:
    rate, volume = _rate_and_volume(con)["APAC"]
    assert -0.11 <= rate <= -0.05
    assert 0.08 <= volume <= 0.16


def test_other_regions_rates_rise_modestly(con) -> None:
    others = {r: v for r, v in _rate_and_volume(con).items() if r != "APAC"}
    assert len(others) == 3
    assert all(0.0 < rate <= 0.06 for rate, _ in others.values()), others


# 3. "What is driving the gap to budget this year?" ----------------------------------------------
@pytest.mark.parametrize("metric", ["fees", "chargeable_hours"])
def test_technology_is_the_biggest_contributor_to_the_2025_budget_gap(con, metric: str) -> None:
    rows = con.execute(
        f"WITH a AS (SELECT capability, sum({metric}) v FROM services_monthly WHERE year(month) = 2025 "
        f"GROUP BY 1), b AS (SELECT capability, sum(value) v FROM budgets WHERE metric = '{metric}' "
        f"AND year(month) = 2025 AND capability <> '' GROUP BY 1) "
        f"SELECT capability, a.v - b.v AS gap FROM a JOIN b USING (capability) ORDER BY gap"
    ).fetchall()
    assert len(rows) == 8
    assert rows[0][0] == "Technology"
    assert rows[0][1] < 2 * rows[1][1] < 0  # Technology's shortfall is more than twice the next one
    assert sum(gap for _, gap in rows) < 0  # the total is below budget


# 4. "Which enterprise deals keep slipping?" -------------------------------------------------------
def test_a_cluster_of_open_enterprise_deals_had_their_close_date_pushed_three_times(con) -> None:
    rows = con.execute(
        "WITH h AS (SELECT opportunity_id, close_date, lag(close_date) OVER (PARTITION BY opportunity_id "
        "ORDER BY snapshot_date) AS prev FROM opportunity_history), "
        "p AS (SELECT opportunity_id, count(*) FILTER (WHERE close_date > prev) AS pushes FROM h GROUP BY 1) "
        "SELECT a.tier, count(*) FROM opportunities o JOIN accounts a USING (account_id) "
        "JOIN p USING (opportunity_id) WHERE o.status = 'open' AND p.pushes >= 3 GROUP BY 1"
    ).fetchall()
    by_tier = dict(rows)
    cluster = by_tier.get("Enterprise", 0) + by_tier.get("Strategic", 0)
    assert 15 <= cluster <= 30
    assert sum(by_tier.values()) == cluster  # nothing else open slips that often


# 5. "Which competitor is coming up more?" ---------------------------------------------------------
def test_quantive_mentions_in_emea_surge_in_q4_2025(con) -> None:
    rows = dict(
        con.execute(
            "SELECT year(occurred_at) * 10 + quarter(occurred_at), count(*) FILTER (WHERE transcript LIKE "
            "'%Quantive%') FROM conversations c JOIN accounts a USING (account_id) WHERE a.region = 'EMEA' "
            "AND occurred_at < TIMESTAMP '2026-01-01' GROUP BY 1"
        ).fetchall()
    )
    quarters = [y * 10 + q for y in (2023, 2024, 2025) for q in (1, 2, 3, 4)]
    average = sum(rows.get(q, 0) for q in quarters) / len(quarters)
    assert rows[20254] >= 3 * average
    assert rows[20254] >= 10


def test_transcripts_read_like_sales_conversations(con) -> None:
    n, with_next_step, with_objection = one(
        con,
        "SELECT count(*), count(*) FILTER (WHERE transcript ILIKE '%next step%' OR transcript ILIKE "
        "'%reconvene%' OR transcript ILIKE '%close plan%'), count(*) FILTER (WHERE transcript ILIKE "
        "'%pricing%' OR transcript ILIKE '%budget%' OR transcript ILIKE '%security%' OR transcript ILIKE "
        "'%integration%' OR transcript ILIKE '%timing%') FROM conversations",
    )
    assert with_next_step == n and with_objection == n
    competitors = {
        r[0]
        for r in con.execute(
            "SELECT c FROM (SELECT unnest(['Quantive', 'Northwind Analytics', 'Corvex', 'Altura']) AS c) "
            "WHERE EXISTS (SELECT 1 FROM conversations WHERE transcript LIKE '%' || c || '%')"
        ).fetchall()
    }
    assert competitors == {"Quantive", "Northwind Analytics", "Corvex", "Altura"}


# 6. "Which campaign influenced the most pipeline?" ------------------------------------------------
def test_cfo_summit_2025_touches_at_least_twice_the_pipeline_of_any_other_campaign(con) -> None:
    rows = con.execute(
        "WITH t AS (SELECT DISTINCT campaign_id, opportunity_id FROM touchpoints "
        "WHERE opportunity_id IS NOT NULL) SELECT c.name, sum(o.amount) AS pipeline FROM t "
        "JOIN opportunities o ON o.opportunity_id = t.opportunity_id "
        "JOIN campaigns c ON c.campaign_id = t.campaign_id GROUP BY 1 ORDER BY pipeline DESC LIMIT 2"
    ).fetchall()
    assert rows[0][0] == "CFO Summit 2025"
    assert rows[0][1] >= 2 * rows[1][1]


# 7. "Which accounts showed warning signs before they churned?" -----------------------------------
def _churned_2025(con) -> list[tuple]:
    return con.execute(
        "WITH ch AS (SELECT account_id, max(end_date) AS churn FROM subscriptions WHERE status = 'churned' "
        "AND year(end_date) = 2025 GROUP BY 1) "
        "SELECT ch.account_id, "
        "max(u.active_users) FILTER (WHERE u.month = ch.churn - INTERVAL 6 MONTH), "
        "max(u.active_users) FILTER (WHERE u.month = ch.churn - INTERVAL 1 MONTH) "
        "FROM ch JOIN usage_monthly u USING (account_id) GROUP BY 1"
    ).fetchall()


def test_accounts_that_churned_in_2025_lost_30_percent_of_active_users_first(con) -> None:
    rows = _churned_2025(con)
    assert len(rows) >= 10
    assert all(before and last <= 0.7 * before for _, before, last in rows), rows


def test_ticket_sentiment_turns_negative_before_churn(con) -> None:
    before, earlier = one(
        con,
        "WITH ch AS (SELECT account_id, max(end_date) AS churn FROM subscriptions WHERE status = 'churned' "
        "AND year(end_date) = 2025 GROUP BY 1) "
        "SELECT avg(sentiment) FILTER (WHERE t.created_date >= ch.churn - INTERVAL 90 DAY), "
        "avg(sentiment) FILTER (WHERE t.created_date < ch.churn - INTERVAL 180 DAY) "
        "FROM tickets t JOIN ch USING (account_id)",
    )
    assert before < -0.2 < 0.1 < earlier


def test_most_live_accounts_show_no_such_usage_drop(con) -> None:
    share = one(
        con,
        "WITH live AS (SELECT DISTINCT account_id FROM subscriptions WHERE status = 'active'), "
        "u AS (SELECT account_id, max(active_users) FILTER (WHERE month = DATE '2025-06-01') AS jun, "
        "max(active_users) FILTER (WHERE month = DATE '2025-12-01') AS dec FROM usage_monthly GROUP BY 1) "
        "SELECT avg(CASE WHEN dec <= 0.7 * jun THEN 1 ELSE 0 END) FROM u JOIN live USING (account_id) "
        "WHERE jun IS NOT NULL",
    )[0]
    assert share < 0.1


def test_won_deals_sound_like_buying_and_lost_deals_sound_like_risk(con) -> None:
    buying = "regexp_matches(c.transcript, 'is approved|legal has started|agree the start date')"
    risk = "regexp_matches(c.transcript, 'priority list|pushed to next quarter|sponsor is leaving')"
    rows = {
        status: (buy, warn)
        for status, buy, warn in con.execute(
            f"SELECT o.status, avg(CASE WHEN {buying} THEN 1 ELSE 0 END), "
            f"avg(CASE WHEN {risk} THEN 1 ELSE 0 END) FROM conversations c "
            "JOIN opportunities o USING (opportunity_id) WHERE o.status <> 'open' GROUP BY 1"
        ).fetchall()
    }
    assert rows["won"][0] > 1.5 * rows["lost"][0]
    assert rows["lost"][1] > 3 * rows["won"][1]


# 8. "Which region is dropping in the funnel?" ------------------------------------------------------
def test_emea_lead_to_mql_conversion_halves_from_13_october_2025(con) -> None:
    def rate(region: str, lo: str, hi: str) -> float:
        return one(
            con,
            "SELECT avg(CASE WHEN mql_date IS NOT NULL AND mql_date - created_date <= 21 THEN 1 ELSE 0 END) "
            f"FROM leads WHERE region = '{region}' AND created_date BETWEEN DATE '{lo}' AND DATE '{hi}'",
        )[0]

    before, after = rate("EMEA", "2025-07-15", "2025-10-12"), rate("EMEA", "2025-10-13", "2025-12-10")
    assert after < 0.55 * before
    for region in ("Americas", "APAC", "UK"):
        assert rate(region, "2025-10-13", "2025-12-10") > 0.65 * rate(region, "2025-07-15", "2025-10-12")
    first_paid = one(
        con,
        "SELECT min(created_date) FROM leads l JOIN campaigns c USING (campaign_id) "
        "WHERE l.region = 'EMEA' AND c.name = 'Cloud Migration Search 2025' AND l.created_date > c.end_date",
    )[0]
    assert str(first_paid) == "2025-10-13"


# 9. "Is the CRM's close date a forecast, or the answer?" ------------------------------------------
def test_expected_close_dates_are_estimates_not_the_actual_close(con) -> None:
    exact, off = con.execute(
        "WITH last AS (SELECT opportunity_id, close_date AS est FROM opportunity_history "
        "WHERE status = 'open' "
        "QUALIFY row_number() OVER (PARTITION BY opportunity_id ORDER BY snapshot_date DESC) = 1) "
        "SELECT avg((est = o.close_date)::int), median(abs(date_diff('day', est, o.close_date))) "
        "FROM opportunities o JOIN last USING (opportunity_id) WHERE o.status <> 'open'"
    ).fetchone()
    assert exact < 0.1 and off >= 5  # the last estimate before closing is rarely the real date


# --- 9. people on deals ----------------------------------------------------------------------------
_WIN_RATE_WITH = """
SELECT count(DISTINCT o.opportunity_id) FILTER (WHERE o.status = 'won')
       / count(DISTINCT o.opportunity_id) FILTER (WHERE o.status IN ('won', 'lost'))
FROM deal_contacts d JOIN opportunities o USING (opportunity_id) WHERE {where}
"""
_WIN_RATE_WITHOUT = """
SELECT count(*) FILTER (WHERE status = 'won') / count(*) FILTER (WHERE status IN ('won', 'lost'))
FROM opportunities o
WHERE NOT EXISTS (SELECT 1 FROM deal_contacts d WHERE d.opportunity_id = o.opportunity_id AND {where})
"""


@pytest.mark.parametrize(
    "where", ["d.buying_role = 'Economic Buyer'", "d.seniority IN ('C-level', 'VP')"], ids=["eb", "executive"]
)
def test_deals_with_an_economic_buyer_or_an_executive_win_at_least_twice_as_often(con, where) -> None:
    with_ = one(con, _WIN_RATE_WITH.format(where=where))[0]
    without = one(con, _WIN_RATE_WITHOUT.format(where=where))[0]
    assert with_ > 2 * without, (with_, without)


def test_technical_evaluators_are_on_won_and_lost_deals_alike_and_titles_match_contacts(con) -> None:
    won, lost = one(
        con,
        """SELECT count(DISTINCT d.opportunity_id) FILTER (WHERE o.status = 'won')
                  / count(DISTINCT o.opportunity_id) FILTER (WHERE o.status = 'won'),
                  count(DISTINCT d.opportunity_id) FILTER (WHERE o.status = 'lost')
                  / count(DISTINCT o.opportunity_id) FILTER (WHERE o.status = 'lost')
           FROM opportunities o LEFT JOIN deal_contacts d
             ON d.opportunity_id = o.opportunity_id AND d.buying_role = 'Technical Evaluator'""",
    )
    assert abs(won - lost) < 0.08, (won, lost)
    assert one(con, "SELECT count(*) FROM deal_contacts d JOIN contacts c USING (contact_id) "
                    "WHERE d.title IS DISTINCT FROM c.title OR c.account_id <> (SELECT account_id "
                    "FROM opportunities o WHERE o.opportunity_id = d.opportunity_id)")[0] == 0  # fmt: skip
