"""In Chromium against a live secure-mode server: passwords and CSRF."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from revintel.appdb import users

from .live import LiveServer, server_settings

pytestmark = pytest.mark.browser
PASSWORD = "browser-test-password"


@pytest.fixture(scope="module")
def secure_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = server_settings(
        tmp_path_factory.mktemp("secure-home"),
        None,
        auth="secure",
        secret_key="browser-test-secret-0123456789",
    )
    with LiveServer(settings) as srv:
        db = srv.app.state.runtime.appdb
        users.add_user(db, "grace", "data_steward", PASSWORD, display_name="Grace Liu")
        yield srv


def fill(page, base: str, password: str) -> None:
    page.goto(f"{base}/login?next=/admin/audit")
    page.fill('input[name="username"]', "grace")
    page.fill('input[name="password"]', password)


def test_wrong_password_is_rejected(page, secure_server):
    fill(page, secure_server.url, "not-the-password")
    page.click('button[type="submit"]')
    assert "wrong user name or password" in page.locator('[data-testid="login-error"]').inner_text()
    assert "/login" in page.url


def test_missing_csrf_token_is_rejected(page, secure_server):
    fill(page, secure_server.url, PASSWORD)
    page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    with page.expect_navigation() as nav:
        page.click('button[type="submit"]')
    assert nav.value.status == 403
    assert "CSRF" in page.content()
    assert page.goto(f"{secure_server.url}/api/me").status == 401


def test_right_password_signs_in_and_sign_out_ends_it(page, secure_server):
    fill(page, secure_server.url, PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_selector('[data-testid="audit-table"]')
    assert "Grace Liu" in page.locator('[data-testid="who"]').inner_text()
    page.click('button:has-text("Sign out")')
    page.wait_for_url("**/login")
    assert page.goto(f"{secure_server.url}/api/me").status == 401
