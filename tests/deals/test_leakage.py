"""The leakage audit: features whose value or missingness gives the outcome away are dropped."""

from __future__ import annotations

import numpy as np
import pandas as pd

from revintel.deals import leakage
from revintel.deals.features import FEATURES


def _rows(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    outcome = rng.choice(["won", "lost", "open"], n, p=[0.35, 0.35, 0.3])
    rows = pd.DataFrame({f: rng.normal(size=n) for f in FEATURES})
    for c in ("product", "tier", "sector", "region", "deal_type", "lead_source"):
        rows[c] = pd.Series(rng.choice(["a", "b", "c"], n)).astype("string")
    rows["account_id"] = [f"A{i % 97}" for i in range(n)]
    rows["rep_id"] = [f"R{i % 13}" for i in range(n)]
    rows["product_id"] = "P1"
    rows["competitor"] = "X"
    rows["outcome"] = outcome
    rows["won"] = (outcome == "won").astype(int)
    return rows


def test_an_account_blank_only_for_deals_that_never_closed_is_found_and_its_family_dropped() -> None:
    rows = _rows()
    never_closed = rows["outcome"] == "open"
    blank = never_closed & (np.random.default_rng(1).random(len(rows)) < 0.7)
    rows.loc[blank, "account_id"] = None
    rows.loc[blank, "sector"] = pd.NA
    keep, findings = leakage.audit(rows)
    assert findings and findings[0].column == "account_id" and findings[0].check == "missingness"
    dropped = {d for f in findings for d in f.dropped}
    assert {"sector", "tier", "account_win_rate", "account_won_before"} <= dropped
    assert not dropped & {"age_days", "rep_win_rate", "stage_idx"}
    assert "sector" not in keep and "age_days" in keep


def test_an_account_blank_for_every_deal_is_not_a_leak() -> None:
    rows = _rows()
    rows["account_id"] = None
    rows["sector"] = pd.NA
    keep, findings = leakage.audit(rows)
    assert findings == [] and list(keep) == list(FEATURES)


def test_a_value_only_lost_deals_carry_is_found() -> None:
    rows = _rows()
    lost = rows.index[rows["outcome"] == "lost"]
    rows.loc[lost[: len(lost) // 2], "amount_log"] = 0.0  # e.g. a closed-lost amount zeroed by the CRM
    _, findings = leakage.audit(rows)
    assert [(f.column, f.check) for f in findings] == [("amount_log", "value")]


def test_features_that_change_when_the_future_is_hidden_are_flagged() -> None:
    from tests.deals.test_features import AS_OF, _frames

    from revintel.deals.features import features_as_of

    frames = _frames()
    assert leakage.after_as_of(frames, AS_OF, list(FEATURES)) == []  # the real features are as-of

    def peeking(fr, when, prepared=None):  # days to the *final* close: only known afterwards
        f = features_as_of(fr, when, prepared)
        final = pd.to_datetime(fr.opps.set_index("opportunity_id")["close_date"].reindex(f["opportunity_id"]))
        return f.assign(days_to_close=(final - when).dt.days.to_numpy(float))

    found = leakage.after_as_of(frames, AS_OF, list(FEATURES), build=peeking)
    assert [(f.column, f.check) for f in found] == [("days_to_close", "after_as_of")]
