"""A late police notification in the browser: a coordinator records a notification that
arrived after the child was found, is told plainly when the found time is before last
seen, and closes the episode in one step; then picks a force's date formats from examples
on the mapping page. Every page reached is checked with axe-core and screenshotted
(test-artifacts/late-NN-*.png)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from harbour.common.tests.factories import ChildFactory, make_staff
from harbour.common.time import LONDON
from harbour.missing.models import Episode, PoliceForce

from .conftest import check_page, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-enough-password"
EXTRACT = (
    Path(__file__).resolve().parents[1] / "missing" / "tests" / "data" / "northshire-extract.csv"
)


class Steps:
    def __init__(self, page: Page, axe, prefix: str) -> None:
        self.page, self.axe, self.prefix, self.step = page, axe, prefix, 0
        page.set_default_timeout(10_000)

    def check(self, name: str) -> None:
        self.step += 1
        check_page(self.page, self.axe, f"{self.prefix}-{self.step:02d}-{name}")


def fill_datetime(page: Page, prefix: str, day, month, year, hour, minute) -> None:
    for part, value in zip(
        ("day", "month", "year", "hour", "minute"), (day, month, year, hour, minute), strict=True
    ):
        page.locator(f"#{prefix}_{part}").fill(str(value))


@pytest.fixture
def coordinator() -> User:
    return make_staff("COORDINATOR", username="coordinator", password=PASSWORD)


def test_a_late_notification_is_recorded_and_closed_in_one_step(
    page: Page, axe, live_server, coordinator
):
    child = ChildFactory.create(
        child_id="P-1001", given_name="Alfie", family_name="Smith",
        date_of_birth=dt.date(2010, 9, 3),
    )  # fmt: skip
    # Last seen a month ago at 8pm, found at 8am the next day (UK time).
    seen = dt.datetime.now(LONDON).date() - dt.timedelta(days=30)
    next_day = seen + dt.timedelta(days=1)
    steps = Steps(page, axe, "late")
    sign_in(page, live_server.url, "coordinator", PASSWORD)

    page.goto(f"{live_server.url}/episodes/new/")
    expect(page.get_by_role("heading", name="Record a police notification")).to_be_visible()
    expect(page.get_by_text("If the child has already been found")).to_be_visible()
    steps.check("form")

    page.locator("#police_reference").fill("NSP-LATE-1")
    page.get_by_label("Missing", exact=True).check()
    fill_datetime(page, "started", seen.day, seen.month, seen.year, 20, 0)
    fill_datetime(page, "found", seen.day, seen.month, seen.year, 19, 0)
    page.locator("#given_name").fill("Alfie")
    page.locator("#family_name").fill("Smith")
    page.locator("#child_id").fill("P-1001")
    page.get_by_role("button", name="Find the child").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("When the child was found must be after they were last seen")
    steps.check("found-before-last-seen")

    fill_datetime(page, "found", next_day.day, next_day.month, next_day.year, 8, 0)
    page.locator("#found_location").fill("Home address")
    page.get_by_role("button", name="Find the child").click()
    expect(
        page.get_by_role("heading", name="Which child is this notification about?")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"{next_day:%-d %B %Y} at 8am")
    steps.check("choose")

    expect(page.get_by_label("Use this child: Alfie Smith (P-1001)", exact=False)).to_be_checked()
    page.get_by_role("button", name="Confirm and record the notification").click()
    expect(page.locator("main")).to_contain_text("NSP-LATE-1")
    steps.check("recorded-and-closed")

    episode = Episode.objects.get(child=child)
    assert episode.ended_at == dt.datetime.combine(next_day, dt.time(8, 0), tzinfo=LONDON)
    assert episode.found_location == "Home address"


def test_a_force_s_date_formats_are_picked_from_examples(page: Page, axe, live_server, coordinator):
    PoliceForce.objects.create(name="Testshire Police", code="TST")
    steps = Steps(page, axe, "late-mapping")
    sign_in(page, live_server.url, "coordinator", PASSWORD)

    page.goto(f"{live_server.url}/episodes/upload/")
    page.get_by_label("Police force").select_option(label="Testshire Police")
    page.get_by_label("CSV file").set_input_files(str(EXTRACT))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_label("How the file writes a date and time")).to_be_visible()
    steps.check("mapping")

    page.get_by_label("Police reference").select_option("Crime Ref")
    page.get_by_label("Missing or absent").select_option("Type")
    page.get_by_label("Last seen: date and time").select_option("Last Seen")
    page.get_by_label("Given name").select_option("Forename")
    page.get_by_label("Family name").select_option("Surname")
    page.get_by_label("Date of birth (optional)").select_option("DOB")
    page.get_by_label("How the file writes a date and time").select_option(label="23/11/2026 14:35")
    page.get_by_label("How the file writes a date", exact=True).select_option(label="23/11/2026")
    page.get_by_role("button", name="Save the mapping and preview the file").click()
    expect(page.get_by_role("heading", name="Check the police extract")).to_be_visible()
    steps.check("preview")
