"""In Chromium: no page (Harbour's or the admin's) breaks the Content Security Policy or the
Permissions-Policy, and the error pages pass axe-core."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import ConsoleMessage, Page, sync_playwright

from harbour.browser_tests.conftest import CHROMIUM, check_page

if TYPE_CHECKING:
    # The type of BrowserContext.add_cookies' cookies, which Playwright does not export.
    from playwright._impl._api_structures import SetCookieParam

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
]

T = TypeVar("T")

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""


def in_chromium(
    work: Callable[[Page, list[str]], T], cookies: Sequence[SetCookieParam] | None = None
) -> T:
    """`work(page, console_errors)` in a Chromium page that records policy violations.

    Playwright's sync API allows one instance per thread, and harbour/browser_tests may have
    one open on this thread for the whole session: this one runs on a thread of its own.
    """

    def run() -> T:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
            )
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.add_init_script(RECORD_VIOLATIONS)
                if cookies:
                    context.add_cookies(cookies)
                page = context.new_page()
                console: list[str] = []

                def keep_errors_and_warnings(message: ConsoleMessage) -> None:
                    if message.type in ("error", "warning"):
                        console.append(message.text)

                page.on("console", keep_errors_and_warnings)
                return work(page, console)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def visit(page: Page, console: list[str], url: str, status: int = 200) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None, f"{url}: no response"
    assert response.status == status and page.url == url, f"{url}: {response.status} {page.url}"
    violations = page.evaluate("window.__violations")
    assert violations == [], f"{url}: {violations}"
    policy_errors = [
        text
        for text in console
        if "Content Security Policy" in text or "Permissions-Policy" in text
    ]
    assert policy_errors == [], f"{url}: {policy_errors}"


@pytest.fixture
def plain_http(settings) -> None:
    settings.SECURE_SSL_REDIRECT = False  # the live server speaks plain HTTP
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.HARBOUR_REQUIRE_TWO_FACTOR = False


def superuser_cookie(base_url: str) -> SetCookieParam:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password=None))
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}


def test_pages_and_the_admin_keep_to_the_policy(live_server, plain_http) -> None:
    base = live_server.url

    def as_visitor(page: Page, console: list[str]) -> None:
        visit(page, console, f"{base}/sign-in/")
        visit(page, console, f"{base}/no-such-page/?name=Zoe", status=404)

    in_chromium(as_visitor)

    def as_superuser(page: Page, console: list[str]) -> None:
        for path in (
            "/",
            "/admin/",
            "/admin/children/child/",
            "/admin/children/child/add/",
            "/admin/missing/",
            "/admin/audit/auditevent/",
            "/admin/password_change/",
        ):
            visit(page, console, f"{base}{path}")
        # The admin's date picker, drawn by its JavaScript, keeps to the policy too.
        page.goto(f"{base}/admin/children/child/add/")
        page.get_by_role("link", name="Choose a Date").first.click()
        assert page.locator(".calendarbox").first.is_visible()
        assert page.evaluate("window.__violations") == []

    in_chromium(as_superuser, cookies=[superuser_cookie(base)])


def test_error_pages_are_accessible(live_server, plain_http) -> None:
    def check(page: Page, console: list[str]) -> None:
        page.goto(f"{live_server.url}/no-such-page/?name=Zoe")
        assert page.get_by_role("heading", name="Page not found").is_visible()
        assert "Zoe" not in page.content()
        check_page(page, Axe(), "error-404")

    in_chromium(check)
