"""A small seeded synthetic pipeline (deals with weekly history) for tests and benchmarks.

It is not the demo dataset (``revintel demo seed`` builds that): it is a compact generator with
known signals, so model and forecast behaviour can be checked quickly. Signals: deals that are
pushed lose more often, stronger reps win more, later stages win more, and a cluster of
Enterprise deals in EMEA keeps slipping.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from revintel.warehouse.backends import Change, Warehouse, conform

REGIONS = ("Americas", "EMEA", "APAC", "UK")
OPEN_STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation")


def _dims(rng: np.random.Generator, n_reps: int) -> dict[str, pd.DataFrame]:
    reps = pd.DataFrame(
        {
            "rep_id": [f"R{i:03d}" for i in range(n_reps)],
            "name": [f"Rep {i:03d}" for i in range(n_reps)],
            "region": [REGIONS[i % 4] for i in range(n_reps)],
            "team": [
                f"{REGIONS[i % 4]} {'Enterprise' if i % 3 == 0 else 'Commercial'}" for i in range(n_reps)
            ],
            "manager": [f"Manager {i % 4}" for i in range(n_reps)],
            "active": True,
        }
    )
    products = pd.DataFrame(
        {
            "product_id": ["P1", "P2", "P3"],
            "name": ["Core", "Cloud", "Advisory"],
            "capability": ["Technology", "Technology", "Consulting"],
            "list_price": [20000.0, 50000.0, 90000.0],
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": [f"A{i:03d}" for i in range(60)],
            "name": [f"Account {i:03d}" for i in range(60)],
            "tier": rng.choice(["Enterprise", "Mid-Market", "SMB"], 60),
            "sector": rng.choice(["Tech", "Health"], 60),
            "region": [REGIONS[i % 4] for i in range(60)],
        }
    )
    return {"reps": reps, "products": products, "accounts": accounts}


def _deal_path(rng, start, as_of, p_win, slipping):
    """Weekly snapshots of one deal: (date, stage, status, amount, close_date) tuples."""
    amount = float(rng.choice([20000, 50000, 90000]) * rng.uniform(0.6, 1.6))
    close = start + dt.timedelta(days=int(rng.integers(45, 160)))
    stage, rows, day = 0, [], start
    won = rng.random() < p_win
    end = close + dt.timedelta(days=int(rng.integers(0, 60) if not won else rng.integers(-20, 30)))
    while day <= as_of:
        if day >= end:
            rows.append((day, "Closed Won" if won else "Closed Lost", "won" if won else "lost", amount, day))
            break
        if stage < 3 and rng.random() < 0.12:
            stage += 1
        if day >= close - dt.timedelta(days=7) or (slipping and rng.random() < 0.15):
            close += dt.timedelta(days=int(rng.integers(14, 45)))
            if not won and rng.random() < 0.5:
                end += dt.timedelta(days=14)
        if rng.random() < 0.03:
            amount *= float(rng.uniform(0.8, 1.2))
        rows.append((day, OPEN_STAGES[stage], "open", amount, close))
        day += dt.timedelta(days=7)
    return rows


def generate(n_deals: int = 600, seed: int = 7, as_of: dt.date = dt.date(2025, 12, 31), n_reps: int = 16):
    """Build the canonical tables (as DataFrames) of a synthetic pipeline ending on ``as_of``."""
    rng = np.random.default_rng(seed)
    dims = _dims(rng, n_reps)
    skill = rng.uniform(0.25, 0.6, n_reps)
    first = as_of - dt.timedelta(days=720)
    opps, hist = [], []
    for i in range(n_deals):
        rep = int(rng.integers(n_reps))
        acct = int(rng.integers(60))
        start = first + dt.timedelta(days=int(rng.integers(0, 700)))
        slipping = (
            dims["reps"].region[rep] == "EMEA" and i % 9 == 0 and start > as_of - dt.timedelta(days=200)
        )
        p = skill[rep] * (0.45 if slipping else 1.0)
        path = _deal_path(rng, start, as_of, p, slipping)
        oid = f"D{i:05d}"
        for r in path:
            hist.append((oid, r[0], r[1], r[2], r[3], r[4]))
        last = path[-1]
        opps.append(
            {
                "opportunity_id": oid,
                "name": f"Deal {i}",
                "account_id": f"A{acct:03d}",
                "rep_id": f"R{rep:03d}",
                "product_id": rng.choice(["P1", "P2", "P3"]),
                "stage": last[1],
                "status": last[2],
                "amount": last[3],
                "close_date": last[4],
                "created_date": start,
                "deal_type": "New Business",
                "competitor": "Rival" if slipping else None,
            }
        )
    h = pd.DataFrame(
        hist, columns=["opportunity_id", "snapshot_date", "stage", "status", "amount", "close_date"]
    )
    h["probability"] = h["stage"].map(
        {
            "Prospecting": 0.1,
            "Qualification": 0.2,
            "Proposal": 0.4,
            "Negotiation": 0.6,
            "Closed Won": 1.0,
            "Closed Lost": 0.0,
        }
    )
    tables = {**dims, "opportunities": pd.DataFrame(opps), "opportunity_history": h}
    tables["quotas"] = pd.DataFrame(
        {
            "rep_id": dims["reps"].rep_id,
            "period_start": dt.date(2026, 1, 1),
            "period_end": dt.date(2026, 3, 31),
            "amount": 150000.0,
        }
    )
    tables["forecast_submissions"] = pd.DataFrame(
        {
            "submission_id": [f"S{i}" for i in range(n_reps)],
            "rep_id": dims["reps"].rep_id,
            "period_start": dt.date(2026, 1, 1),
            "submitted_on": as_of,
            "commit_amount": 60000.0,
            "best_case_amount": 110000.0,
            "pipeline_amount": 250000.0,
        }
    )
    return tables


def load(
    warehouse: Warehouse, tables: dict[str, pd.DataFrame], as_of: dt.date = dt.date(2025, 12, 31)
) -> None:
    """Write ``tables`` into ``warehouse`` atomically, with dataset meta."""
    changes = [
        Change(name, conform(name, pa.Table.from_pandas(df, preserve_index=False)))
        for name, df in tables.items()
    ]
    warehouse.apply(changes, {"dataset": "synthetic", "as_of": as_of.isoformat()})
