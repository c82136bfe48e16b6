"""Rule-based attribution: each model gives every touch a share of its journey's credit.

Every function returns one weight per touch (``journeys.touches``); the weights of a journey sum
to 1. :func:`credit` turns weights into conversions and value per channel. Definitions:

- first touch / last touch: all credit to the first / last touch.
- last non-direct: the last touch whose channel is not direct (``direct``, ``(direct)``); a
  journey of direct touches only credits its last touch.
- linear: ``1/n`` to each of the ``n`` touches (a channel touched twice gets ``2/n``).
- time decay: weight ``2 ** (-age / half_life)`` normalised per journey; ``age`` is days from the
  touch to conversion when touches are timed, else touches before the last one.
- position-based (U-shaped): 40% first, 40% last, 20% shared by the touches in between; a
  two-touch journey gives 50/50, a one-touch journey 100%.
- W-shaped: 30% each to the first touch, the lead-creation touch and the opportunity-creation
  touch, 10% shared by the other touches (shared by the milestone touches when there are none);
  a milestone that coincides with another adds its share to that touch, and a missing milestone's
  30% is shared equally by the known ones.
"""

from __future__ import annotations

import numpy as np

from revintel.marketing.journeys import Journeys

UNTIMED_HALF_LIFE = 2.0  # touches
TIMED_HALF_LIFE = 7.0  # days


def first_touch(j: Journeys) -> np.ndarray:
    """All credit to each journey's first touch."""
    w = np.zeros(len(j.touches))
    w[j.offsets[:-1]] = 1.0
    return w


def last_touch(j: Journeys) -> np.ndarray:
    """All credit to each journey's last touch."""
    w = np.zeros(len(j.touches))
    w[j.offsets[1:] - 1] = 1.0
    return w


def last_non_direct(j: Journeys) -> np.ndarray:
    """All credit to the last touch that is not direct (the last touch when all are direct)."""
    direct = np.isin(j.touches, j.direct_codes())
    if not direct.any():
        return last_touch(j)
    idx = np.arange(len(j.touches), dtype=np.int64)
    candidate = np.where(direct, -1, idx)
    journey = j.journey_of_touch
    best = np.full(len(j), -1, dtype=np.int64)
    np.maximum.at(best, journey, candidate)
    best = np.where(best < 0, j.offsets[1:] - 1, best)
    w = np.zeros(len(j.touches))
    w[best] = 1.0
    return w


def linear(j: Journeys) -> np.ndarray:
    """Equal credit to every touch."""
    return np.repeat(1.0 / j.lengths, j.lengths)


def time_decay(j: Journeys, half_life: float | None = None) -> np.ndarray:
    """Credit halving every ``half_life`` (days when timed, touches when not) before conversion."""
    if j.age_days is not None:
        age = j.age_days
        hl = TIMED_HALF_LIFE if half_life is None else half_life
    else:
        age = (np.repeat(j.lengths, j.lengths) - 1 - j.position).astype(np.float64)
        hl = UNTIMED_HALF_LIFE if half_life is None else half_life
    raw = np.exp2(-np.maximum(age, 0.0) / hl)
    totals = np.add.reduceat(raw, j.offsets[:-1]) if len(raw) else raw
    return raw / np.repeat(totals, j.lengths)


def position_based(j: Journeys, first: float = 0.4, last: float = 0.4) -> np.ndarray:
    """U-shaped: ``first`` to the first touch, ``last`` to the last, the rest shared in between."""
    n = np.repeat(j.lengths, j.lengths)
    pos = j.position
    middle = (1.0 - first - last) / np.maximum(n - 2, 1)
    w = np.where(pos == 0, first, np.where(pos == n - 1, last, middle))
    w = np.where(n == 2, 0.5, w)
    return np.where(n == 1, 1.0, w)


def w_shaped(j: Journeys) -> np.ndarray:
    """W-shaped over first touch, lead creation and opportunity creation (needs milestones)."""
    if j.lead_touch is None or j.opp_touch is None:
        raise ValueError("W-shaped attribution needs the lead and opportunity creation touches")
    nj = len(j)
    lengths = j.lengths
    lead = np.where(j.lead_touch < lengths, j.lead_touch, -1)
    opp = np.where(j.opp_touch < lengths, j.opp_touch, -1)
    known = 1 + (lead >= 0) + (opp >= 0)
    share = 0.9 / known
    w = np.zeros(len(j.touches))
    start = j.offsets[:-1]
    np.add.at(w, start, share)
    has_lead, has_opp = lead >= 0, opp >= 0
    np.add.at(w, start[has_lead] + lead[has_lead], share[has_lead])
    np.add.at(w, start[has_opp] + opp[has_opp], share[has_opp])
    milestone = w > 0
    n_mile = np.add.reduceat(milestone.astype(np.int64), start) if nj else np.zeros(0, np.int64)
    others = lengths - n_mile
    per_touch = np.where(others > 0, 0.1 / np.maximum(others, 1), 0.1 / np.maximum(n_mile, 1))
    rest = np.repeat(per_touch, lengths)
    on_others = np.repeat(others > 0, lengths)
    w += np.where(milestone != on_others, rest, 0.0)
    return w


def credit(j: Journeys, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Conversions and value per channel from per-touch weights."""
    journey = j.journey_of_touch
    c = len(j.channels)
    conv = np.bincount(j.touches, weights * j.conversions[journey], minlength=c)
    val = np.bincount(j.touches, weights * j.value[journey], minlength=c)
    return conv, val
