"""Shared pieces of the demo generator: the calendar, seeded random streams and the dimensions.

Every domain module draws from its own NumPy ``Generator`` seeded with ``(seed, stream id)``, so
one domain's draws never shift another's and the same seed always gives the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from revintel.warehouse.schema import TABLES_BY_NAME

AS_OF = dt.date(2025, 12, 31)
FIRST_MONTH = dt.date(2023, 1, 1)
N_MONTHS = 36
DEFAULT_SEED = 42
SOURCE = "demo"

TIERS = ("Strategic", "Enterprise", "Mid-Market", "SMB")
TIER_SHARE = (0.10, 0.25, 0.35, 0.30)
REGION_SHARE = (0.35, 0.30, 0.20, 0.15)  # Americas, EMEA, APAC, UK
SECTORS = (
    "Financial Services",
    "Healthcare & Life Sciences",
    "Industrial Manufacturing",
    "Retail & Consumer",
    "Energy & Utilities",
    "Technology & Media",
    "Public Sector",
    "Real Estate",
)
CAPABILITIES = (
    "Consulting",
    "Technology",
    "Risk Advisory",
    "Tax",
    "Audit",
    "Deals",
    "Managed Services",
    "Cyber",
)
COMPETITORS = ("Quantive", "Northwind Analytics", "Corvex", "Altura")
COUNTRIES = {
    "Americas": ("United States", "Canada", "Brazil", "Mexico"),
    "EMEA": ("Germany", "France", "Netherlands", "Spain", "Sweden", "United Arab Emirates"),
    "APAC": ("Australia", "Singapore", "Japan", "India"),
    "UK": ("United Kingdom", "Ireland"),
}
FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Ethan",
    "Sophia",
    "Lucas",
    "Mia",
    "Mateo",
    "Isla",
    "Leo",
    "Chloe",
    "Hugo",
    "Zara",
    "Ravi",
    "Mei",
    "Kenji",
    "Anya",
    "Diego",
    "Freya",
    "Omar",
    "Nina",
    "Felix",
    "Hannah",
    "Ivan",
    "Julia",
    "Karim",
    "Laura",
    "Marco",
    "Nora",
    "Oscar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
)
LAST_NAMES = (
    "Smith",
    "Müller",
    "Garcia",
    "Chen",
    "Okafor",
    "Silva",
    "Kowalski",
    "Nguyen",
    "Patel",
    "Johansson",
    "Rossi",
    "Dubois",
    "Tanaka",
    "Murphy",
    "Novak",
    "Schmidt",
    "Haddad",
    "Kim",
    "Lopez",
    "Brown",
    "Fischer",
    "Singh",
    "Walsh",
    "Jensen",
    "Moreau",
    "Costa",
    "Ito",
    "Klein",
    "Reyes",
    "Wright",
)
NAME_A = (
    "North",
    "Blue",
    "Silver",
    "Oak",
    "Harbor",
    "Summit",
    "Crest",
    "Iron",
    "Pine",
    "Bright",
    "Stone",
    "River",
    "Falcon",
    "Atlas",
    "Cedar",
    "Vista",
    "Granite",
    "Lumen",
    "Maple",
    "Orion",
    "Beacon",
    "Sterling",
)
NAME_B = (
    "gate",
    "field",
    "bridge",
    "wood",
    "point",
    "line",
    "stone",
    "view",
    "crest",
    "ford",
    "haven",
    "works",
)
NAME_C = (
    "Holdings",
    "Group",
    "Industries",
    "Partners",
    "Systems",
    "Health",
    "Capital",
    "Logistics",
    "Energy",
    "Foods",
    "Bank",
    "Insurance",
    "Retail",
    "Labs",
    "Motors",
    "Pharma",
)
#: team -> manager; the first team is EMEA Enterprise (rep R001 Alex Morgan, manager Tom Becker).
TEAMS: tuple[tuple[str, str, str], ...] = (
    ("EMEA Enterprise", "EMEA", "Tom Becker"),
    ("EMEA Commercial", "EMEA", "Sofia Marin"),
    ("Americas Enterprise", "Americas", "Dana Whitfield"),
    ("Americas Commercial", "Americas", "Carlos Ortega"),
    ("APAC Enterprise", "APAC", "Hiro Sato"),
    ("APAC Commercial", "APAC", "Mei Lin"),
    ("UK Enterprise", "UK", "James Hargreaves"),
    ("UK Commercial", "UK", "Fiona Doyle"),
)
PRODUCTS: tuple[tuple[str, str, str, float], ...] = (
    ("Digital Strategy Programme", "Advisory", "Consulting", 180_000.0),
    ("Cloud Platform Implementation", "Implementation", "Technology", 350_000.0),
    ("Data & AI Accelerator", "Implementation", "Technology", 220_000.0),
    ("Enterprise Risk Review", "Advisory", "Risk Advisory", 120_000.0),
    ("Tax Compliance Suite", "Compliance", "Tax", 90_000.0),
    ("Audit Analytics", "Assurance", "Audit", 150_000.0),
    ("M&A Due Diligence", "Transactions", "Deals", 260_000.0),
    ("Managed IT Operations", "Subscription", "Managed Services", 140_000.0),
    ("Cyber Defense Retainer", "Subscription", "Cyber", 110_000.0),
    ("RevIntel Cloud Platform", "Subscription", "Technology", 60_000.0),
)


Column: TypeAlias = "np.ndarray | pa.Array | pa.ChunkedArray | Sequence[Any]"
"""One column handed to :func:`to_table`: a NumPy array, an Arrow array or a Python sequence."""

NULL = np.array(None, dtype=object)
"""A 0-d null: ``np.where(mask, values, NULL)`` keeps ``values`` where ``mask`` holds and nulls the rest."""


def month_starts(n: int = N_MONTHS) -> np.ndarray:
    """The first day of each demo month, as ``datetime64[D]``."""
    return np.arange(np.datetime64("2023-01", "M"), np.datetime64("2023-01", "M") + n).astype("datetime64[D]")


def days(values: np.ndarray | int) -> np.ndarray:
    """Integer day counts as a ``timedelta64[D]`` array."""
    return np.asarray(values, dtype="int64").astype("timedelta64[D]")


def ids(prefix: str, n: int, width: int, start: int = 1) -> pa.Array:
    """``prefix`` + zero-padded running numbers ``start .. start + n - 1``."""
    num = pc.cast(pa.array(np.arange(start, start + n, dtype="int64")), pa.string())
    padded = pc.utf8_lpad(num, width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), padded, pa.scalar(""))


_LABELS: dict[tuple[str, int], pa.Array] = {}


def code(prefix: str, index: npt.ArrayLike, width: int) -> pa.Array:
    """Ids of entities by 0-based index (``code("O", [0, 41], 7)`` -> O0000001, O0000042); -1 gives null.

    Labels are built once per entity kind and then gathered with ``take``, which keeps id columns of
    streamed tables (millions of rows) cheap.
    """
    positions = np.asarray(index, dtype="int64")
    need = int(positions.max()) + 1 if len(positions) else 0
    labels = _LABELS.get((prefix, width))
    if labels is None or len(labels) < need:
        labels = ids(prefix, max(need, 2 * len(labels) if labels is not None else 1), width)
        _LABELS[(prefix, width)] = labels
    missing = positions < 0
    out = labels.take(pa.array(np.where(missing, 0, positions)))
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), out) if missing.any() else out


def forget_codes() -> None:
    """Drop the cached id labels (between generations)."""
    _LABELS.clear()


def pick(values: tuple[str, ...] | np.ndarray, index: np.ndarray) -> np.ndarray:
    """``values[index]`` as an object array of Python strings."""
    return np.asarray(values, dtype=object)[index]


def running_campaign(
    rng: np.random.Generator, when: np.ndarray, windows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each date, a random campaign whose window ``(start, end)`` (int day numbers) contains it.

    Returns the campaign index (the nearest-starting campaign when none runs) and whether one runs.
    Loops over the campaigns, so memory stays proportional to ``len(when)``.
    """
    t = when.astype("datetime64[D]").astype("int64")
    best = np.full(len(t), -1.0)
    choice = np.zeros(len(t), dtype="int64")
    nearest = np.zeros(len(t), dtype="int64")
    distance = np.full(len(t), np.iinfo("int64").max)
    for j, (start, end) in enumerate(windows):
        score = np.where((start <= t) & (t <= end), rng.random(len(t)), -1.0)
        better = score > best
        choice[better], best[better] = j, score[better]
        gap = np.abs(t - start)
        closer = gap < distance
        nearest[closer], distance[closer] = j, gap[closer]
    running = best >= 0
    return np.where(running, choice, nearest), running


def to_table(name: str, columns: Mapping[str, Column]) -> pa.Table:
    """Build a canonical table (schema order and types) from column arrays; adds ``source``."""
    spec = TABLES_BY_NAME[name]
    schema = spec.arrow_schema()
    n = len(next(iter(columns.values())))
    arrays = []
    for f in schema:
        column = columns.get(f.name)
        if f.name == "source" and "source" not in columns:
            arrays.append(pa.array([SOURCE] * n, type=pa.string()))
        elif isinstance(column, pa.Array | pa.ChunkedArray):
            arrays.append(column.cast(f.type))
        elif f.name in columns:
            arrays.append(pa.array(columns[f.name], type=f.type, from_pandas=True))
        else:
            arrays.append(pa.nulls(n, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


@dataclass
class Context:
    """Seed and scale of one generation, with a random stream per domain."""

    seed: int = DEFAULT_SEED
    scale: float = 1.0
    tables: dict[str, pa.Table] = field(default_factory=dict)

    def rng(self, *stream: int) -> np.random.Generator:
        """An independent, reproducible random stream, e.g. ``rng(3)`` or ``rng(3, chunk)``."""
        return np.random.default_rng([self.seed, *stream])

    def count(self, base: int, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    @cached_property
    def n_clients(self) -> int:
        return self.count(500, 40)

    @cached_property
    def n_opportunities(self) -> int:
        return self.count(4_000, 200)

    @cached_property
    def reps_per_team(self) -> int:
        return max(5, round(5 * self.scale**0.5))


@dataclass
class Dimensions:
    """Account, rep and product attributes as arrays, for the fact generators."""

    rep_team: np.ndarray  # team index per rep
    rep_region: np.ndarray  # region index per rep
    rep_skill: np.ndarray  # latent skill per rep (standard normal)
    acct_region: np.ndarray
    acct_tier: np.ndarray
    acct_owner: np.ndarray  # rep index
    acct_created: np.ndarray
    product_capability: np.ndarray

    @property
    def n_accounts(self) -> int:
        return len(self.acct_region)
