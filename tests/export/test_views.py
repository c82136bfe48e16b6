"""Every exportable view on the demo data: built from its own service, scope honoured, rendered."""

from __future__ import annotations

import pytest

from revintel.errors import InvalidRequest
from revintel.runtime import Runtime
from revintel.scope import Scope, get_persona
from revintel.services.export_jobs import export
from revintel.services.export_views import build_document, narrow

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def drt(demo_runtime_shared: Runtime) -> Runtime:
    return demo_runtime_shared


def test_risk_list_export_lists_only_the_readers_region(drt, reopen):
    scope = get_persona("emea_lead").scope
    doc = build_document(drt, "risks", scope, {"top": 10})
    table = next(it.table for s in doc.sections for it in s.items if it.table)
    assert table.rows and {r[table.columns.index("Region")] for r in table.rows} == {"EMEA"}
    res = export(drt, "risks", "pptx", scope, actor="emea_lead", params={"top": 10})
    assert res.filename == "revintel-risks-emea_lead-2025-12-31.pptx"
    prs = reopen(res.data)
    assert any(sh.has_table for s in prs.slides for sh in s.shapes)


def test_dashboard_export_has_the_kpi_engines_cards_for_the_period(drt):
    scope = get_persona("cfo").scope
    doc = build_document(drt, "dashboard", scope, {"period": "ytd"})
    cards = drt.kpis.summary(scope, "ytd")
    values = [it.figures[0].value for s in doc.sections for it in s.items]
    assert values == pytest.approx([c.value for c in cards[: len(values)]])


def test_kpi_drill_down_export_carries_the_breakdown_and_the_sql(drt, pages_of):
    scope = get_persona("cfo").scope
    res = export(drt, "kpi", "pdf", scope, actor="cfo", params={"metric": "chargeable_hours", "by": "region"})
    assert all(share > 0.002 for share in pages_of(res.data))
    items = [it for s in res.document.sections for it in s.items]
    assert items[0].citations[0].sql and "SELECT" in items[0].citations[0].sql.upper()
    breakdown = next(it for it in items if it.table)
    assert (
        breakdown.title == "Chargeable hours by region"
        and breakdown.table.rows
        and breakdown.citations[0].sql
    )


def test_forecast_export_gives_p10_p50_p90_per_region(drt):
    doc = build_document(drt, "forecast", get_persona("cro").scope, {})
    chart = doc.sections[0].items[0].chart
    assert [s.name for s in chart.series] == ["P10", "P50", "P90", "Quota"]
    assert set(chart.categories) >= {"EMEA", "Americas"}


def test_ask_answer_export_cites_the_sql(drt):
    doc = build_document(
        drt,
        "ask",
        get_persona("cfo").scope,
        {"question": "What were chargeable hours by region last quarter?"},
    )
    item = doc.sections[0].items[0]
    assert item.text and item.citations and item.citations[0].sql


def test_filters_narrow_but_never_widen_the_scope():
    emea = get_persona("emea_lead").scope
    assert narrow(emea, {"region": "APAC"}).filters == {"region": ()}
    assert narrow(Scope.everything(), {"region": "EMEA"}).filters == {"region": ("EMEA",)}
    assert narrow(emea, {"stage": "Proposal"}) == emea


def test_export_needs_the_export_permission_and_a_known_view(drt):
    from revintel.errors import Forbidden

    with pytest.raises(Forbidden):
        export(drt, "risks", "pdf", get_persona("data_steward").scope, actor="x")
    with pytest.raises(InvalidRequest, match="unknown view"):
        build_document(drt, "pipelin", get_persona("cfo").scope)
