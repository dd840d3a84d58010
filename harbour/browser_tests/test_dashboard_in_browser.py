"""The dashboard in the browser: the summary at the top links to sections that fold.

Sections with something to act on today (here: an overdue return interview) are open when
the page loads, the others folded; a link of the summary reaches its section and opens it
(init.js), and without JavaScript the summary's links still reach the sections, which open
natively (GOV.UK details). Each page is checked with axe-core (0 violations) and saved as
test-artifacts/casework-NN-dashboard-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from harbour.accounts.models import Role
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, make_staff

from .conftest import check_page, sign_in
from .test_casework_journey import Journey

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-enough-password"


class DashboardJourney(Journey):
    def check(self, name: str) -> None:
        super().check(f"dashboard-{name}")


@pytest.fixture
def coordinator() -> User:
    return make_staff(Role.COORDINATOR, username="coordinator", password=PASSWORD)


@pytest.fixture
def casework() -> None:
    """A child whose return interview is overdue, found at a place the places list names."""
    found = timezone.now() - dt.timedelta(hours=80)
    EpisodeFactory(
        child=ChildFactory(given_name="Orla", family_name="Overdue"),
        started_at=found - dt.timedelta(hours=5),
        ended_at=found,
        found_location="Bus Station",
    )


def is_open(page: Page, id: str) -> bool:
    return page.locator(f"details#{id}").evaluate("details => details.open")


def test_a_summary_link_reaches_and_opens_its_folded_section(
    page: Page, axe, live_server, coordinator, casework
):
    journey = DashboardJourney(page, axe, live_server.url)
    sign_in(page, live_server.url, "coordinator", PASSWORD)
    summary = page.get_by_role("navigation", name="Summary")
    expect(summary.get_by_role("link", name="Return interviews overdue")).to_be_visible()
    expect(summary).to_contain_text("Overdue")

    # What needs action today is open; the rest is folded.
    assert is_open(page, "interviews-overdue-section")
    expect(page.locator("#interviews-overdue")).to_contain_text("Orla Overdue")
    assert not is_open(page, "places-section")
    expect(page.locator("#places")).to_be_hidden()
    journey.check("summary")

    summary.get_by_role("link", name="Places children are most often found").click()

    expect(page).to_have_url(f"{live_server.url}/#places-section")
    assert is_open(page, "places-section")
    expect(page.locator("#places")).to_be_visible()
    expect(page.locator("#places")).to_contain_text("Bus Station")
    expect(page.locator("#places-section")).to_be_in_viewport()
    journey.check("places-opened")

    # Folded again by hand, the same link (no change of address) opens it again.
    page.locator("#places-section summary").click()
    expect(page.locator("#places")).to_be_hidden()
    page.evaluate("window.scrollTo(0, 0)")
    summary.get_by_role("link", name="Places children are most often found").click()
    expect(page.locator("#places")).to_be_visible()

    # An address with the section's fragment opens it too.
    page.goto(journey.url("/#hotspots-section"))
    assert is_open(page, "hotspots-section")
    expect(page.locator("#hotspots")).to_contain_text("Orla Overdue")
    assert not journey.problems, journey.problems


def test_without_javascript_the_summary_links_reach_sections_that_open_natively(
    browser: Browser, axe, live_server, coordinator, casework
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, "coordinator", PASSWORD)
    summary = page.get_by_role("navigation", name="Summary")
    for name in (
        "Children missing now",
        "Return interviews due in the next 24 hours",
        "Return interviews overdue",
        "Meetings required",
        "Responses awaited from other authorities",
        "Children most often missing",
        "Places children are most often found",
    ):
        expect(summary.get_by_role("link", name=name)).to_be_visible()
    expect(page.locator("#interviews-overdue")).to_contain_text("Orla Overdue")
    expect(page.locator("#places")).to_be_hidden()

    summary.get_by_role("link", name="Places children are most often found").click()

    expect(page).to_have_url(f"{live_server.url}/#places-section")
    expect(page.locator("#places-section summary")).to_be_in_viewport()
    page.locator("#places-section summary").click()
    expect(page.locator("#places")).to_be_visible()
    expect(page.locator("#places")).to_contain_text("Bus Station")
    context.close()


def test_the_dashboard_without_its_script_passes_axe(
    page: Page, axe, live_server, coordinator, casework
):
    # axe-core is itself JavaScript, so it cannot run where JavaScript is off: the page is
    # checked as it is without JavaScript by not loading init.js.
    page.route("**/static/harbour/init.js", lambda route: route.abort())
    sign_in(page, live_server.url, "coordinator", PASSWORD)
    expect(page.get_by_role("navigation", name="Summary")).to_be_visible()
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    check_page(page, axe, "dashboard-without-javascript")
