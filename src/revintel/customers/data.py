"""Reading customer rows through the caller's scope.

Every row the customers package uses comes from :meth:`SemanticLayer.scoped_table`. Subscriptions
carry every scope dimension (region, team, rep, manager through the account owner; capability
through the product), so they decide which customers a scope sees. Usage, tickets, contacts and
conversations are read scoped as well, under the scope's filters those tables support, and then kept
only for the customers the subscriptions admitted: a capability lead sees the usage of the customers
whose lines fall in their capability, never another customer's.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from revintel.scope import Scope
from revintel.semantic.catalogue import scoped_columns

if TYPE_CHECKING:
    import ibis

    from revintel.runtime import Runtime

SUBSCRIPTION_COLUMNS = (
    "subscription_id",
    "account_id",
    "account",
    "product_id",
    "product",
    "kind",
    "start_date",
    "end_date",
    "renewal_date",
    "arr",
    "status",
    "churn_reason",
    "term_months",
    "payment_method",
    "discount",
    "region",
    "tier",
    "sector",
    "rep",
    "team",
)
USAGE_COLUMNS = ("account_id", "month", "active_users", "licensed_seats", "events")
TICKET_COLUMNS = (
    "ticket_id",
    "account_id",
    "created_date",
    "closed_date",
    "priority",
    "status",
    "category",
    "subject",
    "sentiment",
)
CONVERSATION_COLUMNS = ("conversation_id", "account_id", "channel", "occurred_at", "participants", "subject")
CONTACT_COLUMNS = ("account_id", "name", "title")


@dataclass
class CustomerFrames:
    """The rows one customer computation needs, already scoped.

    Attributes:
        subs: subscription lines with account, product and region columns.
        usage: monthly usage of the customers in ``subs``.
        tickets: support tickets of those customers.
        conversations: calls, meetings and emails linked to those customers.
        contacts: contacts (name, title) of those customers, to tell executives on a call.
        dataset: the warehouse's dataset name (``demo``, ``telco`` ...).
        as_of: the date the data is current at.
        dated: False when the source has no real dates (Telco): models then cross-validate.
    """

    subs: pd.DataFrame
    usage: pd.DataFrame
    tickets: pd.DataFrame
    conversations: pd.DataFrame
    contacts: pd.DataFrame
    dataset: str
    as_of: pd.Timestamp
    dated: bool = True

    def accounts(self) -> list[str]:
        """Ids of the customers in scope, sorted."""
        return sorted(self.subs["account_id"].dropna().unique().tolist())


def _narrowed(scope: Scope, table: str) -> Scope:
    """``scope`` keeping only the row filters ``table`` can apply (the rest is applied by account)."""
    have = set(scoped_columns(table))
    rows = tuple((d, v) for d, v in scope.rows if d in have)
    return dataclasses.replace(scope, rows=rows)


def read(
    rt: Runtime, table: str, scope: Scope, columns: tuple[str, ...], accounts: list[str] | None = None
) -> pd.DataFrame:
    """Rows of ``table`` (only ``columns``) that ``scope`` may see, through the semantic layer;
    only those of ``accounts`` when given (a query compiled once per scope shape and number of
    accounts, with the scope's values and the account ids bound into it)."""
    if accounts is None:
        t = rt.semantic.scoped_table(table, scope, columns=list(columns))
        return rt.warehouse.execute(t.select(*[c for c in columns if c in t.columns]))

    def build(s: Scope, ids: dict[str, str]) -> ibis.Expr:
        t = rt.semantic.scoped_table(table, s, columns=list(columns))
        t = t.filter(t["account_id"].isin([ids[f"account_{i}"] for i in range(len(ids))]))
        return t.select(*[c for c in columns if c in t.columns])

    params = {f"account_{i}": str(a) for i, a in enumerate(accounts)}
    _, frame = rt.semantic.shaped_with(
        ("customers.read", table, columns, len(accounts)), scope, build, params
    )
    return frame


def load_frames(
    rt: Runtime, scope: Scope, accounts: list[str] | None = None, contacts: bool = True
) -> CustomerFrames:
    """Everything the customer models need, under ``scope`` (only ``accounts`` when given: one
    customer's page reads its own rows, not the whole book; ``contacts=False`` skips the contacts,
    which only the engagement features read)."""
    subs = read(rt, "subscriptions", scope, SUBSCRIPTION_COLUMNS, accounts)
    ids = set(subs["account_id"].dropna())

    def by_account(table: str, cols: tuple[str, ...]) -> pd.DataFrame:
        frame = read(rt, table, _narrowed(scope, table), cols, accounts)
        return frame[frame["account_id"].isin(ids)].reset_index(drop=True)

    meta = rt.semantic.state().meta  # the warehouse's meta, read once per data version (or batch)
    as_of = pd.Timestamp(rt.semantic.as_of())
    frames = CustomerFrames(
        subs=_dates(subs, ("start_date", "end_date", "renewal_date")),
        usage=_dates(by_account("usage_monthly", USAGE_COLUMNS), ("month",)),
        tickets=_dates(by_account("tickets", TICKET_COLUMNS), ("created_date", "closed_date")),
        conversations=_dates(by_account("conversations", CONVERSATION_COLUMNS), ("occurred_at",)),
        contacts=by_account("contacts", CONTACT_COLUMNS)
        if contacts
        else pd.DataFrame(columns=CONTACT_COLUMNS),
        dataset=str(meta.get("dataset", "")),
        as_of=as_of,
        dated=not meta.get("undated") or meta.get("undated") != meta.get("dataset"),
    )
    return frames


def _dates(df: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    for c in cols:
        if c in df.columns:
            df[c] = pd.to_datetime(df[c])
    return df
