"""As-of features never use information from after the as-of date."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revintel.deals import synthetic
from revintel.deals.data import DealFrames
from revintel.deals.features import FEATURES, features_as_of, label_horizon, labelled_snapshots

AS_OF = pd.Timestamp("2025-06-30")


def _frames(seed: int = 3) -> DealFrames:
    t = synthetic.generate(n_deals=300, seed=seed)
    opps = t["opportunities"].copy()
    for c in ("created_date", "close_date"):
        opps[c] = pd.to_datetime(opps[c]).astype("datetime64[ns]")
    opps = opps.merge(t["reps"].rename(columns={"name": "rep"})[["rep_id", "rep", "region"]], on="rep_id")
    hist = t["opportunity_history"].copy()
    for c in ("snapshot_date", "close_date"):
        hist[c] = pd.to_datetime(hist[c]).astype("datetime64[ns]")
    conv = pd.DataFrame(
        {
            "opportunity_id": opps["opportunity_id"].iloc[::3],
            "occurred_at": opps["created_date"].iloc[::3] + pd.Timedelta(days=20),
        }
    )
    return DealFrames(opps, hist, conv, "synthetic", pd.Timestamp("2025-12-31"))


def _rewrite_the_future(frames: DealFrames) -> DealFrames:
    """Change everything dated after AS_OF: later snapshots, outcomes, conversations."""
    hist = frames.history.copy()
    later = hist["snapshot_date"] > AS_OF
    hist.loc[later, "amount"] *= 7
    hist.loc[later, "close_date"] += pd.Timedelta(days=200)
    hist.loc[later, "stage"] = "Negotiation"
    opps = frames.opps.copy()
    closed_later = opps["close_date"] > AS_OF
    opps.loc[closed_later, "status"] = np.where(opps.loc[closed_later, "status"] == "won", "lost", "won")
    opps.loc[closed_later, "amount"] = 1.0
    conv = pd.concat(
        [
            frames.conversations,
            pd.DataFrame(
                {"opportunity_id": opps["opportunity_id"], "occurred_at": AS_OF + pd.Timedelta(days=1)}
            ),
        ]
    )
    return DealFrames(opps, hist, conv, frames.dataset, frames.data_as_of)


def test_features_as_of_a_date_are_identical_whatever_happens_after_it() -> None:
    frames = _frames()
    before = features_as_of(frames, AS_OF)
    after = features_as_of(_rewrite_the_future(frames), AS_OF)
    assert len(before) > 20
    cols = list(FEATURES)
    pd.testing.assert_frame_equal(before[["opportunity_id", *cols]], after[["opportunity_id", *cols]])


def test_training_labels_only_use_outcomes_known_by_the_cutoff() -> None:
    frames = _frames()
    dates = [AS_OF - pd.Timedelta(days=d) for d in (180, 120, 60)]
    before = labelled_snapshots(frames, dates, AS_OF)
    after = labelled_snapshots(_rewrite_the_future(frames), dates, AS_OF)
    assert len(before) > 50 and before["won"].nunique() == 2
    won = before[before["won"] == 1]
    assert (won["final_close"] <= AS_OF).all()  # a win counts only if it happened by the cutoff
    pd.testing.assert_series_equal(before["won"], after["won"])
    pd.testing.assert_series_equal(before["opportunity_id"], after["opportunity_id"])


def _zombie(frames: DealFrames, created: pd.Timestamp) -> tuple[DealFrames, str]:
    """A deal with no history that is still open at the end of the data."""
    opps = frames.opps.copy()
    zombie = opps.index[0]
    opps.loc[zombie, ["status", "close_date", "created_date"]] = ["open", pd.NaT, created]
    oid = opps.loc[zombie, "opportunity_id"]
    hist = frames.history[frames.history["opportunity_id"] != oid]
    return DealFrames(opps, hist, frames.conversations, frames.dataset, frames.data_as_of), oid


def test_a_deal_not_won_within_the_horizon_is_labelled_not_won() -> None:
    frames = _frames()
    h = label_horizon(frames, AS_OF)
    zf, oid = _zombie(frames, AS_OF - pd.Timedelta(days=h + 60))
    rows = labelled_snapshots(zf, [AS_OF - pd.Timedelta(days=h + 10)], AS_OF, horizon=h)
    z = rows[rows["opportunity_id"] == oid]
    assert len(z) == 1 and z["won"].iat[0] == 0 and z["outcome"].iat[0] == "open"


def test_a_deal_still_open_at_the_cutoff_before_its_horizon_ends_is_censored_not_labelled_lost() -> None:
    frames = _frames()
    h = label_horizon(frames, AS_OF)
    zf, oid = _zombie(frames, AS_OF - pd.Timedelta(days=h + 60))
    rows = labelled_snapshots(zf, [AS_OF - pd.Timedelta(days=30)], AS_OF, horizon=h)
    assert oid not in set(rows["opportunity_id"])
    assert rows.attrs["n_censored"] >= 1
    assert rows["closed"].all()  # only deals whose outcome is known are kept


def test_deals_open_on_the_date_are_the_ones_created_before_and_not_yet_closed() -> None:
    frames = _frames()
    f = features_as_of(frames, AS_OF)
    assert (f["created"] <= AS_OF).all()
    ids = set(f["opportunity_id"])
    closed_before = frames.opps[(frames.opps["status"] != "open") & (frames.opps["close_date"] <= AS_OF)]
    assert not ids & set(closed_before["opportunity_id"])


def test_without_history_stage_amount_and_close_date_are_not_taken_from_the_outcome() -> None:
    frames = _frames()
    no_history = DealFrames(
        frames.opps.assign(list_price=1000.0),
        frames.history.iloc[0:0],
        frames.conversations,
        "maven",
        frames.data_as_of,
    )
    f = features_as_of(no_history, AS_OF)
    assert len(f) > 0
    assert f["stage_idx"].isna().all()
    assert f["days_to_close"].isna().all()
    assert (f["amount"] == 1000.0).all()  # the list price, not the (outcome-revealing) closed value


@pytest.mark.parametrize("col", ["n_pushes", "push_days", "days_in_stage", "rep_win_rate"])
def test_history_features_are_filled_for_deals_with_history(col: str) -> None:
    f = features_as_of(_frames(), AS_OF)
    assert f[col].notna().all()
