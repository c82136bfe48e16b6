"""Marketing: funnel, attribution, campaigns, acceleration, alerts and outlook, audited and authorised.

Every marketing surface (API, pages, CLI, briefs, Ask) calls these; each checks that the caller
may drill into marketing data, runs the one function in :mod:`revintel.marketing.report` that
owns the figures, and writes the audit record.
"""

from __future__ import annotations

from typing import Any

from revintel.runtime import Runtime
from revintel.scope import Scope
from revintel.services import authz
from revintel.services.audited import audited
from revintel.services.identity import User
from revintel.services.loaded import require_loaded


def marketing_scope(user: User) -> Scope:
    """The caller's scope, if their role may open marketing detail (DRILL + marketing)."""
    return authz.drill(user, "marketing")


def _run(
    rt: Runtime, user: User, scope: Scope, target: str, detail: dict[str, Any], fn: Any
) -> dict[str, Any]:
    marketing_scope(user)
    require_loaded(rt, "marketing", "leads", "opportunities")
    out = fn()
    audited(rt.appdb, user, "query", target, scope=scope, detail=detail)
    return out


def audited_report(rt: Runtime, user: User, scope: Scope, period: str | None, target: str) -> dict[str, Any]:
    """The whole marketing report (the Marketing page)."""
    from revintel.marketing.report import marketing_report

    return _run(rt, user, scope, target, {"period": period}, lambda: marketing_report(rt, scope, period))


def audited_funnel(
    rt: Runtime, user: User, scope: Scope, period: str | None, by: str | None, target: str
) -> dict[str, Any]:
    """The funnel against the previous period and the prior year."""
    from revintel.marketing.report import funnel_view

    return _run(
        rt, user, scope, target, {"period": period, "by": by}, lambda: funnel_view(rt, scope, period, by)
    )


def audited_dropping(
    rt: Runtime, user: User, scope: Scope, period: str | None, against: str, target: str
) -> dict[str, Any]:
    """Which region is dropping in the funnel and why."""
    from revintel.marketing.report import dropping_view

    return _run(
        rt,
        user,
        scope,
        target,
        {"period": period, "against": against},
        lambda: dropping_view(rt, scope, period, against),
    )


def audited_attribution(
    rt: Runtime, user: User, scope: Scope, credit: str, period: str | None, key: str, target: str
) -> dict[str, Any]:
    """Every attribution model over the warehouse's journeys."""
    from revintel.errors import InvalidRequest
    from revintel.marketing.report import attribution_view
    from revintel.marketing.touches import CREDITS

    if credit not in CREDITS:
        raise InvalidRequest(f"unknown credit {credit!r}", hint="choose revenue or pipeline")
    if key not in ("channel", "campaign"):
        raise InvalidRequest(f"cannot attribute by {key!r}", hint="choose channel or campaign")
    return _run(
        rt, user, scope, target, {"credit": credit, "period": period, "by": key},
        lambda: attribution_view(rt, scope, credit, period, key),
    )  # fmt: skip


def audited_campaigns(
    rt: Runtime, user: User, scope: Scope, period: str | None, target: str
) -> dict[str, Any]:
    """Campaign influence, cost and ROI."""
    from revintel.marketing.report import campaigns_view

    return _run(rt, user, scope, target, {"period": period}, lambda: campaigns_view(rt, scope, period))


def audited_acceleration(rt: Runtime, user: User, scope: Scope, by: str, target: str) -> dict[str, Any]:
    """Touched versus matched untouched deals."""
    from revintel.errors import InvalidRequest
    from revintel.marketing.report import acceleration_view

    if by not in ("channel", "campaign"):
        raise InvalidRequest(f"cannot compare by {by!r}", hint="choose channel or campaign")
    return _run(rt, user, scope, target, {"by": by}, lambda: acceleration_view(rt, scope, by))


def audited_alerts(rt: Runtime, user: User, scope: Scope, target: str) -> dict[str, Any]:
    """Pipeline and funnel alerts in the caller's scope."""
    from revintel.marketing.report import alerts_view

    return _run(rt, user, scope, target, {}, lambda: alerts_view(rt, scope))


def audited_outlook(rt: Runtime, user: User, scope: Scope, target: str) -> dict[str, Any]:
    """Pipeline and revenue expected from marketing next quarter."""
    from revintel.marketing.report import outlook_view

    return _run(rt, user, scope, target, {}, lambda: outlook_view(rt, scope))


def send_alerts(rt: Runtime, user: User, alerts: dict[str, Any], email_to: list[str]) -> list[dict[str, Any]]:
    """Deliver the alerts on every configured channel (deduplicated, with a cool-down), audited.

    Raises:
        Forbidden: the caller may not send (needs the schedule permission).
        ConfigError: no channel is configured.
    """
    from revintel.delivery.base import Target
    from revintel.errors import ConfigError
    from revintel.marketing.brief import deliver_alerts

    authz.require(user, authz.SCHEDULE)
    s = rt.settings
    configured = (
        ("email", bool(s.smtp_host and email_to)),
        ("slack", bool(s.slack_webhook_url)),
        ("teams", bool(s.teams_webhook_url)),
    )
    channels = [c for c, ok in configured if ok]
    if not channels:
        raise ConfigError(
            "no delivery channel is configured",
            hint="set REVINTEL_SLACK_WEBHOOK_URL or REVINTEL_TEAMS_WEBHOOK_URL, "
            "or REVINTEL_SMTP_HOST with --to",
        )
    out = deliver_alerts(
        rt, alerts["alerts"], channels, Target(email_to=email_to), actor=user.id, as_of=alerts["as_of"],
        scope_text=user.scope.describe(),
    )  # fmt: skip
    audited(rt.appdb, user, "deliver", "alerts", detail={"channels": channels}, rows=len(out))
    return out
