"""Read an event log (customer, timestamp, channel, interaction, conversion, value) into journeys.

One row per event. A row with a channel is a touch; ``conversion`` 1 on a row ends the customer's
current journey with ``value`` (a row with a channel and ``conversion`` 1 is a touch that
converted; a row with no channel is a conversion on its own). Touches after a customer's last
conversion form a journey that did not convert. ``interaction`` names ``lead_created`` and
``opportunity_created`` mark the W-shaped milestones. A conversion with no touch before it,
a timestamp that does not parse, a missing customer or a conversion flag other than 0/1 is
rejected with its line; nothing is returned.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from revintel.errors import Problem, ValidationFailed
from revintel.marketing.journeys import Journeys, from_codes

REQUIRED = ("customer_id", "timestamp", "channel", "conversion")
LEAD_MARKS = frozenset({"lead_created", "lead", "lead creation"})
OPP_MARKS = frozenset({"opportunity_created", "opportunity", "opportunity creation"})


def read_events(source: str | Path | io.TextIOBase, name: str | None = None) -> Journeys:
    """Parse an event-log CSV into journeys (ages in days, milestones when marked).

    Raises:
        ValidationFailed: a column is missing or any row is bad; nothing is returned.
    """
    if isinstance(source, str | Path):
        name = name or Path(source).name
    name = name or "events"
    frame = pd.read_csv(source, dtype=str, keep_default_na=False, sep=None, engine="python")
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ValidationFailed(
            f"{name}: missing column(s) {', '.join(missing)}",
            problems=[
                Problem("missing column", file=name, line=1, column=c, expected="present") for c in missing
            ],
        )
    return events_to_journeys(frame, name)


def events_to_journeys(frame: pd.DataFrame, name: str = "events") -> Journeys:
    """Journeys from an event frame with the log's columns (strings), validating every row."""
    problems: list[Problem] = []
    ts = pd.to_datetime(frame["timestamp"].str.strip(), errors="coerce", format="mixed")
    conv = frame["conversion"].str.strip().str.lower().map({"1": 1, "0": 0, "true": 1, "false": 0, "": 0})
    raw_value = frame.get("value", pd.Series("", index=frame.index)).str.strip()
    value = pd.to_numeric(raw_value.where(raw_value != "", "0"), errors="coerce")
    checks = (
        (frame["customer_id"].str.strip() == "", "customer_id", "missing customer", "a customer id"),
        (ts.isna(), "timestamp", "not a timestamp", "an ISO date or timestamp"),
        (conv.isna(), "conversion", "not a conversion flag", "0 or 1"),
        (value.isna() | (value < 0), "value", "not a non-negative number", "a number >= 0"),
    )
    for bad, col, reason, expected in checks:
        for i in np.flatnonzero(bad.to_numpy())[:50]:
            problems.append(
                Problem(
                    reason,
                    file=name,
                    line=int(i) + 2,
                    column=col,
                    value=frame[col].iat[i] if col in frame else None,
                    expected=expected,
                )
            )
    if not problems:
        problems = _order_problems(frame, ts, conv, name)
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise ValidationFailed(
            f"{name}: {len(problems)} bad row(s); nothing was read",
            problems=problems[:50],
            total=len(problems),
        )
    return _build(frame, ts, conv.astype(int), value.astype(float))


def _order_problems(frame: pd.DataFrame, ts: pd.Series, conv: pd.Series, name: str) -> list[Problem]:
    ev = pd.DataFrame(
        {"cust": frame["customer_id"].str.strip(), "ts": ts, "touch": frame["channel"].str.strip() != ""}
    )
    ev["line"] = np.arange(len(ev)) + 2
    ev["conv"] = conv.to_numpy()
    ev = ev.sort_values(["cust", "ts", "line"], kind="stable")
    # a journey = the touches since the customer's previous conversion
    ev["seg"] = ev.groupby("cust")["conv"].cumsum() - ev["conv"]
    touches_before = ev.groupby(["cust", "seg"])["touch"].cumsum()
    bad = ev[(ev["conv"] == 1) & (touches_before == 0)]
    return [
        Problem(
            "conversion comes before any touch of this customer's journey",
            file=name,
            line=int(r.line),
            column="timestamp",
            value=str(r.ts),
            expected="at least one touch at or before the conversion",
        )
        for r in bad.itertuples()
    ]


def _build(frame: pd.DataFrame, ts: pd.Series, conv: pd.Series, value: pd.Series) -> Journeys:
    interaction = frame.get("interaction", pd.Series("", index=frame.index)).str.strip().str.lower()
    ev = pd.DataFrame(
        {
            "cust": frame["customer_id"].str.strip(),
            "ts": ts,
            "channel": frame["channel"].str.strip(),
            "conv": conv.to_numpy(),
            "value": value.to_numpy(),
            "lead": interaction.isin(LEAD_MARKS).to_numpy(),
            "opp": interaction.isin(OPP_MARKS).to_numpy(),
            "line": np.arange(len(frame)),
        }
    ).sort_values(["cust", "ts", "line"], kind="stable")
    ev["seg"] = ev.groupby("cust")["conv"].cumsum() - ev["conv"]
    ends = ev.groupby(["cust", "seg"], sort=False).agg(
        conv=("conv", "max"), value=("value", "sum"), end=("ts", "max")
    )
    touches = ev[ev["channel"] != ""].copy()
    touches = touches.merge(ends[["end"]], left_on=["cust", "seg"], right_index=True)
    key = touches["cust"] + "#" + touches["seg"].astype(str)
    jid, keys = pd.factorize(key, sort=False)
    touches["jid"] = jid
    touches["pos"] = touches.groupby("jid").cumcount()
    meta = ends.reset_index()
    meta.index = meta["cust"] + "#" + meta["seg"].astype(str)
    meta = meta.loc[keys]
    codes, channels = pd.factorize(touches["channel"], sort=True)
    lengths = np.bincount(jid, minlength=len(keys))
    lead = touches[touches["lead"]].groupby("jid")["pos"].min().reindex(range(len(keys)), fill_value=-1)
    opp = touches[touches["opp"]].groupby("jid")["pos"].min().reindex(range(len(keys)), fill_value=-1)
    conv_j = meta["conv"].to_numpy(dtype=float)
    return from_codes(
        [str(c) for c in channels],
        codes,
        lengths,
        conv_j,
        np.where(conv_j > 0, meta["value"].to_numpy(dtype=float), 0.0),
        1.0 - conv_j,
        age_days=((touches["end"] - touches["ts"]).dt.total_seconds() / 86400.0).to_numpy(),
        lead_touch=lead.to_numpy(dtype=np.int64),
        opp_touch=opp.to_numpy(dtype=np.int64),
        keys=np.asarray(keys, dtype=object),
    )
