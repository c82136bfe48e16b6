"""The win-probability model: training as of a date, versioned artefacts and a model card.

Training follows :mod:`revintel.deals.protocol`: time-ordered train → calibration → test windows,
the label *won within H days* (open deals at a cutoff are censored, never labelled lost), and
before anything is fitted the leakage audit (:mod:`revintel.deals.leakage`) drops features whose
value or missingness gives the outcome away. LightGBM learns from the train window; the
calibrator is fitted on the calibration window only; the model and the baselines
(:mod:`revintel.deals.baselines`) are scored on the later test window. If the model does not beat
the best baseline on Brier score there, the card says so and :meth:`WinModel.predict` serves that
baseline instead. Artefacts live in ``<home>/models/win/<version>/``: ``model.txt`` (LightGBM),
``calibrator.json``, ``timing.json`` and ``card.json`` (data window, features, leakage,
baselines, metrics, trained_at).
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

from revintel.deals import baselines, calibration, leakage, protocol
from revintel.deals.data import DealFrames, load_frames
from revintel.deals.features import (
    CATEGORICAL,
    FEATURES,
    features_as_of,
    label_horizon,
    labelled_snapshots,
    prepare_history,
)
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
    "num_threads": 1,
    "verbose": -1,
    "seed": 7,
    "deterministic": True,
}
ROUNDS = 150
SIGNAL_SHARE = 0.03  # share of the booster's split gain a feature needs to count as carrying signal
_BLOCK = 65_536  # rows per block when building the feature matrix


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
    leakage: list[dict[str, Any]] = field(default_factory=list)
    baselines: dict[str, Any] = field(default_factory=dict)
    selected: str = "model"
    fallback: dict[str, Any] = field(default_factory=dict)
    forward: dict[str, Any] = field(default_factory=dict)
    label_horizon_days: int = 0
    n_calibration: int = 0
    n_censored: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """The model in words for a page or a brief: ``model trained 31 Dec 2025 on 4,518 closed deals``."""
        from revintel import format as fmt_mod

        return f"model trained {fmt_mod.date(self.as_of)} on {fmt_mod.count(self.n_train)} closed deals"


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
        self.folder: Path | None = None  # where the model is saved (its compiled trees live there too)

    def matrix(self, f: pd.DataFrame) -> np.ndarray:
        """The feature matrix (categoricals as the codes of the training vocabulary), columnar.

        Filled column by column from Arrow (no pandas conversions); categoricals are coded with
        one vectorised lookup per column against the training vocabulary (unseen values: NaN).
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        cols = []
        for name in self.card.features:
            if name not in f:
                cols.append(np.full(len(f), np.nan))
                continue
            col = pa.array(f[name], from_pandas=True)  # zero-copy for Arrow-backed columns
            if name in CATEGORICAL:  # the code in the training vocabulary, null when unseen
                vocab = pa.array(self.card.categories.get(name, []), pa.string())
                col = pc.index_in(col.cast(pa.string()), value_set=vocab)
            cols.append(col.cast(pa.float64()).to_numpy(zero_copy_only=False))  # nulls -> NaN
        x = np.empty((len(f), len(cols)), dtype=np.float64)
        for start in range(0, len(f) if cols else 0, _BLOCK):  # cache-sized row blocks: 3x one transpose
            x[start : start + _BLOCK] = np.stack([c[start : start + _BLOCK] for c in cols], axis=1)
        return x

    def margin(self, f: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Raw log-odds of winning, before calibration (``f``: feature rows or :meth:`matrix`).

        Large batches of a saved model are scored by its compiled trees (:mod:`revintel.deals.compiled`).
        """
        from revintel.deals import compiled

        if len(f) == 0:
            return np.empty(0)
        x = f if isinstance(f, np.ndarray) else self.matrix(f)
        fast = compiled.compiled(self.folder) if len(x) >= compiled.MIN_ROWS else None
        if fast is not None:
            return compiled.raw_scores(fast, x, int(PARAMS["num_threads"]))  # type: ignore[call-overload]
        return np.asarray(self.booster.predict(x, raw_score=True, num_threads=PARAMS["num_threads"]))

    def predict(self, f: pd.DataFrame) -> np.ndarray:
        """Probability of winning (within the card's label horizon) for each row of ``f``.

        Contract (callers: scoring, forecast, backtest, risk): ``f`` holds the columns
        ``features_as_of`` builds (categoricals as strings); the result is a float array of
        ``len(f)`` values in [0, 1]. It is the calibrated booster's probability when
        ``card.selected == "model"``, otherwise the selected baseline's (``card.fallback``):
        a model that does not beat the best baseline is not served.
        """
        if self.card.selected != "model" and self.card.fallback:
            return np.clip(self.baseline()(f), 0.0, 1.0) if len(f) else np.empty(0)
        return self.calibrated(f)

    def calibrated(self, f: pd.DataFrame) -> np.ndarray:
        """The booster's calibrated probability, whether or not it is the one served."""
        return np.clip(self.calibrator(self.margin(f)), 0.0, 1.0)

    def baseline(self) -> baselines.Fallback:
        """The baseline served in place of the booster (see :attr:`ModelCard.selected`)."""
        fb = self.card.fallback
        return baselines.Fallback(fb.get("kind", "base_rate"), fb.get("params", {}))

    def contributions(self, f: pd.DataFrame) -> np.ndarray:
        """TreeSHAP contributions to the raw log-odds (n x features, plus the bias as the last column)."""
        if len(f) == 0:
            return np.empty((0, len(self.card.features) + 1))
        return np.asarray(
            self.booster.predict(self.matrix(f), pred_contrib=True, num_threads=PARAMS["num_threads"])
        )

    def signal(self, min_share: float = SIGNAL_SHARE) -> set[str]:
        """Features that carry signal in the predictor served: for the booster, those with at least
        ``min_share`` of its total split gain; for a baseline, the one feature it uses (none for the
        base rate). Only these may trigger next actions."""
        if self.card.selected != "model" and self.card.fallback:
            kind = self.card.fallback.get("kind")
            return {"age_logistic": {"age_days"}, "crm_stage": {"crm_probability"}}.get(str(kind), set())
        gain = np.asarray(self.booster.feature_importance(importance_type="gain"), float)
        if gain.sum() <= 0:
            return set()
        names = self.booster.feature_name()
        return {n for n, g in zip(names, gain / gain.sum(), strict=True) if g >= min_share}

    def save(self, root: Path) -> Path:
        folder = root / self.card.version
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / "model.txt"))
        (folder / "calibrator.json").write_text(json.dumps(self.calibrator.to_dict()))
        (folder / "timing.json").write_text(json.dumps(self.timing.to_dict()))
        (folder / "card.json").write_text(json.dumps(self.card.to_dict(), indent=2, default=str))
        self.folder = folder
        return folder

    @classmethod
    def load(cls, folder: Path) -> WinModel:
        import lightgbm as lgb

        card = ModelCard(**json.loads((folder / "card.json").read_text()))
        cal = calibration.Calibrator.from_dict(json.loads((folder / "calibrator.json").read_text()))
        timing = CloseTiming.from_dict(json.loads((folder / "timing.json").read_text()))
        model = cls(lgb.Booster(model_file=str(folder / "model.txt")), cal, card, timing)
        model.folder = folder
        return model


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


def _fit_booster(train: pd.DataFrame, categories: dict[str, list[str]], features: list[str]) -> lgb.Booster:
    """Fit LightGBM; the number of rounds is chosen by early stopping on the latest snapshots."""
    import lightgbm as lgb

    shell = WinModel(None, calibration.Calibrator("identity"), _card_stub(categories, features))  # type: ignore[arg-type]
    leaf = int(PARAMS["min_data_in_leaf"])  # type: ignore[call-overload]
    params = {**PARAMS, "min_data_in_leaf": max(10, min(leaf, len(train) // 50))}
    cat_idx = [i for i, n in enumerate(features) if n in CATEGORICAL]

    def dataset(rows: pd.DataFrame) -> lgb.Dataset:
        return lgb.Dataset(
            shell.matrix(rows),
            rows["won"].to_numpy(),
            feature_name=list(features),
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


def _card_stub(categories: dict[str, list[str]], features: list[str] | None = None) -> ModelCard:
    return ModelCard("", "", "", "", "", {}, list(features or FEATURES), categories, "", {}, {}, 0, 0)


def _fit_timing(
    frames: DealFrames, parts: list[tuple[pd.DataFrame, pd.Timestamp]], as_of: pd.Timestamp
) -> CloseTiming:
    """Time to close, only from snapshots old enough (before their cutoff) for slow deals to close too."""
    settle = pd.Timedelta(days=settle_days(frames, as_of))
    both = pd.concat([rows[rows["snapshot"] <= cut - settle] for rows, cut in parts], ignore_index=True)
    if (both["won"] == 1).sum() < 50:
        both = pd.concat([rows for rows, _ in parts], ignore_index=True)
    return CloseTiming.fit(both[both["won"] == 1])


def _too_few(name: str, rows: pd.DataFrame, as_of: pd.Timestamp, minimum: int) -> None:
    if len(rows) < minimum or rows["won"].nunique() < 2:
        raise InvalidRequest(
            f"too few deals with a known outcome in the {name} window to train as of {as_of.date()} "
            f"({len(rows)} rows)",
            hint="train with a later --as-of date, or load more opportunities",
        )


def _fit(
    frames: DealFrames, prepared: pd.DataFrame, as_of_ts: pd.Timestamp, max_rows: int
) -> tuple[WinModel, dict[str, Any]]:
    """Windows, labels, leakage audit, booster, calibrator, baselines and their test-window scores."""
    settle = settle_days(frames, as_of_ts)
    w = protocol.windows(frames, as_of_ts, settle)
    horizon = label_horizon(frames, as_of_ts)
    tr = labelled_snapshots(frames, w.train, w.s1, prepared, horizon)
    ca = labelled_snapshots(frames, w.calibration, w.s2, prepared, horizon)
    te_all = labelled_snapshots(frames, w.test, as_of_ts, prepared, horizon)
    if len(tr) > max_rows:
        tr = tr.sample(max_rows, random_state=0)
    _too_few("training", tr, as_of_ts, 30)
    _too_few("calibration", ca, as_of_ts, 20)
    _too_few("test", te_all, as_of_ts, 10)
    fit_rows = pd.concat([tr, ca], ignore_index=True)
    features, findings = leakage.audit(fit_rows, frames, w.calibration[-1], FEATURES, prepared)
    categories = {c: sorted(map(str, tr[c].dropna().unique())) for c in CATEGORICAL if c in features}
    for rows in (tr, ca, te_all, fit_rows):
        for c in CATEGORICAL:
            rows[c] = rows[c].astype("string")
    model = WinModel(
        _fit_booster(tr, categories, features),
        calibration.Calibrator("identity"),
        _card_stub(categories, features),
    )
    cal, _, cal_scores = calibration.choose(
        model.margin(ca), ca["won"].to_numpy(), groups=ca["opportunity_id"].to_numpy()
    )
    model.calibrator = cal
    fallbacks = baselines.fit(fit_rows)
    rate = float(fit_rows["won"].mean())
    test_metrics, base = protocol.compare(model.calibrated, fallbacks, te_all, rate)
    best = protocol.best_baseline(base)
    best_scores = base.get(best)
    beats = bool(test_metrics["brier"] < best_scores["brier"]) if best_scores else True
    selected = "model" if beats else best
    chosen = fallbacks.get(selected)
    model.card.selected = selected
    model.card.fallback = chosen.to_dict() if chosen is not None else {}
    served = model.predict(te_all)
    forward = protocol.forward_test(
        model.predict,
        fallbacks,
        lambda dates, cut: _categorical(labelled_snapshots(frames, dates, cut, prepared, horizon)),
        frames,
        as_of_ts,
        rate,
    )
    model.timing = _fit_timing(frames, [(tr, w.s1), (ca, w.s2), (te_all, as_of_ts)], as_of_ts)
    fitted = {
        "windows": w,
        "rows": (tr, ca, te_all),
        "features": features,
        "categories": categories,
        "leakage": [f.to_dict() for f in findings],
        "calibration": (cal, cal_scores),
        "metrics": test_metrics,
        "baselines": {"best": best, "model_beats_best": beats, "selected": selected, **base},
        "served": served,
        "forward": forward,
        "horizon": horizon,
    }
    return model, fitted


def _categorical(rows: pd.DataFrame) -> pd.DataFrame:
    for c in CATEGORICAL:
        if c in rows:
            rows[c] = rows[c].astype("string")
    return rows


def _build_card(
    rt: Runtime,
    frames: DealFrames,
    prepared: pd.DataFrame,
    as_of_ts: pd.Timestamp,
    model: WinModel,
    fitted: dict,
) -> ModelCard:
    """The model card: what the model saw, what the audit dropped, how it and the baselines did."""
    tr, ca, te = fitted["rows"]
    cal, cal_scores = fitted["calibration"]
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
        data_window=fitted["windows"].describe(as_of_ts),
        features=list(fitted["features"]),
        categories=fitted["categories"],
        calibration=cal.kind,
        calibration_brier=cal_scores,
        metrics=fitted["metrics"],
        period_shock_sd=period_shock(te["snapshot"], fitted["served"], te["won"].to_numpy()),
        n_train=len(tr),
        n_test=len(te),
        stage_days=_stage_norms(frames, prepared, as_of_ts),
        median_won_amount=float(won_amounts.median()) if len(won_amounts) else 0.0,
        history=frames.has_history,
        leakage=fitted["leakage"],
        baselines=fitted["baselines"],
        selected=model.card.selected,
        fallback=model.card.fallback,
        forward=fitted["forward"],
        label_horizon_days=int(fitted["horizon"]),
        n_calibration=len(ca),
        n_censored=int(te.attrs.get("n_censored", 0)),
    )


def train(
    rt: Runtime,
    as_of: dt.date | None = None,
    *,
    frames: DealFrames | None = None,
    save: bool = True,
    max_rows: int = 200_000,
) -> WinModel:
    """Train, audit, calibrate, compare with baselines and save a win model as of ``as_of``.

    Model training is a system job: it reads every deal (``Scope.everything()``); the scores it
    produces are shown to each user only for the deals in their scope.

    Args:
        rt: the runtime.
        as_of: train with what was known on this date (default: ``rt.as_of()``).
        frames: already-loaded unscoped deal frames (the backtest reuses one load).
        save: write the artefacts under ``<home>/models/win/<version>/``.
        max_rows: cap on training rows (a seeded sample beyond it).

    Raises:
        InvalidRequest: too little history or too few closed deals before ``as_of``.
    """
    as_of_ts = pd.Timestamp(as_of or rt.as_of())
    frames = frames if frames is not None else load_frames(rt, Scope.everything())
    prepared = prepare_history(frames.history)
    model, fitted = _fit(frames, prepared, as_of_ts, max_rows)
    model.card = _build_card(rt, frames, prepared, as_of_ts, model, fitted)
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
