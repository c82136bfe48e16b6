"""Role x route matrix: every route of the app, called as anonymous and as every demo persona (the
regional, service-line, team and rep leads are scoped users), answers 403 exactly when the role
table says so, and never a server error.

Routes are enumerated from the app's router, so a new route fails this test until it is given a
rule in ``NEEDS`` (what it requires). Run on an empty warehouse: the point is who may call what.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from revintel.app import create_app
from revintel.http.accounts import CSRF_COOKIE, CSRF_HEADER, csrf_token_for
from revintel.http.auth import SESSION_COOKIE, session_cookie_value
from revintel.scope import (
    ADMIN_USERS,
    ANALYTICS,
    DEMO_PERSONAS,
    DRILL,
    EXPORT,
    MANAGE_DATA,
    SCHEDULE,
    VIEW_AUDIT,
    Persona,
    Scope,
)

#: one persona per distinct (permissions, domains, bound dimension), plus an administrator
PERSONAS = (
    *(p for p in DEMO_PERSONAS if p.id not in ("cro", "cfo", "americas_lead", "apac_lead")),
    Persona("admin", "Ada Admin", "admin", "Administrator"),
)
METRIC = "chargeable_hours"  # a services metric: marketing, sales and AE roles lack its domain


@dataclass(frozen=True)
class Needs:
    """What a route requires. ``public``: no sign-in; otherwise a signed-in user with these."""

    public: bool = False
    perms: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    #: row-scope dimensions the route's data cannot be filtered by: a scope bound to one is refused
    #: (fail closed) rather than shown unfiltered rows
    unscopable: tuple[str, ...] = ()

    def allows(self, scope: Scope) -> bool:
        return (
            all(scope.allows(p) for p in self.perms)
            and set(self.domains) <= scope.domains
            and not set(self.unscopable) & set(scope.filters)
        )


PUBLIC, USER = Needs(public=True), Needs()
PIPE = Needs(perms=(DRILL,), domains=("pipeline",))
SERVICES_DRILL = Needs(perms=(DRILL,), domains=("services",))
MARKETING = Needs(perms=(DRILL,), domains=("marketing",))
#: call transcripts carry region, team and rep, not capability
CALLS = Needs(perms=(DRILL,), domains=("pipeline",), unscopable=("capability",))
CUSTOMERS = Needs(perms=(DRILL,), domains=("customers",))
ANALYTICS_PIPE = Needs(perms=(ANALYTICS, DRILL), domains=("pipeline",))

#: (method, path) -> what it requires
NEEDS: dict[tuple[str, str], Needs] = {
    ("GET", "/static/vendor/plotly.min.js"): PUBLIC,
    ("GET", "/favicon.ico"): PUBLIC,
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/api/ready"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,  # checks its own scrape token
    ("GET", "/auth/oidc/login"): PUBLIC,
    ("GET", "/auth/oidc/callback"): PUBLIC,
    # Slack calls these with its signing secret, and chart images are signed URLs (SIGNED_PREFIXES)
    ("GET", "/integrations/charts/{chart_id}.png"): PUBLIC,
    ("POST", "/integrations/slack/command"): PUBLIC,
    ("POST", "/integrations/slack/events"): PUBLIC,
    ("POST", "/integrations/teams/messages"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/"): USER,
    ("GET", "/snapshot"): USER,  # the as-of picker: reads stay under the reader's own scope
    ("GET", "/dashboard.csv"): Needs(perms=(EXPORT,)),
    ("GET", "/api/openapi.json"): USER,
    ("GET", "/kpi/{metric}"): SERVICES_DRILL,
    ("GET", "/kpi/{metric}/{part}.csv"): Needs(perms=(DRILL, EXPORT), domains=("services",)),
    ("GET", "/api/me"): USER,
    ("GET", "/api/admin/audit"): Needs(perms=(VIEW_AUDIT,)),
    ("GET", "/api/admin/data"): Needs(perms=(MANAGE_DATA,)),
    ("POST", "/api/admin/uploads"): Needs(perms=(MANAGE_DATA,)),
    ("POST", "/api/admin/uploads/{upload_id}/load"): Needs(perms=(MANAGE_DATA,)),
    ("GET", "/api/admin/users"): Needs(perms=(ADMIN_USERS,)),
    ("POST", "/api/admin/users"): Needs(perms=(ADMIN_USERS,)),
    ("POST", "/api/admin/users/{name}/disable"): Needs(perms=(ADMIN_USERS,)),
    ("POST", "/api/admin/users/{name}/enable"): Needs(perms=(ADMIN_USERS,)),
    ("POST", "/api/admin/users/{name}/token"): Needs(perms=(ADMIN_USERS,)),
    ("GET", "/admin/audit"): Needs(perms=(VIEW_AUDIT,)),
    ("GET", "/admin/data"): Needs(perms=(MANAGE_DATA,)),
    ("GET", "/admin/upload"): Needs(perms=(MANAGE_DATA,)),
    ("POST", "/admin/upload"): Needs(perms=(MANAGE_DATA,)),
    ("POST", "/admin/upload/{upload_id}/load"): Needs(perms=(MANAGE_DATA,)),
    ("GET", "/admin/users"): Needs(perms=(ADMIN_USERS,)),
    ("POST", "/admin/users"): Needs(perms=(ADMIN_USERS,)),
    ("GET", "/api/briefs/today"): USER,
    ("GET", "/api/briefs"): USER,
    ("GET", "/api/briefs/{brief_id}"): USER,  # 404 unless the reader's scope covers the brief
    ("GET", "/api/briefs/{brief_id}/preview"): USER,
    ("POST", "/api/briefs/{brief_id}/send"): Needs(perms=(SCHEDULE,)),
    ("GET", "/api/schedules"): USER,  # the caller's own
    ("POST", "/api/schedules"): Needs(perms=(SCHEDULE,)),
    ("PUT", "/api/schedules/{schedule_id}"): Needs(perms=(SCHEDULE,)),
    ("DELETE", "/api/schedules/{schedule_id}"): Needs(perms=(SCHEDULE,)),
    ("GET", "/api/deliveries"): Needs(perms=(VIEW_AUDIT,)),
    ("POST", "/api/exports"): Needs(perms=(EXPORT, DRILL), domains=("pipeline",)),  # view: risks
    ("GET", "/api/exports/{job_id}"): USER,  # the caller's own jobs
    ("GET", "/api/exports/{job_id}/file"): USER,
    ("GET", "/api/export/{view}.{fmt}"): Needs(perms=(EXPORT, DRILL), domains=("pipeline",)),
    ("GET", "/briefs"): USER,
    ("GET", "/briefs/{brief_id}"): USER,
    ("GET", "/briefs/{brief_id}/preview"): USER,
    ("POST", "/briefs/{brief_id}/send"): Needs(perms=(SCHEDULE,)),
    ("POST", "/briefs/schedules"): Needs(perms=(SCHEDULE,)),
    ("POST", "/briefs/schedules/{schedule_id}/delete"): Needs(perms=(SCHEDULE,)),
    ("GET", "/admin/deliveries"): Needs(perms=(VIEW_AUDIT,)),
    ("GET", "/api/metrics"): USER,
    ("GET", "/api/kpis/summary"): USER,
    ("GET", "/api/kpis/{metric_id}"): SERVICES_DRILL,
    ("POST", "/api/query"): SERVICES_DRILL,
    ("POST", "/api/ask"): Needs(perms=(DRILL,)),
    ("POST", "/api/ask/stream"): Needs(perms=(DRILL,)),
    ("GET", "/api/ask/conversations"): USER,  # the caller's own
    ("GET", "/api/ask/conversations/{conversation_id}"): USER,
    ("PATCH", "/api/ask/conversations/{conversation_id}"): USER,
    ("DELETE", "/api/ask/conversations/{conversation_id}"): USER,
    ("POST", "/api/ask/feedback"): USER,
    ("POST", "/api/sql"): SERVICES_DRILL,  # reads services_monthly
    ("GET", "/ask"): Needs(perms=(DRILL,)),
    ("GET", "/api/ask/guide"): Needs(perms=(DRILL,)),
    ("GET", "/api/deals/model"): Needs(perms=(ANALYTICS, DRILL), domains=("pipeline",)),
    ("POST", "/api/deals/train"): Needs(perms=(ANALYTICS, DRILL), domains=("pipeline",)),
    ("GET", "/api/deals/risk"): PIPE,
    ("GET", "/api/deals/people"): PIPE,
    ("GET", "/api/deals/{deal_id}"): PIPE,
    ("GET", "/api/forecast"): PIPE,
    ("GET", "/api/forecast/backtest"): PIPE,
    ("GET", "/api/pipeline/changes"): PIPE,
    ("GET", "/deals"): PIPE,
    ("GET", "/deals/{deal_id}"): PIPE,
    ("GET", "/forecast"): PIPE,
    ("GET", "/pipeline/changes"): PIPE,
    ("GET", "/admin/usage"): Needs(perms=(VIEW_AUDIT,)),
    ("GET", "/api/admin/usage"): Needs(perms=(VIEW_AUDIT,)),
    ("GET", "/marketing"): MARKETING,
    ("GET", "/api/marketing"): MARKETING,
    ("GET", "/api/marketing/acceleration"): MARKETING,
    ("GET", "/api/marketing/alerts"): MARKETING,
    ("GET", "/api/marketing/attribution"): MARKETING,
    ("GET", "/api/marketing/campaigns"): MARKETING,
    ("GET", "/api/marketing/funnel"): MARKETING,
    ("GET", "/api/marketing/funnel/why"): MARKETING,
    ("GET", "/api/marketing/outlook"): MARKETING,
    ("GET", "/deals/model"): ANALYTICS_PIPE,
    ("GET", "/api/calls/competitors"): CALLS,
    ("GET", "/api/calls/search"): CALLS,
    ("GET", "/api/calls/stats"): CALLS,
    ("GET", "/api/calls/trackers"): CALLS,
    ("GET", "/api/calls/{conversation_id}"): CALLS,
    ("POST", "/api/calls/copilot"): PIPE,
    ("GET", "/calls"): PIPE,
    ("GET", "/calls/competitors"): CALLS,
    ("GET", "/calls/copilot"): PIPE,
    ("GET", "/calls/{conversation_id}"): CALLS,
    ("GET", "/api/customers/expansion"): CUSTOMERS,
    ("GET", "/api/customers/model"): Needs(perms=(ANALYTICS, DRILL), domains=("customers",)),
    ("GET", "/api/customers/retention"): CUSTOMERS,
    ("GET", "/api/customers/risk"): CUSTOMERS,
    ("GET", "/api/customers/{account_id}"): CUSTOMERS,
    ("GET", "/customers"): CUSTOMERS,
    ("GET", "/customers/{account_id}"): CUSTOMERS,
    **{
        ("GET", f"/customers/export/{w}.{f}"): Needs(perms=(DRILL, EXPORT), domains=("customers",))
        for w in ("risk", "expansion")
        for f in ("csv", "xlsx")
    },
}

PATH_VALUES = {
    "metric": METRIC,
    "metric_id": METRIC,
    "part": "trend",
    "upload_id": "0" * 32,
    "name": "nobody",
    "brief_id": "1",
    "schedule_id": "1",
    "job_id": "nope",
    "view": "risks",
    "fmt": "pdf",
    "conversation_id": "nope",
    "deal_id": "OPP-NOPE",
    "chart_id": "nope",
    "account_id": "ACC-NOPE",
}
QUERIES = {
    ("GET", "/api/pipeline/changes"): {"from": "2025-01-01", "to": "2025-03-31"},
    ("GET", "/api/calls/search"): {"q": "pricing"},
}
SCHEDULE_BODY = {"name": "m", "cron": "0 7 * * *", "email_to": ["a@example.com"]}
JSON_BODIES = {
    ("POST", "/api/query"): {"metrics": [METRIC]},
    ("POST", "/api/sql"): {"sql": "SELECT count(*) AS n FROM services_monthly"},
    ("POST", "/api/ask"): {"question": "chargeable hours last year", "provider": "local"},
    ("POST", "/api/ask/stream"): {"question": "chargeable hours last year", "provider": "local"},
    ("POST", "/api/exports"): {"view": "risks", "format": "pdf"},
    ("POST", "/api/schedules"): SCHEDULE_BODY,
    ("PUT", "/api/schedules/{schedule_id}"): SCHEDULE_BODY,
    ("POST", "/api/briefs/{brief_id}/send"): {"channels": ["email"], "email_to": ["a@example.com"]},
    ("POST", "/api/admin/users"): {"name": "new", "role": "fpa_analyst", "password": "long-enough-pw"},
    ("POST", "/api/admin/uploads/{upload_id}/load"): {"source": "canonical"},
    ("PATCH", "/api/ask/conversations/{conversation_id}"): {"title": "x"},
    ("POST", "/api/ask/feedback"): {"turn_id": 1, "rating": 1},
    ("POST", "/api/calls/copilot"): {"question": "what objections came up?"},
}
FORM_BODIES = {
    ("POST", "/briefs/schedules"): {
        "name": "m",
        "cron": "0 7 * * *",
        "channels": "email",
        "email_to": "a@example.com",
    },
    ("POST", "/briefs/{brief_id}/send"): {"channels": "email", "email_to": "a@example.com"},
    ("POST", "/admin/users"): {"name": "new2", "role": "fpa_analyst", "password": "long-enough-pw"},
    ("POST", "/login"): {"persona": "cfo"},
}


def routes(app) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every (method, path) the app serves, through included routers."""

    def walk(items, prefix: str = ""):  # type: ignore[no-untyped-def]
        for r in items:
            if hasattr(r, "original_router"):
                yield from walk(r.original_router.routes, prefix + r.include_context.prefix)
            elif isinstance(r, APIRoute):
                for m in sorted(r.methods - {"HEAD", "OPTIONS"}):
                    yield m, prefix + r.path

    yield from walk(app.routes)


def _url(path: str) -> str:
    for k, v in PATH_VALUES.items():
        path = path.replace("{" + k + "}", v)
    return path


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, object]]:
    import os

    from revintel.config import Settings

    for key in [k for k in os.environ if k.startswith("REVINTEL_")]:
        os.environ.pop(key)
    home = tmp_path_factory.mktemp("matrix")
    personas = home / "personas.yaml"
    personas.write_text(
        yaml.safe_dump(
            [
                {
                    "id": p.id,
                    "name": p.name,
                    "role": p.role,
                    "scope": {k: list(v) for k, v in p.scope_rows.items()},
                }
                for p in PERSONAS
            ]
        )
    )
    settings = Settings(
        home=home, personas_file=personas, rate_limit_per_minute=0, ask_rate_limit_per_minute=0
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, app


def call(c: TestClient, settings, method: str, path: str, persona: str | None, query: dict | None = None):  # type: ignore[no-untyped-def]
    c.cookies.clear()
    c.cookies.set(CSRF_COOKIE, "n")
    if persona:
        c.cookies.set(SESSION_COOKIE, session_cookie_value(settings, {"persona": persona}))
    key = (method, path)
    headers = {CSRF_HEADER: csrf_token_for(settings, "n")}
    kwargs: dict = {
        "headers": headers,
        "params": {**QUERIES.get(key, {}), **(query or {})},
        "follow_redirects": False,
    }
    if key in JSON_BODIES:
        kwargs["json"] = JSON_BODIES[key]
    elif key in FORM_BODIES:
        kwargs["data"] = FORM_BODIES[key]
    elif key == ("POST", "/api/admin/uploads") or key == ("POST", "/admin/upload"):
        kwargs["data"] = {"source": "canonical"}
        kwargs["files"] = {"files": ("accounts.csv", b"account_id,name\nA1,Acme\n", "text/csv")}
    return c.request(method, _url(path), **kwargs)


def test_every_route_has_a_rule(app_client) -> None:  # type: ignore[no-untyped-def]
    _, app = app_client
    missing = sorted(set(routes(app)) - set(NEEDS))
    assert not missing, f"add these routes to NEEDS in tests/test_authz_matrix.py: {missing}"


@pytest.mark.slow
@pytest.mark.parametrize("persona", [None, *[p.id for p in PERSONAS]])
def test_each_route_answers_as_the_role_table_says(app_client, persona: str | None) -> None:  # type: ignore[no-untyped-def]
    c, app = app_client
    settings = app.state.runtime.settings
    scope = next((p.scope for p in PERSONAS if p.id == persona), None)
    wrong: list[str] = []
    for method, path in routes(app):
        if method == "POST" and path == "/logout":
            continue
        needs = NEEDS[(method, path)]
        if needs == USER and persona not in (None, "sponsor"):
            continue  # open to every signed-in role: checked as anonymous and the least privileged
        r = call(c, settings, method, path, persona)
        if r.status_code >= 500:
            wrong.append(f"{method} {path}: {r.status_code} (server error)")
        elif needs.public:
            continue
        elif scope is None:
            if r.status_code not in (401, 302, 303, 307):
                wrong.append(f"{method} {path}: {r.status_code} for anonymous, expected 401/redirect")
        elif needs.allows(scope) == (r.status_code == 403):
            expected = "allowed" if needs.allows(scope) else "403"
            wrong.append(f"{method} {path}: {r.status_code}, expected {expected} ({r.text[:120]})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.slow
def test_a_region_outside_the_scope_is_403_on_every_signed_in_api_route(app_client) -> None:  # type: ignore[no-untyped-def]
    """Pages instead leave such a filter out and say so (tests/web/test_deals_pages.py)."""
    c, app = app_client
    settings = app.state.runtime.settings
    wrong = []
    for method, path in routes(app):
        if method != "GET" or NEEDS[(method, path)].public or not path.startswith("/api/"):
            continue
        r = call(c, settings, method, path, "emea_lead", {"region": "APAC"})
        if r.status_code != 403:
            wrong.append(f"{path}: {r.status_code}")
    assert not wrong, wrong


PAGE_FILTERS = (
    {"region": "EMEA"},
    {"capability": "Consulting"},
    {"region": "APAC"},
    {"period": "last quarter"},
)


@pytest.mark.slow
@pytest.mark.parametrize("persona", ["ceo", "emea_lead", "consulting_lead", "sales_manager"])
def test_a_global_filter_never_breaks_a_page_a_role_may_open(app_client, persona: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 11: a global filter is applied where it can be and noted where not; a filter outside the
    scope is left out. So a page answers with a filter exactly as it does without one (on this empty
    warehouse some pages say no data is loaded: they must say the same with a filter)."""
    c, app = app_client
    settings = app.state.runtime.settings
    scope = next(p.scope for p in PERSONAS if p.id == persona)
    wrong = []
    for method, path in routes(app):
        needs = NEEDS[(method, path)]
        if method != "GET" or path.startswith(("/api/", "/mcp")) or needs.public or not needs.allows(scope):
            continue
        # a file cannot say "not applied": it refuses a filter outside the scope
        if path.endswith((".csv", ".xlsx", ".pdf", ".pptx")):
            continue
        plain = call(c, settings, method, path, persona).status_code
        for filt in PAGE_FILTERS:
            r = call(c, settings, method, path, persona, filt)
            if (r.status_code >= 400 and r.status_code != plain) or r.status_code >= 500:
                wrong.append(f"{path} {filt}: {r.status_code} (without the filter {plain}) {r.text[:100]}")
    assert not wrong, "\n".join(wrong)
