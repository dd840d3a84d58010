"""Finding a child and keeping their record, in the browser: a coordinator finds a child
with the header's search box (a misspelt name), opens the record, allocates a social
worker and makes the child a case of another authority with a looked-after status; the
children list then shows the child under "placed here by another authority", and the
social worker sees the child in "My children". Every page reached is checked with
axe-core and screenshotted (test-artifacts/find-NN-*.png)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from harbour.children.models import LegalStatus
from harbour.common.tests.factories import ChildFactory, make_staff

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


def test_a_coordinator_finds_a_child_and_makes_them_a_case_of_another_authority(
    page: Page, axe, live_server, settings
):
    settings.LOCAL_AUTHORITY_CODE = "999"
    make_staff("COORDINATOR", username="coordinator", password=PASSWORD)
    make_staff(
        "SOCIAL_WORKER",
        username="social-worker",
        password=PASSWORD,
        first_name="Priya",
        last_name="Shah",
    )
    child = ChildFactory.create(
        child_id="P-2001", given_name="Alfie", family_name="Smith",
        date_of_birth=dt.date(2010, 9, 3),
    )  # fmt: skip
    ChildFactory(given_name="Hidden", family_name="Smith", restricted=True)
    steps = Steps(page, axe, "find")
    sign_in(page, live_server.url, "coordinator", PASSWORD)

    # The search box in the header, with two letters transposed.
    page.get_by_role("search", name="Find a child").get_by_label("Find a child").fill("Alfie Smtih")
    page.get_by_role("search", name="Find a child").get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Find a child")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Person id P-2001")
    steps.check("results")

    page.get_by_label("Name, person id, date of birth or police reference").fill("Smith")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("main")).to_contain_text("A restricted record exists")
    expect(page.locator("main")).not_to_contain_text("Hidden")
    steps.check("restricted-result")

    page.get_by_role("link", name="Alfie Smith").click()
    expect(page.get_by_role("link", name="Add a legal status")).to_be_visible()
    page.get_by_role("link", name="Change the child's details").click()
    expect(page.get_by_role("heading", name="Change the child's details")).to_be_visible()
    steps.check("edit-form")

    page.get_by_label("Social worker").select_option(label="Priya Shah")
    page.get_by_label("Placement postcode (optional)").fill("zz99 9zz")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("main")).to_contain_text("Priya Shah")
    expect(page.locator("main")).to_contain_text("ZZ99 9ZZ")

    page.get_by_role("link", name="Add a legal status").click()
    page.get_by_label("Looked after").check()
    page.locator("#start_date-day").fill("1")
    page.locator("#start_date-month").fill("12")
    page.locator("#start_date-year").fill("2024")
    page.get_by_label("Responsible authority (optional)").fill("20")
    page.get_by_role("button", name="Save legal status").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    steps.check("legal-status-error")

    page.get_by_label("Responsible authority (optional)").fill("202")
    page.get_by_label("Placement type").select_option(label="Foster care")
    page.get_by_role("button", name="Save legal status").click()
    expect(page.locator("main")).to_contain_text("another authority (202)")
    steps.check("child-placed-by-another-authority")
    assert LegalStatus.objects.get(child=child).responsible_la == "202"

    page.get_by_role("link", name="Children", exact=True).click()
    page.get_by_label("Placed here by another authority").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="Alfie Smith")).to_be_visible()
    steps.check("children-list")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server.url, "social-worker", PASSWORD)
    page.get_by_role("link", name="My children").click()
    expect(page.get_by_role("link", name="Alfie Smith")).to_be_visible()
    steps.check("my-children")
