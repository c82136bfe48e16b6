"""Churn alerts delivered once per recipient through the brief channels; the lists as CSV and XLSX."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefs.receivers import http_receiver, smtp_mailbox
from revintel.briefs.customer_alerts import alert_key, send
from revintel.config import Settings
from revintel.customers.health import churn_alerts
from revintel.delivery import Target
from revintel.errors import InvalidRequest
from revintel.runtime import Runtime
from revintel.scope import get_persona

pytestmark = pytest.mark.slow  # scores the demo's customers (the model is shared by the session)


def test_each_alert_reaches_email_and_teams_once_and_only_the_leads_region(demo_home_shared: Path) -> None:
    emea = get_persona("emea_lead").scope
    with http_receiver() as teams, smtp_mailbox() as mail:
        settings = Settings(
            home=demo_home_shared,
            smtp_host=mail.host,
            smtp_port=mail.port,
            teams_webhook_url=f"{teams.url}/webhookb2/secret",
            delivery_backoff_seconds=0.001,
        )
        rt = Runtime(settings)
        try:
            expected = churn_alerts(rt, emea)["alerts"][:3]
            assert expected and all(a["arr_at_risk"] >= 0 for a in expected)
            target = Target(email_to=["csm@example.com"])
            first = send(rt, emea, ["email", "teams"], target, actor="emea_lead", top=3)
            assert first["sent"] == 6 and first["failed"] == 0
            assert len(mail.messages) == 3 and len(teams.posts) == 3
            subjects = [m["Subject"] for m in mail.messages]
            for a, subject in zip(expected, subjects, strict=True):
                assert (a["account"] or a["account_id"]) in subject
            body = json.dumps(teams.posts[0]["json"])
            assert expected[0]["reason"].split(";")[0] in body
            # the same alerts again (a cron that runs twice): nothing is sent twice
            again = send(rt, emea, ["email", "teams"], target, actor="emea_lead", top=3)
            assert again["sent"] == 0 and again["skipped"] == 6
            assert len(mail.messages) == 3 and len(teams.posts) == 3
            # another recipient is another delivery
            other = send(rt, emea, ["email"], Target(email_to=["cro@example.com"]), actor="emea_lead", top=1)
            assert other["sent"] == 1 and len(mail.messages) == 4
            everyone = {a["account_id"]: a for a in churn_alerts(rt, get_persona("cfo").scope)["alerts"]}
            assert {everyone[a["account_id"]]["account_id"] for a in expected} <= set(everyone)
            regions = {r["account_id"]: r["region"] for r in _regions(rt)}
            assert {regions[d["account_id"]] for d in first["deliveries"]} == {"EMEA"}
        finally:
            rt.close()


def _regions(rt: Runtime) -> list[dict]:
    from revintel.customers.scoring import scored_all

    return scored_all(rt)[["account_id", "region"]].to_dict("records")


def test_an_alert_that_gains_a_warning_is_a_new_alert() -> None:
    a = {"account_id": "A000001", "renewal_date": "2026-02-01", "reason": "churn risk 62% at renewal"}
    b = {**a, "reason": a["reason"] + "; active users down 35% in 60 days"}
    assert alert_key(a) == "A000001:2026-02-01:risk" and alert_key(b) == "A000001:2026-02-01:risk+usage"


def test_cli_export_writes_the_personas_list(
    demo_runtime_shared: Runtime, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    from revintel.cli import app
    from revintel.cli.app import state

    monkeypatch.setattr(state, "runtime", demo_runtime_shared)
    out = tmp_path / "risk.xlsx"
    res = CliRunner().invoke(
        app,
        [
            "customers",
            "export",
            "risk",
            "--out",
            str(out),
            "--days",
            "90",
            "--persona",
            "apac_lead",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["rows"] > 0
    ws = load_workbook(out).active
    assert {ws.cell(row=i, column=3).value for i in range(2, ws.max_row + 1)} == {"APAC"}
    bad = CliRunner().invoke(app, ["customers", "export", "risk", "--out", str(tmp_path / "x.pdf")])
    assert (
        isinstance(bad.exception, InvalidRequest) and "expected a .csv or .xlsx file" in bad.exception.message
    )
