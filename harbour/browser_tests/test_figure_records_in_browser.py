"""From a figure to its records in the browser: a coordinator follows a quarterly figure to
the episodes it counts, is told about the one on a restricted file, opens a child and comes
back to the report. Every page is checked with axe-core and screenshotted
(test-artifacts/figure-records-NN-*.png)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from harbour.common.tests.factories import ChildFactory, make_staff
from harbour.reports.tests.helpers import episode, interview

from .conftest import check_page, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-enough-password"


def test_a_coordinator_follows_a_figure_to_its_episodes(page: Page, axe, live_server):
    make_staff("COORDINATOR", username="coordinator", password=PASSWORD)
    alfie = ChildFactory(given_name="Alfie", family_name="Smith")
    interview(episode(child=alfie, episode_id="NWP-QUICK"), "ACCEPTED", after_hours=10)
    interview(episode(child=alfie, episode_id="NWP-SLOW"), "ACCEPTED", after_hours=100)
    hidden = ChildFactory(given_name="Rhea", restricted=True)
    interview(episode(child=hidden, episode_id="NWP-HIDDEN"), "ACCEPTED", after_hours=10)
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, "coordinator", PASSWORD)

    page.goto(f"{live_server.url}/reports/quarterly/?year=2019&quarter=1")
    check_page(page, axe, "figure-records-01-quarterly-with-links")
    page.get_by_role("link", name="Completed within 72 hours (of those accepted)").click()

    expect(page.get_by_role("heading", name="Completed within 72 hours")).to_be_visible()
    expect(page.get_by_text("1 record is on restricted files you cannot open")).to_be_visible()
    expect(page.get_by_role("link", name="NWP-QUICK")).to_be_visible()
    expect(page.get_by_text("NWP-SLOW")).to_have_count(0)
    expect(page.get_by_text("NWP-HIDDEN")).to_have_count(0)
    check_page(page, axe, "figure-records-02-list")

    page.get_by_role("link", name="Back to the report").click()
    expect(page.get_by_role("heading", name="Quarterly report, 2019/20 Q1")).to_be_visible()
    page.go_back()
    page.get_by_role("link", name="Alfie Smith").click()
    expect(page.get_by_role("heading", name="Alfie Smith")).to_be_visible()
