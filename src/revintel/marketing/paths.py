"""Read a ChannelAttribution-format paths file into :class:`Journeys`, checking every line.

The format (the ChannelAttribution package's ``Data.csv``): a header naming ``path``,
``total_conversions``, ``total_conversion_value`` and ``total_null`` (the last two optional),
columns separated by ``;``, ``,`` or a tab, and each path written ``"a > b > c"``. A file with an
empty path, a negative or non-numeric count, or a path written with another separator is
rejected as a whole with each problem's line and reason.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from revintel.errors import Problem, ValidationFailed
from revintel.marketing.journeys import Journeys, from_codes

PATH_SEP = ">"
COLUMNS = ("path", "total_conversions", "total_conversion_value", "total_null")
DELIMITERS = (";", ",", "\t")
OTHER_SEPARATORS = ("->", "=>", "|", ",", ";", "/", "\\", "\t", "→")


def _delimiter(header: str, name: str) -> str:
    for delim in DELIMITERS:
        cols = [c.strip().strip('"').lower() for c in header.split(delim)]
        if "path" in cols and "total_conversions" in cols:
            return delim
    raise ValidationFailed(
        f"{name}: the header does not name the paths-file columns",
        problems=[
            Problem(
                "unknown column separator or missing columns",
                file=name,
                line=1,
                value=header[:80],
                expected="a header 'path;total_conversions;total_conversion_value;total_null' "
                "separated by ';', ',' or a tab",
            )
        ],
        hint="Export the paths in the ChannelAttribution format.",
    )


def _path_problem(path: str) -> str | None:
    if not path.strip():
        return "empty path"
    for sep in OTHER_SEPARATORS:
        if sep in path:
            return f"unknown separator {sep!r} in the path"
    if any(not part.strip() for part in path.split(PATH_SEP)):
        return "empty channel between separators"
    return None


def read_paths(source: str | Path | io.TextIOBase, name: str | None = None) -> Journeys:
    """Parse a paths file; raise :class:`ValidationFailed` naming every bad line.

    Args:
        source: a file path or an open text stream.
        name: the file name used in messages (default: the path's name).

    Returns:
        One journey per line, weighted by its conversions and nulls.

    Raises:
        ValidationFailed: the header or any line is malformed; nothing is returned.
    """
    if isinstance(source, str | Path):
        name = name or Path(source).name
        text = Path(source).read_text(encoding="utf-8-sig")
    else:
        name = name or "paths"
        text = source.read()
    header = text.split("\n", 1)[0]
    delim = _delimiter(header, name)
    frame = pd.read_csv(
        io.StringIO(text), sep=delim, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL, engine="c"
    )
    frame.columns = [c.strip().lower() for c in frame.columns]
    problems = _check(frame, name)
    if problems:
        raise ValidationFailed(
            f"{name}: {len(problems)} bad line(s); nothing was read",
            problems=problems[:50],
            total=len(problems),
            hint="Each line needs a path like 'a > b > c' and non-negative counts.",
        )
    return _to_journeys(frame)


def _numbers(frame: pd.DataFrame, column: str, name: str, problems: list[Problem]) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame))
    raw = frame[column].str.strip()
    values = pd.to_numeric(raw.where(raw != "", "0"), errors="coerce").to_numpy(dtype=np.float64)
    for i in np.flatnonzero(~np.isfinite(values) | (values < 0))[:50]:
        reason = "negative count" if np.isfinite(values[i]) else "not a number"
        problems.append(
            Problem(
                reason,
                file=name,
                line=int(i) + 2,
                column=column,
                value=frame[column].iat[i],
                expected="a number >= 0",
            )
        )
    return values


def _check(frame: pd.DataFrame, name: str) -> list[Problem]:
    problems: list[Problem] = []
    paths = frame["path"].to_numpy(dtype=object)
    for i, path in enumerate(paths):
        reason = _path_problem(path)
        if reason:
            problems.append(
                Problem(reason, file=name, line=i + 2, column="path", value=path, expected="'a > b > c'")
            )
    conv = _numbers(frame, "total_conversions", name, problems)
    nulls = _numbers(frame, "total_null", name, problems)
    _numbers(frame, "total_conversion_value", name, problems)
    if not problems:
        for i in np.flatnonzero((conv + nulls) == 0)[:50]:
            problems.append(
                Problem(
                    "the path never occurs (no conversions and no nulls)",
                    file=name,
                    line=int(i) + 2,
                    column="total_conversions",
                    value=frame["total_conversions"].iat[i],
                    expected="total_conversions + total_null > 0",
                )
            )
    problems.sort(key=lambda p: p.line or 0)
    return problems


def _to_journeys(frame: pd.DataFrame) -> Journeys:
    parts = frame["path"].str.split(PATH_SEP)
    lengths = parts.str.len().to_numpy(dtype=np.int64)
    flat = pd.Series(np.concatenate(parts.to_numpy()), dtype=object).str.strip()
    codes, channels = pd.factorize(flat, sort=True)

    def col(c: str) -> np.ndarray:
        if c not in frame.columns:
            return np.zeros(len(frame))
        raw = frame[c].str.strip()
        return pd.to_numeric(raw.where(raw != "", "0")).to_numpy(dtype=np.float64)

    return from_codes(
        [str(c) for c in channels],
        codes.astype(np.int32),
        lengths,
        col("total_conversions"),
        col("total_conversion_value"),
        col("total_null"),
        keys=frame["path"].to_numpy(dtype=object),
    )
