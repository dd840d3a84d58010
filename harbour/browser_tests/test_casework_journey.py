"""A day's casework in the browser, end to end.

A coordinator records a police notification for a child whose name the police spelt
slightly differently, confirms the ranked match, marks the child found (after getting the
date wrong once), and allocates the return interview; the return interview worker signs in
with the keyboard alone and records the completed interview; the worklist and the child's
chronology update; then the child's third missing episode in 90 days raises a
multi-agency meeting task.

Every page reached is checked with axe-core and saved as a numbered screenshot
(test-artifacts/casework-NN-*.png). The clock is the real one: times typed into the forms
are a few hours before now, in UK time, as a coordinator would type them.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from harbour.accounts.models import Role
from harbour.common.tests.factories import ChildFactory, make_staff
from harbour.common.time import LONDON
from harbour.missing import services as missing
from harbour.missing.models import Category, Episode

from .conftest import check_page, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# Best-practice rules of axe that the WCAG tags leave out, asked for as well on every page.
RULES = [
    "heading-order",
    "page-has-heading-one",
    "empty-heading",
    "duplicate-id",
    "landmark-one-main",
    "landmark-no-duplicate-main",
]
PASSWORD = "a-long-enough-password"
FIRST_REFERENCE = "MP-2024-004711"
THIRD_REFERENCE = "MP-2024-004958"


class Journey:
    """Numbered steps: each one screenshots the page and checks it with axe."""

    def __init__(self, page: Page, axe, base_url: str) -> None:
        self.page, self.axe, self.base_url = page, axe, base_url
        self.step = 0
        self.problems: list[str] = []
        self.links: set[str] = set()
        page.set_default_timeout(10_000)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(str(error)))

    def _console(self, message) -> None:
        # Pages answered 400 after a failed form submission are logged as failed loads:
        # expected. Anything else (a script error, a Content Security Policy violation) is not.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.problems.append(message.text)

    def check(self, name: str) -> None:
        self.step += 1
        check_page(self.page, self.axe, f"casework-{self.step:02d}-{name}")
        rules = self.axe.run(self.page, options={"runOnly": {"type": "rule", "values": RULES}})
        assert rules.response["violations"] == [], [
            (v["id"], [node["html"][:120] for node in v["nodes"][:3]])
            for v in rules.response["violations"]
        ]
        self._check_links()

    def _check_links(self) -> None:
        """Every in-page link has its target, and every link to a page of Harbour opens."""
        hrefs = self.page.eval_on_selector_all(
            "main a[href], .govuk-back-link, .govuk-skip-link, .govuk-error-summary a",
            "links => links.map(link => link.getAttribute('href'))",
        )
        for href in hrefs:
            if href.startswith("#"):
                assert self.page.locator(f"[id='{href[1:]}']").count() == 1, f"{href}: no target"
            elif href.startswith("/") and href.split("#")[0] not in self.links:
                self.links.add(href.split("#")[0])
                response = self.page.request.get(self.url(href.split("#")[0]))
                assert response.status < 400, f"{href} answered {response.status}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


def london_parts(instant: dt.datetime) -> dict[str, str]:
    local = instant.astimezone(LONDON)
    return {
        "day": str(local.day),
        "month": str(local.month),
        "year": str(local.year),
        "hour": str(local.hour),
        "minute": f"{local.minute:02d}",
    }


def fill_when(page: Page, prefix: str, instant: dt.datetime, separator: str = "_") -> None:
    """Fill a day/month/year/hour/minute group (episode forms use `started_day`, the
    return interview form `completed_at-day`)."""
    for part, value in london_parts(instant).items():
        page.locator(f"#{prefix}{separator}{part}").fill(value)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    # The sign-in page, with (once signed out) the banner saying so: two headings.
    expect(
        page.get_by_role("heading", name=re.compile("Sign in|signed out", re.I)).first
    ).to_be_visible()


@pytest.fixture
def people():
    coordinator = make_staff(
        Role.COORDINATOR,
        username="cmarlow",
        password=PASSWORD,
        first_name="Casey",
        last_name="Marlow",
    )
    worker = make_staff(
        Role.RHI_WORKER,
        username="rashdown",
        password=PASSWORD,
        first_name="Robin",
        last_name="Ashdown",
    )
    return coordinator, worker


@pytest.fixture(autouse=True)
def clear_of_the_clock_change():
    """The journey types UK times from nine hours ago to now. Within a day of the clocks
    changing, one could fall in the hour skipped or repeated, and the forms would rightly
    ask about it: the whole journey (server included) then runs two days earlier."""
    now = timezone.now()
    offsets = {(now + dt.timedelta(hours=h)).astimezone(LONDON).utcoffset() for h in range(-24, 2)}
    if len(offsets) == 1:
        yield
        return
    with time_machine.travel(now - dt.timedelta(days=2), tick=True):
        yield


@pytest.fixture
def children():
    """The child the police mean, and a near namesake with day and month of birth swapped
    (so that the match list has a ranking to show)."""
    child = ChildFactory(
        child_id="CH900001",
        given_name="Harriet",
        family_name="Penrose",
        date_of_birth=dt.date(2009, 5, 3),
    )
    ChildFactory(
        child_id="CH900002",
        given_name="Harriet",
        family_name="Penrose",
        date_of_birth=dt.date(2009, 3, 5),
    )
    return child


def test_a_notification_goes_from_arrival_to_a_completed_interview_and_a_meeting_task(
    page, axe, live_server, people, children
):
    coordinator, _worker = people
    child = children
    journey = Journey(page, axe, live_server.url)
    now = timezone.now()
    last_seen = now - dt.timedelta(hours=8)
    found = now - dt.timedelta(hours=2)

    # 1. The coordinator signs in and arrives on the dashboard.
    sign_in(page, live_server.url, "cmarlow", PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(page.locator("#missing-now")).to_contain_text("No child is missing or absent now")
    journey.check("dashboard")

    # 2. Records a police notification; the police spelt the given name "Harreit".
    page.get_by_role("link", name="Episodes", exact=True).click()
    journey.check("open-episodes-empty")
    page.get_by_role("button", name="Record a police notification").click()
    expect(page.get_by_role("heading", name="Record a police notification")).to_be_visible()
    journey.check("notification-form")
    page.get_by_label("Police reference").fill(FIRST_REFERENCE)
    page.get_by_role("group", name="Was the child missing or absent?").get_by_label(
        "Missing"
    ).check()
    fill_when(page, "started", last_seen)
    page.get_by_role("group", name="Police risk grade").get_by_label("Medium").check()
    page.get_by_label("Given name").fill("Harreit")
    page.get_by_label("Family name").fill("Penrose")
    page.locator("#birth_day").fill("3")
    page.locator("#birth_month").fill("5")
    page.locator("#birth_year").fill("2009")
    page.get_by_role("button", name="Find the child").click()

    # 3. The ranked matches, each with its reasons: the child with the same date of birth
    # first, the one whose day and month of birth are swapped second.
    expect(
        page.get_by_role("heading", name="Which child is this notification about?")
    ).to_be_visible()
    options = page.locator(".govuk-radios__item")
    expect(options.nth(0)).to_contain_text("CH900001")
    expect(options.nth(0)).to_contain_text("Same date of birth")
    expect(options.nth(0)).to_contain_text("Given name differs by one letter (Harreit / Harriet)")
    expect(options.nth(1)).to_contain_text("CH900002")
    expect(options.nth(1)).to_contain_text("Day and month swapped in the date of birth")
    first_score = int(re.search(r"Match score (\d+)", options.nth(0).inner_text()).group(1))
    second_score = int(re.search(r"Match score (\d+)", options.nth(1).inner_text()).group(1))
    assert first_score > second_score
    journey.check("choose-child")

    # 4. Confirms the match: a new episode.
    page.get_by_label(re.compile(r"Use this child: Harriet Penrose \(CH900001\)")).check()
    page.get_by_role("button", name="Confirm and record the notification").click()
    expect(page.get_by_text("Notification recorded as a new episode.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Episode {FIRST_REFERENCE}")).to_be_visible()
    journey.check("episode-recorded")

    # 5. The episode is among the open episodes, with the time missing and the risk grade.
    page.get_by_role("link", name="Back to open episodes").click()
    row = page.locator("tbody tr", has_text="CH900001")
    expect(row).to_contain_text("Harriet Penrose")
    expect(row.locator("td").nth(5)).to_have_text(re.compile(r"^\s*[78] hours\s*$"))
    expect(row).to_contain_text("Medium")
    journey.check("open-episodes")

    # 6. Marks the child found, first with a date that does not exist: the error summary
    # links to the day box and what was typed is kept.
    # The police reference is the link to the episode (focused and followed, as a
    # keyboard user would: a reference that wraps at its hyphen can miss a mouse click).
    row.get_by_role("link", name=FIRST_REFERENCE).press("Enter")
    page.get_by_role("button", name="Mark found or returned").click()
    expect(page.get_by_role("heading", name="Mark found or returned")).to_be_visible()
    journey.check("found-form")
    page.locator("#ended_day").fill("31")
    page.locator("#ended_month").fill("2")
    page.locator("#ended_year").fill(str(found.astimezone(LONDON).year))
    page.locator("#ended_hour").fill("14")
    page.locator("#ended_minute").fill("30")
    page.get_by_label("Where was the child found or returned to?").fill("Her aunt's flat, Bootle")
    page.get_by_role("button", name="Mark found and close the episode").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    link = summary.get_by_role("link", name=re.compile("must be a real date"))
    expect(link).to_have_attribute("href", "#ended_day")
    expect(page.locator("#ended_day-error")).to_contain_text("must be a real date")
    expect(page).to_have_title(re.compile("^Error: "))
    assert page.locator("#ended_day").input_value() == "31"
    assert page.locator("#ended_month").input_value() == "2"
    assert page.locator("#ended_minute").input_value() == "30"
    assert page.get_by_label("Where was the child found or returned to?").input_value() == (
        "Her aunt's flat, Bootle"
    )
    link.click()
    expect(page.locator("#ended_day")).to_be_focused()
    journey.check("found-form-error")

    fill_when(page, "ended", found)
    page.get_by_role("button", name="Mark found and close the episode").click()
    expect(page.get_by_text("Episode closed: the child has been marked as found.")).to_be_visible()
    journey.check("episode-found")

    # 7. The interview is due on the worklist, with the time left in days and hours.
    page.get_by_role("link", name="Return interviews", exact=True).click()
    row = page.locator("tbody tr", has_text=FIRST_REFERENCE)
    expect(row).to_contain_text("Harriet Penrose")
    expect(row).to_contain_text(re.compile(r"2 days (21|22) hours left"))
    expect(row).to_contain_text("No one yet")
    journey.check("worklist-due")

    # 8. Allocates it to the return interview worker.
    row.get_by_role("link", name=re.compile("Allocate")).click()
    expect(page.get_by_role("heading", name="Allocate a return interview")).to_be_visible()
    journey.check("allocate")
    page.get_by_label("Worker").select_option(label="Robin Ashdown (rashdown)")
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text(f"Interview for {FIRST_REFERENCE} allocated")).to_be_visible()
    row = page.locator("tbody tr", has_text=FIRST_REFERENCE)
    expect(row).to_contain_text("Robin Ashdown (rashdown)")
    journey.check("worklist-allocated")
    sign_out(page)

    # 9. The worker signs in with the keyboard alone, by way of the skip link.
    page.goto(journey.url("/sign-in/"))
    page.keyboard.press("Tab")
    skip = page.locator(".govuk-skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main-content$"))
    page.keyboard.press("Tab")
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type("rashdown")
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed in as rashdown")).to_be_visible()
    journey.check("worker-home")

    # 10. Opens the worklist: the allocated interview is there.
    page.get_by_role("link", name="Return interviews", exact=True).click()
    row = page.locator("tbody tr", has_text=FIRST_REFERENCE)
    expect(row).to_contain_text(re.compile(r"(\d+ days? )?\d+ hours? left"))
    journey.check("worker-worklist")

    # 11. Records the completed interview.
    row.get_by_role("link", name=re.compile("Record interview")).click()
    expect(page.get_by_role("heading", name="Return interview", exact=True)).to_be_visible()
    journey.check("record-interview")
    page.get_by_role("group", name="What happened?").get_by_label("Accepted", exact=True).check()
    fill_when(page, "completed_at", now - dt.timedelta(minutes=50), separator="-")
    fill_when(page, "offered_at", now - dt.timedelta(hours=1, minutes=30), separator="-")
    page.get_by_role("group", name="How was the interview held?").get_by_label(
        "Face to face"
    ).check()
    page.get_by_role("group", name="Did the child take part").get_by_label("Yes").check()
    page.get_by_label("The child's own account").fill(
        "Went to her aunt's after an argument at home about coming in late. Stayed two nights."
    )
    reasons = page.get_by_role("group", name="Reasons for going missing")
    reasons.get_by_label("Family relationships").check()
    reasons.get_by_label("Boundaries").check()
    page.get_by_role("group", name="Risks identified").get_by_label("Risky adults").check()
    page.get_by_role("group", name="Was advice and support given?").get_by_label("Yes").check()
    page.get_by_label("Onward actions").fill("Family support worker to visit this week.")
    journey.check("record-interview-filled")
    page.get_by_role("button", name="Save return interview").click()

    # 12. The worklist no longer has it to do; shown with any status, it is completed in time.
    expect(page.get_by_text(f"Return interview for {FIRST_REFERENCE} saved")).to_be_visible()
    expect(page.locator("tbody tr", has_text=FIRST_REFERENCE)).to_have_count(0)
    expect(page.get_by_text("No return interviews match these filters.")).to_be_visible()
    journey.check("worklist-after-interview")
    page.get_by_label("Status").select_option(label="Any status")
    page.get_by_role("button", name="Show interviews").click()
    row = page.locator("tbody tr", has_text=FIRST_REFERENCE)
    expect(row).to_contain_text("Completed")
    expect(row).to_contain_text("Within 72 hours")
    journey.check("worklist-any-status")

    # 13. The child's chronology has the episode and the interview.
    page.goto(journey.url(f"/children/{child.pk}/"))
    timeline = page.locator(".moj-timeline")
    expect(timeline).to_contain_text("Went missing")
    expect(timeline).to_contain_text(f"Police reference {FIRST_REFERENCE}")
    expect(timeline).to_contain_text("Found or returned")
    expect(timeline).to_contain_text("Found at Her aunt's flat, Bootle")
    expect(timeline).to_contain_text("Return interview completed")
    expect(timeline).to_contain_text("Face to face")
    journey.check("child-chronology")
    sign_out(page)

    # 14. A missing episode 40 days ago, found the same day, recorded before Harbour was
    # in use (saved through the services as an import saves it, so it raises nothing by
    # itself), makes this child's next episode the third in 90 days.
    earlier = now - dt.timedelta(days=40)
    missing.save_episode(
        coordinator,
        Episode(
            episode_id="MP-2024-003120",
            child=child,
            category=Category.MISSING,
            started_at=earlier,
            ended_at=earlier + dt.timedelta(hours=5),
            found_location="Bus station",
        ),
    )

    # 15. The coordinator records the third episode, this time with the person id given.
    sign_in(page, live_server.url, "cmarlow", PASSWORD)
    page.goto(journey.url("/episodes/new/"))
    page.get_by_label("Police reference").fill(THIRD_REFERENCE)
    page.get_by_role("group", name="Was the child missing or absent?").get_by_label(
        "Missing"
    ).check()
    fill_when(page, "started", now - dt.timedelta(minutes=30))
    page.get_by_label("Given name").fill("Harriet")
    page.get_by_label("Family name").fill("Penrose")
    page.get_by_label("Person id (optional)").fill("CH900001")
    page.get_by_role("button", name="Find the child").click()
    expect(page.locator(".govuk-radios__item").first).to_contain_text("Same person id")
    expect(
        page.get_by_label(re.compile(r"Use this child: Harriet Penrose \(CH900001\)"))
    ).to_be_checked()
    journey.check("choose-child-by-id")
    page.get_by_role("button", name="Confirm and record the notification").click()
    expect(page.get_by_text("Notification recorded as a new episode.")).to_be_visible()
    journey.check("third-episode-recorded")

    # 16. The meeting task is on the meetings page, with its trigger.
    page.get_by_role("link", name="Meetings", exact=True).click()
    item = page.locator(".govuk-task-list__item", has_text="Harriet Penrose")
    expect(item).to_contain_text("Third missing episode within 90 days; 3 episodes.")
    journey.check("meetings")
    item.get_by_role("link", name=re.compile("Harriet Penrose")).click()
    expect(page.get_by_text("Third missing episode within 90 days").first).to_be_visible()
    journey.check("meeting-task")

    # 17. On the coordinator's dashboard, and on the child's page with the frequently
    # missing flag.
    page.get_by_role("link", name="Harbour", exact=True).click()
    expect(page.locator("#meetings-required tbody tr", has_text="Harriet Penrose")).to_contain_text(
        "Third missing episode within 90 days"
    )
    expect(page.locator("#missing-now")).to_contain_text("Harriet Penrose")
    journey.check("dashboard-meeting-required")
    page.goto(journey.url(f"/children/{child.pk}/"))
    expect(page.get_by_text("Frequently missing")).to_be_visible()
    entry = page.locator(".moj-timeline__item", has_text="Multi-agency meeting required")
    expect(entry).to_contain_text("Third missing episode within 90 days")
    expect(entry).to_contain_text("Meeting due by")
    journey.check("child-meeting-required")

    # 18. The coordinator requests the meeting (today, as the form suggests): the task
    # leaves the list of meetings needed and the meeting is in the child's chronology.
    page.goto(journey.url("/meetings/"))
    page.locator(".govuk-task-list__item", has_text="Harriet Penrose").get_by_role("link").click()
    page.get_by_role("button", name="Request the meeting").click()
    expect(page.get_by_text("The meeting has been requested.")).to_be_visible()
    expect(page.get_by_role("heading", name="Harriet Penrose (CH900001)")).to_be_visible()
    journey.check("meeting-requested")
    page.get_by_role("link", name="Meetings", exact=True).click()
    expect(page.get_by_text("No child needs a meeting to be requested.")).to_be_visible()
    expect(page.locator("#planned")).to_contain_text("Harriet Penrose")
    journey.check("meetings-planned")
    page.goto(journey.url(f"/children/{child.pk}/"))
    expect(page.locator(".moj-timeline")).to_contain_text(re.compile("meeting requested", re.I))
    journey.check("child-meeting-requested")

    assert journey.problems == [], journey.problems
