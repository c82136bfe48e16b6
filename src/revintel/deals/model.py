"""The win-probability model: training as of a date, versioned artefacts and a model card.

Training is leak-free and validated in time. With ``D`` the as-of date and ``S`` a split date
before it:

* training rows are deals open on snapshot dates up to ``S``, with features as of each snapshot
  and labels only for outcomes known by ``S``;
* held-out rows are deals open on dates from ``S`` on, labelled with outcomes known by ``D``.

LightGBM learns from the training rows; isotonic and Platt calibration are compared on the
held-out rows by cross-fitted Brier score, and the better one is kept. Reported metrics are the
held-out, out-of-fold ones. Artefacts live in ``<home>/models/win/<version>/``: ``model.txt``
(LightGBM), ``calibrator.json`` and ``card.json`` (data window, features, metrics, trained_at).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.deals import calibration, metrics
from revintel.deals.data import DealFrames, load_frames
from revintel.deals.features import CATEGORICAL, FEATURES, features_as_of, labelled_snapshots, prepare_history
from revintel.deals.timing import CloseTiming
from revintel.errors import InvalidRequest
from revintel.scope import Scope

if TYPE_CHECKING:
    import lightgbm as lgb

    from revintel.runtime import Runtime

os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # spinning OpenMP threads are 15x slower here

PARAMS = {
    "objective": "binary",
    "learning_rate": 0.03,
    "num_leaves": 7,
    "min_data_in_leaf": 80,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.9,
    "bagging_freq": 1,
    "lambda_l2": 10.0,
    "cat_smooth": 50,
    "min_data_per_group": 100,
    "max_cat_to_onehot": 8,
    "num_threads": 2,
    "verbose": -1,
    "seed": 7,
    "deterministic": True,
}
ROUNDS = 150


@dataclass
class ModelCard:
    """What a trained model is, what it saw and how well it did on held-out deals."""

    version: str
    as_of: str
    trained_at: str
    dataset: str
    fingerprint: str
    data_window: dict[str, str]
    features: list[str]
    categories: dict[str, list[str]]
    calibration: str
    calibration_brier: dict[str, float]
    metrics: dict[str, Any]
    n_train: int
    n_test: int
    stage_days: dict[str, float] = field(default_factory=dict)
    median_won_amount: float = 0.0
    history: bool = True
    period_shock_sd: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class WinModel:
    """A trained booster, its calibrator and its card."""

    def __init__(
        self,
        booster: lgb.Booster,
        calibrator: calibration.Calibrator,
        card: ModelCard,
        timing: CloseTiming | None = None,
    ):
        self.booster, self.calibrator, self.card = booster, calibrator, card
        self.timing = timing or CloseTiming()

    def matrix(self, f: pd.DataFrame) -> np.ndarray:
        """The feature matrix (categoricals as the codes of the training vocabulary)."""
        cols = []
        for name in self.card.features:
            if name in CATEGORICAL:
                vocab = {v: i for i, v in enumerate(self.card.categories.get(name, []))}
                cols.append(
                    f[name].map(vocab).astype(float).to_numpy() if name in f else np.full(len(f), np.nan)
                )
            else:
                cols.append(f[name].astype(float).to_numpy() if name in f else np.full(len(f), np.nan))
        return np.column_stack(cols) if cols else np.empty((len(f), 0))

    def margin(self, f: pd.DataFrame) -> np.ndarray:
        """Raw log-odds of winning, before calibration."""
        if len(f) == 0:
            return np.empty(0)
        return np.asarray(
            self.booster.predict(self.matrix(f), raw_score=True, num_threads=PARAMS["num_threads"])
        )

    def predict(self, f: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of winning for each row of ``f``."""
        return np.clip(self.calibrator(self.margin(f)), 0.0, 1.0)

    def contributions(self, f: pd.DataFrame) -> np.ndarray:
        """TreeSHAP contributions to the raw log-odds (n x features, plus the bias as the last column)."""
        if len(f) == 0:
            return np.empty((0, len(self.card.features) + 1))
        return np.asarray(
            self.booster.predict(self.matrix(f), pred_contrib=True, num_threads=PARAMS["num_threads"])
        )

    def save(self, root: Path) -> Path:
        folder = root / self.card.version
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / "model.txt"))
        (folder / "calibrator.json").write_text(json.dumps(self.calibrator.to_dict()))
        (folder / "timing.json").write_text(json.dumps(self.timing.to_dict()))
        (folder / "card.json").write_text(json.dumps(self.card.to_dict(), indent=2, default=str))
        return folder

    @classmethod
    def load(cls, folder: Path) -> WinModel:
        import lightgbm as lgb

        card = ModelCard(**json.loads((folder / "card.json").read_text()))
        cal = calibration.Calibrator.from_dict(json.loads((folder / "calibrator.json").read_text()))
        timing = CloseTiming.from_dict(json.loads((folder / "timing.json").read_text()))
        return cls(lgb.Booster(model_file=str(folder / "model.txt")), cal, card, timing)


def models_root(rt: Runtime) -> Path:
    return rt.settings.home / "models" / "win"


def fingerprint(rt: Runtime) -> str:
    """Identity of the loaded data: the semantic layer's data version, which every load changes."""
    return rt.semantic.data_version()


def settle_days(frames: DealFrames, as_of: pd.Timestamp) -> int:
    """Days most deals need to resolve: the 75th percentile cycle time of deals closed by ``as_of``."""
    o = frames.opps
    closed = o[o["status"].isin(["won", "lost"]) & (o["close_date"] <= as_of)]
    created = closed["created_date"].fillna(closed.get("engage_date"))
    cycle = (closed["close_date"] - created).dt.days.dropna()
    return int(np.clip(cycle.quantile(0.75), 30, 150)) if len(cycle) else 60


def split_dates(
    frames: DealFrames, as_of: pd.Timestamp
) -> tuple[list[pd.Timestamp], list[pd.Timestamp], pd.Timestamp]:
    """Training snapshot dates, held-out snapshot dates and the split date between them."""
    created = frames.opps["created_date"].fillna(frames.opps.get("engage_date"))
    start = created.min()
    if pd.isna(start) or (as_of - start).days < 120:
        raise InvalidRequest(
            f"not enough deal history before {as_of.date()} to train a win model",
            hint="train with a later --as-of date, or load more opportunities",
        )
    span = (as_of - start).days
    horizon = int(min(180, max(45, span // 3)))
    split = as_of - pd.Timedelta(days=horizon)
    step = max(7, (split - start).days // 16)
    train = list(
        pd.date_range(start + pd.Timedelta(days=step), split - pd.Timedelta(days=14), freq=f"{step}D")
    )
    settle = min(settle_days(frames, as_of), horizon // 2)
    test = list(pd.date_range(split, as_of - pd.Timedelta(days=max(30, settle)), freq="30D")) or [split]
    return train, test, split


def period_shock(snapshot: pd.Series, p: np.ndarray, y: np.ndarray) -> float:
    """How far whole periods' win counts strayed from the predictions, beyond chance.

    Per held-out snapshot date ``k``: ``d_k = log(wins_k / predicted_k)`` and its sampling variance
    ``v_k ~ sum p(1-p) / (sum p)^2``; returns ``sqrt(max(0, mean(d_k^2) - mean(v_k)))`` — the spread
    of a period-wide factor the forecast applies on top of independent deal outcomes.
    """
    frame = pd.DataFrame({"k": snapshot.to_numpy(), "p": p, "y": y, "v": p * (1 - p)})
    g = frame.groupby("k").agg(p=("p", "sum"), y=("y", "sum"), v=("v", "sum"))
    g = g[(g["p"] > 5) & (g["y"] > 0)]
    if g.empty:
        return 0.0
    d2 = np.log(g["y"] / g["p"]) ** 2
    return float(np.sqrt(max(0.0, float(d2.mean() - (g["v"] / g["p"] ** 2).mean()))))


def _stage_norms(frames: DealFrames, prepared: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, float]:
    """Median days deals spent in each open stage (stints ending before ``as_of``)."""
    h = prepared[prepared["snapshot_date"] <= as_of]
    if h.empty:
        return {}
    stints = h.groupby(["opportunity_id", "stage", "stage_start"])["snapshot_date"].max().reset_index()
    stints["days"] = (stints["snapshot_date"] - stints["stage_start"]).dt.days
    med = stints[stints["stage"].isin(["Prospecting", "Qualification", "Proposal", "Negotiation"])]
    return {k: float(max(v, 7)) for k, v in med.groupby("stage")["days"].median().items()}


def _fit_booster(train: pd.DataFrame, categories: dict[str, list[str]]) -> lgb.Booster:
    """Fit LightGBM; the number of rounds is chosen by early stopping on the latest snapshots."""
    import lightgbm as lgb

    shell = WinModel(None, calibration.Calibrator("identity"), _card_stub(categories))  # type: ignore[arg-type]
    leaf = int(PARAMS["min_data_in_leaf"])  # type: ignore[call-overload]
    params = {**PARAMS, "min_data_in_leaf": max(10, min(leaf, len(train) // 50))}
    cat_idx = [i for i, n in enumerate(FEATURES) if n in CATEGORICAL]

    def dataset(rows: pd.DataFrame) -> lgb.Dataset:
        return lgb.Dataset(
            shell.matrix(rows),
            rows["won"].to_numpy(),
            feature_name=list(FEATURES),
            categorical_feature=cat_idx,
            free_raw_data=True,
        )

    snaps = np.sort(train["snapshot"].unique())
    cut = snaps[int(len(snaps) * 0.75)] if len(snaps) >= 4 else None
    rounds = ROUNDS
    if cut is not None:
        early, late = train[train["snapshot"] < cut], train[train["snapshot"] >= cut]
        if len(early) >= 30 and early["won"].nunique() == 2 and late["won"].nunique() == 2:
            probe = lgb.train(
                params,
                dataset(early),
                num_boost_round=ROUNDS,
                valid_sets=[dataset(late)],
                callbacks=[lgb.early_stopping(20, verbose=False)],
            )
            rounds = max(10, probe.best_iteration or ROUNDS)
    return lgb.train(params, dataset(train), num_boost_round=rounds)


def _card_stub(categories: dict[str, list[str]]) -> ModelCard:
    return ModelCard("", "", "", "", "", {}, list(FEATURES), categories, "", {}, {}, 0, 0)


def _fit_timing(
    frames: DealFrames, tr: pd.DataFrame, te: pd.DataFrame, split: pd.Timestamp, as_of: pd.Timestamp
) -> CloseTiming:
    """Time to close, only from snapshots old enough that slow deals had time to close too."""
    settle = pd.Timedelta(days=settle_days(frames, as_of))
    both = pd.concat(
        [tr[tr["snapshot"] <= split - settle], te[te["snapshot"] <= as_of - settle]], ignore_index=True
    )
    if (both["won"] == 1).sum() < 50:
        both = pd.concat([tr, te], ignore_index=True)
    return CloseTiming.fit(both[both["won"] == 1])


def _build_card(
    rt: Runtime,
    frames: DealFrames,
    prepared: pd.DataFrame,
    as_of_ts: pd.Timestamp,
    dates: tuple[list[pd.Timestamp], list[pd.Timestamp], pd.Timestamp],
    rows: tuple[pd.DataFrame, pd.DataFrame],
    calibrated: tuple[calibration.Calibrator, np.ndarray, dict[str, float]],
    categories: dict[str, list[str]],
) -> ModelCard:
    """The model card: what the model saw and how it did on held-out deals."""
    train_dates, test_dates, split = dates
    tr, te = rows
    cal, oof, cal_scores = calibrated
    won_amounts = frames.opps.loc[
        (frames.opps["status"] == "won") & (frames.opps["close_date"] <= as_of_ts), "amount"
    ]
    now = dt.datetime.now(dt.UTC)
    return ModelCard(
        version=f"{as_of_ts.date()}_{now:%Y%m%dT%H%M%S%f}",
        as_of=str(as_of_ts.date()),
        trained_at=now.isoformat(timespec="seconds"),
        dataset=frames.dataset,
        fingerprint=fingerprint(rt),
        data_window={
            "first_snapshot": str(train_dates[0].date()) if train_dates else "",
            "split": str(split.date()),
            "last_holdout_snapshot": str(test_dates[-1].date()),
            "labels_known_by": str(as_of_ts.date()),
        },
        features=list(FEATURES),
        categories=categories,
        calibration=cal.kind,
        calibration_brier=cal_scores,
        metrics=metrics.summary(oof, te["won"].to_numpy(), reference_rate=float(tr["won"].mean())),
        period_shock_sd=period_shock(te["snapshot"], oof, te["won"].to_numpy()),
        n_train=len(tr),
        n_test=len(te),
        stage_days=_stage_norms(frames, prepared, as_of_ts),
        median_won_amount=float(won_amounts.median()) if len(won_amounts) else 0.0,
        history=frames.has_history,
    )


def train(
    rt: Runtime,
    as_of: dt.date | None = None,
    *,
    frames: DealFrames | None = None,
    save: bool = True,
    max_rows: int = 200_000,
) -> WinModel:
    """Train, validate, calibrate and save a win model as of ``as_of`` (default: ``rt.as_of()``).

    Model training is a system job: it reads every deal (``Scope.everything()``); the scores it
    produces are shown to each user only for the deals in their scope.

    Args:
        rt: the runtime.
        as_of: train with what was known on this date.
        frames: already-loaded unscoped deal frames (the backtest reuses one load).
        save: write the artefacts under ``<home>/models/win/<version>/``.
        max_rows: cap on training rows (a seeded sample beyond it).

    Raises:
        InvalidRequest: too little history or too few closed deals before ``as_of``.
    """
    as_of_ts = pd.Timestamp(as_of or rt.as_of())
    frames = frames if frames is not None else load_frames(rt, Scope.everything())
    prepared = prepare_history(frames.history)
    train_dates, test_dates, split = split_dates(frames, as_of_ts)
    tr = labelled_snapshots(frames, train_dates, split, prepared)
    te = labelled_snapshots(frames, test_dates, as_of_ts, prepared)
    if len(tr) > max_rows:
        tr = tr.sample(max_rows, random_state=0)
    if len(tr) < 30 or tr["won"].nunique() < 2 or len(te) < 10:
        raise InvalidRequest(
            f"too few closed deals to train as of {as_of_ts.date()} "
            f"({len(tr)} training, {len(te)} held-out rows)",
            hint="train with a later --as-of date",
        )
    categories = {c: sorted(map(str, tr[c].dropna().unique())) for c in CATEGORICAL}
    for c in CATEGORICAL:
        tr[c], te[c] = tr[c].astype("string"), te[c].astype("string")
    booster = _fit_booster(tr, categories)
    model = WinModel(booster, calibration.Calibrator("identity"), _card_stub(categories))
    cal, oof, cal_scores = calibration.choose(model.margin(te), te["won"].to_numpy())
    model.calibrator = cal
    model.timing = _fit_timing(frames, tr, te, split, as_of_ts)
    model.card = _build_card(
        rt,
        frames,
        prepared,
        as_of_ts,
        (train_dates, test_dates, split),
        (tr, te),
        (cal, oof, cal_scores),
        categories,
    )
    if save:
        model.save(models_root(rt))
    return model


def latest(rt: Runtime, as_of: dt.date | None = None) -> WinModel | None:
    """The newest saved model for ``as_of`` trained on the data now loaded, if any."""
    root = models_root(rt)
    if not root.exists():
        return None
    want, fp = str(as_of or rt.as_of()), fingerprint(rt)
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), reverse=True):
        try:
            card = json.loads((folder / "card.json").read_text())
        except (OSError, ValueError):
            continue
        if card.get("as_of") == want and card.get("fingerprint") == fp:
            return _load_cached(str(folder))
    return None


@lru_cache(maxsize=8)
def _load_cached(folder: str) -> WinModel:
    """Versioned artefacts never change once written, so a loaded model can be reused."""
    return WinModel.load(Path(folder))


def ensure(rt: Runtime, as_of: dt.date | None = None) -> WinModel:
    """The saved model for ``as_of``, trained now if there is none yet."""
    return latest(rt, as_of) or train(rt, as_of)


def score(model: WinModel, frames: DealFrames, as_of: dt.date) -> pd.DataFrame:
    """Deals open on ``as_of`` with their features and calibrated ``p_win``."""
    f = features_as_of(frames, pd.Timestamp(as_of))
    for c in CATEGORICAL:
        f[c] = f[c].astype("string")
    f["p_win"] = model.predict(f) if len(f) else np.empty(0)
    return f
