"""Which metric domains each canonical table carries, so that governed SQL honours domains as the
compiler does for metrics: a caller reads a table only if their role holds one of its domains.

Fact tables take the domains of the catalogue's metrics over them (``opportunities`` carries
pipeline and marketing metrics); tables no metric reads are assigned here. Dimension tables
(accounts, contacts, reps, products) are shared by every domain.
"""

from __future__ import annotations

from typing import Any

from revintel.scope import ALL_DOMAINS, Scope

#: tables no catalogue metric names, or whose domains the catalogue cannot tell
FIXED: dict[str, frozenset[str]] = {
    "accounts": ALL_DOMAINS,
    "contacts": ALL_DOMAINS,
    "reps": ALL_DOMAINS,
    "products": ALL_DOMAINS,
    "opportunity_history": frozenset({"pipeline"}),
    "quotas": frozenset({"pipeline"}),
    "forecast_submissions": frozenset({"pipeline"}),
    "campaigns": frozenset({"marketing"}),
    "leads": frozenset({"marketing"}),
    "touchpoints": frozenset({"marketing"}),
    "subscriptions": frozenset({"customers"}),
    "usage_monthly": frozenset({"customers"}),
    "tickets": frozenset({"customers"}),
    "conversations": frozenset({"pipeline", "customers"}),
    "headcount": frozenset({"people"}),
    "services_monthly": frozenset({"services"}),
}


def table_domains(catalogue: Any) -> dict[str, frozenset[str]]:
    """Table name -> the metric domains it carries (catalogue metrics plus :data:`FIXED`).

    ``budgets`` carries the domains of every metric that has a budget.
    """
    out: dict[str, set[str]] = {k: set(v) for k, v in FIXED.items()}
    budgeted: set[str] = set()
    for m in getattr(catalogue, "metrics", ()):
        if getattr(m, "table", None):
            out.setdefault(m.table, set()).add(m.domain)
        if getattr(m, "budget", None):
            budgeted.add(m.domain)
    out["budgets"] = budgeted or set(ALL_DOMAINS)
    return {k: frozenset(v) for k, v in out.items()}


def open_tables(catalogue: Any, scope: Scope) -> set[str]:
    """The tables ``scope`` may read through governed SQL (one of their domains is the role's)."""
    return {name for name, doms in table_domains(catalogue).items() if doms & scope.domains}
