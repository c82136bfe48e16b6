"""The sidebar navigation registry.

A page module registers its entry once, at import time::

    from revintel.web.nav import NavItem, register
    register(NavItem("Deals", "/deals", icon="briefcase", section="Pipeline", permission=DRILL,
                     domain="pipeline", order=30))

Entries are shown only to users whose scope holds ``permission`` (a ``revintel.scope``
permission, e.g. ``DRILL``, ``VIEW_AUDIT``) and ``domain`` (a metric domain, e.g. ``pipeline``).
Hiding a link is a convenience: each route must still check the scope on the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from revintel.scope import Scope

#: Section order in the sidebar; unknown sections go last, in registration order.
SECTIONS = ("Overview", "Pipeline", "Customers", "Briefs", "Admin")


@dataclass(frozen=True)
class NavItem:
    """One sidebar link.

    Attributes:
        label: Text of the link.
        path: URL path; the global filters (region, capability, period) are appended to it.
        section: Sidebar group (see :data:`SECTIONS`).
        permission: Scope permission required to see the link (None: everyone signed in).
        domain: Metric domain required (None: any).
        icon: A short glyph shown before the label.
        order: Sort key inside the section.
        secure_only: Shown only in secure mode (e.g. user management).
    """

    label: str
    path: str
    section: str = "Overview"
    permission: str | None = None
    domain: str | None = None
    icon: str = "•"
    order: int = 50
    secure_only: bool = False

    def visible_to(self, scope: Scope, secure: bool) -> bool:
        if self.secure_only and not secure:
            return False
        if self.permission and not scope.allows(self.permission):
            return False
        return not (self.domain and self.domain not in scope.domains)


NAV: list[NavItem] = []


def register(item: NavItem) -> NavItem:
    """Add (or replace, by path) a sidebar entry; returns it."""
    NAV[:] = [n for n in NAV if n.path != item.path]
    NAV.append(item)
    return item


def visible(scope: Scope, secure: bool = False) -> list[tuple[str, list[NavItem]]]:
    """The entries ``scope`` may see, grouped by section in sidebar order."""
    rank = {s: i for i, s in enumerate(SECTIONS)}
    groups: dict[str, list[NavItem]] = {}
    for item in NAV:
        if item.visible_to(scope, secure):
            groups.setdefault(item.section, []).append(item)
    ordered = sorted(groups.items(), key=lambda kv: rank.get(kv[0], len(rank)))
    return [(section, sorted(items, key=lambda n: (n.order, n.label))) for section, items in ordered]
