"""The dimensions: reps and teams, accounts (the clients), products and contacts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from revintel.warehouse.demo.common import (
    CAPABILITIES,
    COUNTRIES,
    FIRST_NAMES,
    LAST_NAMES,
    NAME_A,
    NAME_B,
    NAME_C,
    PRODUCTS,
    REGION_SHARE,
    SECTORS,
    TEAMS,
    TIER_SHARE,
    TIERS,
    Context,
    Dimensions,
    code,
    days,
    ids,
    pick,
    to_table,
)
from revintel.warehouse.schema import REGIONS

ROMAN = {2: "II", 3: "III", 4: "IV", 5: "V"}


def unique_names(names: list[str], suffix: dict[int, str] | None = None) -> list[str]:
    """Make repeated names unique: the second "Olivia Smith" becomes "Olivia Smith 2" (or a suffix)."""
    seen: dict[str, int] = {}
    out = list(names)
    for i, name in enumerate(names):
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            k = seen[name]
            out[i] = f"{name} {(suffix or {}).get(k, str(k))}"
    return out


def build_reps(ctx: Context) -> tuple[pa.Table, np.ndarray, np.ndarray, np.ndarray]:
    """The reps table, with each rep's team index, region index and latent skill."""
    rng = ctx.rng(1)
    per = ctx.reps_per_team
    team_idx = np.repeat(np.arange(len(TEAMS)), per)
    n = len(team_idx)
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    names = [f"{FIRST_NAMES[a]} {LAST_NAMES[b]}" for a, b in zip(first, last, strict=True)]
    names[0] = "Alex Morgan"
    names = unique_names(names)
    region_idx = np.array([REGIONS.index(TEAMS[t][1]) for t in team_idx])
    skill = rng.normal(0, 1, n)
    skill[0] = 0.8  # Alex Morgan is a solid performer
    hire = np.datetime64("2016-01-01") + days(rng.integers(0, 8 * 365, n))
    active = rng.random(n) > 0.05
    active[0] = True
    table = to_table(
        "reps",
        {
            "rep_id": ids("R", n, 3),
            "name": names,
            "email": [f"{nm.lower().replace(' ', '.')}@revintel-demo.example" for nm in names],
            "team": pick(tuple(t[0] for t in TEAMS), team_idx),
            "manager": pick(tuple(t[2] for t in TEAMS), team_idx),
            "region": pick(REGIONS, region_idx),
            "role": ["AE"] * n,
            "hire_date": hire,
            "active": active,
        },
    )
    return table, team_idx, region_idx, skill


def build_accounts(ctx: Context, team_idx: np.ndarray) -> tuple[pa.Table, Dimensions]:
    """The clients: region, tier, sector, size and an owner from the matching team of their region."""
    rng = ctx.rng(2)
    n = ctx.n_clients
    region = rng.choice(len(REGIONS), n, p=REGION_SHARE)
    tier = rng.choice(len(TIERS), n, p=TIER_SHARE)
    # owner: a rep in the region's Enterprise team (Strategic/Enterprise) or Commercial team
    team_of = np.array(
        [
            [
                next(i for i, t in enumerate(TEAMS) if t[1] == r and t[0].endswith(kind))
                for kind in ("Enterprise", "Commercial")
            ]
            for r in REGIONS
        ]
    )
    acct_team = team_of[region, (tier >= 2).astype(int)]
    per = ctx.reps_per_team
    owner = acct_team * per + rng.integers(0, per, n)
    a, b, c = (rng.integers(0, len(x), n) for x in (NAME_A, NAME_B, NAME_C))
    names = [f"{NAME_A[i]}{NAME_B[j]} {NAME_C[k]}" for i, j, k in zip(a, b, c, strict=True)]
    names = unique_names(names, ROMAN)
    employees = (np.array([40_000, 8_000, 1_200, 150])[tier] * rng.lognormal(0, 0.5, n)).astype("int64")
    revenue = employees * rng.lognormal(np.log(250_000), 0.3, n)
    country = [
        COUNTRIES[REGIONS[r]][k % len(COUNTRIES[REGIONS[r]])]
        for r, k in zip(region, rng.integers(0, 12, n), strict=True)
    ]
    parent = np.full(n, None, dtype=object)
    subs = np.flatnonzero((rng.random(n) < 0.05) & (np.arange(n) > 10))
    parent[subs] = code("A", rng.integers(0, 10, len(subs)), 6).to_pylist()
    created = np.datetime64("2015-01-01") + days(rng.integers(0, 365 * 7, n))
    table = to_table(
        "accounts",
        {
            "account_id": ids("A", n, 6),
            "name": names,
            "sector": pick(SECTORS, rng.integers(0, len(SECTORS), n)),
            "tier": pick(TIERS, tier),
            "region": pick(REGIONS, region),
            "country": country,
            "employees": employees,
            "annual_revenue": np.round(revenue, -3),
            "parent_account_id": parent,
            "owner_rep_id": code("R", owner, 3),
            "created_date": created,
        },
    )
    dims = Dimensions(
        rep_team=team_idx,
        rep_region=np.empty(0),
        rep_skill=np.empty(0),
        acct_region=region,
        acct_tier=tier,
        acct_owner=owner,
        acct_created=created,
        product_capability=np.array([CAPABILITIES.index(p[2]) for p in PRODUCTS]),
    )
    return table, dims


def build_products() -> pa.Table:
    """The fixed catalogue of ten products, each delivered by a capability."""
    return to_table(
        "products",
        {
            "product_id": ids("P", len(PRODUCTS), 2),
            "name": [p[0] for p in PRODUCTS],
            "series": [p[1] for p in PRODUCTS],
            "capability": [p[2] for p in PRODUCTS],
            "list_price": [p[3] for p in PRODUCTS],
        },
    )


def build_contacts(ctx: Context, dims: Dimensions) -> tuple[pa.Table, tuple[np.ndarray, np.ndarray]]:
    """Two to four contacts per account; also returns each account's first contact index and count."""
    rng = ctx.rng(3)
    per_acct = rng.integers(2, 5, dims.n_accounts)
    acct = np.repeat(np.arange(dims.n_accounts), per_acct)
    n = len(acct)
    first = pick(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), n))
    last = pick(LAST_NAMES, rng.integers(0, len(LAST_NAMES), n))
    titles = (
        "CFO",
        "CIO",
        "Head of Finance",
        "VP Operations",
        "Procurement Lead",
        "CISO",
        "COO",
        "Tax Director",
    )
    sources = ("Event", "Web", "Referral", "Outbound", "Partner")
    offset = np.concatenate([[0], np.cumsum(per_acct)[:-1]])
    return to_table(
        "contacts",
        {
            "contact_id": ids("C", n, 7),
            "account_id": code("A", acct, 6),
            "name": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
            "email": [
                f"{f.lower()}.{la.lower()}{i}@client.example"
                for i, (f, la) in enumerate(zip(first, last, strict=True))
            ],
            "title": pick(titles, rng.integers(0, len(titles), n)),
            "lead_source": pick(sources, rng.integers(0, len(sources), n)),
            "created_date": dims.acct_created[acct] + days(rng.integers(0, 900, n)),
        },
    ), (offset, per_acct)
