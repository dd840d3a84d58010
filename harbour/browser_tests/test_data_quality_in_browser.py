"""The data quality worklist in the browser: a coordinator sees a child's overlapping
episodes failing the DfE's rule 574, checks last year with the year chooser, is told
plainly about a year that is not offered, and follows the link that fixes the episode.
Every page reached is checked with axe-core and screenshotted
(test-artifacts/data-quality-NN-*.png)."""

from __future__ import annotations

import datetime as dt
from datetime import UTC

import pytest
from playwright.sync_api import Page, expect

from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    make_staff,
)
from harbour.returns.data_quality import current_year
from harbour.returns.ssda903.rules import RULES

from .conftest import check_page, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-enough-password"


class Steps:
    def __init__(self, page: Page, axe, prefix: str) -> None:
        self.page, self.axe, self.prefix, self.step = page, axe, prefix, 0
        page.set_default_timeout(10_000)

    def check(self, name: str) -> None:
        self.step += 1
        check_page(self.page, self.axe, f"{self.prefix}-{self.step:02d}-{name}")


def overlap(child, year: int) -> None:
    """Two missing episodes in May of collection year `year`, the second starting while
    the first is open."""
    first = dt.datetime(year, 5, 1, 18, 0, tzinfo=UTC)
    EpisodeFactory.create(child=child, started_at=first, ended_at=first + dt.timedelta(days=2))
    second = first + dt.timedelta(days=1)
    EpisodeFactory.create(child=child, started_at=second, ended_at=second + dt.timedelta(days=2))


def test_a_coordinator_works_through_the_data_quality_worklist(page: Page, axe, live_server):
    make_staff("COORDINATOR", username="coordinator", password=PASSWORD)
    year = current_year()
    nell = ChildFactory.create(child_id="DQ-3001", given_name="Nell", family_name="Overlap")
    LegalStatusFactory.create(child=nell, status="LAC", start_date=dt.date(year - 2, 1, 1))
    overlap(nell, year - 1)
    steps = Steps(page, axe, "data-quality")
    sign_in(page, live_server.url, "coordinator", PASSWORD)

    page.goto(f"{live_server.url}/returns/data-quality/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data quality for the 903 return")
    expect(page.locator("#no-failures")).to_be_visible()
    steps.check("this-year")

    page.get_by_label("Collection year").select_option(label=f"{year - 1} to {year}")
    page.get_by_role("button", name="Check this year").click()
    failures = page.locator("#failures")
    expect(failures).to_contain_text("Nell Overlap")
    expect(failures).to_contain_text(RULES["574"].message)
    expect(page.locator("#rule-counts")).to_contain_text("574")
    steps.check("last-year")

    page.goto(f"{live_server.url}/returns/data-quality/?year=last")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select a collection year from the list"
    )
    steps.check("bad-year")

    page.go_back()
    # By keyboard, as for any link in the table.
    failures.get_by_role("link", name="Amend the episode").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amend")
    steps.check("amend")
