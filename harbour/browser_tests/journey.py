"""Small helpers the exploitation journeys share (the numbered, axe-checked steps are
test_casework_journey.Journey's)."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Locator, Page

from .test_casework_journey import Journey


class NamedJourney(Journey):
    """A Journey whose screenshots carry the journey's name (casework-NN-<prefix>-<step>)."""

    def __init__(self, page: Page, axe, base_url: str, prefix: str) -> None:
        super().__init__(page, axe, base_url)
        self.prefix = prefix

    def check(self, name: str) -> None:
        super().check(f"{self.prefix}-{name}")


def fill_date(page: Page, prefix: str, day: dt.date) -> None:
    """Fill a GOV.UK date input whose boxes are `<prefix>-day`, `-month` and `-year`."""
    page.locator(f"#{prefix}-day").fill(str(day.day))
    page.locator(f"#{prefix}-month").fill(str(day.month))
    page.locator(f"#{prefix}-year").fill(str(day.year))


def summary_value(page: Page, key: str) -> Locator:
    """The value of the summary list row whose key is exactly `key`."""
    exact = re.compile(rf"^\s*{re.escape(key)}\s*$")
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key", has_text=exact)
    )
    return row.locator(".govuk-summary-list__value")


def follow(page: Page, link: str | re.Pattern[str], fallback: str) -> None:
    """Click the link named `link` in the page's main content when the page has it, or go
    straight to `fallback` (a full URL) where the page does not offer one yet."""
    found = page.locator("main").get_by_role("link", name=link)
    if found.count():
        found.first.click()
    else:
        page.goto(fallback)
