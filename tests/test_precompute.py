"""Heavy views computed once for every scope, each persona's view derived by the scope filter."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from revintel.deals import model as win_model
from revintel.deals.data import derived, load_frames
from revintel.deals.scoring import open_deals, won_between
from revintel.errors import Forbidden
from revintel.forecast.backtest import backtest, past_quarters
from revintel.precompute import STEPS, Precompute
from revintel.scope import Scope, get_persona


def _sql_scoped(rt, name: str, scope: Scope) -> pd.DataFrame:
    """The direct computation: rows read through the compiler's scoped SQL."""
    return rt.warehouse.execute(rt.semantic.scoped_table(name, scope))


def test_a_regional_lead_s_derived_deals_equal_the_directly_scoped_computation(deals_rt) -> None:
    emea = get_persona("emea_lead").scope
    as_of = deals_rt.as_of()
    model = win_model.ensure(deals_rt, as_of)
    derived_deals = open_deals(deals_rt, emea, as_of).sort_values("opportunity_id").reset_index(drop=True)
    # direct: score every deal (a deal has one win probability whoever looks), keep the SQL-scoped ids
    everyone = win_model.score(model, load_frames(deals_rt, Scope.everything()), as_of)
    direct = everyone[
        everyone["opportunity_id"].isin(set(_sql_scoped(deals_rt, "opportunities", emea)["opportunity_id"]))
    ]
    direct = direct.sort_values("opportunity_id").reset_index(drop=True)
    assert 0 < len(derived_deals) < len(everyone) and set(derived_deals["region"]) == {"EMEA"}
    assert list(derived_deals["opportunity_id"]) == list(direct["opportunity_id"])
    assert derived_deals["p_win"].to_numpy() == pytest.approx(direct["p_win"].to_numpy())
    # the won deals and quotas the forecast adds, derived vs read through scoped SQL
    q = past_quarters(as_of, 1)[0]
    ids = lambda f: sorted(f["opportunity_id"])  # noqa: E731
    assert ids(won_between(derived(deals_rt, "opportunities", emea), q.start, q.end)) == ids(
        won_between(load_frames(deals_rt, emea), q.start, q.end)
    )
    for name in ("quotas", "forecast_submissions"):
        a, b = derived(deals_rt, name, emea), _sql_scoped(deals_rt, name, emea)
        assert len(a) == len(b) and a[
            "amount" if name == "quotas" else "commit_amount"
        ].sum() == pytest.approx(b["amount" if name == "quotas" else "commit_amount"].sum())


@pytest.mark.slow
def test_a_regional_lead_s_backtest_is_the_shared_replay_filtered_to_the_region(deals_rt) -> None:
    emea = get_persona("emea_lead").scope
    as_of = deals_rt.as_of()
    out = backtest(deals_rt, emea, periods=1, use_cache=False)
    q = past_quarters(as_of, 1)[0]
    day_before = q.start - dt.timedelta(days=1)
    model = win_model.train(deals_rt, day_before, save=False)  # trained on every deal, as the replay is
    everyone = win_model.score(model, load_frames(deals_rt, Scope.everything()), day_before)
    visible = set(_sql_scoped(deals_rt, "opportunities", emea)["opportunity_id"])
    direct = everyone[everyone["opportunity_id"].isin(visible)]
    row = out["rows"][0]
    assert row["deals"] == len(direct) > 0
    assert row["expected_pipeline"] == pytest.approx(
        float(
            (
                direct["amount"].fillna(0)
                * direct["p_win"]
                * model.timing.prob_between(
                    direct, max((q.start - day_before).days, 1), (q.end - day_before).days
                )
            ).sum()
        )
    )


def test_a_scope_filter_on_a_dimension_the_table_lacks_is_refused_like_in_sql(deals_rt) -> None:
    rows = deals_rt.semantic.all_rows("quotas")
    consulting = get_persona("consulting_lead").scope
    with pytest.raises(Forbidden):
        deals_rt.semantic.scope_rows(rows, "quotas", consulting)
    with pytest.raises(Forbidden):
        deals_rt.warehouse.execute(deals_rt.semantic.scoped_table("quotas", consulting))


def test_derived_rows_never_include_nulls_or_other_values(deals_rt) -> None:
    frame = pd.DataFrame({"opportunity_id": ["a", "b", "c"], "region": ["EMEA", None, "APAC"]})
    out = deals_rt.semantic.scope_rows(
        frame, "opportunities", Scope.build("regional_lead", {"region": "EMEA"})
    )
    assert list(out["opportunity_id"]) == ["a"]


@pytest.mark.slow
def test_precompute_runs_every_step_once_per_data_version_and_reports_progress(deals_rt) -> None:
    pre = Precompute(deals_rt)
    assert pre.status()["state"] == "idle"
    assert pre.wait("forecast", timeout=0)  # nothing precomputing: pages compute on demand
    assert pre.start()
    assert not pre.start()  # already running for this version
    assert pre.wait("forecast", timeout=120)
    pre.join(120)
    status = pre.status()
    assert status["state"] == "ready" and status["done"] == status["total"] == len(STEPS)
    assert not pre.start()  # nothing new to compute until the data changes
