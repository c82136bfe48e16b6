"""Every attribution model side by side, per channel: the one owner of attribution figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from revintel.marketing import heuristics as h
from revintel.marketing.journeys import Journeys
from revintel.marketing.markov import markov
from revintel.marketing.shapley import MAX_CHANNELS, shapley

HEURISTICS: dict[str, Callable[[Journeys], np.ndarray]] = {
    "first_touch": h.first_touch,
    "last_touch": h.last_touch,
    "last_non_direct": h.last_non_direct,
    "linear": h.linear,
    "time_decay": h.time_decay,
    "position_based": h.position_based,
    "w_shaped": h.w_shaped,
}
MODEL_LABELS = {
    "first_touch": "First touch",
    "last_touch": "Last touch",
    "last_non_direct": "Last non-direct",
    "linear": "Linear",
    "time_decay": "Time decay",
    "position_based": "Position-based (40/20/40)",
    "w_shaped": "W-shaped",
    "markov_1": "Markov (order 1)",
    "markov_2": "Markov (order 2)",
    "markov_3": "Markov (order 3)",
    "shapley": "Shapley",
}
MODELS = tuple(MODEL_LABELS)


@dataclass
class Attribution:
    """Credit per channel under each model, plus notes on models that could not run."""

    channels: tuple[str, ...]
    conversions: dict[str, np.ndarray]
    value: dict[str, np.ndarray]
    total_conversions: float
    total_value: float
    journeys: int
    notes: dict[str, str] = field(default_factory=dict)
    removal_effects: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def models(self) -> list[str]:
        """The models that ran, in display order."""
        return [m for m in MODELS if m in self.conversions]

    def to_dict(self, value_label: str = "value") -> dict[str, Any]:
        """Plain data: one row per channel with every model's conversions and value."""
        rows = []
        for i, ch in enumerate(self.channels):
            row: dict[str, Any] = {"channel": ch}
            for m in self.models:
                row[m] = {"conversions": float(self.conversions[m][i]), value_label: float(self.value[m][i])}
            for m, re in self.removal_effects.items():
                row[f"{m}_removal_effect"] = float(re[i])
            rows.append(row)
        return {
            "models": self.models,
            "labels": {m: MODEL_LABELS[m] for m in self.models},
            "channels": rows,
            "totals": {
                "journeys": self.journeys,
                "conversions": self.total_conversions,
                value_label: self.total_value,
            },
            "notes": self.notes,
        }


def attribute(
    j: Journeys,
    models: tuple[str, ...] = MODELS,
    *,
    half_life: float | None = None,
) -> Attribution:
    """Run ``models`` over the journeys.

    Args:
        j: the journeys.
        models: model ids from :data:`MODELS`.
        half_life: the time-decay half-life (days when timed, touches when not).

    Returns:
        Credit per channel for each model; a model that cannot run on these journeys (W-shaped
        without milestones, Shapley over too many channels) is left out with a note.
    """
    unknown = [m for m in models if m not in MODEL_LABELS]
    if unknown:
        raise ValueError(f"unknown attribution model(s): {', '.join(unknown)}")
    out = Attribution(j.channels, {}, {}, j.total_conversions, j.total_value, len(j))
    for m in models:
        if m in HEURISTICS:
            if m == "w_shaped" and not j.has_milestones:
                out.notes[m] = (
                    "needs the lead-creation and opportunity-creation touches, which these journeys lack"
                )
                continue
            w = h.time_decay(j, half_life) if m == "time_decay" else HEURISTICS[m](j)
            out.conversions[m], out.value[m] = h.credit(j, w)
        elif m.startswith("markov_"):
            res = markov(j, int(m[-1]))
            out.conversions[m], out.value[m] = res.conversions, res.value
            out.removal_effects[m] = res.removal_conversions
        elif m == "shapley":
            if len(j.channels) > MAX_CHANNELS:
                out.notes[m] = f"exact Shapley runs over at most {MAX_CHANNELS} channels"
                continue
            res_s = shapley(j)
            out.conversions[m], out.value[m] = res_s.conversions, res_s.value
    return out
