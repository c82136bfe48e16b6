"""Markov-chain attribution: removal effects computed exactly from the absorbing chain.

Journeys become a chain whose transient states are the last ``order`` channels seen (shorter at
the start of a journey), with a start state and two absorbing states, conversion and null.
Transition probabilities are the observed transition counts, each journey weighted by how often
it occurred (conversions + nulls). The probability of converting from the start is
``s · (I - Q)^-1 · r`` (``Q`` transient-to-transient, ``r`` the one-step conversion
probability): a sparse linear solve, no simulation. Removing a channel sends every state that
contains it to null; its removal effect is ``1 - P(convert without it) / P(convert)``, and the
channel's credit is the total conversions (or value) times its removal effect over the sum of all
removal effects — the definition the ChannelAttribution package uses. Value uses the same chain
with ``r`` replaced by the expected conversion value of leaving each state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.linalg import splu

from revintel.marketing.journeys import Journeys


@dataclass(frozen=True)
class MarkovResult:
    """Per-channel removal effects and the credit they give."""

    order: int
    removal_conversions: np.ndarray
    removal_value: np.ndarray
    conversions: np.ndarray
    value: np.ndarray
    p_convert: float
    states: int


def _state_codes(j: Journeys, order: int) -> np.ndarray:
    """One integer per touch naming its state: the last ``order`` channels, base ``C + 1``."""
    base = len(j.channels) + 1
    if order > 1 and base**order >= 2**62:
        raise ValueError("too many channels for this Markov order")
    pos = j.position
    code = j.touches.astype(np.int64) + 1
    for lag in range(1, order):
        prev = np.zeros_like(code)
        ok = pos >= lag
        prev[ok] = j.touches[np.flatnonzero(ok) - lag].astype(np.int64) + 1
        code = code + prev * base**lag
    return code


def _state_channels(codes: np.ndarray, order: int, n_channels: int) -> np.ndarray:
    """Boolean (states x channels): which channels each state contains."""
    base = n_channels + 1
    member = np.zeros((len(codes), n_channels), dtype=bool)
    rest = codes.copy()
    for _ in range(order):
        digit = rest % base
        has = digit > 0
        member[np.flatnonzero(has), digit[has] - 1] = True
        rest //= base
    return member


def markov(j: Journeys, order: int = 1) -> MarkovResult:
    """Exact removal-effect attribution for a Markov chain of ``order`` 1 to 3.

    Args:
        j: the journeys (nulls matter: they are the non-converting paths).
        order: how many past channels a state remembers (1-3).

    Returns:
        Removal effects and credited conversions and value per channel.
    """
    if order not in (1, 2, 3):
        raise ValueError("Markov order must be 1, 2 or 3")
    n_ch = len(j.channels)
    weight = j.conversions + j.nulls
    raw = _state_codes(j, order)
    state_ids, states = pd.factorize(raw, sort=True)
    state_ids = state_ids.astype(np.int64)
    s = len(states)
    journey = j.journey_of_touch
    tw = weight[journey]
    # transitions between consecutive touches of a journey
    last = np.zeros(len(j.touches), dtype=bool)
    last[j.offsets[1:] - 1] = True
    frm, to = state_ids[~last], state_ids[np.flatnonzero(~last) + 1]
    trans = sparse.coo_matrix((tw[~last], (frm, to)), shape=(s, s)).tocsr()
    end_state = state_ids[j.offsets[1:] - 1]
    conv_out = np.bincount(end_state, j.conversions, minlength=s)
    value_out = np.bincount(end_state, j.value, minlength=s)
    null_out = np.bincount(end_state, j.nulls, minlength=s)
    out = np.asarray(trans.sum(axis=1)).ravel() + conv_out + null_out
    inv = np.divide(1.0, out, out=np.zeros(s), where=out > 0)
    q = sparse.diags(inv) @ trans
    r = np.stack([conv_out * inv, value_out * inv], axis=1)
    start = np.bincount(state_ids[j.offsets[:-1]], weight, minlength=s)
    start = start / start.sum()
    member = _state_channels(np.asarray(states, dtype=np.int64), order, n_ch)
    system = (sparse.identity(s, format="csc") - q.tocsc()).tocsc()
    base = _absorb(system, r, start, np.ones(s, dtype=bool))
    removal = np.zeros((n_ch, 2))
    for c in range(n_ch):
        keep = ~member[:, c]
        removed = _absorb(system, r, start, keep)
        removal[c] = 1.0 - np.divide(removed, base, out=np.ones(2), where=base > 0)
    removal = np.clip(removal, 0.0, None)
    total = np.array([j.total_conversions, j.total_value])
    share = np.divide(removal, removal.sum(axis=0), out=np.zeros_like(removal), where=removal.sum(axis=0) > 0)
    credit = share * total
    return MarkovResult(
        order=order,
        removal_conversions=removal[:, 0],
        removal_value=removal[:, 1],
        conversions=credit[:, 0],
        value=credit[:, 1],
        p_convert=float(base[0]),
        states=s,
    )


def _absorb(system: sparse.csc_matrix, r: np.ndarray, start: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``start · (I - Q)^-1 · r`` over the kept states (removed states convert nothing)."""
    idx = np.flatnonzero(keep)
    if not len(idx):
        return np.zeros(r.shape[1])
    sub = system[idx][:, idx].tocsc()
    h = splu(sub).solve(np.ascontiguousarray(r[idx]))
    return start[idx] @ h
