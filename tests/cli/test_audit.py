"""``revintel audit verify`` and ``export`` from the command line."""

from __future__ import annotations

import json

from sqlalchemy import text

from revintel.appdb import audit


def test_verify_passes_then_names_the_edited_record(rt, run_cli):
    for i in range(4):
        audit.record(rt.appdb, actor="elena", action="export", target=f"brief-{i}", rows=i)
    code, out, _ = run_cli("audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    with rt.appdb.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET target = 'nothing' WHERE seq = 2"))
    code, out, _ = run_cli("audit", "verify", "--json")
    body = json.loads(out)
    assert code == 1 and body["kind"] == "altered" and body["at_seq"] == 2
    code, out, _ = run_cli("audit", "verify")
    assert code == 1 and "altered" in out


def test_export_jsonl_since(rt, run_cli, tmp_path):
    for i in range(3):
        audit.record(rt.appdb, actor="cfo", action="ask", detail={"question": f"q{i}"})
    code, out, _ = run_cli("audit", "export", "--since", "2000-01-01", "--format", "jsonl")
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and len(lines) == 3 and lines[0]["actor"] == "cfo"
    code, out, _ = run_cli("audit", "export", "--since", "3000-01-01")
    assert out.strip() == ""
    code, _, err = run_cli("audit", "export", "--since", "yesterday-ish")
    assert code == 1 and "not a date" in err
