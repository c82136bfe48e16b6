"""Personas, roles and row scopes.

A :class:`Scope` is a value that travels with every request: the dimension values a user may
see (``{"region": ("EMEA",)}``), the metric domains open to them, and what they may do. The
semantic compiler applies it to every query; nothing else widens or narrows rows.

Roles are fixed in code (they are product behaviour); demo personas are data: the built-in list
below, or a YAML file named by ``REVINTEL_PERSONAS_FILE``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from revintel.errors import NotFound
from revintel.text import nearest

ALL_DOMAINS = frozenset({"services", "pipeline", "customers", "marketing", "people"})

# Permissions a role may hold.
ADMIN_USERS = "manage_users"  # create/disable accounts and tokens
MANAGE_DATA = "manage_data"  # upload files, see sources, lineage and data quality
VIEW_AUDIT = "view_audit"  # read the audit log and delivery log
SCHEDULE = "schedule"  # create and edit brief schedules, send deliveries
EXPORT = "export"  # export PDF/PPTX/CSV
DRILL = "drill"  # open drill-downs, deals, forecasts, ask (not summary-only)
ANALYTICS = "analytics"  # firm-wide model statistics and retraining the shared models


@dataclass(frozen=True)
class Role:
    id: str
    label: str
    description: str
    domains: frozenset[str] = ALL_DOMAINS
    permissions: frozenset[str] = frozenset({EXPORT, DRILL, SCHEDULE})
    #: the dimensions a persona of this role is bound to (e.g. region for a regional lead)
    bound_to: tuple[str, ...] = ()


_STD = frozenset({EXPORT, DRILL, SCHEDULE})
ROLES: dict[str, Role] = {
    r.id: r
    for r in (
        Role("ceo", "CEO", "Everything, every region.", permissions=_STD | {VIEW_AUDIT, ANALYTICS}),
        Role(
            "cro",
            "Chief Revenue Officer",
            "Everything, every region.",
            permissions=_STD | {VIEW_AUDIT, ANALYTICS},
        ),
        Role(
            "cfo",
            "Chief Financial Officer",
            "Everything, every region.",
            permissions=_STD | {VIEW_AUDIT, ANALYTICS},
        ),
        Role(
            "finance_director",
            "Finance director",
            "All regions; finance metrics (services delivery, customers, revenue and forecast).",
            domains=frozenset({"services", "pipeline", "customers", "people"}),
        ),
        Role("regional_lead", "Regional lead", "Their own region.", bound_to=("region",)),
        Role("service_line_lead", "Service-line lead", "Their own capability.", bound_to=("capability",)),
        Role(
            "sales_manager",
            "Sales manager",
            "Their own team's pipeline and customers.",
            domains=frozenset({"pipeline", "customers", "marketing"}),
            bound_to=("team",),
        ),
        Role(
            "account_executive",
            "Account executive",
            "Their own deals.",
            domains=frozenset({"pipeline"}),
            permissions=frozenset({EXPORT, DRILL}),
            bound_to=("rep",),
        ),
        Role(
            "fpa_analyst",
            "FP&A analyst",
            "Everything, read-only (no schedules or deliveries); model statistics and retraining.",
            permissions=frozenset({EXPORT, DRILL, ANALYTICS}),
        ),
        Role(
            "marketing_lead",
            "Marketing lead",
            "Marketing and pipeline metrics, every region.",
            domains=frozenset({"marketing", "pipeline"}),
        ),
        Role(
            "data_steward",
            "Data steward",
            "Data sources, loads, data quality and the audit log.",
            permissions=frozenset({DRILL, MANAGE_DATA, VIEW_AUDIT}),
        ),
        Role(
            "exec_sponsor",
            "Executive sponsor",
            "The headline summary only.",
            permissions=frozenset({EXPORT}),
        ),
        Role(
            "admin",
            "Administrator",
            "Everything, plus users, data and the audit log.",
            permissions=_STD | {ADMIN_USERS, MANAGE_DATA, VIEW_AUDIT, ANALYTICS},
        ),
    )
}


@dataclass(frozen=True)
class Scope:
    """The rows and metric domains one user may see.

    ``rows`` maps a dimension id to the values allowed; an empty mapping means every row.
    """

    role: str
    rows: tuple[tuple[str, tuple[str, ...]], ...] = ()
    domains: frozenset[str] = ALL_DOMAINS
    permissions: frozenset[str] = frozenset()
    persona: str | None = None

    @classmethod
    def build(cls, role: str, rows: Mapping[str, Any] | None = None, persona: str | None = None) -> Scope:
        r = get_role(role)
        norm = tuple(
            sorted(
                (dim, tuple(sorted({str(v) for v in (vals if isinstance(vals, list | tuple) else [vals])})))
                for dim, vals in (rows or {}).items()
            )
        )
        return cls(role=r.id, rows=norm, domains=r.domains, permissions=r.permissions, persona=persona)

    @classmethod
    def everything(cls) -> Scope:
        """Unrestricted scope, for system jobs (ingest checks, model training) — never for a user request."""
        return cls.build("admin", persona="system")

    @property
    def filters(self) -> dict[str, tuple[str, ...]]:
        return dict(self.rows)

    @property
    def unrestricted(self) -> bool:
        return not self.rows

    def check_filters(self, values: Mapping[str, str | None]) -> None:
        """Refuse filter values outside the scope (a filter may narrow a scope, never widen it).

        Raises:
            Forbidden: e.g. ``{"region": "APAC"}`` for a scope bound to EMEA.
        """
        from revintel.errors import Forbidden

        allowed = self.filters
        for dim, value in values.items():
            if value and dim in allowed and value not in allowed[dim]:
                raise Forbidden(
                    f"{self.persona or self.role} may not see {dim} {value!r}",
                    hint=f"your scope is {self.describe()}",
                    details={"dimension": dim, "value": value[:60], "allowed": list(allowed[dim])},
                )

    def allows(self, permission: str) -> bool:
        return permission in self.permissions

    def describe(self) -> str:
        if not self.rows:
            return "all rows"
        return "; ".join(f"{dim} in ({', '.join(vals)})" for dim, vals in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "persona": self.persona,
            "rows": {dim: list(vals) for dim, vals in self.rows},
            "domains": sorted(self.domains),
            "description": self.describe(),
        }


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    role: str
    title: str
    scope_rows: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        return Scope.build(self.role, dict(self.scope_rows), persona=self.id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "title": self.title,
            "scope": self.scope.to_dict(),
        }


def get_role(role_id: str) -> Role:
    try:
        return ROLES[role_id]
    except KeyError:
        raise NotFound(f"unknown role {role_id!r}", hint=nearest(role_id, ROLES)) from None


#: Demo personas, over the demo dataset's regions, capabilities, teams and reps.
DEMO_PERSONAS: tuple[Persona, ...] = (
    Persona("ceo", "Morgan Avery", "ceo", "Chief Executive Officer"),
    Persona("cro", "Riley Chen", "cro", "Chief Revenue Officer"),
    Persona("cfo", "Jordan Blake", "cfo", "Chief Financial Officer"),
    Persona("finance_director", "Sam Patel", "finance_director", "Finance Director"),
    Persona("emea_lead", "Elena Rossi", "regional_lead", "Regional Lead, EMEA", {"region": ("EMEA",)}),
    Persona(
        "americas_lead", "Marcus Hill", "regional_lead", "Regional Lead, Americas", {"region": ("Americas",)}
    ),
    Persona("apac_lead", "Aiko Tanaka", "regional_lead", "Regional Lead, APAC", {"region": ("APAC",)}),
    Persona(
        "consulting_lead",
        "Priya Nair",
        "service_line_lead",
        "Service-line Lead, Consulting",
        {"capability": ("Consulting",)},
    ),
    Persona(
        "sales_manager",
        "Tom Becker",
        "sales_manager",
        "Sales Manager, EMEA Enterprise",
        {"team": ("EMEA Enterprise",)},
    ),
    Persona(
        "account_exec", "Alex Morgan", "account_executive", "Account Executive", {"rep": ("Alex Morgan",)}
    ),
    Persona("fpa", "Noah Kim", "fpa_analyst", "FP&A Analyst"),
    Persona("marketing", "Lena Fischer", "marketing_lead", "Marketing Lead"),
    Persona("data_steward", "Omar Haddad", "data_steward", "Data Steward"),
    Persona("sponsor", "Grace Liu", "exec_sponsor", "Executive Sponsor"),
)


def personas(path: str | None = None) -> tuple[Persona, ...]:
    """The demo personas (built in, or from a YAML list of {id, name, role, title, scope})."""
    if not path:
        return DEMO_PERSONAS
    import yaml

    with open(path, encoding="utf-8") as fh:
        items = yaml.safe_load(fh) or []
    out = []
    for item in items:
        get_role(item["role"])
        rows = {k: tuple(v if isinstance(v, list) else [v]) for k, v in (item.get("scope") or {}).items()}
        out.append(Persona(item["id"], item["name"], item["role"], item.get("title", item["role"]), rows))
    return tuple(out)


def get_persona(persona_id: str, path: str | None = None) -> Persona:
    found = {p.id: p for p in personas(path)}
    try:
        return found[persona_id]
    except KeyError:
        raise NotFound(f"unknown persona {persona_id!r}", hint=nearest(persona_id, found)) from None
