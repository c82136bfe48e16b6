"""The composed brief on the demo data: scope honoured, numbers equal the dashboard's (KPI engine),
every item cited."""

from __future__ import annotations

import pytest

from revintel.briefs.compose import SECTIONS, compose_brief, load_brief, save_brief
from revintel.briefs.narrative import numbers_in
from revintel.scope import Scope, get_persona

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cfo_doc(demo_runtime):  # type: ignore[no-untyped-def]
    p = get_persona("cfo")
    return compose_brief(demo_runtime, p.scope, persona=p)


@pytest.fixture(scope="module")
def emea_doc(demo_runtime):  # type: ignore[no-untyped-def]
    p = get_persona("emea_lead")
    return compose_brief(demo_runtime, p.scope, persona=p)


def kpi_values(doc) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    s = next(s for s in doc.sections if s.id == "kpis")
    return {it.citations[0].metric: tuple(f.value for f in it.figures) for it in s.items}


def expected_figures(c: dict) -> tuple:
    """A card's figures in the brief: a rate's variances in points (differences), a flow's as relative
    changes; a money KPI adds its gap to budget."""
    rate = c["unit"] == "percent"
    vs = (c["var_budget"], c["var_py"]) if rate else (c["var_budget_pct"], c["var_py_pct"])
    gap = (c["var_budget"],) if c["unit"] == "currency" else ()
    return tuple(v for v in (c["value"], *vs, *gap) if v is not None)


def test_brief_has_every_section_in_order_with_content_or_a_reason(cfo_doc):
    assert [s.id for s in cfo_doc.sections] == [sid for sid, *_ in SECTIONS] + ["actions"]
    for s in cfo_doc.sections:
        assert s.items or s.note, s.id
    assert cfo_doc.as_of.isoformat() == "2025-12-31" and cfo_doc.subtitle.startswith(
        "Chief Financial Officer"
    )


def test_cfo_kpi_numbers_equal_the_dashboards_cards(demo_runtime, cfo_doc):
    from revintel.web import kpiview  # what the dashboard page renders

    cards = kpiview.summary(demo_runtime, get_persona("cfo").scope, None)
    got = kpi_values(cfo_doc)
    assert got, "the KPI section has items"
    for c in cards[: len(got)]:
        assert got[c["metric"]] == pytest.approx(expected_figures(c)), c["metric"]


def test_regional_lead_brief_contains_only_its_region(demo_runtime, emea_doc, cfo_doc):
    assert emea_doc.scope == "region in (EMEA)"
    regions = set()
    for s in emea_doc.sections:
        for it in s.items:
            if it.table and "Region" in it.table.columns:
                i = it.table.columns.index("Region")
                regions |= {r[i] for r in it.table.rows}
            if it.chart:
                assert not {"Americas", "APAC", "UK"} & set(it.chart.categories)
    assert regions == {"EMEA"}
    deal_ids = {d for c in emea_doc.citations() for d in c.deal_ids}
    opps = demo_runtime.warehouse.execute(
        demo_runtime.semantic.scoped_table("opportunities", Scope.everything()).select(
            "opportunity_id", "region"
        )
    )
    region_of = dict(zip(opps["opportunity_id"], opps["region"], strict=True))
    assert deal_ids and {region_of[d] for d in deal_ids} == {"EMEA"}
    emea_cards = demo_runtime.kpis.summary(get_persona("emea_lead").scope, None)
    expected = {c.metric: pytest.approx(expected_figures(c.to_dict())) for c in emea_cards[:6]}
    assert kpi_values(emea_doc) == expected
    assert kpi_values(emea_doc) != kpi_values(cfo_doc)


def test_every_item_cites_a_definition_sql_deal_ids_or_a_named_source(cfo_doc):
    for s in cfo_doc.sections:
        for it in s.items:
            assert it.citations, f"{s.id}: {it.title}"
            for c in it.citations:
                assert c.sql or c.deal_ids or c.source or c.definition, f"{s.id}: {c.label}"
    kpi_cites = [c for s in cfo_doc.sections if s.id == "kpis" for it in s.items for c in it.citations]
    assert all(c.sql and "SELECT" in c.sql.upper() and c.definition for c in kpi_cites)


def test_sentences_state_the_numbers_shown_in_the_figures(cfo_doc):
    for s in cfo_doc.sections:
        for it in s.items:
            if it.figures and s.id != "actions":
                assert numbers_in(it.figures[0].text) <= numbers_in(it.text), f"{s.id}: {it.text}"


def test_forecast_item_gives_p50_and_the_p10_p90_range(cfo_doc):
    fc = next(s for s in cfo_doc.sections if s.id == "forecast").items[0]
    labels = [f.label for f in fc.figures]
    assert labels[0].startswith("P50 forecast") and labels[1:] == ["Quota", "P10", "P90"]
    p10, p50, p90 = fc.figures[2].value, fc.figures[0].value, fc.figures[3].value
    assert p10 <= p50 <= p90
    assert "P10-P90 range" in fc.text


def test_recommended_actions_cite_what_they_are_based_on(cfo_doc):
    actions = next(s for s in cfo_doc.sections if s.id == "actions")
    assert actions.items
    assert all(it.citations for it in actions.items)


def test_a_stored_brief_is_readable_only_by_scopes_and_domains_that_cover_it(demo_runtime, emea_doc):
    from revintel.errors import NotFound

    emea = get_persona("emea_lead").scope
    bid = save_brief(demo_runtime.appdb, emea_doc, created_by="emea_lead", scope=emea)
    assert load_brief(demo_runtime.appdb, bid, emea) == emea_doc
    assert load_brief(demo_runtime.appdb, bid, get_persona("cfo").scope) == emea_doc
    for reader in ("apac_lead", "marketing", "sponsor", "sales_manager"):  # rows, domains or drill
        with pytest.raises(NotFound):
            load_brief(demo_runtime.appdb, bid, get_persona(reader).scope)
    legacy = save_brief(demo_runtime.appdb, emea_doc, created_by="emea_lead")  # no access block
    assert load_brief(demo_runtime.appdb, legacy, get_persona("ceo").scope) == emea_doc
    with pytest.raises(NotFound):
        load_brief(demo_runtime.appdb, legacy, emea)


def test_competitor_surge_and_churn_warnings_surface_from_the_scoped_tables(emea_doc):
    comp = next(s for s in emea_doc.sections if s.id == "competitors").items[0]
    assert comp.text.startswith("Quantive was mentioned in") and comp.citations[0].sql
    churn = next(s for s in emea_doc.sections if s.id == "churn").items[0]
    assert churn.table.rows and "active users down" in churn.text


def test_a_brief_for_an_earlier_date_reports_ytd_to_that_date(demo_runtime):
    import datetime as dt

    from revintel.briefs.kpis import kpi_section
    from revintel.briefs.sections import Ctx
    from revintel.semantic.time import parse_period

    scope, day = get_persona("cfo").scope, dt.date(2025, 6, 30)
    section = kpi_section(Ctx(demo_runtime, scope, day))
    cards = demo_runtime.kpis.summary(scope, parse_period("ytd", day, 1))
    assert [it.figures[0].value for it in section.items] == pytest.approx([c.value for c in cards[:6]])
    assert section.summary.startswith("Year to 30 Jun 2025, the largest gaps: Net fees is ")


def test_a_section_whose_service_breaks_is_noted_and_the_rest_of_the_brief_stands(rt, monkeypatch, caplog):
    from revintel.briefs import compose

    def broken(ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(compose, "SECTIONS", (("kpis", "KPIs", None, broken),))
    doc = compose.compose_brief(rt, get_persona("cfo").scope, polish=False)
    note = doc.sections[0].note
    assert note == compose.UNAVAILABLE and "RuntimeError" not in note and "boom" not in note  # no internals
    assert [s.id for s in doc.sections] == ["kpis", "actions"]
    assert "brief section kpis failed" in caplog.text and "RuntimeError: boom" in caplog.text  # logged


def test_every_section_on_an_empty_warehouse_says_why_in_words_and_nothing_fails(rt, caplog):
    """Before any data is loaded, each section says what is missing; none hits the failure sentence."""
    from revintel.briefs import compose

    notes = {}
    for persona in ("marketing", "cfo", "sales_manager"):
        p = get_persona(persona)
        doc = compose_brief(rt, p.scope, persona=p, polish=False)
        notes[persona] = {s.id: s.note for s in doc.sections}
        assert compose.UNAVAILABLE not in notes[persona].values(), (persona, notes[persona])
    assert "failed" not in caplog.text
    assert notes["marketing"]["marketing"] == "No marketing data is loaded yet (leads and deals)."
