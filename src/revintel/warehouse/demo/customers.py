"""Recurring customers: subscriptions (ARR lines), monthly usage and support tickets.

About 60% of clients also hold a subscription. Each renews yearly on its anniversary or churns
(about 8% of logos a year). In the six months before a churn, usage falls by half and tickets
become frequent and negative; about 5% of the live accounts show the same pattern at the end of
2025 without having churned yet (the accounts a customer-success lead should call now).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from revintel.warehouse.demo.common import (
    AS_OF,
    N_MONTHS,
    Context,
    Dimensions,
    code,
    days,
    ids,
    pick,
    to_table,
)

SUBSCRIPTION_PRODUCTS = np.array([7, 8, 9])  # Managed IT Operations, Cyber Defense Retainer, RevIntel Cloud
CHURN_RATE = 0.08
TIER_ARR = np.array([260_000.0, 120_000.0, 42_000.0, 12_000.0])
CHURN_REASONS = ("Budget cuts", "Switched to competitor", "Poor adoption", "Product gaps", "Acquired")
TICKET_CATEGORIES = ("Billing", "Integration", "Performance", "Access", "Feature request", "Outage")
SUBJECTS = {
    "Billing": ("Invoice does not match contract", "Question about renewal pricing"),
    "Integration": ("CRM sync failing since update", "API returns 500 on export"),
    "Performance": ("Dashboards slow to load", "Report timed out again"),
    "Access": ("Cannot add new users", "SSO login loop"),
    "Feature request": ("Need custom fields on reports", "Request: scheduled exports"),
    "Outage": ("Service unavailable this morning", "Data not refreshed overnight"),
}
AS_OF_MONTH = N_MONTHS  # month index of January 2026 (0 = January 2023)


@dataclass
class Book:
    """One subscription account per entry."""

    account: np.ndarray
    start: np.ndarray  # month index of the first term (negative = before 2023)
    churn: np.ndarray  # month index of the churn (large = never)
    at_risk: np.ndarray  # live accounts showing churn precursors now
    arr: np.ndarray
    seats: np.ndarray


def build_book(ctx: Context, dims: Dimensions) -> Book:
    """Pick the subscription accounts (60% of clients) with their start, churn month, ARR and seats."""
    rng = ctx.rng(50)
    n = max(10, round(0.6 * dims.n_accounts))
    account = np.sort(rng.choice(dims.n_accounts, n, replace=False))
    start = np.where(rng.random(n) < 0.35, rng.integers(-36, 0, n), rng.integers(0, 30, n))
    churn_term = rng.geometric(CHURN_RATE, n)
    churn = start + 12 * churn_term
    churn = np.where(churn < AS_OF_MONTH, churn, 10_000)
    at_risk = (churn == 10_000) & (rng.random(n) < 0.05) & (start < AS_OF_MONTH - 12)
    arr = np.round(TIER_ARR[dims.acct_tier[account]] * rng.lognormal(0, 0.4, n), -2)
    seats = np.maximum(12, np.round(arr / 1_100)).astype(int)
    return Book(account, start, churn, at_risk, arr, seats)


def _month_date(m: int) -> np.datetime64:
    return (np.datetime64("2023-01", "M") + m).astype("datetime64[D]")


@dataclass
class Line:
    """One contract line (month indices, 0 = January 2023)."""

    account: int
    product: int
    kind: str
    start: int
    end: int | None
    renewal: int
    arr: float
    status: str
    reason: str | None = None


def _account_lines(rng: np.random.Generator, book: Book, i: int) -> list[Line]:
    """The new line, a renewal per anniversary until churn or today, and co-termed expansions."""
    acct = int(book.account[i])
    product = int(SUBSCRIPTION_PRODUCTS[rng.integers(0, 3)])
    arr, term_start, kind = float(book.arr[i]), int(book.start[i]), "new"
    churned = book.churn[i] < AS_OF_MONTH
    lines: list[Line] = []
    while term_start < AS_OF_MONTH:
        term_end = term_start + 12
        last = term_end >= AS_OF_MONTH or (churned and term_end >= book.churn[i])
        status = ("churned" if churned else "active") if last else "ended"
        reason = CHURN_REASONS[int(rng.integers(0, len(CHURN_REASONS)))] if last and churned else None
        end = term_end if (not last or churned) else None
        lines.append(Line(acct, product, kind, term_start, end, term_end, arr, status, reason))
        if rng.random() < 0.25 and not (churned and last):
            exp_arr = arr * rng.uniform(0.15, 0.35)
            exp_start = term_start + int(rng.integers(2, 10))
            if exp_start < AS_OF_MONTH:
                status = "active" if last else "ended"
                end = None if last else term_end
                lines.append(Line(acct, product, "expansion", exp_start, end, term_end, exp_arr, status))
                arr += exp_arr
        if last:
            break
        term_start, kind, arr = term_end, "renewal", arr * rng.uniform(1.02, 1.07)
    return lines


def subscriptions_table(ctx: Context, book: Book) -> pa.Table:
    """Contract lines of every subscription account."""
    rng = ctx.rng(51)
    lines = [line for i in range(len(book.account)) for line in _account_lines(rng, book, i)]
    n = len(lines)

    def months(values: list[int | None]) -> np.ndarray:
        return np.array([None if v is None else _month_date(v) for v in values], dtype="datetime64[D]")

    return to_table(
        "subscriptions",
        {
            "subscription_id": ids("S", n, 7),
            "account_id": code("A", [x.account for x in lines], 6),
            "product_id": code("P", [x.product for x in lines], 2),
            "kind": [x.kind for x in lines],
            "start_date": months([x.start for x in lines]),
            "end_date": months([x.end for x in lines]),
            "renewal_date": months([x.renewal for x in lines]),
            "arr": [round(x.arr, -2) for x in lines],
            "status": [x.status for x in lines],
            "churn_reason": [x.reason for x in lines],
        },
    )


def _account_months(book: Book) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(book entry, month index, precursor factor 0-1) for every month an account is live in 2023-2025."""
    first = np.maximum(book.start, 0)
    last = np.minimum(book.churn, AS_OF_MONTH) - 1
    count = np.maximum(last - first + 1, 0)
    entry = np.repeat(np.arange(len(book.account)), count)
    month = first[entry] + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    # 0 = normal; rises to 1 over the six months before a churn (or before 2026 for at-risk accounts)
    horizon = np.where(book.at_risk, AS_OF_MONTH + 1, book.churn)[entry]
    window = np.where(book.at_risk[entry], 4, 6)
    precursor = np.clip((month - (horizon - window - 1)) / window, 0, 1)
    precursor = np.where((book.churn[entry] < AS_OF_MONTH) | book.at_risk[entry], precursor, 0)
    return entry, month, precursor


def usage_table(ctx: Context, book: Book) -> pa.Table:
    """Active users, seats and events per account-month; active users fall ~55% before a churn."""
    rng = ctx.rng(52)
    entry, month, precursor = _account_months(book)
    adoption = rng.uniform(0.55, 0.9, len(book.account))[entry]
    growth = 1 + 0.01 * (month - np.maximum(book.start, 0)[entry])
    users = book.seats[entry] * adoption * np.minimum(growth, 1.2) * (1 - 0.55 * precursor)
    users = np.maximum(1, np.round(users * rng.lognormal(0, 0.04, len(entry)))).astype("int64")
    return to_table(
        "usage_monthly",
        {
            "account_id": code("A", book.account[entry], 6),
            "month": (np.datetime64("2023-01", "M") + month).astype("datetime64[D]"),
            "active_users": users,
            "licensed_seats": book.seats[entry].astype("int64"),
            "events": np.round(users * 38 * rng.lognormal(0, 0.2, len(entry))).astype("int64"),
        },
    )


def tickets_table(ctx: Context, book: Book) -> pa.Table:
    """Support tickets; frequent and negative in the months before a churn."""
    rng = ctx.rng(53)
    entry, month, precursor = _account_months(book)
    k = rng.poisson(0.35 + 1.2 * precursor)
    row = np.repeat(np.arange(len(entry)), k)
    n = len(row)
    bad = precursor[row] > 0.15
    created = (np.datetime64("2023-01", "M") + month[row]).astype("datetime64[D]") + days(
        rng.integers(0, 28, n)
    )
    sentiment = np.where(bad, rng.normal(-0.5, 0.25, n), rng.normal(0.25, 0.3, n))
    category = np.where(bad & (rng.random(n) < 0.6), rng.integers(1, 6, n), rng.integers(0, 6, n))
    closed = created + days(rng.integers(1, 21, n))
    still_open = closed > np.datetime64(AS_OF)
    subject = [
        SUBJECTS[TICKET_CATEGORIES[c]][j] for c, j in zip(category, rng.integers(0, 2, n), strict=True)
    ]
    return to_table(
        "tickets",
        {
            "ticket_id": ids("K", n, 7),
            "account_id": code("A", book.account[entry[row]], 6),
            "created_date": created,
            "closed_date": np.where(still_open, np.datetime64("NaT"), closed),
            "priority": np.where(
                bad & (rng.random(n) < 0.5),
                "High",
                pick(("Low", "Medium", "High", "Urgent"), rng.choice(4, n, p=[0.35, 0.4, 0.2, 0.05])),
            ),
            "status": np.where(still_open, "open", "closed"),
            "category": pick(TICKET_CATEGORIES, category),
            "subject": subject,
            "sentiment": np.round(np.clip(sentiment, -1, 1), 2),
        },
    )
