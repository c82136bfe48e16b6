"""Next year's gross and net revenue retention (GRR, NRR) as P10/P50/P90, and its backtest.

For every customer live at the origin, with ARR ``A``:

* it churns at a renewal in the next 12 months with its calibrated P(churn) (renewals further out: 0);
* a survivor's ARR grows by the median renewal uplift seen in history (renewal line / line before);
* it expands with the historical yearly expansion rate, by the median expansion size (share of ARR);
* every draw shares one shift of the log-odds (a good or bad year): the predictive distribution of next
  year's shift given the ``n`` past yearly churn rates, a Student t with ``n - 1`` degrees of freedom scaled
  by their s.d. (at least 0.25) x sqrt(1 + 1/n): with three years of history the s.d. itself is uncertain,
  and a normal with the sample s.d. gave ranges far too narrow (42% coverage for a nominal 80%);
* the assumptions are uncertain too: each draw takes its own renewal uplift and expansion size (bootstrap
  medians of the historical ratios) and expansion rate (Beta posterior of the yearly count).

GRR = ARR kept / ARR at the origin; NRR = (ARR kept x uplift + expansions) / ARR at the origin.
:data:`DRAWS` seeded simulations give the P10/P50/P90. The backtest repeats it from monthly origins
whose year has passed, with a churn model fitted only on renewals settled before the origin and features
as of the origin, and reports how often the realised GRR/NRR fell inside P10-P90 (80% expected), beside a
naive baseline: last year's realised rate, with a P10-P90 range from how much that rate moved from one year
to the next at earlier origins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.customers import churn, scoring
from revintel.customers import estimator as est_mod
from revintel.customers.data import CustomerFrames, load_frames
from revintel.customers.expansion import expansion_ratios
from revintel.customers.features import product_list
from revintel.customers.leakage import before
from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

DRAWS = 4000
YEAR = pd.Timedelta(days=365)
BACKTEST_ORIGINS = 12
MIN_SHOCK = 0.25
#: Largest sample a bootstrap median is drawn from (a random subset beyond that).
BOOTSTRAP_MAX = 2000
_cache: dict[tuple, dict[str, Any]] = {}


def live_at(frames: CustomerFrames, t: pd.Timestamp) -> pd.DataFrame:
    """Customers live at ``t``: ARR of lines live then and their next renewal after ``t``."""
    s = frames.subs
    live = s[(s["start_date"] < t) & (s["end_date"].isna() | (s["end_date"] >= t))]
    return (
        live.groupby("account_id").agg(arr=("arr", "sum"), renewal_date=("renewal_date", "min")).reset_index()
    )


def uplift_ratios(frames: CustomerFrames, until: pd.Timestamp) -> np.ndarray:
    """ARR ratios of a renewal line to the line it renewed, for renewals before ``until``."""
    s = frames.subs[frames.subs["kind"].isin(["new", "renewal"])].sort_values(["account_id", "start_date"])
    prev = s.groupby("account_id")["arr"].shift()
    ok = (s["kind"] == "renewal") & prev.notna() & (s["start_date"] < until) & (prev > 0)
    return (s.loc[ok, "arr"] / prev[ok]).to_numpy(float)


def uplift(frames: CustomerFrames, until: pd.Timestamp) -> float:
    """Median ARR ratio of a renewal line to the line it renewed, for renewals before ``until``."""
    r = uplift_ratios(frames, until)
    return float(np.median(r)) if len(r) else 1.0


def expansion_counts(frames: CustomerFrames, until: pd.Timestamp) -> tuple[int, int]:
    """(customers that expanded, customers live) over the year before ``until``."""
    t0 = until - YEAR
    ids = live_at(frames, t0)["account_id"]
    s = frames.subs
    exp = s[(s["kind"] == "expansion") & (s["start_date"] >= t0) & (s["start_date"] < until)]
    return int(np.isin(ids, exp["account_id"]).sum()), len(ids)


def expansion_rate(frames: CustomerFrames, until: pd.Timestamp) -> float:
    """Share of customers live a year before ``until`` that expanded within that year."""
    k, n = expansion_counts(frames, until)
    return k / n if n else 0.0


def year_shock(frames: CustomerFrames, until: pd.Timestamp) -> tuple[float, int]:
    """How much churn moves from one year to the next: the s.d. of the logit of yearly churn rates at
    renewals settled before ``until`` (at least :data:`MIN_SHOCK`; years with 20+ renewals), and how many
    years it rests on."""
    s = frames.subs
    ev = s[
        s["kind"].isin(["new", "renewal"]) & s["status"].isin(["ended", "churned"]) & (s["end_date"] < until)
    ]
    by = (
        ev.assign(y=ev["end_date"].dt.year, c=ev["status"] == "churned")
        .groupby("y")["c"]
        .agg(["mean", "size"])
    )
    by = by[(by["size"] >= 20) & (by["mean"] > 0) & (by["mean"] < 1)]
    if len(by) < 2:
        return MIN_SHOCK, len(by)
    logit = np.log(by["mean"] / (1 - by["mean"]))
    return float(max(MIN_SHOCK, logit.std(ddof=1))), len(by)


@dataclass
class Assumptions:
    """What the simulation assumes besides each customer's P(churn), with the history behind it.

    Attributes:
        uplifts: historical renewal ARR ratios (renewal line / line renewed).
        sizes: historical expansion ARR / ARR before it.
        expanded: customers that expanded in the last year; ``eligible``: customers live at its start.
        shock_sd: s.d. of the logit of past yearly churn rates; ``years``: how many years.
    """

    uplifts: np.ndarray
    sizes: np.ndarray
    expanded: int
    eligible: int
    shock_sd: float
    years: int

    @classmethod
    def of(
        cls, frames: CustomerFrames, t: pd.Timestamp, sizes_from: CustomerFrames | None = None
    ) -> Assumptions:
        """The assumptions from history before ``t`` (expansion sizes from ``sizes_from`` if given)."""
        k, n = expansion_counts(frames, t)
        sd, years = year_shock(frames, t)
        return cls(uplift_ratios(frames, t), expansion_ratios(sizes_from or frames), k, n, sd, years)

    def summary(self) -> dict[str, Any]:
        """The central values shown beside the forecast."""
        return {
            "renewal_uplift": round(float(np.median(self.uplifts)) if len(self.uplifts) else 1.0, 4),
            "expansion_rate": round(self.expanded / self.eligible if self.eligible else 0.0, 4),
            "expansion_size": round(float(np.median(self.sizes)) if len(self.sizes) else 0.0, 4),
            "year_shock_sd": round(self.shock_sd, 3),
            "years_of_churn_history": self.years,
            "draws": DRAWS,
        }

    def draws(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """One value of every assumption per draw (parameter uncertainty and the year's shift)."""
        df = max(1, self.years - 1)
        z = self.shock_sd * np.sqrt(1 + 1 / max(1, self.years)) * rng.standard_t(df, DRAWS)
        return {
            "uplift": _boot_median(rng, self.uplifts, 1.0),
            "size": _boot_median(rng, self.sizes, 0.0),
            "rate": rng.beta(self.expanded + 1, self.eligible - self.expanded + 1, DRAWS),
            "z": np.clip(z, -6, 6),
        }


def _boot_median(rng: np.random.Generator, values: np.ndarray, default: float) -> np.ndarray:
    if len(values) == 0:
        return np.full(DRAWS, default)
    if len(values) > BOOTSTRAP_MAX:
        values = rng.choice(values, BOOTSTRAP_MAX, replace=False)
    idx = rng.integers(0, len(values), (DRAWS, len(values)))
    return np.median(values[idx], axis=1)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def simulate(
    arr: np.ndarray, p_churn: np.ndarray, a: Assumptions, seed: int = 17
) -> dict[str, dict[str, float]]:
    """P10/P50/P90 (and mean) of GRR and NRR over :data:`DRAWS` draws.

    In each draw every assumption takes its own value (:meth:`Assumptions.draws`) and one shift of the
    log-odds is shared by every customer (a good or a bad year for churn and expansion alike), so the range
    is not the narrow one of independent coin flips under fixed parameters.
    """
    rng = np.random.default_rng(seed)
    total = arr.sum()
    if total <= 0:
        return {"grr": {}, "nrr": {}}
    d = a.draws(rng)
    z = d["z"][:, None]
    pc = np.where(p_churn > 0, 1 / (1 + np.exp(-(_logit(p_churn) + z))), 0.0)
    churned = rng.random((DRAWS, len(arr))) < pc
    kept = (arr * ~churned).sum(axis=1)
    expands = rng.random((DRAWS, len(arr))) < 1 / (1 + np.exp(-(_logit(d["rate"])[:, None] - z)))
    grown = (arr * ~churned * expands).sum(axis=1) * d["size"]
    grr, nrr = kept / total, (kept * d["uplift"] + grown) / total
    return {"grr": _quantiles(grr), "nrr": _quantiles(nrr)}


def _quantiles(x: np.ndarray) -> dict[str, float]:
    p10, p50, p90 = np.percentile(x, [10, 50, 90])
    return {
        "p10": round(float(p10), 4),
        "p50": round(float(p50), 4),
        "p90": round(float(p90), 4),
        "mean": round(float(x.mean()), 4),
    }


def _p_within_year(live: pd.DataFrame, p: np.ndarray, t: pd.Timestamp) -> np.ndarray:
    return np.where(live["renewal_date"].to_numpy() <= (t + YEAR).to_datetime64(), p, 0.0)


def forecast(rt: Runtime, scope: Scope) -> dict[str, Any]:
    """Next year's GRR and NRR for the customers ``scope`` sees, with the backtest's coverage."""
    frame = scoring.scored(rt, scope)
    frames_all = load_frames(rt, Scope.everything())
    t = frames_all.as_of + pd.Timedelta(days=1)
    live = frame[["account_id", "arr", "renewal_date"]]
    p = _p_within_year(live, frame["p_churn"].to_numpy(), t)
    a = Assumptions.of(frames_all, t)
    out: dict[str, Any] = dict(simulate(live["arr"].to_numpy(float), p, a))
    out.update(
        {
            "customers": len(live),
            "arr": round(float(live["arr"].sum()), 2),
            "assumptions": a.summary(),
            "backtest": backtest(rt) if frames_all.dated else None,
        }
    )
    return out


def backtest(rt: Runtime) -> dict[str, Any]:
    """Monthly origins whose next year has passed: forecast vs realised GRR/NRR, and P10-P90 coverage,
    beside the naive baseline (:func:`naive`)."""
    key = (str(rt.settings.home), rt.semantic.data_version())
    if key in _cache:
        return _cache[key]
    frames = load_frames(rt, Scope.everything())
    products = product_list(frames)
    events = churn.labelled(frames, products)
    last = frames.as_of - YEAR
    origins = [
        pd.Timestamp(last.year, last.month, 1) - pd.DateOffset(months=k) for k in range(BACKTEST_ORIGINS)
    ]
    design = est_mod.Design.of(events, churn._numeric(events, products))
    history = realised_history(frames)
    rows = []
    for t in sorted(origins):
        known = events[events["renewal_date"] < t]
        if known.drop_duplicates(["account_id", "renewal_date"])["churned"].sum() < churn.MIN_EVENTS["train"]:
            continue
        m = est_mod.fit_cross_calibrated(design, known, known["churned"].to_numpy(), ("logistic",))
        live = live_at(frames, t)
        past = before(frames, t)
        f = churn._frame(past, live[["account_id", "renewal_date"]].assign(cutoff=t), products)
        p = _p_within_year(live, m.predict(f), t)
        sim = simulate(live["arr"].to_numpy(float), p, Assumptions.of(frames, t, sizes_from=past))
        rows.append(
            {
                "origin": t.date().isoformat(),
                **{f"{k}_{q}": sim[k][q] for k in ("grr", "nrr") for q in ("p10", "p50", "p90")},
                **realised(frames, live, t),
                **naive(history, t),
            }
        )
    out: dict[str, Any] = {
        "origins": rows,
        "method": "monthly origins, overlapping 12-month windows (neighbouring origins share most of their "
        "customers, so the 12 are far from 12 independent checks); churn model (logistic) refitted on "
        "renewals settled before each origin",
        "naive": "last year's realised rate; P10-P90 from its year-on-year changes at earlier origins",
    }
    for k in ("grr", "nrr"):
        out.update(_score(rows, k, "", f"{k}_"))
        out.update(_score(rows, k, "naive_", f"naive_{k}_"))
    _cache[key] = out
    return out


def _score(rows: list[dict[str, Any]], k: str, prefix: str, out_prefix: str) -> dict[str, Any]:
    ok = [r for r in rows if r.get(f"{prefix}{k}_p10") is not None]
    inside = [r[f"{prefix}{k}_p10"] <= r[f"{k}_actual"] <= r[f"{prefix}{k}_p90"] for r in ok]
    err = [abs(r[f"{prefix}{k}_p50"] - r[f"{k}_actual"]) for r in ok]
    bias = [r[f"{prefix}{k}_p50"] - r[f"{k}_actual"] for r in ok]
    return {
        f"{out_prefix}coverage": round(float(np.mean(inside)), 3) if ok else None,
        f"{out_prefix}mean_error": round(float(np.mean(bias)), 4) if ok else None,
        f"{out_prefix}mean_abs_error": round(float(np.mean(err)), 4) if ok else None,
        f"{out_prefix}mean_width": round(
            float(np.mean([r[f"{prefix}{k}_p90"] - r[f"{prefix}{k}_p10"] for r in ok])), 4
        )
        if ok
        else None,
    }


def realised(frames: CustomerFrames, live: pd.DataFrame, t: pd.Timestamp) -> dict[str, float]:
    """What happened to the customers live at ``t`` a year later: GRR and NRR."""
    later = live_at(frames, t + YEAR)
    base = live.set_index("account_id")["arr"]
    after = later.set_index("account_id")["arr"].reindex(base.index).fillna(0.0)
    total = base.sum()
    return {
        "grr_actual": round(float(np.minimum(after, base).sum() / total), 4),
        "nrr_actual": round(float(after.sum() / total), 4),
    }


def realised_history(frames: CustomerFrames) -> pd.DataFrame:
    """Realised GRR/NRR of the year starting at every month start whose year has passed (index: month)."""
    first = frames.subs["start_date"].min()
    if pd.isna(first):
        return pd.DataFrame(columns=["grr_actual", "nrr_actual"])
    months = pd.date_range(pd.Timestamp(first.year, first.month, 1), frames.as_of - YEAR, freq="MS")
    out = {}
    for m in months:
        live = live_at(frames, m)
        if len(live) >= 20:
            out[m] = realised(frames, live, m)
    return pd.DataFrame.from_dict(out, orient="index")


def naive(history: pd.DataFrame, t: pd.Timestamp) -> dict[str, float | None]:
    """The naive forecast at ``t``: last year's realised rate (the year that ended at ``t``) as P50, with a
    P10-P90 range from the spread of the year-on-year changes of that rate (around their median) among
    years that had ended by ``t``."""
    out: dict[str, float | None] = {}
    prev = t - pd.DateOffset(years=1)
    for k in ("grr", "nrr"):
        col = f"{k}_actual"
        if prev not in history.index:
            out.update({f"naive_{k}_p10": None, f"naive_{k}_p50": None, f"naive_{k}_p90": None})
            continue
        s = history[col]
        known = s[s.index + pd.DateOffset(years=1) <= t]  # years that had ended by t
        lagged = known.rename(index=lambda d: d + pd.DateOffset(years=1))
        change = (known - lagged.reindex(known.index)).dropna()
        last = float(s[prev])
        centred = change - change.median()  # a band around last year's rate, not around its drift
        lo, hi = np.percentile(centred, [10, 90]) if len(change) >= 6 else (np.nan, np.nan)
        ok = not np.isnan(lo)
        out.update(
            {
                f"naive_{k}_p10": round(last + float(lo), 4) if ok else None,
                f"naive_{k}_p50": round(last, 4),
                f"naive_{k}_p90": round(last + float(hi), 4) if ok else None,
            }
        )
    return out
