"""Churn probability per customer for its next renewal: training, honest evaluation and scoring.

Protocol on dated data (the demo, a CRM): every past renewal is a labelled event (churned there or
not), read at cutoffs 30, 90 and 180 days before it. Events are split by renewal date into a training
window, a calibration window (the 12 months after it) and a later test window (the last 12 months
before the data's as-of date). The model is fitted on training, calibrated on calibration, and scored
once on test beside three baselines fitted the same way: the base rate, a usage-trend rule and a plain
logistic regression. On undated data (Telco) the evaluation is stratified 5-fold cross-validation with
the calibrator fitted on out-of-fold margins within each training fold.
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.customers import estimator as est_mod
from revintel.customers import leakage
from revintel.customers.data import CustomerFrames
from revintel.customers.features import DESCRIPTIONS, features, product_list, renewal_events
from revintel.customers.metrics import evaluate
from revintel.errors import InvalidRequest

if TYPE_CHECKING:
    from revintel.runtime import Runtime

log = logging.getLogger(__name__)

LEADS = (30, 90, 180)
TEST_DAYS, CAL_DAYS = 365, 365
#: Fewest churn events each window needs (training, calibration, test).
MIN_EVENTS = {"train": 10, "calibration": 3, "test": 5}
MIN_EVENTS_CV = 30
NUMERIC = [*DESCRIPTIONS, "days_to_renewal", "lifetime_arr"]
RULE_DROP = -0.30


@dataclass
class ChurnModel:
    """A trained churn model with its evaluation (the model card)."""

    estimator: est_mod.Estimator
    products: list[str]
    medians: dict[str, Any]
    card: dict[str, Any] = field(default_factory=dict)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return self.estimator.predict(frame)


def _frame(frames: CustomerFrames, rows: pd.DataFrame, products: list[str]) -> pd.DataFrame:
    f = features(frames, rows, products)
    if "renewal_date" in f:
        f["days_to_renewal"] = (f["renewal_date"] - f["cutoff"]).dt.days.astype(float)
    else:
        f["days_to_renewal"] = np.nan
    f["lifetime_arr"] = f["arr"] * f["tenure_months"] / 12
    return f


def _numeric(frame: pd.DataFrame, products: list[str]) -> list[str]:
    return [*NUMERIC, *[f"owns_{i}" for i in range(len(products))]]


def labelled(frames: CustomerFrames, products: list[str]) -> pd.DataFrame:
    """Labelled rows: past renewals at each lead time (dated data) or every customer (undated)."""
    if not frames.dated:
        s = frames.subs.groupby("account_id")["status"].agg(lambda v: int((v == "churned").any()))
        rows = pd.DataFrame({"account_id": s.index, "cutoff": frames.as_of, "churned": s.to_numpy()})
        return _frame(frames, rows, products)
    ev = renewal_events(frames)
    parts = [ev.assign(cutoff=ev["renewal_date"] - pd.Timedelta(days=d)) for d in LEADS]
    rows = pd.concat(parts, ignore_index=True)
    return _frame(frames, rows, products)


def _too_few(window: str, n: int, need: int) -> None:
    if n < need:
        raise InvalidRequest(
            f"too few churn events to train: the {window} window has {n}, it needs at least {need}",
            hint="load more history (subscriptions with churned lines) or use a longer window",
            details={"window": window, "churn_events": n, "needed": need},
        )


def _baselines(train: pd.DataFrame, cal: pd.DataFrame, test: pd.DataFrame, design: est_mod.Design) -> dict:
    """Base rate, the usage-trend rule and a plain logistic regression, each scored on ``test``."""
    yt, yc, ye = (f["churned"].to_numpy() for f in (train, cal, test))
    out: dict[str, Any] = {"base_rate": evaluate(np.full(len(ye), yt.mean()), ye)}
    fired = lambda f: (f["users_trend_6m"].fillna(0) <= RULE_DROP).to_numpy()  # noqa: E731
    both = pd.concat([train, cal])
    hit = fired(both)
    yb = both["churned"].to_numpy()
    rate_hit = (yb[hit].sum() + 1) / (hit.sum() + 2)
    rate_miss = (yb[~hit].sum() + 1) / ((~hit).sum() + 2)
    out["usage_rule"] = evaluate(np.where(fired(test), rate_hit, rate_miss), ye)
    lr = est_mod.calibrate(est_mod.fit(design, train, yt, parts=("logistic",)), cal, yc)
    out["logistic"] = evaluate(lr.predict(test), ye)
    return out


def _strip(m: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in m.items() if k != "reliability"}


def train_dated(frames: CustomerFrames) -> ChurnModel:
    """Time-ordered train / calibration / test; the served model is refitted on train + test windows."""
    products = product_list(frames)
    rows = labelled(frames, products)
    test_from = frames.as_of - pd.Timedelta(days=TEST_DAYS)
    cal_from = test_from - pd.Timedelta(days=CAL_DAYS)
    when = rows["renewal_date"]
    train, cal, test = (
        rows[when < cal_from],
        rows[(when >= cal_from) & (when < test_from)],
        rows[when >= test_from],
    )
    for name, part in (("train", train), ("calibration", cal), ("test", test)):
        _too_few(
            name, int(part.drop_duplicates(["account_id", "renewal_date"])["churned"].sum()), MIN_EVENTS[name]
        )
    design = est_mod.Design.of(rows, _numeric(rows, products))
    audit = leakage.audit(frames, train, design.numeric)
    dropped = [f["feature"] for f in audit if f["action"] == "dropped"]
    design.numeric = [c for c in design.numeric if c not in dropped]
    fitted = est_mod.calibrate(
        est_mod.fit(design, train, train["churned"].to_numpy()), cal, cal["churned"].to_numpy()
    )
    p_test = fitted.predict(test)
    card = {
        "protocol": "time-ordered",
        "windows": {
            "train": _window(train),
            "calibration": _window(cal),
            "test": _window(test),
            "lead_days": list(LEADS),
        },
        "test": evaluate(p_test, test["churned"].to_numpy()),
        "test_at_90_days": _strip(
            evaluate(
                p_test[test["days_to_renewal"].to_numpy() == 90],
                test.loc[test["days_to_renewal"] == 90, "churned"].to_numpy(),
            )
        ),
        "baselines": {k: _strip(v) for k, v in _baselines(train, cal, test, design).items()},
        "leakage": audit,
        "features": design.numeric + list(design.categories),
    }
    # serve a model that has seen the latest behaviour: refit on everything before the test window
    # plus the test window, calibrated on the calibration window's held-out scores (logged on the card)
    served = est_mod.fit(design, pd.concat([train, test]), pd.concat([train, test])["churned"].to_numpy())
    served.platt = fitted.platt
    card["served"] = "refitted on training and test windows; calibrator from the calibration window"
    return ChurnModel(served, products, _medians(rows, design), card)


def _window(part: pd.DataFrame) -> dict[str, Any]:
    ev = part.drop_duplicates(["account_id", "renewal_date"])
    return {
        "from": part["renewal_date"].min().date().isoformat() if len(part) else None,
        "to": part["renewal_date"].max().date().isoformat() if len(part) else None,
        "renewals": len(ev),
        "churn_events": int(ev["churned"].sum()),
    }


def train_cv(frames: CustomerFrames, folds: int = 5, seed: int = 0) -> ChurnModel:
    """Stratified k-fold cross-validation (undated data); the served model is fitted on every row."""
    from sklearn.model_selection import StratifiedKFold

    products = product_list(frames)
    rows = labelled(frames, products)
    y = rows["churned"].to_numpy()
    _too_few("whole", int(y.sum()), MIN_EVENTS_CV)
    design = est_mod.Design.of(rows, _numeric(rows, products))
    audit = leakage.audit(frames, rows, design.numeric)
    design.numeric = [
        c for c in design.numeric if c not in {f["feature"] for f in audit if f["action"] == "dropped"}
    ]
    oof = {k: np.zeros(len(y)) for k in ("model", "logistic", "base_rate", "usage_rule")}
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(rows, y):
        f_tr, f_te = rows.iloc[tr], rows.iloc[te]
        oof["model"][te] = est_mod.fit_cross_calibrated(design, f_tr, y[tr]).predict(f_te)
        oof["logistic"][te] = est_mod.fit_cross_calibrated(design, f_tr, y[tr], ("logistic",)).predict(f_te)
        oof["base_rate"][te] = y[tr].mean()
        hit = (rows["users_trend_6m"].fillna(0) <= RULE_DROP).to_numpy()
        r_hit = (y[tr][hit[tr]].sum() + 1) / (hit[tr].sum() + 2)
        r_miss = (y[tr][~hit[tr]].sum() + 1) / ((~hit[tr]).sum() + 2)
        oof["usage_rule"][te] = np.where(hit[te], r_hit, r_miss)
    card = {
        "protocol": f"stratified {folds}-fold cross-validation (the data has no dates)",
        "windows": {"rows": len(y), "churn_events": int(y.sum())},
        "test": evaluate(oof["model"], y),
        "baselines": {k: _strip(evaluate(oof[k], y)) for k in ("base_rate", "usage_rule", "logistic")},
        "leakage": audit,
        "features": design.numeric + list(design.categories),
    }
    served = est_mod.fit_cross_calibrated(design, rows, y)
    return ChurnModel(served, products, _medians(rows, design), card)


def _medians(rows: pd.DataFrame, design: est_mod.Design) -> dict[str, Any]:
    out: dict[str, Any] = {
        c: float(rows[c].median()) if rows[c].notna().any() else np.nan for c in design.numeric
    }
    for c in design.categories:
        out[c] = str(rows[c].mode().iloc[0]) if len(rows) else ""
    return out


def train(frames: CustomerFrames) -> ChurnModel:
    """Train and evaluate on ``frames`` (time-ordered when dated, cross-validated when not)."""
    if frames.subs.empty:
        _too_few("whole", 0, MIN_EVENTS["train"])
    model = train_dated(frames) if frames.dated else train_cv(frames)
    model.card.update({"dataset": frames.dataset, "as_of": frames.as_of.date().isoformat()})
    return model


# --- persistence: one model per data version under <home>/models/customers ----------------------------
def _path(rt: Runtime) -> Path:
    return rt.settings.home / "models" / "customers" / f"churn-{rt.semantic.data_version()}.pkl"


#: Compile the trees of a model trained on at least this many renewals (a book whose bulk scoring
#: pays for the second or so compiling takes).
COMPILE_RENEWALS = 20_000


def save(rt: Runtime, model: ChurnModel) -> Path:
    path = _path(rt)
    path.parent.mkdir(parents=True, exist_ok=True)
    renewals = sum(
        w.get("renewals", 0) for w in model.card.get("windows", {}).values() if isinstance(w, dict)
    )
    if renewals >= COMPILE_RENEWALS:
        est_mod.compile_trees(model.estimator, path.parent)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(model))
    tmp.replace(path)
    return path


def ensure(rt: Runtime, frames_all: CustomerFrames) -> ChurnModel:
    """The model for the current data version (trained on every customer, loaded when saved)."""
    path = _path(rt)
    if path.exists():
        try:
            return pickle.loads(path.read_bytes())  # noqa: S301 - our own file under the home
        except Exception:  # a stale or partial file: retrain
            log.warning("could not read %s; retraining", path, exc_info=True)
    model = train(frames_all)
    save(rt, model)
    return model
