"""Customer journeys as flat arrays: the one input every attribution model reads.

A :class:`Journeys` holds many journeys in compressed-row form: ``touches`` is every touch's
channel code, journey ``j`` owns ``touches[offsets[j]:offsets[j + 1]]``. Each journey carries how
many times it converted (``conversions``), the value of those conversions (``value``) and how
many times it ended without converting (``nulls``) — the ChannelAttribution paths format, where
one row stands for every customer who took that path. Journeys built from timed touches also
carry each touch's age at conversion in days (``age_days``, for time decay) and the touch that
created the lead and the opportunity (``lead_touch``/``opp_touch``, for W-shaped credit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DIRECT = frozenset({"direct", "(direct)", "direct traffic"})


@dataclass(frozen=True)
class Journeys:
    """Journeys in compressed-row form.

    Attributes:
        channels: channel names; a touch's code indexes this tuple.
        touches: channel code of every touch, journey by journey, in time order (int32).
        offsets: ``len(journeys) + 1`` start offsets into ``touches`` (int64).
        conversions: conversions per journey (float64, may be fractional weights).
        value: conversion value per journey (float64).
        nulls: non-converting occurrences per journey (float64).
        age_days: per touch, days from the touch to the journey's end, or None when untimed.
        lead_touch: per journey, index within the journey of the lead-creation touch (-1 none).
        opp_touch: per journey, index within the journey of the opportunity-creation touch (-1 none).
        keys: optional per-journey label (customer, deal or path text).
    """

    channels: tuple[str, ...]
    touches: np.ndarray
    offsets: np.ndarray
    conversions: np.ndarray
    value: np.ndarray
    nulls: np.ndarray
    age_days: np.ndarray | None = None
    lead_touch: np.ndarray | None = None
    opp_touch: np.ndarray | None = None
    keys: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        """Touches per journey."""
        return np.diff(self.offsets)

    @property
    def journey_of_touch(self) -> np.ndarray:
        """For each touch, the index of its journey."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.lengths)

    @property
    def position(self) -> np.ndarray:
        """For each touch, its 0-based position within its journey."""
        return np.arange(len(self.touches), dtype=np.int64) - np.repeat(self.offsets[:-1], self.lengths)

    @property
    def has_milestones(self) -> bool:
        """True when lead and opportunity creation touches are known (W-shaped needs them)."""
        return self.lead_touch is not None and self.opp_touch is not None

    def direct_codes(self) -> np.ndarray:
        """Codes of channels that count as direct (for last non-direct touch)."""
        return np.array(
            [i for i, c in enumerate(self.channels) if c.strip().lower() in DIRECT], dtype=np.int32
        )

    @property
    def total_conversions(self) -> float:
        """All conversions."""
        return float(self.conversions.sum())

    @property
    def total_value(self) -> float:
        """All conversion value."""
        return float(self.value.sum())


def from_lists(
    paths: Sequence[Sequence[str]],
    conversions: Sequence[float],
    value: Sequence[float] | None = None,
    nulls: Sequence[float] | None = None,
    *,
    age_days: Sequence[Sequence[float]] | None = None,
    lead_touch: Sequence[int] | None = None,
    opp_touch: Sequence[int] | None = None,
    keys: Sequence[str] | None = None,
) -> Journeys:
    """Build :class:`Journeys` from Python lists (one list of channel names per journey).

    Args:
        paths: channel names per journey, in time order; each journey needs at least one touch.
        conversions: conversions per journey.
        value: conversion value per journey (default 0).
        nulls: non-converting occurrences per journey (default 0).
        age_days: per journey, each touch's age in days at the journey's end.
        lead_touch: per journey, index of the lead-creation touch (-1 none).
        opp_touch: per journey, index of the opportunity-creation touch (-1 none).
        keys: a label per journey.

    Returns:
        The journeys, channels sorted by name.
    """
    names = sorted({c for p in paths for c in p})
    code = {c: i for i, c in enumerate(names)}
    flat = np.fromiter((code[c] for p in paths for c in p), dtype=np.int32)
    lengths = np.fromiter((len(p) for p in paths), dtype=np.int64, count=len(paths))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    n = len(paths)
    return Journeys(
        channels=tuple(names),
        touches=flat,
        offsets=offsets,
        conversions=np.asarray(conversions, dtype=np.float64),
        value=np.zeros(n) if value is None else np.asarray(value, dtype=np.float64),
        nulls=np.zeros(n) if nulls is None else np.asarray(nulls, dtype=np.float64),
        age_days=None
        if age_days is None
        else np.fromiter((a for ages in age_days for a in ages), dtype=np.float64, count=len(flat)),
        lead_touch=None if lead_touch is None else np.asarray(lead_touch, dtype=np.int64),
        opp_touch=None if opp_touch is None else np.asarray(opp_touch, dtype=np.int64),
        keys=None if keys is None else np.asarray(keys, dtype=object),
    )


def from_codes(
    channels: Sequence[str],
    touches: np.ndarray,
    lengths: np.ndarray,
    conversions: np.ndarray,
    value: np.ndarray,
    nulls: np.ndarray,
    **extra: np.ndarray | None,
) -> Journeys:
    """Build :class:`Journeys` from already-coded arrays (no copying beyond dtype casts)."""
    offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    return Journeys(
        channels=tuple(channels),
        touches=np.asarray(touches, dtype=np.int32),
        offsets=offsets,
        conversions=np.asarray(conversions, dtype=np.float64),
        value=np.asarray(value, dtype=np.float64),
        nulls=np.asarray(nulls, dtype=np.float64),
        **extra,  # type: ignore[arg-type]
    )
