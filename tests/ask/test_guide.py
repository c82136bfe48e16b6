"""The question guide: generated from the catalogue and the test questions, SQL compiled under the
caller's scope, only the metrics the role's domains allow; Markdown and PDF; CLI, API and the Ask page."""

from __future__ import annotations

from revintel.ask.guide import build_guide, to_markdown
from revintel.scope import get_persona


def test_the_guide_lists_what_a_role_may_ask_with_examples_and_scoped_sql(demo_rt) -> None:
    ceo = build_guide(demo_rt, get_persona("ceo").scope)
    marketing = build_guide(demo_rt, get_persona("marketing").scope)
    emea = build_guide(demo_rt, get_persona("emea_lead").scope)
    domains = get_persona("marketing").scope.domains
    assert {e.domain for e in marketing.entries} <= set(domains) and len(marketing.entries) < len(ceo.entries)
    by_id = {e.id: e for e in ceo.entries}
    won = by_id["won_revenue"]
    assert "bookings" in won.say and won.sql and "opportunities" in won.sql
    assert "Top 5 reps by won revenue in 2025" in won.examples  # a test-split question
    assert "What is the total sales quota for Q1 2026?" in by_id["quota"].examples  # "sales" is not a metric
    assert by_id["economic_buyer_win_rate"].sql and "deal_contacts" in by_id["economic_buyer_win_rate"].sql
    emea_sql = {e.id: e.sql for e in emea.entries}["won_revenue"]
    assert "'EMEA'" in emea_sql and "'EMEA'" not in won.sql
    md = to_markdown(ceo)
    assert md.count("\n### ") == len(ceo.entries) and "```sql" in md and "all rows" in md


def test_cli_api_and_page_offer_the_guide(demo_rt, run_cli, client_as, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("REVINTEL_HOME", str(demo_rt.settings.home))
    code, _, _ = run_cli("ask", "guide", "--format", "pdf", "-o", str(tmp_path / "g.pdf"))
    assert code == 0 and (tmp_path / "g.pdf").read_bytes().startswith(b"%PDF")
    code, _, err = run_cli("ask", "guide", "--format", "docx", "-o", str(tmp_path / "g.docx"))
    assert code == 1 and "unknown guide format 'docx'" in err
    c = client_as("fpa")
    r = c.get("/api/ask/guide", params={"format": "md"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert "attachment" in r.headers["content-disposition"] and "### Net fees" in r.text
    assert c.get("/api/ask/guide", params={"format": "pdf"}).content.startswith(b"%PDF")
    assert client_as("emea_lead").get("/api/ask/guide", params={"region": "APAC"}).status_code == 403
    page = c.get("/ask").text
    assert "/api/ask/guide?format=pdf" in page and "/api/ask/guide?format=md" in page
