"""Why end-to-end conversion changed: stage contributions, then mix versus rate.

End-to-end conversion is the product of the stage conversions, ``E = Π r_s``. A change
``E1 - E0`` is split among stages by the Shapley rule (each stage's average effect of switching
its rate from base to current over every order of switching): exact (the parts add up to the
change) and defined when a rate is zero. A stage's rate is a weighted mean over segments
(channel, tier ...), ``r = Σ w_k r_k`` with ``w_k`` the segment's share of the stage's entrants;
its change splits exactly into a **mix** effect ``Σ Δw_k · (r̄_k - R̄)`` (more entrants from
segments that convert worse than average ``R̄``; the ``R̄`` term sums to zero) and a **rate**
effect ``Σ w̄_k · Δr_k`` (segments converting worse), bars the midpoint of base and current.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from revintel.marketing.funnel import STAGES, Window, counts

TRANSITIONS = tuple(itertools.pairwise(STAGES))


def _rates(row: pd.Series) -> np.ndarray:
    out = []
    for a, b in TRANSITIONS:
        out.append(row[b] / row[a] if row[a] else 0.0)
    return np.array(out, dtype=float)


def stage_contributions(base: pd.Series, current: pd.Series) -> dict[str, Any]:
    """Split the change in end-to-end conversion among the stage conversions (Shapley, exact)."""
    r0, r1 = _rates(base), _rates(current)
    n = len(r0)
    contrib = np.zeros(n)
    perms = list(itertools.permutations(range(n)))
    for order in perms:
        r = r0.copy()
        prev = float(np.prod(r))
        for i in order:
            r[i] = r1[i]
            now = float(np.prod(r))
            contrib[i] += now - prev
            prev = now
    contrib /= len(perms)
    return {
        "base": float(np.prod(r0)),
        "current": float(np.prod(r1)),
        "change": float(np.prod(r1) - np.prod(r0)),
        "stages": [
            {
                "stage": f"{a}_to_{b}",
                "base_rate": float(r0[i]),
                "current_rate": float(r1[i]),
                "contribution": float(contrib[i]),
            }
            for i, (a, b) in enumerate(TRANSITIONS)
        ],
    }


def mix_rate(events: pd.DataFrame, base: Window, current: Window, stage: str, dim: str) -> dict[str, Any]:
    """Split one stage's conversion change into mix and rate effects over ``dim``'s segments."""
    a, b = stage.split("_to_")
    c0, c1 = counts(events, base, dim), counts(events, current, dim)
    idx = c0.index.union(c1.index)
    c0, c1 = c0.reindex(idx, fill_value=0), c1.reindex(idx, fill_value=0)
    w0 = c0[a] / max(c0[a].sum(), 1)
    w1 = c1[a] / max(c1[a].sum(), 1)
    r0 = (c0[b] / c0[a].replace(0, np.nan)).astype(float)
    r1 = (c1[b] / c1[a].replace(0, np.nan)).astype(float)
    r0, r1 = r0.fillna(r1).fillna(0.0), r1.fillna(r0).fillna(0.0)
    total0 = c0[b].sum() / max(c0[a].sum(), 1)
    total1 = c1[b].sum() / max(c1[a].sum(), 1)
    # a segment's mix effect is measured against the average rate, so a growing segment that
    # converts worse than average shows as negative; the terms still add up to the mix total
    mix = (w1 - w0) * ((r0 + r1) / 2 - (total0 + total1) / 2)
    rate = (w0 + w1) / 2 * (r1 - r0)
    segments = pd.DataFrame(
        {
            "segment": idx.astype(str),
            "base_entrants": c0[a].to_numpy(),
            "current_entrants": c1[a].to_numpy(),
            "base_share": w0.to_numpy(),
            "current_share": w1.to_numpy(),
            "base_rate": r0.to_numpy(),
            "current_rate": r1.to_numpy(),
            "mix_effect": mix.to_numpy(),
            "rate_effect": rate.to_numpy(),
        }
    )
    segments["total_effect"] = segments["mix_effect"] + segments["rate_effect"]
    segments = segments.reindex(segments["total_effect"].abs().sort_values(ascending=False).index)
    return {
        "stage": stage,
        "dimension": dim,
        "mix_effect": float(mix.sum()),
        "rate_effect": float(rate.sum()),
        "change": float(mix.sum() + rate.sum()),
        "segments": segments.to_dict("records"),
    }


def dropping(
    events: pd.DataFrame,
    current: Window,
    base: Window,
    by: str = "region",
    mix_dims: tuple[str, ...] = ("channel", "lead_source"),
) -> dict[str, Any]:
    """Which ``by`` group's end-to-end conversion fell most (in lost wins), and why.

    Returns:
        Every group's base and current conversion and its lost wins (change x current leads); for
        the worst group, its stage contributions and, for the stage that moved most, the mix and
        rate effects over each of ``mix_dims`` with per-segment evidence.
    """
    c0, c1 = counts(events, base, by), counts(events, current, by)
    idx = c0.index.union(c1.index)
    c0, c1 = c0.reindex(idx, fill_value=0), c1.reindex(idx, fill_value=0)
    groups = []
    for g in idx:
        sc = stage_contributions(c0.loc[g], c1.loc[g])
        groups.append(
            {
                "group": str(g),
                "base_conversion": sc["base"],
                "current_conversion": sc["current"],
                "change": sc["change"],
                "base_leads": int(c0.loc[g, "lead"]),
                "current_leads": int(c1.loc[g, "lead"]),
                "lost_wins": float(-sc["change"] * c1.loc[g, "lead"]),
            }
        )
    groups.sort(key=lambda r: -r["lost_wins"])
    out: dict[str, Any] = {"by": by, "groups": groups, "window": current.label, "base": base.label}
    if not groups or groups[0]["lost_wins"] <= 0:
        out["dropping"] = None
        return out
    worst = groups[0]["group"]
    sub = events[events[by].astype(str) == worst]
    sc = stage_contributions(c0.loc[_key(idx, worst)], c1.loc[_key(idx, worst)])
    top = min(sc["stages"], key=lambda s: s["contribution"])
    out["dropping"] = {
        "group": worst,
        "stages": sc,
        "stage": top["stage"],
        "mix_vs_rate": [mix_rate(sub, base, current, top["stage"], d) for d in mix_dims],
    }
    return out


def _key(idx: pd.Index, label: str) -> Any:
    for k in idx:
        if str(k) == label:
            return k
    raise KeyError(label)
