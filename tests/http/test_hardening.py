"""Sign-in hardening (issue 13, item 8): secret-key entropy, no CSRF bypass by a stray header."""

from __future__ import annotations

import pytest

from revintel.config import Settings
from revintel.errors import ConfigError


@pytest.mark.parametrize("key", [" " * 16, "a" * 32, "abababababababab"])
def test_secure_mode_refuses_a_low_entropy_secret(home, key: str) -> None:
    with pytest.raises(ConfigError, match="low-entropy"):
        Settings(home=home, auth="secure", secret_key=key).check_safe()


def test_a_random_secret_is_accepted(home) -> None:
    Settings(home=home, auth="secure", secret_key="k3y-for-tests-0123456789abcdef").check_safe()


def test_a_stray_bearer_header_does_not_skip_csrf_in_demo_mode(client_as) -> None:
    c = client_as("cfo")
    c.headers.pop("X-CSRF-Token")
    r = c.post(
        "/api/schedules",
        json={"name": "m", "cron": "0 7 * * *"},
        headers={"Authorization": "Bearer anything"},
    )
    assert r.status_code == 403 and r.json()["details"]["reason"] == "csrf_failed"


@pytest.mark.parametrize(
    "query",
    [
        [("region", "APAC")],
        [("region", "EMEA"), ("region", "APAC")],  # a repeated parameter: the route may read the last
        [("region", " APAC ")],
    ],
)
def test_a_filter_outside_the_scope_is_403_on_the_api(client_as, query) -> None:
    r = client_as("emea_lead").get("/api/kpis/summary", params=query)
    assert r.status_code == 403 and r.json()["details"]["dimension"] in ("region", "capability")


def test_a_filter_inside_the_scope_is_accepted(client_as) -> None:
    assert client_as("emea_lead").get("/api/kpis/summary", params=[("region", "EMEA")]).status_code == 200


def test_anonymous_health_says_only_ok(client_as) -> None:
    r = client_as(None).get("/api/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/briefs/99999999999999999999999", "brief_id"),
        ("/api/deals/risk?as_of=0039-01-01", "as_of"),
        ("/api/forecast?seed=-1", "seed"),
        ("/api/deliveries?limit=-9999999999999999999", "limit"),
    ],
)
def test_the_inputs_that_broke_the_api_are_400s_naming_the_parameter(
    client_as, url: str, parameter: str
) -> None:
    r = client_as("cfo").get(url)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["details"]["parameter"] == parameter and body["message"].startswith(f"{parameter}:")
    assert body["details"]["expected"]


def test_a_huge_schedule_id_is_a_400_on_delete(client_as) -> None:
    r = client_as("cfo").delete("/api/schedules/99999999999999999999999")
    assert r.status_code == 400 and r.json()["details"]["parameter"] == "schedule_id"


@pytest.mark.parametrize(
    ("url", "parameter"), [("/deals?top=abc", "top"), ("/forecast?bt_periods=x", "bt_periods")]
)
def test_the_inputs_that_broke_pages_are_400s_naming_the_parameter(
    client_as, url: str, parameter: str
) -> None:
    r = client_as("cfo").get(url, headers={"accept": "text/html"})
    assert r.status_code == 400 and parameter in r.text


def test_an_empty_period_is_not_a_server_error(client_as) -> None:
    assert client_as("cfo").get("/api/kpis/summary?period=").status_code < 500
