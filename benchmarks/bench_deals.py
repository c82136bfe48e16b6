"""Benchmark: scoring 1M open deals and TreeSHAP explanations for 100k (LightGBM, 2 threads).

Trains the win model on the seeded synthetic pipeline, then scores a 1M-row feature matrix
resampled from real open-deal feature rows (every column jittered), and explains 100k of them with
``pred_contrib=True`` (exact TreeSHAP), plus the plain-language driver text for 1,000.

Run: ``OMP_WAIT_POLICY=passive .venv/bin/python benchmarks/bench_deals.py``
"""

from __future__ import annotations

import os
import tempfile
import time

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import numpy as np

from revintel.config import Settings
from revintel.deals import model, synthetic
from revintel.deals.data import load_frames
from revintel.deals.explain import drivers
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


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        rt = Runtime(Settings(home=home))
        synthetic.load(rt.warehouse, synthetic.generate(n_deals=2000))
        t = time.perf_counter()
        m = model.train(rt)
        train_s = time.perf_counter() - t
        x, open_rows = _matrix(m, rt, 1_000_000)
        t = time.perf_counter()
        margin = m.booster.predict(x, raw_score=True, num_threads=2)
        p = m.calibrator(margin)
        score_s = time.perf_counter() - t
        t = time.perf_counter()
        contrib = m.booster.predict(x[:100_000], pred_contrib=True, num_threads=2)
        shap_s = time.perf_counter() - t
        sample = open_rows.sample(1000, replace=True, random_state=0).reset_index(
            drop=True
        )
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
        print(f"| score (raw + calibration) | 1,000,000 | {score_s:.2f} | {score_s / 1e6:.1e} s |")
        print(f"| TreeSHAP (pred_contrib) | 100,000 | {shap_s:.2f} | {shap_s / 1e5:.1e} s |")
        print(
            f"| drivers in plain language | {len(sample):,} | {text_s:.2f} | {text_s / len(sample):.1e} s |"
        )
        rt.close()


if __name__ == "__main__":
    main()
