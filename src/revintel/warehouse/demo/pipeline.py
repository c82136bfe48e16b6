"""The sales pipeline: opportunities and their weekly history, quotas and forecast submissions.

Each deal has a latent quality ``q`` (rep skill + tier + luck). It passes four stage gates with a
probability rising in ``q``; low-``q`` deals sit longer in each stage and have their close date
pushed more often, and attract fewer conversations. So stage reached, pushes, days in stage, rep
skill, activity and tier all carry signal about the outcome, and a model can beat the base rate.
A planted cluster of ~20 open Strategic/Enterprise deals has had its close date pushed 3-5 times.

Expected close dates are estimates, as in a CRM: each deal's first estimate is off from the truth
by an error proportional to its cycle (optimistic on average: reps expect deals sooner than they
land), and the error stays with the deal through its pushes until the day it closes. So the close
date in the history never gives the outcome date away; open deals' current estimates still fall
in 2026 H1 (end-of-year pipeline hygiene).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from revintel.warehouse.demo.common import (
    AS_OF,
    COMPETITORS,
    NULL,
    PRODUCTS,
    TEAMS,
    Context,
    Dimensions,
    code,
    days,
    pick,
    running_campaign,
    to_table,
)
from revintel.warehouse.schema import STAGES, TABLES_BY_NAME

STAGE_NAMES = tuple(s for s, _ in STAGES)
SOURCE_STAGES = (
    "Prospecting",
    "Qualification",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
STAGE_PROBABILITY = np.array([0.1, 0.2, 0.5, 0.75, 1.0, 0.0])
FORECAST_CATEGORY = ("Pipeline", "Pipeline", "Best Case", "Commit", "Closed", "Omitted")
GATE = np.array([1.1, 0.6, 0.35, 0.6])
STAGE_WEEKS = np.array([2.5, 3.5, 5.5, 4.5])
TIER_AMOUNT = np.array([420_000.0, 160_000.0, 55_000.0, 16_000.0])
TIER_Q = np.array([0.35, 0.2, 0.0, -0.2])
MAX_PUSH = 5
START = np.datetime64("2023-01-02")
AS_OF64 = np.datetime64(AS_OF)
LAST_OPEN_CLOSE = np.datetime64("2026-06-30")
CHUNK_OPPS = 50_000


@dataclass
class Pipeline:
    """Per-deal arrays (one entry per opportunity)."""

    account: np.ndarray
    rep: np.ndarray
    product: np.ndarray
    tier: np.ndarray
    region: np.ndarray
    quality: np.ndarray
    created: np.ndarray  # datetime64[D]
    bounds: np.ndarray  # (n, 4) day offsets at which each stage starts (inf = never reached)
    length: np.ndarray  # day offset of the close (actual if closed, expected if open)
    won: np.ndarray  # outcome if the deal closes
    amount: np.ndarray  # initial amount
    amount_adj: np.ndarray  # relative change once the deal reaches Proposal
    push_at: np.ndarray  # (n, MAX_PUSH) day offsets of close-date pushes (inf = none)
    push_days: np.ndarray  # (n, MAX_PUSH) days each push added
    slipping: np.ndarray  # planted slipping-deal cluster
    deal_type: np.ndarray
    competitor: np.ndarray  # index into COMPETITORS, -1 = none
    campaign: np.ndarray  # primary campaign index, -1 = none
    close_error: np.ndarray | None = None  # days the expected close date is off from the real one

    @property
    def n(self) -> int:
        return len(self.account)

    @property
    def close(self) -> np.ndarray:
        return self.created + days(self.length)

    @property
    def is_open(self) -> np.ndarray:
        return self.close > AS_OF64

    @property
    def status(self) -> np.ndarray:
        return np.where(self.is_open, 0, np.where(self.won, 1, 2))  # 0 open, 1 won, 2 lost

    def stage_at(self, offset: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Open-stage index (0-3) of deals ``idx`` at day ``offset`` after creation."""
        return (self.bounds[idx] <= offset[:, None]).sum(axis=1) - 1

    def final_stage(self) -> np.ndarray:
        """Stage index today: the open stage, or 4/5 when won/lost."""
        today = (AS_OF64 - self.created).astype(int)
        idx = np.arange(self.n)
        return np.where(self.is_open, self.stage_at(today, idx), np.where(self.won, 4, 5))

    def amount_now(self, stage: np.ndarray, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
        return np.round(self.amount[idx] * (1 + self.amount_adj[idx] * (stage >= 2)), -2)


def simulate(ctx: Context, dims: Dimensions, campaign_windows: np.ndarray) -> Pipeline:
    """Draw every deal: who, what, when, how it progresses and how it ends."""
    rng = ctx.rng(20)
    n = ctx.n_opportunities
    account = rng.integers(0, dims.n_accounts, n)
    per = len(dims.rep_team) // len(TEAMS)
    owner = dims.acct_owner[account]
    rep = np.where(rng.random(n) < 0.8, owner, (owner // per) * per + rng.integers(0, per, n))
    tier, region = dims.acct_tier[account], dims.acct_region[account]
    span = int((np.datetime64("2025-12-24") - START).astype(int))
    created = START + days((rng.random(n) ** 0.85 * span).astype(int))
    quality = 0.7 * dims.rep_skill[rep] + TIER_Q[tier] + rng.normal(0, 1, n)
    passed = rng.random((n, 4)) < 1 / (1 + np.exp(-(GATE[None, :] + quality[:, None])))
    reached = np.cumprod(passed, axis=1).sum(axis=1)  # gates passed in a row (4 = won)
    visited = np.minimum(reached, 3) + 1
    weeks = rng.gamma(2.0, 0.5, (n, 4)) * STAGE_WEEKS[None, :] * np.exp(-0.3 * quality)[:, None]
    dur = np.maximum(3, np.round(weeks * 7)).astype(float)
    dur[np.arange(4)[None, :] >= visited[:, None]] = 0
    starts = np.concatenate([np.zeros((n, 1)), np.cumsum(dur, axis=1)[:, :3]], axis=1)
    bounds = np.where(np.arange(4)[None, :] < visited[:, None], starts, np.inf)
    length = dur.sum(axis=1)
    product = _products(rng, n, tier)
    deal_type = rng.choice(3, n, p=[0.6, 0.25, 0.15])
    competitor = np.where(rng.random(n) < 0.55, rng.integers(0, len(COMPETITORS), n), -1)
    pipe = Pipeline(
        account=account,
        rep=rep,
        product=product,
        tier=tier,
        region=region,
        quality=quality,
        created=created,
        bounds=bounds,
        length=length,
        won=reached == 4,
        amount=np.round(TIER_AMOUNT[tier] * rng.lognormal(0, 0.55, n), -2),
        amount_adj=np.clip(rng.normal(0.03, 0.15, n), -0.4, 0.5),
        push_at=np.full((n, MAX_PUSH), np.inf),
        push_days=np.zeros((n, MAX_PUSH)),
        slipping=np.zeros(n, bool),
        deal_type=deal_type,
        competitor=competitor,
        campaign=_primary_campaign(rng, created, campaign_windows),
    )
    _open_deals_close_in_2026_h1(rng, pipe)
    _natural_pushes(rng, pipe)
    _plant_slipping_cluster(ctx, rng, pipe)
    _noisy_close_estimates(ctx.rng(21), pipe)
    return pipe


def _noisy_close_estimates(rng: np.random.Generator, pipe: Pipeline) -> None:
    """Each deal's expected close date is an estimate off by ~30% of its cycle, optimistic on average."""
    length = np.maximum(pipe.length, 30)
    err = np.round(rng.normal(-0.12, 0.3, pipe.n) * length)
    first = pipe.length - pipe.push_days.sum(axis=1)
    err = np.maximum(err, 7 - first)  # the first estimate is at least a week after creation
    expected = pipe.close + days(err.astype(int))
    lo, hi = np.datetime64("2026-01-02"), LAST_OPEN_CLOSE
    clipped = np.clip(expected, lo, hi)
    err = np.where(pipe.is_open, (clipped - pipe.close).astype(int), err)
    pipe.close_error = err.astype(int)


def expected_close(pipe: Pipeline, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
    """The expected close date of deals ``idx`` today (the real close date once a deal has closed)."""
    err = pipe.close_error[idx] if pipe.close_error is not None else 0
    return np.where(pipe.is_open[idx], pipe.close[idx] + days(np.asarray(err).astype(int)), pipe.close[idx])


def _products(rng: np.random.Generator, n: int, tier: np.ndarray) -> np.ndarray:
    weights = np.array([1.2, 1.3, 1.0, 0.9, 0.8, 0.9, 0.6, 0.8, 0.9, 0.6])
    return rng.choice(len(PRODUCTS), n, p=weights / weights.sum())


def _primary_campaign(rng: np.random.Generator, created: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """35% of deals are marketing-sourced: their campaign is one running when the deal was created."""
    choice, running = running_campaign(rng, created, windows)
    sourced = (rng.random(len(created)) < 0.35) & running
    return np.where(sourced, choice, -1)


def _open_deals_close_in_2026_h1(rng: np.random.Generator, pipe: Pipeline) -> None:
    """Deals still running at the as-of date are expected to close in 2026 H1."""
    close = pipe.close
    late = close > LAST_OPEN_CLOSE
    target = LAST_OPEN_CLOSE - days(rng.integers(0, 120, pipe.n))
    early = (close > AS_OF64) & (close < np.datetime64("2026-01-05"))
    target = np.where(early, np.datetime64("2026-01-05") + days(rng.integers(0, 40, pipe.n)), target)
    fix = late | early
    pipe.length = np.where(fix, (target - pipe.created).astype(int), pipe.length)


def _natural_pushes(rng: np.random.Generator, pipe: Pipeline) -> None:
    """Close-date pushes: more for weak deals; at most two so far for deals still open."""
    n = pipe.n
    count = np.minimum(rng.poisson(0.45 * np.exp(-0.6 * pipe.quality)), MAX_PUSH)
    count = np.where(pipe.is_open, np.minimum(count, 2), count)
    horizon = np.minimum(pipe.length, (AS_OF64 - pipe.created).astype(int))
    at = np.sort(rng.random((n, MAX_PUSH)) * horizon[:, None], axis=1)
    delta = rng.integers(14, 43, (n, MAX_PUSH)).astype(float)
    used = np.arange(MAX_PUSH)[None, :] < count[:, None]
    total = (delta * used).sum(axis=1)
    room = np.maximum(pipe.length - 14, 0)
    shrink = np.where(total > room, room / np.maximum(total, 1), 1.0)
    delta = np.floor(delta * shrink[:, None])
    used &= delta >= 1
    pipe.push_at = np.where(used, np.floor(at) + 1, np.inf)
    pipe.push_days = np.where(used, delta, 0)


def _plant_slipping_cluster(ctx: Context, rng: np.random.Generator, pipe: Pipeline) -> None:
    """~20 open Strategic/Enterprise deals, 5-9 months old, whose close date was pushed 3-5 times."""
    k = max(20, round(20 * ctx.scale))
    candidates = np.flatnonzero(pipe.tier <= 1)
    chosen = rng.choice(candidates, min(k, len(candidates)), replace=False)
    for i in chosen:
        age = int(rng.integers(150, 270))
        pipe.created[i] = AS_OF64 - days(age)
        b1, b2 = int(rng.integers(14, 30)), int(rng.integers(40, 70))
        b3 = int(rng.integers(90, 130)) if rng.random() < 0.6 else np.inf
        pipe.bounds[i] = [0, b1, b2, b3]
        pipe.length[i] = age + int(rng.integers(20, 150))
        pushes = int(rng.integers(3, 6))
        weeks = np.sort(rng.choice(np.arange(4, age // 7), pushes, replace=False))
        pipe.push_at[i] = np.inf
        pipe.push_days[i] = 0
        pipe.push_at[i, :pushes] = weeks * 7 + 1
        pipe.push_days[i, :pushes] = rng.integers(14, 30, pushes)
        pipe.quality[i] = min(pipe.quality[i], -0.5)
        pipe.amount[i] = round(pipe.amount[i] * 1.4, -2)
        pipe.slipping[i] = True


def initial_close_offset(pipe: Pipeline, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Day offset of the first expected close date (the close minus every push, plus the estimate's error)."""
    err = pipe.close_error[idx] if pipe.close_error is not None else 0
    return pipe.length[idx] - pipe.push_days[idx].sum(axis=1) + err


def opportunity_batches(
    pipe: Pipeline, names: np.ndarray, campaign_ids: np.ndarray
) -> Iterator[pa.RecordBatch]:
    """The opportunities table, in slices of CHUNK_OPPS deals."""
    stage_all = pipe.final_stage()
    rng = np.random.default_rng(0)  # next-step wording only
    steps = (
        "Send proposal",
        "Schedule exec sponsor call",
        "Security review",
        "Pricing workshop",
        "Legal redlines",
        "Demo for finance team",
        "Agree mutual close plan",
    )
    for lo in range(0, pipe.n, CHUNK_OPPS):
        sl = slice(lo, min(pipe.n, lo + CHUNK_OPPS))
        idx = np.arange(sl.start, sl.stop)
        stage = stage_all[sl]
        m = len(idx)
        table = to_table(
            "opportunities",
            {
                "opportunity_id": code("O", idx, 7),
                "name": [
                    f"{names[a]} - {PRODUCTS[p][0]}"
                    for a, p in zip(pipe.account[sl], pipe.product[sl], strict=True)
                ],
                "account_id": code("A", pipe.account[sl], 6),
                "rep_id": code("R", pipe.rep[sl], 3),
                "product_id": code("P", pipe.product[sl], 2),
                "stage": pick(STAGE_NAMES, stage),
                "source_stage": pick(SOURCE_STAGES, stage),
                "status": pick(("open", "won", "lost"), pipe.status[sl]),
                "amount": pipe.amount_now(stage, sl),
                "probability": STAGE_PROBABILITY[stage],
                "created_date": pipe.created[sl],
                "engage_date": pipe.created[sl] + days(np.minimum(rng.integers(0, 10, m), pipe.length[sl])),
                "close_date": expected_close(pipe, sl),
                "deal_type": pick(("New Business", "Expansion", "Renewal"), pipe.deal_type[sl]),
                "lead_source": np.where(
                    pipe.campaign[sl] >= 0,
                    "Marketing",
                    pick(("Outbound", "Referral", "Partner", "Inbound"), idx % 4),
                ),
                "campaign_id": np.where(
                    pipe.campaign[sl] >= 0, campaign_ids[np.maximum(pipe.campaign[sl], 0)], NULL
                ),
                "competitor": np.where(
                    pipe.competitor[sl] >= 0, pick(COMPETITORS, np.maximum(pipe.competitor[sl], 0)), NULL
                ),
                "forecast_category": pick(FORECAST_CATEGORY, stage),
                "next_step": np.where(stage < 4, pick(steps, rng.integers(0, len(steps), m)), NULL),
            },
        )
        yield from table.to_batches()


def history_rows(pipe: Pipeline) -> int:
    """How many opportunity_history rows :func:`history_batches` yields."""
    last = np.minimum(pipe.length - 1, (AS_OF64 - pipe.created).astype(int))
    return int((last // 7 + 1).sum() + (~pipe.is_open).sum())


def history_batches(pipe: Pipeline) -> Iterator[pa.RecordBatch]:
    """Weekly snapshots of each deal while open, plus a final snapshot on the day it closed."""
    schema = TABLES_BY_NAME["opportunity_history"].arrow_schema()
    for lo in range(0, pipe.n, CHUNK_OPPS):
        idx = np.arange(lo, min(pipe.n, lo + CHUNK_OPPS))
        last = np.minimum(pipe.length[idx] - 1, (AS_OF64 - pipe.created[idx]).astype(int))
        weeks = (last // 7 + 1).astype(int)
        row_opp = np.repeat(idx, weeks)
        offset = (np.arange(weeks.sum()) - np.repeat(np.cumsum(weeks) - weeks, weeks)) * 7
        stage = pipe.stage_at(offset, row_opp)
        closed = idx[~pipe.is_open[idx]]
        row_opp = np.concatenate([row_opp, closed])
        offset = np.concatenate([offset, pipe.length[closed]]).astype(int)
        stage = np.concatenate([stage, np.where(pipe.won[closed], 4, 5)])
        pushed = (pipe.push_days[row_opp] * (pipe.push_at[row_opp] <= offset[:, None])).sum(axis=1)
        close_off = np.where(stage >= 4, offset, initial_close_offset(pipe, row_opp) + pushed)
        order = np.lexsort((offset, row_opp))
        row_opp, offset, stage, close_off = row_opp[order], offset[order], stage[order], close_off[order]
        created = pipe.created[row_opp]
        table = to_table(
            "opportunity_history",
            {
                "opportunity_id": code("O", row_opp, 7),
                "snapshot_date": created + days(offset),
                "stage": pick(STAGE_NAMES, stage),
                "status": pick(("open", "open", "open", "open", "won", "lost"), stage),
                "amount": pipe.amount_now(stage, row_opp),
                "close_date": created + days(close_off.astype(int)),
                "probability": STAGE_PROBABILITY[stage],
                "forecast_category": pick(FORECAST_CATEGORY, stage),
            },
        )
        yield from table.cast(schema).to_batches()
