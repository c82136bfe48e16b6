"""Time to close: an empirical distribution of the days until a deal that wins closes.

Fitted on deals that were open on past snapshot dates and later won (outcomes known by the
as-of date). Two shapes, picked per deal:

* the deal has an expected close date (a history table exists): days to close = days until the
  expected date (at least 0) + a *slip* drawn from what deals in the same stage, overdue or
  not, actually slipped past their expected date;
* it has none (maven): days to close is drawn from how long deals in the same stage and age
  bracket took to close.

Groups with fewer than ``MIN_SAMPLES`` deals, or whose P10-P90 spread is under ``MIN_SPREAD``
days, fall back to the stage, then to all deals; a range is never narrower than ``MIN_SPREAD``. The
distribution is conditional on winning: lost deals close too, but bring no revenue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

AGE_EDGES = (0, 30, 90, 180, 365)
MIN_SAMPLES = 20
MAX_SAMPLES = 2000
MIN_SPREAD = 7  # days between P10 and P90: a close-date range is never a single day


def _age_bucket(age: pd.Series) -> pd.Series:
    idx = np.searchsorted(AGE_EDGES, age.fillna(0).to_numpy(), side="right") - 1
    return pd.Series(np.clip(idx, 0, len(AGE_EDGES) - 1), index=age.index).astype(str)


def _keys(f: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(slip key, duration key, stage key) per row."""
    stage = f["stage"].fillna("unknown").astype(str)
    overdue = np.where(f["days_to_close"].fillna(0) < 0, "overdue", "on-time")
    return stage + "|" + overdue, stage + "|" + _age_bucket(f["age_days"]), stage


@dataclass
class CloseTiming:
    """Empirical samples of days-to-close (or slip) per group, with fallbacks."""

    slip: dict[str, list[int]] = field(default_factory=dict)
    duration: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def fit(cls, won_rows: pd.DataFrame, seed: int = 0) -> CloseTiming:
        """Fit from snapshot rows of deals that later won (``final_close``, ``snapshot``, features)."""
        rng = np.random.default_rng(seed)
        rows = won_rows.copy()
        remaining = (rows["final_close"] - rows["snapshot"]).dt.days.clip(lower=1)
        planned = rows["days_to_close"].clip(lower=0)
        slip_key, dur_key, stage_key = _keys(rows)
        out = cls()
        for target, values, keys in (
            (out.slip, remaining - planned, (slip_key, stage_key)),
            (out.duration, remaining, (dur_key, stage_key)),
        ):
            ok = values.notna()
            for key_series in (*keys, pd.Series("*", index=rows.index)):
                for k, v in values[ok].groupby(key_series[ok]):
                    arr = v.to_numpy(dtype=float)
                    if len(arr) > MAX_SAMPLES:
                        arr = rng.choice(arr, MAX_SAMPLES, replace=False)
                    target.setdefault(str(k), sorted(int(x) for x in arr))
        return out

    def _samples(self, table: dict[str, list[int]], key: str, stage: str) -> np.ndarray:
        """The group's samples; a group too small, or whose samples (almost) all agree, falls back."""
        for k in (key, stage, "*"):
            s = table.get(k)
            if s is None:
                continue
            spread = np.quantile(s, 0.9) - np.quantile(s, 0.1) if len(s) else 0.0
            if (len(s) >= MIN_SAMPLES and spread >= MIN_SPREAD) or k == "*":
                return np.asarray(s, float)
        return np.asarray([], float)

    def _groups(self, f: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Deals grouped by the samples they use: (row positions, sorted samples, per-row base days)."""
        slip_key, dur_key, stage_key = _keys(f)
        planned = f["days_to_close"].clip(lower=0).to_numpy(float)
        use_slip = ~np.isnan(planned) & bool(self.slip)
        groups: dict[tuple[str, str, str], list[int]] = {}
        for i in range(len(f)):
            kind = "slip" if use_slip[i] else "duration"
            key = slip_key.iat[i] if use_slip[i] else dur_key.iat[i]
            groups.setdefault((kind, key, stage_key.iat[i]), []).append(i)
        out = []
        for (kind, key, stage), rows in groups.items():
            idx = np.asarray(rows)
            samples = self._samples(self.slip if kind == "slip" else self.duration, key, stage)
            base = np.where(use_slip[idx], planned[idx], 0.0)
            out.append((idx, np.sort(samples), base))
        return out

    @staticmethod
    def _cdf(samples: np.ndarray, base: np.ndarray, day: float) -> np.ndarray:
        """P(max(base + s, 1) <= day) per row."""
        if day < 1:
            return np.zeros(len(base))
        return np.searchsorted(samples, day - base, side="right") / len(samples)

    def prob_between(self, f: pd.DataFrame, first_day: float, last_day: float) -> np.ndarray:
        """P(a winning deal closes between ``first_day`` and ``last_day`` days from now, inclusive)."""
        q = np.zeros(len(f))
        for idx, s, base in self._groups(f):
            if len(s):
                q[idx] = self._cdf(s, base, last_day) - self._cdf(s, base, first_day - 1)
        return np.clip(q, 0.0, 1.0)

    def prob_by(self, f: pd.DataFrame, first_day: float, last_days: list[float]) -> np.ndarray:
        """:meth:`prob_between` for several last days at once (deals x len(last_days)), grouping once."""
        q = np.zeros((len(f), len(last_days)))
        for idx, s, base in self._groups(f):
            if len(s):
                before = self._cdf(s, base, first_day - 1)
                for k, last in enumerate(last_days):
                    q[idx, k] = self._cdf(s, base, last) - before
        return np.clip(q, 0.0, 1.0)

    def quantiles(self, f: pd.DataFrame, qs: tuple[float, ...] = (0.1, 0.5, 0.9)) -> np.ndarray:
        """Days to close at the given quantiles, per deal (n x len(qs)); NaN when unknown."""
        out = np.full((len(f), len(qs)), np.nan)
        for idx, s, base in self._groups(f):
            if len(s):
                out[idx] = np.maximum(base[:, None] + np.quantile(s, qs)[None, :], 1)
        if len(qs) > 1:
            out[:, -1] = np.maximum(out[:, -1], out[:, 0] + MIN_SPREAD)
        return out

    def to_dict(self) -> dict:
        return {"slip": self.slip, "duration": self.duration}

    @classmethod
    def from_dict(cls, d: dict) -> CloseTiming:
        return cls(d.get("slip", {}), d.get("duration", {}))
