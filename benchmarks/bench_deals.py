"""Benchmark: scoring 1M open deals through revintel's own path, and TreeSHAP explanations for 100k.

Scoring is timed interleaved (A B A B, medians and the ratio per round): plain LightGBM
``booster.predict`` on a ready feature matrix, then revintel's ``WinModel.predict`` on a DataFrame
of the same rows (feature matrix + the compiled trees + calibration), and checks both agree.

Trains the win model on the seeded synthetic pipeline, then scores a 1M-row feature matrix
resampled from real open-deal feature rows (every column jittered), and explains 100k of them with
``pred_contrib=True`` (exact TreeSHAP), plus the plain-language driver text for 1,000.

Run: ``OMP_WAIT_POLICY=passive .venv/bin/python benchmarks/bench_deals.py``
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import numpy as np
import pandas as pd

from revintel.config import Settings
from revintel.deals import compiled, model, synthetic
from revintel.deals.data import load_frames
from revintel.deals.explain import drivers
from revintel.deals.features import CATEGORICAL
from revintel.runtime import Runtime
from revintel.scope import Scope


def _matrix(m: model.WinModel, rt: Runtime, n: int) -> np.ndarray:
    frames = load_frames(rt, Scope.everything())
    open_rows = model.score(m, frames, rt.as_of())
    base = m.matrix(open_rows)
    rng = np.random.default_rng(0)
    x = base[rng.integers(0, len(base), n)].copy()
    numeric = np.isfinite(x)
    x[numeric] *= rng.uniform(0.8, 1.2, numeric.sum())
    return x, open_rows


ROUNDS = 3


def _frame(m: model.WinModel, x: np.ndarray) -> pd.DataFrame:
    """The feature rows of ``x`` as the DataFrame the scoring path receives (categoricals as strings)."""
    out = {}
    for j, name in enumerate(m.card.features):
        if name in CATEGORICAL:
            vocab = np.array([*m.card.categories.get(name, []), None], dtype=object)
            codes = np.where(np.isnan(x[:, j]), len(vocab) - 1, np.nan_to_num(x[:, j])).astype(int)
            out[name] = pd.array(vocab[codes], dtype="string")
        else:
            out[name] = x[:, j]
    return pd.DataFrame(out)


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        rt = Runtime(Settings(home=home))
        synthetic.load(rt.warehouse, synthetic.generate(n_deals=2000))
        t = time.perf_counter()
        m = model.train(rt)
        train_s = time.perf_counter() - t
        x, open_rows = _matrix(m, rt, 1_000_000)
        frame = _frame(m, x)  # the same 1M rows as the DataFrame revintel scores
        t = time.perf_counter()
        compiled.compiled(m.folder)  # once per model version (precomputed after each load)
        compile_s = time.perf_counter() - t
        plain_s, ours_s = [], []
        for _ in range(ROUNDS):  # interleaved A B A B: plain LightGBM on its matrix, revintel end to end
            t = time.perf_counter()
            reference = m.calibrator(m.booster.predict(x, raw_score=True, num_threads=2))
            plain_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            p = m.predict(frame)
            ours_s.append(time.perf_counter() - t)
        assert np.allclose(p, np.clip(reference, 0, 1), atol=1e-9)
        t = time.perf_counter()
        contrib = m.booster.predict(x[:100_000], pred_contrib=True, num_threads=2)
        shap_s = time.perf_counter() - t
        sample = open_rows.sample(1000, replace=True, random_state=0).reset_index(drop=True)
        t = time.perf_counter()
        drivers(m, sample)
        text_s = time.perf_counter() - t
        assert contrib.shape == (100_000, len(m.card.features) + 1) and p.shape == (1_000_000,)
        print("| step | rows | seconds | per row |")
        print("|---|---:|---:|---:|")
        print(
            f"| train (synthetic, {m.card.n_train} rows, {m.booster.num_trees()} trees) | "
            f"{m.card.n_train:,} | {train_s:.1f} | |"
        )
        print(f"| compile the trees (lleaves, once per model version) | | {compile_s:.2f} | |")
        for i, (a, b) in enumerate(zip(plain_s, ours_s, strict=True), 1):
            print(f"| round {i}: plain {a:.2f} s, revintel {b:.2f} s | 1,000,000 | ratio {b / a:.2f} | |")
        a, b = statistics.median(plain_s), statistics.median(ours_s)
        print(f"| score, plain `booster.predict` on a ready matrix (median) | 1,000,000 | {a:.2f} | |")
        print(f"| score, revintel `WinModel.predict(DataFrame)` (median) | 1,000,000 | {b:.2f} | |")
        print(f"| TreeSHAP (pred_contrib) | 100,000 | {shap_s:.2f} | {shap_s / 1e5:.1e} s |")
        print(
            f"| drivers in plain language | {len(sample):,} | {text_s:.2f} | {text_s / len(sample):.1e} s |"
        )
        rt.close()


if __name__ == "__main__":
    main()
