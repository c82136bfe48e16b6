"""Attribution speed: every heuristic plus first-order Markov over 1,000,000 journeys; exact
Shapley over 12 channels; and the ratio against a plain pandas implementation of the heuristics.

Journeys are synthetic and seeded: 12 channels, 1-10 touches (geometric, mean ~3.2), about 40%
converting with a value, the rest non-converting, and touches carry an age in days (time decay)
and lead/opportunity milestones (W-shaped). Runs are **interleaved** (revintel, pandas, revintel,
pandas ...) so machine load hits both alike; the median of ``--rounds`` is reported.

    .venv/bin/python benchmarks/bench_attribution.py                  # 1,000,000 journeys, 3 rounds
    .venv/bin/python benchmarks/bench_attribution.py --journeys 100000 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import numpy as np
import pandas as pd

from revintel.marketing.attribution import attribute
from revintel.marketing.journeys import Journeys, from_codes

HEURISTICS = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "time_decay",
    "position_based",
    "w_shaped",
)
CHANNELS = (*tuple(f"ch{i:02d}" for i in range(11)), "direct")


def journeys(n: int, seed: int = 0) -> Journeys:
    """``n`` seeded synthetic journeys over 12 channels."""
    rng = np.random.default_rng(seed)
    lengths = np.minimum(rng.geometric(0.3, n), 10)
    total = int(lengths.sum())
    pref = rng.dirichlet(np.ones(len(CHANNELS)) * 0.8)
    touches = rng.choice(len(CHANNELS), total, p=pref).astype(np.int32)
    conv = (rng.random(n) < 0.4).astype(float)
    value = conv * rng.gamma(2.0, 50.0, n)
    age = rng.exponential(10.0, total)
    lead = (rng.random(n) * lengths).astype(np.int64)
    opp = np.minimum(lead + (rng.random(n) * (lengths - lead)).astype(np.int64), lengths - 1)
    return from_codes(
        CHANNELS, touches, lengths, conv, value, 1.0 - conv, age_days=age, lead_touch=lead, opp_touch=opp
    )


def pandas_heuristics(j: Journeys) -> dict[str, pd.Series]:
    """The same heuristics written plainly in pandas (a row per touch, groupby per journey)."""
    n = np.diff(j.offsets)
    df = pd.DataFrame(
        {
            "journey": np.repeat(np.arange(len(n)), n),
            "channel": np.asarray(CHANNELS, dtype=object)[j.touches],
            "age": j.age_days,
        }
    )
    df["pos"] = df.groupby("journey").cumcount()
    df["n"] = df.groupby("journey")["pos"].transform("size")
    df["conv"] = j.conversions[df["journey"].to_numpy()]
    df["lead"] = j.lead_touch[df["journey"].to_numpy()]
    df["opp"] = j.opp_touch[df["journey"].to_numpy()]
    out: dict[str, pd.Series] = {}
    out["first_touch"] = df[df["pos"] == 0].groupby("channel")["conv"].sum()
    out["last_touch"] = df[df["pos"] == df["n"] - 1].groupby("channel")["conv"].sum()
    nd = df[df["channel"] != "direct"]
    last_nd = nd.groupby("journey")["pos"].transform("max") == nd["pos"]
    picked = nd[last_nd]
    all_direct = ~df["journey"].isin(picked["journey"]) & (df["pos"] == df["n"] - 1)
    out["last_non_direct"] = pd.concat([picked, df[all_direct]]).groupby("channel")["conv"].sum()
    out["linear"] = (df["conv"] / df["n"]).groupby(df["channel"]).sum()
    w = np.exp2(-df["age"] / 7.0)
    out["time_decay"] = (
        (df["conv"] * w / w.groupby(df["journey"]).transform("sum")).groupby(df["channel"]).sum()
    )
    pw = np.where(
        df["pos"] == 0, 0.4, np.where(df["pos"] == df["n"] - 1, 0.4, 0.2 / np.maximum(df["n"] - 2, 1))
    )
    pw = np.where(df["n"] == 2, 0.5, np.where(df["n"] == 1, 1.0, pw))
    out["position_based"] = (df["conv"] * pw).groupby(df["channel"]).sum()
    ws = 0.3 * ((df["pos"] == 0).astype(float) + (df["pos"] == df["lead"]) + (df["pos"] == df["opp"]))
    mile = ws > 0
    n_mile = mile.groupby(df["journey"]).transform("sum")
    others = df["n"] - n_mile
    rest = np.where(others > 0, np.where(mile, 0.0, 0.1 / np.maximum(others, 1)), 0.1 / n_mile)
    out["w_shaped"] = (df["conv"] * (ws + rest)).groupby(df["channel"]).sum()
    return out


def run(n: int, rounds: int) -> dict[str, object]:
    j = journeys(n)
    ours, plain, markov_s, shapley_s = [], [], [], []
    check: dict[str, float] = {}
    for _ in range(rounds):
        t = time.perf_counter()
        res = attribute(j, (*HEURISTICS, "markov_1"))
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        ref = pandas_heuristics(j)
        plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        attribute(j, ("markov_1",))
        markov_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        attribute(j, ("shapley",))
        shapley_s.append(time.perf_counter() - t)
        for m in HEURISTICS:
            got = pd.Series(res.conversions[m], index=list(CHANNELS))
            check[m] = float((got - ref[m].reindex(got.index, fill_value=0.0)).abs().max())
    med_ours, med_plain = statistics.median(ours), statistics.median(plain)
    return {
        "journeys": n,
        "touches": len(j.touches),
        "channels": len(CHANNELS),
        "rounds": rounds,
        "heuristics_plus_markov1_s": round(med_ours, 3),
        "markov1_alone_s": round(statistics.median(markov_s), 3),
        "shapley_12_channels_s": round(statistics.median(shapley_s), 3),
        "pandas_heuristics_s": round(med_plain, 3),
        "pandas_over_revintel": round(med_plain / med_ours, 2),
        "max_abs_difference_vs_pandas": max(check.values()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--journeys", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(json.dumps(run(args.journeys, args.rounds), indent=2))


if __name__ == "__main__":
    main()
