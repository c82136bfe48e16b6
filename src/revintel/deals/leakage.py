"""The leakage audit every ``deals train`` runs before fitting anything.

A feature leaks when it tells the model how a deal *ended* rather than how it stood: its value
or its missingness is only there for deals that end one way, or it changes when everything
dated after the as-of date is hidden. Three checks, none written for a particular dataset:

* **missingness**: per outcome group of the training rows (won / lost / still open at the label
  cutoff), the share of rows where the feature — or the source column it is derived from, such
  as ``account_id`` — is missing. Missing in at least 5% of one group's rows but at most 0.5%
  of another's means the gap itself marks the outcome (maven: the account is blank only for
  deals that never closed);
* **value**: a value (a category, or a numeric value shared by at least 5% of rows) seen in at
  least 1% of rows of which 99.5% or more belong to one outcome group (e.g. an amount of 0 that
  only lost deals carry);
* **after the as-of date**: features recomputed on the data as it stood on the last training
  snapshot (later snapshots, outcomes, amounts and conversations hidden) must be identical;
  features that differ on more than 0.5% of deals use information from after that date.

A flagged feature is dropped together with every feature derived from the same source column
(:data:`revintel.deals.features.LINEAGE`): dropping ``sector`` but keeping the account's win rate
would let the same gap through another door.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from revintel.deals.data import DealFrames
from revintel.deals.features import CATEGORICAL, FEATURES, LINEAGE, features_as_of

MIN_GROUP = 30
HIGH_MISSING, LOW_MISSING = 0.05, 0.005
PURE, MIN_SHARE, MODAL_SHARE = 0.995, 0.01, 0.05
CHANGED = 0.005


@dataclass
class Finding:
    """One leak: the column, the check that caught it, what it showed and what was dropped."""

    column: str
    check: str
    detail: str
    evidence: dict[str, float] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _missing(rows: pd.DataFrame, col: str) -> pd.Series:
    v = rows[col]
    if col in CATEGORICAL or v.dtype == object or str(v.dtype) == "string":
        return v.isna() | (v.astype("string").str.strip() == "")
    return v.isna()


def _groups(rows: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        g: rows["outcome"] == g for g in ("won", "lost", "open") if (rows["outcome"] == g).sum() >= MIN_GROUP
    }


def missingness(rows: pd.DataFrame, columns: list[str]) -> list[Finding]:
    """Columns missing for a real share of one outcome group and (almost) never for another."""
    groups, out = _groups(rows), list[Finding]()
    if len(groups) < 2:
        return out
    for col in columns:
        if col not in rows:
            continue
        miss = _missing(rows, col)
        rates = {g: float(miss[m].mean()) for g, m in groups.items()}
        if max(rates.values()) >= HIGH_MISSING and min(rates.values()) <= LOW_MISSING:
            hi, lo = max(rates, key=rates.get), min(rates, key=rates.get)  # type: ignore[arg-type]
            out.append(
                Finding(
                    col,
                    "missingness",
                    f"{col} is missing for {rates[hi]:.0%} of {hi} deals but {rates[lo]:.1%} of {lo} deals: "
                    "its absence reveals the outcome",
                    {f"missing_{g}": round(r, 4) for g, r in rates.items()},
                )
            )
    return out


def values(rows: pd.DataFrame, columns: list[str]) -> list[Finding]:
    """Values common enough to matter whose deals (almost) all end the same way."""
    groups, out = _groups(rows), list[Finding]()
    if len(groups) < 2:
        return out
    n = len(rows)
    for col in columns:
        if col not in rows:
            continue
        v = rows[col].astype("string") if col in CATEGORICAL else rows[col]
        counts = v.value_counts(dropna=True)
        if col not in CATEGORICAL:
            counts = counts[counts >= MODAL_SHARE * n]
        counts = counts[counts >= max(MIN_GROUP, MIN_SHARE * n)]
        for value, k in counts.items():
            sel = v == value
            shares = {g: float((sel & m).sum() / k) for g, m in groups.items()}
            g = max(shares, key=shares.get)  # type: ignore[arg-type]
            overall = float(groups[g].mean())
            if shares[g] >= PURE and overall < 0.9:
                out.append(
                    Finding(
                        col,
                        "value",
                        f"{col} = {value} on {int(k)} rows, {shares[g]:.1%} of them {g} deals "
                        f"(against {overall:.0%} overall): the value reveals the outcome",
                        {
                            "rows": int(k),
                            f"share_{g}": round(shares[g], 4),
                            f"overall_{g}": round(overall, 4),
                        },
                    )
                )
                break
    return out


def as_it_stood(frames: DealFrames, when: pd.Timestamp) -> DealFrames:
    """``frames`` with everything dated after ``when`` hidden: later snapshots, conversations and
    deals, and the outcome, amount, stage and close date of deals not closed by then."""
    o = frames.opps.copy()
    created = o["created_date"].fillna(o["engage_date"]) if "engage_date" in o else o["created_date"]
    o = o[~(created > when)].copy()
    later = ~(o["status"].isin(["won", "lost"]) & (o["close_date"] <= when))
    o.loc[later, "status"] = "open"
    for c in ("close_date", "amount", "probability", "stage"):
        if c in o:
            o.loc[later, c] = None
    h = frames.history[frames.history["snapshot_date"] <= when]
    conv = frames.conversations[frames.conversations["occurred_at"] <= when]
    return DealFrames(o.reset_index(drop=True), h, conv, frames.dataset, frames.data_as_of)


def after_as_of(
    frames: DealFrames,
    when: pd.Timestamp,
    columns: list[str],
    prepared: pd.DataFrame | None = None,
    build: Callable[..., pd.DataFrame] = features_as_of,
) -> list[Finding]:
    """Features (as ``build`` computes them) that change on ``when`` when everything after it is hidden."""
    full = (build(frames, when, prepared) if prepared is not None else build(frames, when)).set_index(
        "opportunity_id"
    )
    past = build(as_it_stood(frames, when), when).set_index("opportunity_id")
    ids = full.index.intersection(past.index)
    out: list[Finding] = []
    if len(ids) < MIN_GROUP:
        return out
    for col in columns:
        if col not in full or col not in past:
            continue
        a, b = full.loc[ids, col], past.loc[ids, col]
        if col in CATEGORICAL:
            same = (a.astype("string") == b.astype("string")).fillna(False) | (a.isna() & b.isna())
        else:
            af, bf = a.astype(float), b.astype(float)
            same = np.isclose(af, bf, equal_nan=True)
        changed = float(1 - np.mean(same))
        if changed > CHANGED:
            out.append(
                Finding(
                    col,
                    "after_as_of",
                    f"{col} differs for {changed:.1%} of deals open on {when.date()} when data after that "
                    "day is hidden: it uses information from the future",
                    {"changed": round(changed, 4)},
                )
            )
    return out


def source_of(feature: str) -> str | None:
    """The source column a feature is derived from (``None`` when it is its own source)."""
    for src, derived in LINEAGE.items():
        if feature in derived:
            return src
    return None


def audit(
    rows: pd.DataFrame,
    frames: DealFrames | None = None,
    when: pd.Timestamp | None = None,
    features: tuple[str, ...] = FEATURES,
    prepared: pd.DataFrame | None = None,
) -> tuple[list[str], list[Finding]]:
    """Run the checks on labelled training rows (with an ``outcome`` column) and decide what to keep.

    Args:
        rows: the rows the model and calibrator learn from, with features, ``outcome``
            (``won``/``lost``/``open`` at their label cutoff) and the source columns of
            :data:`~revintel.deals.features.LINEAGE`.
        frames: the deal frames, for the after-the-as-of-date check (skipped when ``None``).
        when: the date for that check (the last training snapshot).
        features: the candidate features.
        prepared: prepared history rows (reused to save time).

    Returns:
        The features to keep, and the findings (each with the features it dropped).
    """
    sources = [s for s in LINEAGE if s in rows]
    findings = missingness(rows, [*sources, *features]) + values(rows, list(features))
    if frames is not None and when is not None:
        findings += after_as_of(frames, when, list(features), prepared)
    dropped: set[str] = set()
    for f in findings:
        src = f.column if f.column in LINEAGE else source_of(f.column)
        family = set(LINEAGE.get(src, ())) if src else set()
        f.dropped = sorted(x for x in ({f.column} | family) if x in features and x not in dropped)
        dropped |= set(f.dropped)
    return [x for x in features if x not in dropped], findings
