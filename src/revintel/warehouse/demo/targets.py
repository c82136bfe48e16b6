"""Targets set around the pipeline: quotas, forecast submissions and the won-revenue budget."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from revintel.warehouse.demo.common import AS_OF, N_MONTHS, TEAMS, Context, Dimensions, code, days, to_table
from revintel.warehouse.demo.pipeline import Pipeline
from revintel.warehouse.schema import REGIONS

N_QUARTERS = 12  # 2023 Q1 .. 2025 Q4
QUOTA_QUARTERS = 14  # .. 2026 Q2, where the open pipeline closes
SUBMISSION_DAYS = (14, 42, 70)


def quarter_start(q: npt.ArrayLike) -> np.ndarray:
    """First day of quarter index ``q`` (0 = 2023 Q1)."""
    return (np.datetime64("2023-01", "M") + np.asarray(q) * 3).astype("datetime64[D]")


def quarter_of(dates: np.ndarray) -> np.ndarray:
    """Quarter index (0 = 2023 Q1) of each date."""
    m = dates.astype("datetime64[M]").astype(int) - np.datetime64("2023-01", "M").astype(int)
    return m // 3


def won_by_rep_quarter(pipe: Pipeline, n_reps: int) -> np.ndarray:
    """Closed-won amount per rep x quarter (2023 Q1 .. 2026 Q2)."""
    out = np.zeros((n_reps, QUOTA_QUARTERS))
    won = pipe.won & ~pipe.is_open
    q = quarter_of(pipe.close[won])
    ok = (q >= 0) & (q < QUOTA_QUARTERS)
    np.add.at(out, (pipe.rep[won][ok], q[ok]), pipe.amount_now(np.full(won.sum(), 4), won)[ok])
    return out


def quotas_table(ctx: Context, dims: Dimensions, pipe: Pipeline) -> pa.Table:
    """Quarterly quota per rep: the team's typical won revenue per rep, grown 8% a year, with a stretch."""
    rng = ctx.rng(30)
    n_reps = len(dims.rep_team)
    won = won_by_rep_quarter(pipe, n_reps)
    team_mean = np.array([won[dims.rep_team == t, :N_QUARTERS].mean() for t in range(len(TEAMS))])
    growth = 1.08 ** ((np.arange(QUOTA_QUARTERS) // 4) - 1)
    quota = team_mean[dims.rep_team][:, None] * growth[None, :] * 1.15 * rng.uniform(0.9, 1.1, (n_reps, 1))
    quota = np.round(np.maximum(quota, 10_000), -3)
    rep, q = np.meshgrid(np.arange(n_reps), np.arange(QUOTA_QUARTERS), indexing="ij")
    start = quarter_start(q.ravel())
    return to_table(
        "quotas",
        {
            "rep_id": code("R", rep.ravel(), 3),
            "period_start": start,
            "period_end": quarter_start(q.ravel() + 1) - days(1),
            "amount": quota.ravel(),
        },
    )


def forecast_table(ctx: Context, dims: Dimensions, pipe: Pipeline) -> pa.Table:
    """Three calls per rep per quarter: commit converges on the actual result as the quarter goes on."""
    rng = ctx.rng(31)
    n_reps = len(dims.rep_team)
    won = won_by_rep_quarter(pipe, n_reps)
    bias = rng.lognormal(0.0, 0.18, n_reps)  # >1 optimistic, <1 sandbagging
    close, opened = pipe.close, pipe.created
    amount = pipe.amount_now(np.full(pipe.n, 3))
    close_q = quarter_of(close)
    rows: dict[str, list] = {k: [] for k in ("rep", "q", "k", "on", "commit", "best", "pipe")}
    for q in range(N_QUARTERS):
        for k, offset in enumerate(SUBMISSION_DAYS):
            on = quarter_start(q) + days(offset)
            live = (opened <= on) & (close > on) & (close_q == q)
            pipeline = np.bincount(pipe.rep[live], weights=amount[live], minlength=n_reps)
            actual = won[:, q]
            weight = 1 - (k + 1) / 4
            commit = actual * bias**weight * rng.normal(1, 0.06 * weight + 0.02, n_reps)
            commit = np.minimum(np.maximum(commit, 0), pipeline + actual)
            best = commit + 0.35 * np.maximum(pipeline - commit, 0)
            for key, val in (
                ("rep", np.arange(n_reps)),
                ("q", np.full(n_reps, q)),
                ("k", np.full(n_reps, k)),
                ("on", np.full(n_reps, on)),
                ("commit", commit),
                ("best", best),
                ("pipe", pipeline),
            ):
                rows[key].append(val)
    cols = {k: np.concatenate(v) for k, v in rows.items()}
    return to_table(
        "forecast_submissions",
        {
            "submission_id": [
                f"F{r + 1:03d}-{q:02d}-{k}" for r, q, k in zip(cols["rep"], cols["q"], cols["k"], strict=True)
            ],
            "rep_id": code("R", cols["rep"], 3),
            "period_start": quarter_start(cols["q"]),
            "submitted_on": cols["on"].astype("datetime64[D]"),
            "commit_amount": np.round(cols["commit"], -2),
            "best_case_amount": np.round(cols["best"], -2),
            "pipeline_amount": np.round(cols["pipe"], -2),
        },
    )


def won_budget(pipe: Pipeline) -> np.ndarray:
    """Won-revenue budget by region x month: last year's monthly average, grown 10%, spread evenly."""
    out = np.zeros((len(REGIONS), N_MONTHS))
    won = pipe.won & (pipe.close <= np.datetime64(AS_OF))
    year = pipe.close[won].astype("datetime64[Y]").astype(int) + 1970
    amount = pipe.amount_now(np.full(won.sum(), 4), won)
    for y in range(2023, 2026):
        prev = np.bincount(
            pipe.region[won][year == max(y - 1, 2023)],
            weights=amount[year == max(y - 1, 2023)],
            minlength=len(REGIONS),
        )
        out[:, (y - 2023) * 12 : (y - 2022) * 12] = (prev * 1.10 / 12)[:, None]
    return out
