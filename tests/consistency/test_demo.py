"""One number everywhere, on the demo data: each headline figure, read off every surface that
shows it, equals its owner's value at display precision.

Matrix: persona x period (YTD, last quarter, one past month) x filter (none, one region, one
capability). The fast tests take a covering design (every persona kind -- everything, a region, a
team, a capability -- every period and every filter at least once); the full matrix over every
demo persona is marked ``slow``.
"""

from __future__ import annotations

import json
import re

import pytest

from revintel import format as fmt_mod
from revintel.errors import Forbidden
from revintel.scope import DEMO_PERSONAS, get_persona
from revintel.web.filters import GlobalFilters

from . import surfaces as sf

ALL = tuple(p.id for p in DEMO_PERSONAS)
PERIODS = ("", "last quarter", "2025-06")
FILTERS = ({}, {"region": "EMEA"}, {"capability": "Consulting"})


def _scope(persona: str, filt: dict, notes: list | None = None):  # type: ignore[no-untyped-def]
    return GlobalFilters(**filt).apply(get_persona(persona).scope, [] if notes is None else notes)


def _query(period: str, filt: dict) -> str:
    params = {**filt, **({"period": period} if period else {})}
    return GlobalFilters(**params).query()


def check_cards(app_rt, clients, persona: str, period: str, filt: dict) -> None:  # type: ignore[no-untyped-def]
    from revintel.services.export_views import dashboard_document

    scope = _scope(persona, filt)
    want = sf.expected_cards(app_rt.kpis.summary(scope, period or None))
    c = clients(persona)
    q = _query(period, filt)
    page = c.get("/" + q, headers=sf.HTML)
    assert page.status_code == 200
    problems = {"page": sf.same_where_shown(want, sf.dashboard_page(page.text))}
    if not want:  # an empty dashboard says why
        assert 'data-testid="empty"' in page.text
    if get_persona(persona).scope.allows("export"):
        csv_resp = c.get("/dashboard.csv" + q)
        if (
            csv_resp.status_code == 403
        ):  # a file cannot carry "not applied": a filter outside scope is refused
            assert "scope" in csv_resp.text.lower(), csv_resp.text[:300]
            with pytest.raises(Forbidden):
                get_persona(persona).scope.check_filters(filt)
        elif want:
            problems["csv"] = sf.same_where_shown(want, sf.dashboard_csv(csv_resp.text))
        doc = dashboard_document(app_rt, scope, {"period": period or None}, None)
        problems["export"] = sf.same_where_shown(want, sf.document_cards(doc))
    if not filt:  # the API and the CLI take no region/capability filter: the persona's own scope
        api = c.get("/api/kpis/summary", params={"period": period} if period else {})
        problems["api"] = sf.same_where_shown(want, sf.api_cards(api.json()))
    assert not any(problems.values()), {k: v for k, v in problems.items() if v}


#: a covering design: every persona kind, every period and every filter at least once
DIAGONAL = (
    ("cfo", "", {}),
    ("cfo", "2025-06", {"capability": "Consulting"}),
    ("emea_lead", "last quarter", {}),
    ("emea_lead", "", {"capability": "Consulting"}),
    ("sales_manager", "2025-06", {"region": "EMEA"}),
    ("consulting_lead", "last quarter", {"region": "EMEA"}),
)
FULL = [(p, per, f) for p in ALL for per in PERIODS for f in FILTERS if (p, per, f) not in DIAGONAL]


@pytest.mark.parametrize(("persona", "period", "filt"), DIAGONAL)
def test_kpi_cards_agree_on_page_csv_export_and_api(app_rt, clients, persona, period, filt):
    check_cards(app_rt, clients, persona, period, filt)


@pytest.mark.slow
@pytest.mark.parametrize(("persona", "period", "filt"), FULL)
def test_kpi_cards_agree_for_every_persona_period_and_filter(app_rt, clients, persona, period, filt):
    check_cards(app_rt, clients, persona, period, filt)


def test_kpi_cards_agree_with_the_cli(app_rt, monkeypatch, capsys):
    from revintel.cli import main
    from revintel.cli.app import state

    monkeypatch.setattr(state, "runtime", app_rt)
    for persona, period in (("cfo", ""), ("emea_lead", "last quarter")):
        main(["kpis", "--json", "--persona", persona, *(["--period", period] if period else [])])
        got = sf.cli_cards(capsys.readouterr().out)
        want = sf.expected_cards(app_rt.kpis.summary(get_persona(persona).scope, period or None))
        assert not sf.same_where_shown(want, got), persona


@pytest.fixture(scope="module")
def briefs(app_rt):  # type: ignore[no-untyped-def]
    from revintel.briefs.compose import compose_brief

    made: dict = {}

    def get(persona: str, filt: dict):  # type: ignore[no-untyped-def]
        key = (persona, tuple(sorted(filt.items())))
        if key not in made:
            p = get_persona(persona)
            made[key] = compose_brief(app_rt, _scope(persona, filt), persona=p, polish=False)
        return made[key]

    return get


def _figure(doc, section: str, label: str) -> str | None:  # type: ignore[no-untyped-def]
    for s in doc.sections:
        if s.id == section:
            for it in s.items:
                for f in it.figures:
                    if f.label == label:
                        return f.text
    return None


BRIEFS = (("cfo", {}), ("emea_lead", {}), ("cfo", {"capability": "Consulting"}))
BRIEFS_FULL = [
    (p, f)
    for p in ("cfo", "emea_lead", "sales_manager", "consulting_lead")
    for f in FILTERS
    if (p, f) not in BRIEFS
]
WITH_SLOW = [*BRIEFS, *(pytest.param(*x, marks=pytest.mark.slow) for x in BRIEFS_FULL)]


@pytest.mark.parametrize(("persona", "filt"), WITH_SLOW)
def test_open_pipeline_and_losses_agree_on_dashboard_deals_page_and_brief(
    app_rt, clients, briefs, persona, filt
):
    scope = _scope(persona, filt)
    card = {c.metric: c for c in app_rt.kpis.summary(scope)}.get("open_pipeline")
    c = clients(persona)
    deals = c.get("/deals" + _query("", filt), headers=sf.HTML)
    assert deals.status_code == 200
    m = re.search(r'data-testid="deals-summary">[^·]*· ([^ ]+) pipeline', deals.text)
    doc = briefs(persona, filt)
    shown = {"deals page": m.group(1) if m else None, "brief": _figure(doc, "pipeline", "Open pipeline")}
    if card is not None:
        want = fmt_mod.value(card.value, "currency")
        assert shown == {"deals page": want, "brief": want}, shown
    # losses over the last 30 days: one figure in the brief's pipeline movement and its wins and losses
    lost = _figure(doc, "pipeline", "Lost (30d)")
    listed = _figure(doc, "wins_losses", "Lost (30d)")
    if listed is not None:
        assert lost == listed


@pytest.mark.parametrize(("persona", "filt"), WITH_SLOW)
def test_brief_kpis_equal_the_dashboard(app_rt, briefs, persona, filt):
    want = sf.expected_cards(app_rt.kpis.summary(_scope(persona, filt)))
    got = sf.document_cards(briefs(persona, filt))
    assert got and not sf.same_where_shown({k: want[k] for k in got}, got)


def _p50(html: str, key: str | None = None) -> str | None:
    if key is None:
        m = re.search(r'data-testid="p50">([^<]+)<', html)
        return m.group(1) if m else None
    cells = r"(?:<td[^>]*>[^<]*</td>\s*){4}"  # deals, won so far, expected, P10
    m = re.search(rf"<tr[^>]*><td>{re.escape(key)}</td>{cells}<td[^>]*>([^<]+)</td>", html)
    return m.group(1) if m else None


def test_a_regions_forecast_is_the_same_for_the_cfo_and_the_regional_lead(app_rt, clients, briefs):
    one = "bt_periods=1"  # the backtest beside the forecast is not under test here
    cfo = clients("cfo").get(f"/forecast?by=region&{one}", headers=sf.HTML).text
    lead = clients("emea_lead").get(f"/forecast?{one}", headers=sf.HTML).text
    filtered = clients("cfo").get(f"/forecast?region=EMEA&{one}", headers=sf.HTML).text
    api = clients("emea_lead").get("/api/forecast").json()
    shown = {
        "cfo breakdown": _p50(cfo, "EMEA"),
        "lead page": _p50(lead),
        "cfo filtered": _p50(filtered),
        "api": fmt_mod.value(api["total"]["p50"], "currency"),
        "lead brief": _figure(
            briefs("emea_lead", {}),
            "forecast",
            next(
                f.label
                for s in briefs("emea_lead", {}).sections
                if s.id == "forecast"
                for f in s.items[0].figures
                if f.label.startswith("P50")
            ),
        ),
    }
    assert len(set(shown.values())) == 1 and None not in shown.values(), shown


def test_submitted_calls_are_on_the_forecast_page_and_in_the_brief_per_scope(app_rt, clients, briefs):
    from revintel.forecast.calls import latest_calls

    latest = latest_calls(app_rt, get_persona("emea_lead").scope)
    assert latest is not None  # the demo holds calls up to the quarter before the forecast period
    page = clients("emea_lead").get("/forecast?bt_periods=1", headers=sf.HTML).text
    note = re.search(r'data-testid="calls-note">([^<]+)<', page).group(1)
    commit = fmt_mod.money(latest["commit"])
    assert f"for {latest['label']}" in note and commit in note
    forecast_text = next(s for s in briefs("emea_lead", {}).sections if s.id == "forecast").items[0].text
    assert commit in forecast_text


def test_the_brief_page_honours_the_filters(clients):
    page = clients("cfo").get("/briefs?region=EMEA", headers=sf.HTML)
    assert page.status_code == 200 and "region in (EMEA)" in page.text
    assert 'data-testid="filters-in-force">Showing: Region EMEA' in page.text


def test_asks_nrr_trend_says_how_its_monthly_points_relate_to_the_cards_figure(app_rt):
    from revintel.ask.engine import AskEngine

    cfo = get_persona("cfo").scope
    card = {c.metric: c for c in app_rt.kpis.summary(cfo, "last 12 months")}["nrr"]
    answer = AskEngine(app_rt).ask("NRR trend", cfo, actor="test", persist=False, provider="local").answer
    assert " pp" in answer and "Jan 2025" in answer  # a rate moves in points; months in words
    whole = fmt_mod.value(card.value, "percent")
    assert f"over the whole period, as a KPI card for it shows, it is {whole}" in answer


def _weekly_rows(html: str) -> list[tuple[str, ...]]:
    table = html.split('data-testid="weekly-table"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tr>")[2:]
    return [tuple(c.strip() for c in re.findall(r"<td[^>]*>([^<]*)</td>", row)) for row in rows]


def test_the_weekly_view_is_the_forecast_s_own_on_page_api_and_cli(app_rt, clients, monkeypatch, capsys):
    """One definition: the week-by-week figures come from the forecast's simulation, and the last week
    is the P10/P50/P90 the Forecast page's cards show, on every surface."""
    from revintel.cli import main
    from revintel.cli.app import state

    page = clients("emea_lead").get("/forecast?by=region&bt_periods=1", headers=sf.HTML).text
    api = clients("emea_lead").get("/api/forecast", params={"by": "region"}).json()
    monkeypatch.setattr(state, "runtime", app_rt)
    main(["forecast", "--json", "--persona", "emea_lead", "--by", "region"])
    cli = json.loads(capsys.readouterr().out)

    def shown(weeks: list[dict]) -> list[tuple[str, ...]]:
        cur = [fmt_mod.value(w[k], "currency") for w in weeks for k in ("expected", "p10", "p50", "p90")]
        rows = [tuple(cur[4 * i : 4 * i + 4]) for i in range(len(weeks))]
        return [(fmt_mod.date(w["week_end"]), *r) for w, r in zip(weeks, rows, strict=True)]

    on_page = [r[:5] for r in _weekly_rows(page)]
    assert len(on_page) >= 12 and on_page == shown(api["weekly"]) == shown(cli["weekly"])
    last = on_page[-1]
    assert last[3] == _p50(page) == fmt_mod.value(api["total"]["p50"], "currency")
    t = api["total"]
    want = tuple(fmt_mod.value(t[k], "currency") for k in ("expected", "p10", "p90"))
    assert (last[1], last[2], last[4]) == want
