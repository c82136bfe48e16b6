"""The funnel on the demo: counts equal plain SQL, and the decomposition explains the planted drop."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from revintel.marketing import data, decompose, funnel
from revintel.scope import Scope, get_persona

Q4 = funnel.Window(pd.Timestamp("2025-10-01"), pd.Timestamp("2025-12-31"), "Q4 2025")
Q3 = funnel.Window(pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"), "Q3 2025")


@pytest.fixture(scope="module")
def frames(demo_runtime_shared):
    return data.load(demo_runtime_shared, Scope.everything())


@pytest.fixture(scope="module")
def events(frames):
    return funnel.stage_events(frames)


def test_funnel_counts_equal_plain_sql(events, demo_warehouse_file):
    rows = {r["group"]: r for r in funnel.funnel_table(events, Q4, "region")}
    con = duckdb.connect(str(demo_warehouse_file), read_only=True)
    try:
        sql = con.execute(
            "SELECT l.region, count(*) FILTER (WHERE l.created_date BETWEEN '2025-10-01' AND '2025-12-31'), "
            "count(*) FILTER (WHERE l.mql_date BETWEEN '2025-10-01' AND '2025-12-31'), "
            "count(*) FILTER (WHERE l.sql_date BETWEEN '2025-10-01' AND '2025-12-31'), "
            "count(*) FILTER (WHERE l.converted_date BETWEEN '2025-10-01' AND '2025-12-31'), "
            "count(*) FILTER (WHERE o.status = 'won' AND o.close_date BETWEEN '2025-10-01' AND '2025-12-31') "
            "FROM leads l LEFT JOIN opportunities o USING (opportunity_id) GROUP BY 1"
        ).fetchall()
    finally:
        con.close()
    assert len(sql) == 4
    for region, lead, mql, sql_n, opp, won in sql:
        r = rows[region]
        assert (r["lead"], r["mql"], r["sql"], r["opportunity"], r["won"]) == (lead, mql, sql_n, opp, won)
        assert r["lead_to_mql"] == pytest.approx(mql / lead)
        assert r["end_to_end"] == pytest.approx(won / lead)


def test_median_days_between_stages_are_positive_and_plausible(events):
    (row,) = funnel.funnel_table(events, Q4)
    assert 2 <= row["lead_to_mql_days"] <= 20 and 3 <= row["mql_to_sql_days"] <= 25
    assert row["opportunity_to_won_days"] > 0


def test_stage_contributions_add_up_to_the_change_in_end_to_end_conversion():
    base = pd.Series({"lead": 100, "mql": 50, "sql": 25, "opportunity": 20, "won": 5})
    cur = pd.Series({"lead": 200, "mql": 40, "sql": 30, "opportunity": 20, "won": 4})
    sc = decompose.stage_contributions(base, cur)
    assert sc["base"] == pytest.approx(0.05) and sc["current"] == pytest.approx(0.02)
    assert sum(s["contribution"] for s in sc["stages"]) == pytest.approx(sc["change"])
    # only lead->MQL got worse, so it carries more than the whole drop
    assert min(sc["stages"], key=lambda s: s["contribution"])["stage"] == "lead_to_mql"


def test_mix_and_rate_effects_add_up_to_the_stage_change(events):
    emea = events[events["region"] == "EMEA"]
    res = decompose.mix_rate(emea, Q3, Q4, "lead_to_mql", "channel")
    c3, c4 = funnel.counts(emea, Q3), funnel.counts(emea, Q4)
    change = c4["mql"].iloc[0] / c4["lead"].iloc[0] - c3["mql"].iloc[0] / c3["lead"].iloc[0]
    assert res["mix_effect"] + res["rate_effect"] == pytest.approx(change)
    assert np.isclose(sum(s["total_effect"] for s in res["segments"]), change)


def test_the_decomposition_explains_the_planted_emea_drop(events):
    res = decompose.dropping(events, Q4, Q3)
    assert res["groups"][0]["group"] == "EMEA" and res["dropping"]["group"] == "EMEA"
    assert res["groups"][0]["current_conversion"] < 0.5 * res["groups"][0]["base_conversion"]
    assert res["dropping"]["stage"] == "lead_to_mql"
    by_channel = next(m for m in res["dropping"]["mix_vs_rate"] if m["dimension"] == "channel")
    top = by_channel["segments"][0]
    assert top["segment"] == "Paid Search" and top["current_share"] > 0.5 > top["base_share"]
    assert by_channel["mix_effect"] < by_channel["rate_effect"] < 0.05  # the mix moved, mostly


def test_a_regional_lead_reads_only_their_regions_leads_and_deals(demo_runtime_shared):
    f = data.load(demo_runtime_shared, get_persona("emea_lead").scope)
    assert set(f.leads["region"]) == {"EMEA"} and set(f.opps["region"]) == {"EMEA"}
    assert "EMEA" in f.sql["leads"]
