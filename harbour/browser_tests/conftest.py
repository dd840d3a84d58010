"""Browser tests: Playwright driving Debian's Chromium against a live server.

They run once (on SQLite, `make test-browser`), not on both database legs. Chromium comes
from Debian's package (`make browser` installs it); Playwright's own browser download is
not used. Every page visited is checked with axe-core and saved as a screenshot under
test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's async event loop sits under Django's live server in the same process.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"Chromium is not installed at {CHROMIUM}: run make browser")
        for item in items:
            if "browser_tests" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []

    def keep_console_error(message: ConsoleMessage) -> None:
        # A response's status is the test's to check (a refused form answers 400, a test
        # may block a script on purpose); anything else the console reports as an error
        # (a script refused by the Content Security Policy, a failing script) is a fault.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("console", keep_console_error)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    yield page
    context.close()
    assert errors == [], errors


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def check_page(page: Page, axe: Axe, name: str) -> None:
    """Screenshot the page and assert axe-core finds no WCAG 2.2 A/AA violation."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = axe.run(
        page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
            }
        },
    )
    violations = [
        violation
        for violation in (_without_known_govuk_issue(v) for v in results.response["violations"])
        if violation["nodes"]
    ]
    assert violations == [], "\n".join(
        f"{v['id']}: {v['help']} ({len(v['nodes'])} element(s)): "
        + "; ".join(node["html"][:120] for node in v["nodes"][:3])
        for v in violations
    )


def _without_known_govuk_issue(violation: dict) -> dict:
    """GOV.UK Frontend's conditional reveal puts aria-expanded on the radio or checkbox that
    reveals a question. ARIA does not allow it there and axe says so, but GOV.UK keeps it on
    purpose because screen readers announce it (alphagov/govuk-frontend#979, a documented
    known issue). Only that one attribute, on those inputs, is let through."""
    if violation["id"] != "aria-allowed-attr":
        return violation

    def known(node: dict) -> bool:
        reveal = "govuk-radios__input" in node["html"] or "govuk-checkboxes__input" in node["html"]
        data = [item for check in node["all"] + node["any"] for item in (check["data"] or [])]
        return reveal and bool(data) and all(item.startswith("aria-expanded=") for item in data)

    return {**violation, "nodes": [node for node in violation["nodes"] if not known(node)]}


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
