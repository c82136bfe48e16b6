"""No input makes the server fail (issue 13): a bounded, seeded property-based fuzz of the OpenAPI
(schemathesis) and of the pages' query parameters against a real server over HTTP. Any 5xx fails,
and after every refusal the same keep-alive connection keeps answering.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

pytestmark = [pytest.mark.slow, pytest.mark.soak]

#: examples per operation and generation mode (positive: fits the schema; negative: does not)
EXAMPLES = 3
#: the whole fuzz stops starting new operations after this long (a loaded CI host covers fewer)
BUDGET_SECONDS = 100
SEED = 20261203
REQUEST_TIMEOUT = 30
LOG = os.environ.get("FUZZ_LOG")  # a file: one line per request (time, status, route)
#: routes left out of the fuzz: each one's refusals are tested elsewhere, and a valid call is minutes
#: of CPU (retraining the shared model) or talks to a chat platform's signature check
SKIPPED = {"POST /api/deals/train"}
#: on the demo data these compute for tens of seconds per distinct input (a backtest, a brief, a
#: rendered document): only inputs outside the schema are sent there (refused before any work);
#: valid inputs reach them on the empty warehouse
HEAVY = {
    "GET /api/briefs/today",
    "GET /api/forecast/backtest",
    "POST /api/exports",
    "GET /api/export/{view}.{fmt}",
    "GET /api/deals/model",
    "GET /api/customers/model",
}
PERSONAS = """
- {id: fuzz_admin, name: Fuzz Admin, role: admin}
- {id: emea_lead, name: Elena Rossi, role: regional_lead, scope: {region: [EMEA]}}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_warehouse_file: Path) -> Iterator[Any]:
    """A real server over HTTP on the demo data, signed in as an administrator (every route open)."""
    from browser.live import LiveServer, server_settings

    folder = tmp_path_factory.mktemp("fuzz")
    personas = folder / "personas.yaml"
    personas.write_text(PERSONAS)
    settings = server_settings(
        folder / "home",
        demo_warehouse_file,
        personas_file=personas,
        rate_limit_per_minute=0,
        ask_rate_limit_per_minute=0,
    )
    with LiveServer(settings) as live:
        live.settings = settings
        yield live


def session_as(server: Any, persona: str) -> requests.Session:
    from revintel.http.accounts import CSRF_COOKIE, CSRF_HEADER, csrf_token_for
    from revintel.http.auth import SESSION_COOKIE, session_cookie_value

    s = requests.Session()
    s.cookies.set(CSRF_COOKIE, "fuzz-nonce")
    s.cookies.set(SESSION_COOKIE, session_cookie_value(server.settings, {"persona": persona}))
    s.headers[CSRF_HEADER] = csrf_token_for(server.settings, "fuzz-nonce")
    return s


def fuzz_operation(op: Any, mode: Any, call: Any) -> None:
    """Run ``EXAMPLES`` seeded cases of one operation in one generation mode through ``call``."""
    from hypothesis import HealthCheck, Phase, given, seed, settings

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=op.as_strategy(generation_mode=mode))
    def probe(case: Any) -> None:
        call(case)

    probe()


def test_the_api_answers_no_input_with_a_server_error(server: Any) -> None:
    import schemathesis
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_dict(server.app.openapi())
    session = session_as(server, "fuzz_admin")
    failures: list[str] = []
    sent: list[int] = []
    slow: list[str] = []
    skipped: list[str] = []
    started = time.monotonic()

    def call(case: Any) -> None:
        t0 = time.monotonic()
        try:
            response = case.call(base_url=server.url, session=session, timeout=REQUEST_TIMEOUT)
        except requests.Timeout:  # slow is not failed (a loaded CI host); said, not asserted
            slow.append(f"{case.operation.method.upper()} {case.operation.path}")
            return
        if LOG:
            with open(LOG, "a") as fh:
                took = time.monotonic() - t0
                fh.write(
                    f"{took:6.2f} {response.status_code} {case.operation.method} {case.operation.path}\n"
                )
        sent.append(response.status_code)
        if response.status_code >= 500:
            label = f"{case.operation.method.upper()} {case.operation.path}"
            failures.append(f"{response.status_code} {label}: {case.as_curl_command(base_url=server.url)}")

    operations = [result.ok() for result in schema.get_all_operations()]
    # inputs outside the schema first, for every operation (the cheap 4xx path), then inputs inside it:
    # if the time box ends early, every route has still had its refusals checked
    for mode in (GenerationMode.NEGATIVE, GenerationMode.POSITIVE):
        for op in operations:
            label = f"{op.method.upper()} {op.path}"
            if label in SKIPPED or (mode == GenerationMode.POSITIVE and label in HEAVY):
                continue
            if time.monotonic() - started > BUDGET_SECONDS:
                skipped.append(f"{label} ({mode.value})")
                continue
            try:
                fuzz_operation(op, mode, call)
            except Unsatisfiable:  # no input outside the schema exists (no parameters, or only enums)
                continue
            except Exception as exc:  # a strategy that cannot be built is a finding too
                failures.append(f"{label} ({mode.value}): {type(exc).__name__}: {str(exc)[:300]}")
    elapsed = time.monotonic() - started
    print(
        f"API fuzz: {len(sent)} answers in {elapsed:.0f} s, {len(failures)} server errors, "
        f"{len(slow)} over {REQUEST_TIMEOUT} s: {sorted(set(slow))}; past the budget: {skipped}"
    )
    assert failures == [], "\n".join(failures[:40])
    assert len(sent) > 100
    assert not any(s.endswith("(negative)") for s in skipped), (
        "the time box ended before every route was probed"
    )


#: every query parameter a page reads (web/pages, web/filters), and the values that broke pages before
PAGE_PARAMETERS = (
    "period", "region", "capability", "as_of", "by", "metric", "top", "bt_periods", "limit", "since",
    "days", "q", "deal", "account", "id", "tone", "speaker", "mperiod", "edit", "c", "refresh", "next",
    "seed", "brief_id", "view", "format", "question", "page",
)  # fmt: skip
NASTY = (
    "", " ", "abc", "-1", "0", "-9999999999999999999", "99999999999999999999999", "1e308", "NaN",
    "0039-01-01", "2025-02-30", "9999-12-31", "2025-13-01", "\x00", "%00", "'; DROP TABLE x; --",
    "<script>x</script>", "../../etc/passwd", "x" * 3000, "EMEA,APAC", "\u202e\ufeff", "Q5 2025",
    "last 99999 years",
)  # fmt: skip
PAGE_EXAMPLES = 300
PAGE_BUDGET_SECONDS = 60


def test_no_page_parameter_gives_a_server_error(server: Any) -> None:
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from hypothesis import strategies as st

    from test_authz_matrix import routes

    pages = sorted(
        path
        for method, path in routes(server.app)
        if method == "GET"
        and not path.startswith(("/api/", "/integrations/", "/auth/", "/static"))
        and "{" not in path
        and path not in ("/logout", "/metrics")
    )
    sessions = {p: session_as(server, p) for p in ("fuzz_admin", "emea_lead")}
    failures: list[str] = []
    sent: list[int] = []
    started = time.monotonic()

    @seed(SEED)
    @settings(
        max_examples=PAGE_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        page=st.sampled_from(pages),
        persona=st.sampled_from(sorted(sessions)),
        params=st.dictionaries(
            st.sampled_from(PAGE_PARAMETERS),
            st.sampled_from(NASTY) | st.text(max_size=12),
            min_size=1,
            max_size=3,
        ),
    )
    def probe(page: str, persona: str, params: dict[str, str]) -> None:
        if time.monotonic() - started > PAGE_BUDGET_SECONDS:
            return
        try:
            r = sessions[persona].get(
                server.url + page,
                params=params,
                headers={"accept": "text/html"},
                timeout=REQUEST_TIMEOUT,
                allow_redirects=False,
            )
        except requests.Timeout:
            return
        sent.append(r.status_code)
        if r.status_code >= 500:
            failures.append(f"{r.status_code} as {persona}: GET {page}?{params}")

    probe()
    print(f"page fuzz: {len(sent)} answers over {len(pages)} pages, {len(failures)} server errors")
    assert failures == [], "\n".join(failures[:40])
    assert len(sent) > 20  # pages render for real: under a heavy load the time box holds a few dozen
