"""In Chromium: every page the app serves fits a phone (390x844) and a desktop (1440x900).

The pages are enumerated from the app's routes (every GET that renders HTML), so a new page is
checked without editing this file; a page whose path takes a parameter needs an example below
(the test fails naming the parameter otherwise). On each page: nothing scrolls sideways
(``scrollWidth <= innerWidth``), no chart is wider than the window, and no chart's toolbar covers
its legend.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.routing import APIRoute

from .live import shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}

#: GET paths that are not pages (files, redirects to an identity provider, machine endpoints)
NOT_PAGES = re.compile(
    r"^/(api|mcp|metrics|static|auth)(/|$)|\.(csv|xlsx|pdf|pptx|json|png|svg|ico)$|^/(logout|snapshot)$"
)

#: who opens a page: administration needs a data steward's permissions; the rest the CEO
PERSONA = {"/admin": "data_steward"}

#: a page's path parameter -> (page listing it, CSS selector of a link whose href ends in the value)
EXAMPLES: dict[str, tuple[str, str]] = {
    "deal_id": ("/deals", '[data-testid="risk-table"] a[href^="/deals/"]'),
    "account_id": ("/customers", 'a[href^="/customers/"]:not([href^="/customers/export/"])'),
    "conversation_id": ("/calls?q=pricing", 'a[href^="/calls/"][href*="#t="]'),  # a search hit's moment
    "brief_id": ("/briefs", 'a[href$="/preview"]'),
}
FIXED = {"metric": "chargeable_hours"}

#: JavaScript: the page's horizontal overflow, the elements sticking out, charts too wide, toolbars on legends
MEASURE = """() => {
  const w = window.innerWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > w + 1 && getComputedStyle(el).position !== 'fixed') {
      let scroller = el.parentElement, clipped = false;
      while (scroller && scroller !== document.body) {
        const ox = getComputedStyle(scroller).overflowX;
        if (ox === 'auto' || ox === 'hidden' || ox === 'scroll') { clipped = true; break; }
        scroller = scroller.parentElement;
      }
      const name = (el.tagName + '.' + el.className + '#' + el.id).slice(0, 80);
      if (!clipped) out.push(name + ' ' + Math.round(r.right));
    }
  }
  const wide = [], covered = [];
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const svg = plot.querySelector('.main-svg');
    if (svg && svg.getBoundingClientRect().right > w + 1) wide.push(plot.id);
    const bar = plot.querySelector('.modebar');
    const legend = plot.querySelector('.legend');
    if (!bar || !legend) continue;
    const a = bar.getBoundingClientRect(), b = legend.getBoundingClientRect();
    if (a.width && b.width && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
      covered.push(plot.id);
    }
  }
  return {scroll: document.documentElement.scrollWidth, width: w, out: out.slice(0, 5), wide, covered,
          charts: document.querySelectorAll('.js-plotly-plot').length};
}"""


def page_paths(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Every GET path the app renders as a page, through included routers."""

    def walk(items, prefix: str = "") -> Iterator[str]:  # type: ignore[no-untyped-def]
        for r in items:
            if hasattr(r, "original_router"):
                yield from walk(r.original_router.routes, prefix + r.include_context.prefix)
            elif isinstance(r, APIRoute) and "GET" in r.methods:
                yield prefix + r.path

    return sorted({p for p in walk(app.routes) if not NOT_PAGES.search(p)})


def sign_in(page, base: str, persona: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.click(f'button[data-persona="{persona}"]')
    page.wait_for_selector('[data-testid="who"]')


def persona_for(path: str) -> str:
    return next((who for prefix, who in PERSONA.items() if path.startswith(prefix)), "ceo")


def resolver(page, base: str) -> Callable[[str], str]:  # type: ignore[no-untyped-def]
    """Fill a path's parameters with values the app itself lists (a deal on the risk list, ...)."""
    found: dict[str, str] = dict(FIXED)

    def value(name: str) -> str:
        if name not in found:
            assert name in EXAMPLES, f"add an example for the page parameter {{{name}}} to EXAMPLES"
            listing, selector = EXAMPLES[name]
            page.goto(base + listing)
            page.wait_for_load_state("networkidle")
            links = page.locator(selector)
            assert links.count(), f"{listing} lists no link for {{{name}}}: {page.inner_text('main')[:300]}"
            href = links.first.get_attribute("href")
            found[name] = re.split(r"[?#]", href)[0].removesuffix("/preview").rsplit("/", 1)[1]
        return found[name]

    def fill(path: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: value(m.group(1)), path)

    return fill


@pytest.mark.soak
@pytest.mark.timeout(1800)  # the first visit computes the heavy views (forecast, risk list, brief)
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_every_page_fits_the_screen_and_no_toolbar_covers_a_legend(browser, demo_server, demo_app, device):
    paths = page_paths(demo_app)
    assert {"/", "/deals", "/forecast", "/kpi/{metric}", "/ask", "/admin/data"} <= set(paths)
    ctx = browser.new_context(viewport=VIEWPORTS[device])
    ctx.set_default_timeout(600_000)  # the first Forecast view computes the backtest on demand
    page = ctx.new_page()
    problems: list[str] = []
    page.on(  # a script, style or request the Content-Security-Policy blocked is a broken page
        "console",
        lambda m: problems.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None,
    )
    checked = 0
    signed_in: str | None = None
    for persona in ("ceo", "data_steward"):
        todo = [p for p in paths if persona_for(p) == persona]
        if not todo:
            continue
        ctx.clear_cookies()  # signed in as someone else, /login would send us to the dashboard
        sign_in(page, demo_server.url, persona)
        signed_in = persona
        fill = resolver(page, demo_server.url)
        for path in todo:
            url = fill(path)
            try:
                resp = page.goto(demo_server.url + url)
                page.wait_for_load_state("networkidle", timeout=120_000)  # goto waited for the server
            except Exception as exc:  # name the page that did not load, then go on with the others
                problems.append(f"{url} as {signed_in}: did not finish loading ({str(exc).splitlines()[0]})")
                checked += 1
                continue
            m = page.evaluate(MEASURE)
            checked += 1
            if resp is None or resp.status not in (200, 403):  # 403: a page no demo persona may open
                problems.append(f"{url} as {signed_in}: HTTP {resp.status if resp else '?'}")
            if m["scroll"] > m["width"] or m["out"] or m["wide"] or m["covered"]:
                problems.append(f"{url} as {signed_in}: {m}")
                shot(page, f"fits-{device}-{url.strip('/').replace('/', '-') or 'dashboard'}")
    ctx.close()
    assert checked == len(paths)
    assert not problems, "\n".join(problems)


def test_an_ask_conversation_fits_a_phone(browser, demo_server):
    ctx = browser.new_context(viewport=VIEWPORTS["phone"])
    ctx.set_default_timeout(120_000)
    page = ctx.new_page()
    sign_in(page, demo_server.url, "ceo")
    page.goto(f"{demo_server.url}/ask")
    for i in range(2):
        before = page.locator('[data-testid="answer-text"]').count()
        page.locator('[data-testid="prompt-chips"] .chip').nth(i).click()
        count = "document.querySelectorAll('[data-testid=answer-text]').length"
        page.wait_for_function(f"() => {count} > {before}")
    page.wait_for_selector('[data-testid="answer-chart"] .main-svg')
    m = page.evaluate(MEASURE)
    shot(page, "ask-phone")
    ctx.close()
    assert m["scroll"] <= m["width"] and not m["out"] and not m["wide"] and not m["covered"], m
