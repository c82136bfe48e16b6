"""A customer table (one row per customer) loaded through a YAML column mapping.

``revintel ingest customers PATH --mapping FILE`` (or a built-in mapping name such as ``telco``)
reads one CSV and writes ``accounts``, ``products`` and ``subscriptions``: a contract line per product
the customer has (the mapping's ``products``), the first carrying the charge. The mapping names the
source column of each field:

==================  =============================================================================
``account_id``      customer id (required)
``name``            customer name (default: the id)
``region``          region
``segment``         customer segment (accounts.tier), e.g. a consumer's household type
``churn``           churned? yes/no, true/false, 1/0 (required)
``arr``             annual recurring revenue, or ``monthly_charge`` (x 12)
``start_date``      start of the relationship, or ``tenure_months`` before the as-of date
``renewal_date``    next renewal, or derived from the start and the ``term``
``term``            contract term: months, or a label mapped to months by ``terms``
``payment_method``  how the customer pays
``discount``        discount as a fraction 0-1
==================  =============================================================================

Bad input is rejected whole with file, line, column and value: a mapping naming a missing column, a
churn label that is not yes/no or 0/1, a negative ARR, a renewal date before the start date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from revintel.errors import NotFound, Problem, ValidationFailed
from revintel.warehouse.backends import conform
from revintel.warehouse.ingest.base import IngestPlan, LoadedFile

YES = {"yes", "y", "true", "1", "1.0"}
NO = {"no", "n", "false", "0", "0.0"}
FIELDS = (
    "account_id",
    "name",
    "region",
    "segment",
    "churn",
    "arr",
    "monthly_charge",
    "start_date",
    "tenure_months",
    "renewal_date",
    "term",
    "payment_method",
    "discount",
)
REQUIRED = ("account_id", "churn")
SHOWN = 20


@dataclass
class Mapping:
    """A parsed mapping file."""

    file: str
    dataset: str = "customers"
    pattern: str = "*.csv"
    as_of: dt.date | None = None
    dated: bool = True
    columns: dict[str, str] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)
    products: dict[str, dict[str, str]] = field(default_factory=dict)


def builtin_mappings() -> list[str]:
    """Names of the mappings shipped with revintel."""
    folder = resources.files("revintel.warehouse.ingest") / "mappings"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def read_mapping(name_or_path: str | Path) -> Mapping:
    """A built-in mapping by name, or a YAML mapping file.

    Raises:
        NotFound: neither a built-in name nor a file.
        ValidationFailed: the YAML names an unknown field or is malformed.
    """
    text_name = str(name_or_path)
    if text_name in builtin_mappings():
        label = f"built-in mapping {text_name}"
        text = (resources.files("revintel.warehouse.ingest") / "mappings" / f"{text_name}.yaml").read_text(
            "utf-8"
        )
    else:
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise NotFound(
                f"no mapping {text_name!r}",
                hint="give a YAML file or one of: " + ", ".join(builtin_mappings()),
            )
        label, text = str(path), path.read_text("utf-8")
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ValidationFailed(
            f"mapping {label} is not valid YAML",
            problems=[Problem("not valid YAML", file=label, line=mark.line + 1 if mark else None)],
        ) from None
    problems = []
    cols = doc.get("columns") or {}
    for key in cols:
        if key not in FIELDS:
            problems.append(
                Problem(
                    "unknown field in columns",
                    file=label,
                    column=str(key),
                    value=key,
                    expected="one of " + ", ".join(FIELDS),
                )
            )
    for key in REQUIRED:
        if key not in cols:
            problems.append(
                Problem(
                    f"the mapping does not name the {key} column",
                    file=label,
                    column=key,
                    expected=f"columns: {{{key}: <source column>}}",
                )
            )
    if problems:
        raise ValidationFailed(f"mapping {label} was rejected", problems=problems, total=len(problems))
    as_of = doc.get("as_of")
    return Mapping(
        file=label,
        dataset=str(doc.get("dataset", "customers")),
        pattern=str(doc.get("file", "*.csv")),
        as_of=as_of if isinstance(as_of, dt.date) else (dt.date.fromisoformat(as_of) if as_of else None),
        dated=bool(doc.get("dated", True)),
        columns={k: str(v) if not isinstance(v, list) else "+".join(map(str, v)) for k, v in cols.items()},
        terms={str(k): int(v) for k, v in (doc.get("terms") or {}).items()},
        products={
            str(k): {str(a): str(b) for a, b in (v or {}).items()}
            for k, v in (doc.get("products") or {}).items()
        },
    )


def _file(path: Path, m: Mapping) -> Path:
    if path.is_file():
        return path
    hits = sorted(path.glob(m.pattern))
    if not hits:
        raise NotFound(f"no file matching {m.pattern!r} in {path}", hint="give the CSV file itself")
    return hits[0]


class _Checker:
    def __init__(self, file: str) -> None:
        self.file, self.total = file, 0
        self.items: list[Any] = []

    def bad(self, mask: np.ndarray, frame: pd.DataFrame, column: str, message: str, expected: str) -> None:
        idx = np.flatnonzero(mask)
        self.total += len(idx)
        for i in idx[: max(0, SHOWN - len(self.items))]:
            self.items.append(
                Problem(
                    message,
                    file=self.file,
                    line=int(i) + 2,
                    column=column,
                    value=frame[column].iloc[i],
                    expected=expected,
                )
            )


def _months(day: dt.date, n: np.ndarray) -> pd.Series:
    return pd.Series([pd.Timestamp(day) - pd.DateOffset(months=int(k)) for k in n])


def validate(path: Path | str, mapping: str | Path) -> IngestPlan:
    """Read, check and map a customer table; nothing is written.

    Raises:
        ValidationFailed: every located problem (file, line, column, value); nothing is loaded.
    """
    started = time.perf_counter()
    m = read_mapping(mapping)
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise NotFound(f"no such file or folder: {path}")
    file = _file(path, m)
    raw = pd.read_csv(file, dtype=str, keep_default_na=False)
    raw.columns = [c.strip() for c in raw.columns]
    chk = _Checker(file.name)
    needed = [(k, part) for k, v in m.columns.items() for part in v.split("+")]
    needed += [(f"products.{c}", c) for c in m.products]
    for fld, col in needed:
        if col not in raw.columns:
            chk.items.append(
                Problem(
                    f"the mapping's {fld} names a column the file does not have",
                    file=file.name,
                    line=1,
                    column=col,
                    value=col,
                    expected="one of " + ", ".join(raw.columns),
                )
            )
            chk.total += 1
    if chk.total:
        raise ValidationFailed(
            f"{file.name} was rejected: the mapping {m.file} does not fit it; nothing was loaded",
            problems=chk.items,
            total=chk.total,
        )
    c = m.columns
    f = pd.DataFrame({k: _joined(raw, v) for k, v in c.items()})
    churn_txt = f["churn"].str.lower()
    chk.bad(
        ~churn_txt.isin(YES | NO).to_numpy(),
        raw.rename(columns={c["churn"]: c["churn"]}),
        c["churn"],
        "churn label is not yes/no or 0/1",
        "yes/no, true/false or 1/0",
    )
    chk.bad((f["account_id"] == "").to_numpy(), raw, c["account_id"], "no customer id", "an id in every row")
    as_of = m.as_of or dt.date.today()
    arr = _number(f, raw, c, chk, "arr") if "arr" in c else None
    if arr is None and "monthly_charge" in c:
        arr = 12 * _number(f, raw, c, chk, "monthly_charge")
    if arr is None:
        arr = pd.Series(0.0, index=f.index)
    arr_col: str | None = c.get("arr") or c.get("monthly_charge")
    if arr_col:
        chk.bad((arr < 0).to_numpy(), raw, arr_col, "negative ARR", "an amount >= 0")
    term = _term(f, raw, m, chk)
    start, renewal = _dates(f, raw, m, chk, as_of, term)
    if chk.total:
        raise ValidationFailed(
            f"{file.name} was rejected: {chk.total} problem(s); nothing was loaded",
            problems=chk.items,
            total=chk.total,
            hint="fix the file or the mapping and run it again",
        )
    churned = churn_txt.isin(YES).to_numpy()
    tables = _tables(f, raw, m, arr, term, start, renewal, churned, as_of)
    sha = hashlib.sha256(file.read_bytes()).hexdigest()
    files = [LoadedFile(file, sha, name, t.num_rows) for name, t in tables.items()]
    plan = IngestPlan(
        m.dataset, path, uuid.uuid4().hex[:16], tables, files, [], as_of, time.perf_counter() - started
    )
    # a later load of another dataset makes the meta's dataset differ, so the flag cannot go stale
    plan.meta = {"undated": "" if m.dated else m.dataset}
    return plan


def _joined(raw: pd.DataFrame, spec: str) -> pd.Series:
    """One source column, or several (``a+b``) joined as "a <a's value>, b <b's value>"."""
    cols = spec.split("+")
    if len(cols) == 1:
        return raw[spec].str.strip()
    return pd.Series(
        [", ".join(p) for p in zip(*[(c + " " + raw[c].str.strip()) for c in cols], strict=True)],
        index=raw.index,
    )


def _number(f: pd.DataFrame, raw: pd.DataFrame, c: dict[str, str], chk: _Checker, key: str) -> pd.Series:
    v = pd.to_numeric(f[key].replace("", np.nan), errors="coerce")
    chk.bad((v.isna() & (f[key] != "")).to_numpy(), raw, c[key], f"{key} is not a number", "a number")
    return v.fillna(0.0)


def _term(f: pd.DataFrame, raw: pd.DataFrame, m: Mapping, chk: _Checker) -> pd.Series:
    if "term" not in f:
        return pd.Series(12, index=f.index)
    known = {k.lower(): v for k, v in m.terms.items()}
    t = f["term"].str.lower().map(known)
    t = t.fillna(pd.to_numeric(f["term"], errors="coerce"))
    chk.bad(
        t.isna().to_numpy(),
        raw,
        m.columns["term"],
        "unknown contract term",
        "months or one of " + ", ".join(m.terms),
    )
    return t.fillna(12).astype(int)


def _dates(
    f: pd.DataFrame, raw: pd.DataFrame, m: Mapping, chk: _Checker, as_of: dt.date, term: pd.Series
) -> tuple[pd.Series, pd.Series]:
    c = m.columns
    if "start_date" in f:
        start = pd.to_datetime(f["start_date"], errors="coerce")
        chk.bad(start.isna().to_numpy(), raw, c["start_date"], "not a date", "YYYY-MM-DD")
        tenure = ((pd.Timestamp(as_of) - start).dt.days / 30.44).fillna(0).round().astype(int)
    else:
        tenure = pd.to_numeric(f.get("tenure_months", pd.Series("0", index=f.index)), errors="coerce")
        if "tenure_months" in c:
            chk.bad(
                (tenure.isna() | (tenure < 0)).to_numpy(),
                raw,
                c["tenure_months"],
                "tenure is not a month count",
                "a whole number of months >= 0",
            )
        tenure = tenure.fillna(0).clip(lower=0).astype(int)
        start = _months(as_of, tenure.to_numpy())
    if "renewal_date" in f:
        renewal = pd.to_datetime(f["renewal_date"], errors="coerce")
        chk.bad(renewal.isna().to_numpy(), raw, c["renewal_date"], "not a date", "YYYY-MM-DD")
        chk.bad(
            (renewal < start).fillna(False).to_numpy(),
            raw,
            c["renewal_date"],
            "renewal date before the start date",
            "a renewal on or after the start",
        )
    else:
        terms_done = tenure // term + 1
        renewal = pd.Series(
            [s + pd.DateOffset(months=int(k * t)) for s, k, t in zip(start, terms_done, term, strict=True)]
        )
    return start, renewal


def _tables(
    f: pd.DataFrame,
    raw: pd.DataFrame,
    m: Mapping,
    arr: pd.Series,
    term: pd.Series,
    start: pd.Series,
    renewal: pd.Series,
    churned: np.ndarray,
    as_of: dt.date,
) -> dict[str, pa.Table]:
    n = len(f)
    ids = f["account_id"].to_numpy()
    accounts = pd.DataFrame(
        {
            "account_id": ids,
            "name": f.get("name", ids),
            "region": f.get("region"),
            "tier": f.get("segment"),
            "created_date": start.dt.date,
            "source": m.dataset,
        }
    )
    lines: list[pd.DataFrame] = []
    owned_any = np.zeros(n, bool)
    names: dict[str, str] = {}
    for col, values in m.products.items():
        v = raw[col].str.strip()
        for val, product in values.items():
            has = (v == val).to_numpy()
            pid = product
            names[pid] = product
            lines.append(pd.DataFrame({"i": np.flatnonzero(has), "product_id": pid}))
            owned_any |= has
    if not m.products or not owned_any.all():
        rest = np.flatnonzero(~owned_any) if m.products else np.arange(n)
        names["Subscription"] = "Subscription"
        lines.append(pd.DataFrame({"i": rest, "product_id": "Subscription"}))
    lk = pd.concat(lines, ignore_index=True).sort_values(["i"], kind="stable")
    lk["first"] = ~lk["i"].duplicated()
    i = lk["i"].to_numpy()
    status = np.where(churned[i], "churned", "active")
    subs = pd.DataFrame(
        {
            "subscription_id": [
                f"{ids[a]}-{k}" for a, k in zip(i, lk.groupby("i").cumcount() + 1, strict=True)
            ],
            "account_id": ids[i],
            "product_id": lk["product_id"].to_numpy(),
            "kind": np.where(lk["first"], "new", "expansion"),
            "start_date": start.iloc[i].dt.date.to_numpy(),
            "end_date": np.where(churned[i], np.array(as_of, dtype=object), np.array(None, dtype=object)),
            "renewal_date": renewal.iloc[i].dt.date.to_numpy(),
            "arr": np.where(lk["first"], arr.iloc[i].to_numpy(), 0.0),
            "status": status,
            "term_months": term.iloc[i].to_numpy(),
            "payment_method": f["payment_method"].iloc[i].to_numpy() if "payment_method" in f else None,
            "discount": pd.to_numeric(f["discount"], errors="coerce").iloc[i].to_numpy()
            if "discount" in f
            else None,
            "source": m.dataset,
        }
    )
    products = pd.DataFrame(
        {
            "product_id": list(names),
            "name": list(names.values()),
            "series": "Subscription",
            "source": m.dataset,
        }
    )
    return {
        "accounts": conform("accounts", pa.Table.from_pandas(accounts, preserve_index=False)),
        "products": conform("products", pa.Table.from_pandas(products, preserve_index=False)),
        "subscriptions": conform("subscriptions", pa.Table.from_pandas(subs, preserve_index=False)),
    }


def describe(plan: IngestPlan) -> dict[str, Any]:
    """The plan as plain values (for ``--json``)."""
    return plan.to_dict()
