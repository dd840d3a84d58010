"""The episodes list in the browser: a coordinator filters it from the open episodes to a
child's episodes found or returned, is told plainly about a date that is not real, and
opens the closed episode. Every page reached is checked with axe-core and screenshotted
(test-artifacts/episodes-NN-*.png)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from harbour.common.tests.factories import ChildFactory, EpisodeFactory, make_staff
from harbour.common.time import local_date

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


def fill_date(page: Page, legend: str, day: dt.date | tuple[int, int, int]) -> None:
    parts = (day.day, day.month, day.year) if isinstance(day, dt.date) else day
    group = page.get_by_role("group", name=legend)
    for label, value in zip(("Day", "Month", "Year"), parts, strict=True):
        group.get_by_label(label).fill(str(value))


def test_a_coordinator_filters_to_closed_episodes_and_opens_one(page: Page, axe, live_server):
    make_staff("COORDINATOR", username="coordinator", password=PASSWORD)
    now = timezone.now()
    alfie = ChildFactory(child_id="P-3001", given_name="Alfie", family_name="Smith")
    EpisodeFactory(
        episode_id="NWP-CLOSED", child=alfie,
        started_at=now - dt.timedelta(days=10), ended_at=now - dt.timedelta(days=9),
    )  # fmt: skip
    EpisodeFactory(
        episode_id="NWP-OLDER", child=alfie,
        started_at=now - dt.timedelta(days=40), ended_at=now - dt.timedelta(days=39),
    )  # fmt: skip
    EpisodeFactory(episode_id="NWP-OPEN", started_at=now - dt.timedelta(hours=6), ended_at=None)
    steps = Steps(page, axe, "episodes")
    sign_in(page, live_server.url, "coordinator", PASSWORD)

    page.goto(f"{live_server.url}/episodes/")
    table = page.locator("#episodes")
    expect(table).to_contain_text("NWP-OPEN")
    expect(table).not_to_contain_text("NWP-CLOSED")
    steps.check("open")

    page.get_by_label("Child's name or police reference").fill("alfie smith")
    page.get_by_label("Status").select_option(label="Found or returned")
    fill_date(page, "Last seen from", (31, 2, now.year))
    page.get_by_role("button", name="Show episodes").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The date last seen from must be a real date"
    )
    expect(page.get_by_label("Child's name or police reference")).to_have_value("alfie smith")
    steps.check("bad-date")

    fill_date(page, "Last seen from", local_date(now - dt.timedelta(days=20)))
    page.get_by_role("button", name="Show episodes").click()
    expect(page).to_have_url(re.compile(r"search=alfie\+smith&status=closed"))
    expect(table).to_contain_text("NWP-CLOSED")
    expect(table).not_to_contain_text("NWP-OLDER")
    expect(table).not_to_contain_text("NWP-OPEN")
    steps.check("closed")

    # By keyboard: the reference wraps at its hyphen in a narrow column.
    table.get_by_role("link", name="NWP-CLOSED").press("Enter")
    expect(page.get_by_role("heading", name="Episode NWP-CLOSED")).to_be_visible()
    steps.check("episode")
