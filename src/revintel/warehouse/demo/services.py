"""Professional-services delivery: services_monthly (streamed), budgets and headcount.

Each client buys a few capabilities, delivered in its own region. Hours follow a regional growth
trend with holiday seasonality (December x0.88); budgets are set from the same trend with the
planners' assumptions (December x0.95, a 2% stretch, the old rate card), which plants the
December dip, the APAC rate/volume trade-off and the Technology budget gap (docs/demo-data.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from revintel.warehouse.demo.common import CAPABILITIES, N_MONTHS, Context, Dimensions, month_starts, to_table
from revintel.warehouse.schema import REGIONS, TABLES_BY_NAME

CHUNK_CLIENTS = 4_000
#: annual growth of chargeable hours by region (Americas, EMEA, APAC, UK)
HOURS_GROWTH = np.array([0.05, 0.055, 0.155, 0.04])
#: rate card index by region x year (2023, 2024, 2025): APAC discounts 8% in 2025 to win volume
RATE_INDEX = np.array(
    [
        [1.0, 1.03, 1.03 * 1.035],
        [1.0, 1.03, 1.03 * 1.03],
        [1.0, 1.03, 1.03 * 0.92],
        [1.0, 1.03, 1.03 * 1.025],
    ]
)
BUDGET_RATE_INDEX = np.array([1.0, 1.03, 1.03 * 1.03])
BUDGET_STRETCH = 1.02
TECHNOLOGY_2025_SHORTFALL = 0.88
CAP_BASE_RATE = np.array([210.0, 235.0, 200.0, 190.0, 170.0, 260.0, 140.0, 220.0])
CAP_WEIGHT = np.array([1.3, 1.6, 0.9, 0.9, 1.0, 0.6, 0.8, 0.9])
REGION_RATE = np.array([1.10, 1.0, 0.85, 1.05])
TIER_HOURS = np.array([900.0, 380.0, 140.0, 55.0])
TIER_CAPS = ((6, 9), (4, 8), (3, 6), (2, 5))  # [low, high) capabilities bought per tier


def season(actual: bool) -> np.ndarray:
    """Seasonality by month of year (index 0 = January): December x0.88 actual, x0.95 budgeted."""
    s = np.ones(12)
    s[7] = 0.96
    s[11] = 0.88 if actual else 0.95
    return s


def _month_index() -> tuple[np.ndarray, np.ndarray]:
    m = np.arange(N_MONTHS)
    return m % 12, m // 12  # month of year, year offset


def hours_shape(region: np.ndarray, capability: np.ndarray, actual: bool) -> np.ndarray:
    """Expected hours multiplier (pairs x months) for each region/capability, before noise."""
    moy, year = _month_index()
    trend = (1 + HOURS_GROWTH[region])[:, None] ** (np.arange(N_MONTHS)[None, :] / 12)
    shape = trend * season(actual)[moy][None, :]
    if actual:
        tech = (capability == CAPABILITIES.index("Technology"))[:, None] & (year == 2)[None, :]
        shape = np.where(tech, shape * TECHNOLOGY_2025_SHORTFALL, shape)
    else:
        shape = shape * BUDGET_STRETCH
    return shape


@dataclass
class Pairs:
    """The client x capability engagements of one chunk of clients."""

    client: np.ndarray
    region: np.ndarray
    capability: np.ndarray
    hours: np.ndarray  # base monthly hours
    rate: np.ndarray  # base hourly rate
    utilisation: np.ndarray
    realisation: np.ndarray
    cost_ratio: np.ndarray


def pairs(ctx: Context, dims: Dimensions, chunk: int) -> Pairs:
    """Engagements of one chunk of clients: which capabilities each buys, base hours and rate."""
    rng = ctx.rng(10, chunk)
    lo, hi = chunk * CHUNK_CLIENTS, min(dims.n_accounts, (chunk + 1) * CHUNK_CLIENTS)
    clients = np.arange(lo, hi)
    tier = dims.acct_tier[clients]
    bounds = np.array(TIER_CAPS)[tier]
    k = rng.integers(bounds[:, 0], bounds[:, 1])
    # choose k distinct capabilities per client, weighted: sort weighted random keys
    keys = rng.random((len(clients), len(CAPABILITIES))) ** (1 / CAP_WEIGHT)[None, :]
    order = np.argsort(-keys, axis=1)
    take = np.arange(len(CAPABILITIES))[None, :] < k[:, None]
    client = np.repeat(clients, k)
    cap = order[take]
    n = len(client)
    region = dims.acct_region[client]
    hours = TIER_HOURS[dims.acct_tier[client]] * CAP_WEIGHT[cap] * rng.lognormal(0, 0.5, n)
    rate = CAP_BASE_RATE[cap] * REGION_RATE[region] * rng.lognormal(0, 0.08, n)
    return Pairs(
        client,
        region,
        cap,
        hours,
        rate,
        rng.uniform(0.68, 0.84, n),
        rng.uniform(0.85, 0.97, n),
        rng.uniform(0.45, 0.6, n),
    )


def n_chunks(dims: Dimensions) -> int:
    """Number of client chunks services_monthly is generated in."""
    return -(-dims.n_accounts // CHUNK_CLIENTS)


def services_rows(ctx: Context, dims: Dimensions) -> int:
    """How many services_monthly rows :func:`services_batches` yields (for the progress bar)."""
    return sum(len(pairs(ctx, dims, chunk).client) for chunk in range(n_chunks(dims))) * N_MONTHS


def services_batches(ctx: Context, dims: Dimensions, account_ids: pa.Array) -> Iterator[pa.RecordBatch]:
    """services_monthly rows, one record batch per chunk of clients."""
    schema = TABLES_BY_NAME["services_monthly"].arrow_schema()
    months = pa.array(month_starts(), type=pa.date32())
    _, year = _month_index()
    for chunk in range(n_chunks(dims)):
        p = pairs(ctx, dims, chunk)
        rng = ctx.rng(11, chunk)
        n = len(p.client)
        hours = (
            p.hours[:, None]
            * hours_shape(p.region, p.capability, True)
            * rng.lognormal(0, 0.05, (n, N_MONTHS))
        )
        rate = p.rate[:, None] * RATE_INDEX[p.region][:, year] * rng.lognormal(0, 0.02, (n, N_MONTHS))
        hours, rate = np.round(hours, 1), np.round(rate, 2)
        fees = np.round(hours * rate, 2)
        std = np.round(rate / p.realisation[:, None], 2)
        gfd = np.round(hours / 8, 2)
        pair_idx = pa.array(np.repeat(np.arange(n), N_MONTHS))
        cols = {
            "month": months.take(pa.array(np.tile(np.arange(N_MONTHS), n))),
            "account_id": account_ids.take(pa.array(p.client)).take(pair_idx),
            "region": pa.array(np.asarray(REGIONS, dtype=object)[p.region]).take(pair_idx),
            "capability": pa.array(np.asarray(CAPABILITIES, dtype=object)[p.capability]).take(pair_idx),
            "chargeable_hours": hours.ravel(),
            "available_hours": np.round(hours / p.utilisation[:, None], 1).ravel(),
            "hourly_rate": rate.ravel(),
            "standard_rate": std.ravel(),
            "fees": fees.ravel(),
            "gross_fee_days": gfd.ravel(),
            "unbilled_days": np.round(gfd * rng.uniform(0.05, 0.3, (n, N_MONTHS)), 2).ravel(),
            "cost": np.round(hours * std * p.cost_ratio[:, None], 2).ravel(),
            "wip": np.round(fees * rng.uniform(0.1, 0.4, (n, N_MONTHS)), 2).ravel(),
            "source": pa.array(["demo"], pa.string()).take(pa.array(np.zeros(n * N_MONTHS, dtype="int64"))),
        }
        yield pa.RecordBatch.from_arrays(
            [
                pa.array(cols[f.name], f.type)
                if not isinstance(cols[f.name], pa.Array)
                else cols[f.name].cast(f.type)
                for f in schema
            ],
            schema=schema,
        )


def planned_totals(ctx: Context, dims: Dimensions) -> tuple[np.ndarray, np.ndarray]:
    """Budgeted hours and fees by region x capability x month (from the client plan, before noise)."""
    hours = np.zeros((len(REGIONS), len(CAPABILITIES), N_MONTHS))
    fees = np.zeros_like(hours)
    _, year = _month_index()
    for chunk in range(n_chunks(dims)):
        p = pairs(ctx, dims, chunk)
        base_h = np.zeros((len(REGIONS), len(CAPABILITIES)))
        base_f = np.zeros_like(base_h)
        np.add.at(base_h, (p.region, p.capability), p.hours)
        np.add.at(base_f, (p.region, p.capability), p.hours * p.rate)
        r_idx = np.repeat(np.arange(len(REGIONS)), len(CAPABILITIES))
        c_idx = np.tile(np.arange(len(CAPABILITIES)), len(REGIONS))
        shape = hours_shape(r_idx, c_idx, False).reshape(len(REGIONS), len(CAPABILITIES), N_MONTHS)
        hours += base_h[:, :, None] * shape
        fees += base_f[:, :, None] * shape * BUDGET_RATE_INDEX[year][None, None, :]
    return hours, fees


def budgets_table(ctx: Context, dims: Dimensions, won_budget: np.ndarray) -> pa.Table:
    """Long-format budgets: services metrics by region x capability x month, won revenue by region x month."""
    hours, fees = planned_totals(ctx, dims)
    months = month_starts()
    grid = np.meshgrid(
        np.arange(len(REGIONS)), np.arange(len(CAPABILITIES)), np.arange(N_MONTHS), indexing="ij"
    )
    r, c, m = (axis.ravel() for axis in grid)
    parts = []
    for metric, values in (
        ("chargeable_hours", hours),
        ("fees", fees),
        ("gross_fee_days", hours / 8),
        ("cost", fees * 0.52 / 0.91),
    ):
        parts.append(
            to_table(
                "budgets",
                {
                    "month": months[m],
                    "region": np.asarray(REGIONS, dtype=object)[r],
                    "capability": np.asarray(CAPABILITIES, dtype=object)[c],
                    "metric": [metric] * len(r),
                    "value": np.round(values.ravel(), 2),
                },
            )
        )
    rr, mm = np.meshgrid(np.arange(len(REGIONS)), np.arange(N_MONTHS), indexing="ij")
    parts.append(
        to_table(
            "budgets",
            {
                "month": months[mm.ravel()],
                "region": np.asarray(REGIONS, dtype=object)[rr.ravel()],
                "capability": [""] * rr.size,
                "metric": ["won_revenue"] * rr.size,
                "value": np.round(won_budget.ravel(), 2),
            },
        )
    )
    return pa.concat_tables(parts)


def headcount_table(ctx: Context, dims: Dimensions) -> pa.Table:
    """Delivery headcount sized from planned hours, with monthly hires and (voluntary) leavers."""
    rng = ctx.rng(12)
    hours, _ = planned_totals(ctx, dims)
    fte = hours / BUDGET_STRETCH / (160 * 0.76)
    leavers = rng.poisson(fte * 0.012)
    vol = rng.binomial(leavers, 0.75)
    growth = np.diff(np.concatenate([fte[:, :, :1], fte], axis=2), axis=2)
    hires = np.maximum(0, np.round(leavers + growth + rng.normal(0, 0.5, fte.shape))).astype("int64")
    months = month_starts()
    r, c, m = np.meshgrid(
        np.arange(len(REGIONS)), np.arange(len(CAPABILITIES)), np.arange(N_MONTHS), indexing="ij"
    )
    return to_table(
        "headcount",
        {
            "month": months[m.ravel()],
            "region": np.asarray(REGIONS, dtype=object)[r.ravel()],
            "capability": np.asarray(CAPABILITIES, dtype=object)[c.ravel()],
            "headcount": np.round(fte * rng.uniform(0.97, 1.03, fte.shape), 1).ravel(),
            "hires": hires.ravel(),
            "leavers": leavers.ravel().astype("int64"),
            "voluntary_leavers": vol.ravel().astype("int64"),
        },
    )
