"""Marketing: campaigns, leads through the MQL/SQL funnel, and touchpoints (streamed).

Eight campaigns run each year, one after another, each for three to four months. ``CFO Summit
2025`` (an Events campaign, May-September 2025) reaches most of the Strategic and Enterprise deals
open at the time, so it influences a far larger share of pipeline than any other campaign.

Planted funnel drop (docs/demo-data.md, signal "EMEA lead quality drop"): from ``JUNK_START``
(Monday 13 October 2025) the ``Cloud Migration Search 2025`` paid-search keywords keep running in
EMEA after the campaign ended and bring about three unqualified leads a day (lead source
``Paid``) that never become MQLs. EMEA's daily lead-to-MQL conversion roughly halves from that
day, and its end-to-end conversion falls; the other regions are untouched. The planted leads come
after every other lead (their ids are the last) and their touches after every other touch, each
from its own random stream, so no other row changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from revintel.warehouse.demo.common import (
    AS_OF,
    FIRST_NAMES,
    LAST_NAMES,
    NAME_A,
    NAME_C,
    Context,
    code,
    days,
    ids,
    pick,
    running_campaign,
    to_table,
)
from revintel.warehouse.demo.pipeline import CHUNK_OPPS, Pipeline
from revintel.warehouse.schema import REGIONS, TABLES_BY_NAME

THEMES = (
    ("Finance Transformation Webinars", "Webinar"),
    ("Cloud Migration Search", "Paid Search"),
    ("Cyber Resilience Roundtables", "Events"),
    ("Tax Reform Briefings", "Email"),
    ("ESG Reporting Content Hub", "Content"),
    ("Partner Co-Sell Programme", "Partner"),
    ("Leadership Insights on LinkedIn", "Social"),
    ("Data & AI Executive Guide", "Content"),
)
CAMPAIGN_TYPES = {
    "Webinar": "Webinar",
    "Paid Search": "Advertisement",
    "Events": "Conference",
    "Email": "Email",
    "Content": "Content Syndication",
    "Partner": "Partners",
    "Social": "Advertisement",
}
CFO_SUMMIT = "CFO Summit 2025"
SUMMIT_WINDOW = (np.datetime64("2025-05-01"), np.datetime64("2025-09-30"))
AS_OF64 = np.datetime64(AS_OF)
CHUNK_LEADS = 200_000
JUNK_START = np.datetime64("2025-10-13")
JUNK_REGION = "EMEA"
JUNK_CAMPAIGN = "Cloud Migration Search 2025"
JUNK_PER_DAY = 3.0


@dataclass
class Campaigns:
    """The campaigns table and, per campaign, its window, channel and id."""

    table: pa.Table
    windows: np.ndarray  # (n, 2) start/end as int day numbers
    channels: np.ndarray
    ids: np.ndarray

    @property
    def regular(self) -> np.ndarray:
        """Windows of the regular campaigns (every campaign but the CFO Summit, which is last)."""
        return self.windows[:-1]


def build_campaigns(ctx: Context) -> Campaigns:
    """Eight campaigns a year, one starting every ~45 days, plus the CFO Summit 2025."""
    rng = ctx.rng(40)
    names: list[str] = []
    channels: list[str] = []
    starts: list[np.datetime64 | np.ndarray] = []
    ends: list[np.datetime64 | np.ndarray] = []
    for year in (2023, 2024, 2025):
        for j, (theme, channel) in enumerate(THEMES):
            start = np.datetime64(f"{year}-01-01") + days(j * 45 + int(rng.integers(0, 8)))
            names.append(f"{theme} {year}")
            channels.append(channel)
            starts.append(start)
            ends.append(start + days(int(rng.integers(95, 125))))
    names.append(CFO_SUMMIT)
    channels.append("Events")
    starts.append(SUMMIT_WINDOW[0])
    ends.append(SUMMIT_WINDOW[1])
    n = len(names)
    start_arr, end_arr = np.array(starts), np.array(ends)
    budget = np.round(rng.uniform(20_000, 120_000, n), -3)
    budget[np.array(channels) == "Events"] *= 2
    budget[-1] = 250_000
    ids = np.array([f"CMP{i + 1:03d}" for i in range(n)], dtype=object)
    table = to_table(
        "campaigns",
        {
            "campaign_id": ids,
            "name": names,
            "channel": channels,
            "campaign_type": [CAMPAIGN_TYPES[c] for c in channels],
            "status": np.where(end_arr < AS_OF64, "Completed", "Active"),
            "start_date": start_arr,
            "end_date": end_arr,
            "budgeted_cost": budget,
            "actual_cost": np.round(budget * rng.uniform(0.85, 1.12, n), -2),
        },
    )
    windows = np.stack([start_arr.astype(int), end_arr.astype(int)], axis=1)
    return Campaigns(table, windows, np.array(channels, dtype=object), ids)


def active_campaign(rng: np.random.Generator, when: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """A campaign running at each date (the nearest-starting one when none is)."""
    return running_campaign(rng, when, windows)[0]


@dataclass
class Leads:
    """Per-lead arrays the touchpoint generator needs."""

    created: np.ndarray
    campaign: np.ndarray
    sql: np.ndarray  # datetime64 or NaT
    account: np.ndarray  # -1 when not converted
    planted_created: np.ndarray | None = None  # the planted EMEA junk leads (after every other lead)
    planted_campaign: int = -1


def build_leads(
    ctx: Context, pipe: Pipeline, camps: Campaigns, account_names: np.ndarray
) -> tuple[pa.Table, Leads]:
    """One converted lead per marketing-sourced deal, plus leads that stalled in the funnel."""
    rng = ctx.rng(41)
    sourced = np.flatnonzero(pipe.campaign >= 0)
    n_conv = len(sourced)
    n = max(ctx.count(8_000), n_conv * 3)
    n_other = n - n_conv
    conv_created = pipe.created[sourced] - days(rng.integers(20, 75, n_conv))
    span = int((AS_OF64 - np.datetime64("2023-01-01")).astype(int))
    other_created = np.datetime64("2023-01-01") + days(rng.integers(0, span, n_other))
    created = np.concatenate([conv_created, other_created])
    campaign = np.concatenate([pipe.campaign[sourced], active_campaign(rng, other_created, camps.regular)])
    mql_lag, sql_lag = days(rng.integers(2, 20, n)), days(rng.integers(3, 25, n))
    is_mql = np.concatenate([np.ones(n_conv, bool), rng.random(n_other) < 0.42])
    is_sql = np.concatenate([np.ones(n_conv, bool), rng.random(n_other) < 0.25]) & is_mql
    mql = np.where(is_mql, created + mql_lag, np.datetime64("NaT"))
    sql = np.where(is_sql, created + mql_lag + sql_lag, np.datetime64("NaT"))
    mql = np.where(mql > AS_OF64, np.datetime64("NaT"), mql)
    sql = np.where((sql > AS_OF64) | np.isnat(mql), np.datetime64("NaT"), sql)
    account = np.concatenate([pipe.account[sourced], np.full(n_other, -1)])
    status = np.where(
        np.isnat(mql),
        pick(("Open", "Nurture", "Disqualified"), rng.integers(0, 3, n)),
        np.where(np.isnat(sql), "Working", "Qualified"),
    )
    status[:n_conv] = "Converted"
    first = pick(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), n))
    last = pick(LAST_NAMES, rng.integers(0, len(LAST_NAMES), n))
    other_co = [
        f"{NAME_A[a]} {NAME_C[c]}"
        for a, c in zip(
            rng.integers(0, len(NAME_A), n_other), rng.integers(0, len(NAME_C), n_other), strict=True
        )
    ]
    table = to_table(
        "leads",
        {
            "lead_id": ids("L", n, 7),
            "name": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
            "company": np.concatenate(
                [account_names[pipe.account[sourced]], np.array(other_co, dtype=object)]
            ),
            "region": np.concatenate(
                [pick(REGIONS, pipe.region[sourced]), pick(REGIONS, rng.integers(0, len(REGIONS), n_other))]
            ),
            "lead_source": pick(("Web", "Event", "Content", "Partner", "Paid"), rng.integers(0, 5, n)),
            "channel": camps.channels[campaign],
            "campaign_id": camps.ids[campaign],
            "status": status,
            "created_date": created,
            "mql_date": mql,
            "sql_date": sql,
            "converted_date": np.concatenate([pipe.created[sourced], np.full(n_other, np.datetime64("NaT"))]),
            "account_id": code("A", account, 6),
            "opportunity_id": code("O", np.concatenate([sourced, np.full(n_other, -1)]), 7),
        },
    )
    junk_table, junk_created, junk_campaign = _planted_leads(
        ctx, camps, n, first_names=first, last_names=last
    )
    table = pa.concat_tables([table, junk_table])
    return table, Leads(created, campaign, sql, account, junk_created, junk_campaign)


def _planted_leads(
    ctx: Context, camps: Campaigns, start_index: int, first_names: np.ndarray, last_names: np.ndarray
) -> tuple[pa.Table, np.ndarray, int]:
    """The planted EMEA paid-search leads from ``JUNK_START``: they never become MQLs."""
    rng = ctx.rng(44)
    span = int((AS_OF64 - JUNK_START).astype(int)) + 1
    per_day = rng.poisson(JUNK_PER_DAY * ctx.scale, span)
    created = np.repeat(JUNK_START + days(np.arange(span)), per_day)
    n = len(created)
    campaign = int(
        np.flatnonzero(camps.table.column("name").to_numpy(zero_copy_only=False) == JUNK_CAMPAIGN)[0]
    )
    other_co = [
        f"{NAME_A[a]} {NAME_C[c]}"
        for a, c in zip(rng.integers(0, len(NAME_A), n), rng.integers(0, len(NAME_C), n), strict=True)
    ]
    nat = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    table = to_table(
        "leads",
        {
            "lead_id": ids("L", n, 7, start=start_index + 1),
            "name": [
                f"{first_names[i % len(first_names)]} {last_names[(i * 7) % len(last_names)]}"
                for i in range(n)
            ],
            "company": np.array(other_co, dtype=object),
            "region": np.full(n, JUNK_REGION, dtype=object),
            "lead_source": np.full(n, "Paid", dtype=object),
            "channel": np.full(n, camps.channels[campaign], dtype=object),
            "campaign_id": np.full(n, camps.ids[campaign], dtype=object),
            "status": pick(("Open", "Nurture", "Disqualified"), rng.integers(0, 3, n)),
            "created_date": created,
            "mql_date": nat,
            "sql_date": nat,
            "converted_date": nat,
            "account_id": code("A", np.full(n, -1), 6),
            "opportunity_id": code("O", np.full(n, -1), 7),
        },
    )
    return table, created, campaign


def _stamp(rng: np.random.Generator, start: np.ndarray, span_days: np.ndarray) -> np.ndarray:
    """Business-hours timestamps on a random day in ``[start, start + span_days]``."""
    day = start.astype("datetime64[D]") + days((rng.random(len(start)) * (span_days + 1)).astype(int))
    seconds = rng.integers(8 * 3600, 18 * 3600, len(start))
    return day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def touchpoint_batches(
    ctx: Context, pipe: Pipeline, leads: Leads, camps: Campaigns, contacts: tuple[np.ndarray, np.ndarray]
) -> Iterator[pa.RecordBatch]:
    """Lead touches, deal touches and CFO Summit touches; streamed in chunks."""
    schema = TABLES_BY_NAME["touchpoints"].arrow_schema()
    counter = 0
    for lo in range(0, len(leads.created), CHUNK_LEADS):
        rng = ctx.rng(42, lo // CHUNK_LEADS)
        idx = np.arange(lo, min(len(leads.created), lo + CHUNK_LEADS))
        k = 1 + rng.poisson(1.6, len(idx))
        row = np.repeat(idx, k)
        end = np.where(np.isnat(leads.sql[row]), leads.created[row] + days(60), leads.sql[row])
        end = np.minimum(end, AS_OF64)
        span = np.maximum((end - leads.created[row]).astype(int), 0)
        acct = leads.account[row]
        cols = {
            "lead_id": code("L", row, 7),
            "campaign": leads.campaign[row],
            "touched_at": _stamp(rng, leads.created[row], span),
            "account_id": code("A", acct, 6),
        }
        batch, counter = _touch_batch(schema, camps, cols, counter)
        yield batch
    if leads.planted_created is not None and len(leads.planted_created):
        rng = ctx.rng(45)
        created = leads.planted_created
        row = np.arange(len(leads.created), len(leads.created) + len(created))
        cols = {
            "lead_id": code("L", row, 7),
            "campaign": np.full(len(row), leads.planted_campaign),
            "touched_at": _stamp(rng, created, np.zeros(len(row), dtype=int)),
            "account_id": code("A", np.full(len(row), -1), 6),
        }
        batch, counter = _touch_batch(schema, camps, cols, counter)
        yield batch
    for lo in range(0, pipe.n, CHUNK_OPPS):
        rng = ctx.rng(43, lo // CHUNK_OPPS)
        idx = np.arange(lo, min(pipe.n, lo + CHUNK_OPPS))
        row, campaign, when = _deal_touches(rng, pipe, idx, camps)
        first, count = contacts
        acct = pipe.account[row]
        contact = first[acct] + (rng.random(len(row)) * count[acct]).astype(int)
        cols = {
            "opportunity_id": code("O", row, 7),
            "campaign": campaign,
            "touched_at": when,
            "account_id": code("A", acct, 6),
            "contact_id": code("C", contact, 7),
        }
        batch, counter = _touch_batch(schema, camps, cols, counter)
        yield batch


def _deal_touches(
    rng: np.random.Generator, pipe: Pipeline, idx: np.ndarray, camps: Campaigns
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    life_end = np.minimum(pipe.close[idx], AS_OF64)
    k = rng.poisson(1.0, len(idx))
    row = np.repeat(idx, k)
    span = (np.minimum(pipe.close[row], AS_OF64) - pipe.created[row]).astype(int)
    when = _stamp(rng, pipe.created[row], span)
    campaign = active_campaign(rng, when, camps.regular)
    # the CFO Summit: most Strategic/Enterprise deals open during it
    lo = np.maximum(pipe.created[idx], SUMMIT_WINDOW[0])
    hi = np.minimum(life_end, SUMMIT_WINDOW[1])
    summit = (pipe.tier[idx] <= 1) & (lo <= hi) & (rng.random(len(idx)) < 0.85)
    ks = np.where(summit, rng.integers(1, 4, len(idx)), 0)
    srow = np.repeat(idx, ks)
    swhen = _stamp(rng, np.repeat(lo, ks), np.repeat((hi - lo).astype(int), ks))
    return (
        np.concatenate([row, srow]),
        np.concatenate([campaign, np.full(len(srow), len(camps.ids) - 1)]),
        np.concatenate([when, swhen]),
    )


def _touch_batch(schema: pa.Schema, camps: Campaigns, cols: dict, counter: int) -> tuple[pa.RecordBatch, int]:
    n = len(cols["touched_at"])
    campaign = cols.pop("campaign")
    cols["touchpoint_id"] = ids("T", n, 9, start=counter + 1)
    cols["campaign_id"] = camps.ids[campaign]
    cols["channel"] = camps.channels[campaign]
    batches = to_table("touchpoints", cols).cast(schema).combine_chunks().to_batches()
    if not batches:
        batches = [pa.RecordBatch.from_arrays([pa.array([], f.type) for f in schema], schema=schema)]
    return batches[0], counter + n
