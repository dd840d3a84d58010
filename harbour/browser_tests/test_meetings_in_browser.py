"""Meetings in the browser: a coordinator closes one task as not needed (after leaving the
reason out once), requests the meeting another task needs, schedules it, records it as
held with the people attending and the minutes, and sees a meeting requested years ago
listed apart from the planned ones. Every page is checked with axe-core (0 violations)
and saved as test-artifacts/meetings-NN-*.png."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from harbour.accounts.models import Role
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, MeetingFactory, make_staff
from harbour.common.time import LONDON
from harbour.meetings import triggers

from .test_casework_journey import Journey, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-enough-password"


class MeetingsJourney(Journey):
    def check(self, name: str) -> None:
        super().check(f"meetings-{name}")


def long_missing(given: str, family: str, child_id: str, days_ago: int):
    child = ChildFactory.create(given_name=given, family_name=family, child_id=child_id)
    last_seen = timezone.now() - dt.timedelta(days=days_ago)
    EpisodeFactory(child=child, started_at=last_seen, ended_at=last_seen + dt.timedelta(hours=80))
    triggers.evaluate("test", child)
    return child


def test_a_coordinator_closes_a_task_and_schedules_and_records_a_meeting(
    page: Page, axe, live_server
):
    make_staff(Role.COORDINATOR, username="coordinator", password=PASSWORD)
    not_needed = long_missing("Noah", "Quill", "CH910001", 6)
    needed = long_missing("Maya", "Fenwick", "CH910002", 5)
    lapsed = MeetingFactory.create(child=ChildFactory(given_name="Old", family_name="Record"))
    journey = MeetingsJourney(page, axe, live_server.url)

    # 1. The list: tasks as a GOV.UK task list; a meeting requested in 2019 is not planned.
    sign_in(page, live_server.url, "coordinator", PASSWORD)
    page.goto(journey.url("/meetings/"))
    expect(page.locator(".govuk-task-list__item")).to_have_count(2)
    expect(page.locator("#lapsed")).to_contain_text(lapsed.meeting_id)
    expect(page.locator("#planned")).not_to_contain_text(lapsed.meeting_id)
    journey.check("list")

    # 2. Close Noah's task as not needed: the reason left out is an error first.
    page.get_by_role("link", name=re.compile("Noah Quill")).click()
    expect(page.locator(".govuk-task-list")).to_contain_text("Cannot start yet")
    journey.check("task")
    page.get_by_role("link", name="close the task as not needed").click()
    journey.check("close-task")
    page.get_by_role("button", name="Close the task").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why a meeting is not needed"
    )
    journey.check("close-task-error")
    page.get_by_label("Why is a meeting not needed?").fill(
        "Already the subject of this week's strategy meeting."
    )
    page.get_by_role("button", name="Close the task").click()
    expect(page.get_by_text("The task has been closed as not needed.")).to_be_visible()
    expect(page.get_by_text("Already the subject of this week's strategy meeting.")).to_be_visible()
    journey.check("task-closed")

    # 3. Request Maya's meeting, then schedule it.
    page.goto(journey.url("/meetings/"))
    expect(page.locator(".govuk-task-list__item")).to_have_count(1)
    page.get_by_role("link", name=re.compile("Maya Fenwick")).click()
    page.get_by_role("button", name="Request the meeting").click()
    expect(page.get_by_text("The meeting has been requested.")).to_be_visible()
    journey.check("meeting-requested")
    page.get_by_role("link", name="Schedule the meeting").click()
    journey.check("schedule")
    when = (timezone.now() + dt.timedelta(days=3)).astimezone(LONDON)
    page.locator("#scheduled_on-day").fill(str(when.day))
    page.locator("#scheduled_on-month").fill(str(when.month))
    page.locator("#scheduled_on-year").fill(str(when.year))
    page.get_by_label("Time").fill("14:30")
    page.get_by_label("Venue").fill("Room 4, Civic Centre")
    page.get_by_label("Chair").fill("Sam Okafor, team manager")
    page.get_by_label("Invited").fill("Police missing persons unit\nSchool safeguarding lead")
    page.get_by_role("button", name="Save the schedule").click()
    expect(page.get_by_text("The meeting has been scheduled.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Room 4, Civic Centre")
    journey.check("scheduled")
    page.goto(journey.url("/meetings/"))
    expect(page.locator("#planned")).to_contain_text("at 2:30pm")
    journey.check("list-planned")

    # 4. Record it as held (today), with the people attending and the minutes.
    page.locator("#planned").get_by_role("link", name=re.compile("HB-MAM-")).click()
    today = timezone.now().astimezone(LONDON)
    page.locator("#held_on-day").fill(str(today.day))
    page.locator("#held_on-month").fill(str(today.month))
    page.locator("#held_on-year").fill(str(today.year))
    page.get_by_label("Police").check()
    page.get_by_label("Social care").check()
    page.get_by_label("People attending (optional)").fill("PC Dana Hill\nSam Okafor")
    page.get_by_label("Minutes (optional)").fill("Discussed where Maya goes when missing.")
    page.get_by_label("Outcome").fill("Safety plan agreed; review in four weeks.")
    page.get_by_role("button", name="Save the record of the meeting").click()
    expect(page.get_by_text("The meeting has been recorded as held.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Discussed where Maya goes when missing.")
    expect(page.locator("main")).to_contain_text("PC Dana Hill")
    journey.check("held")
    page.get_by_role("link", name=re.compile("View Maya Fenwick's record")).click()
    expect(page.get_by_role("heading", name=re.compile("Maya Fenwick"))).to_be_visible()

    assert needed.meetings.get().held_on is not None
    assert not_needed.meeting_tasks.get().closed_reason
    assert journey.problems == [], journey.problems
