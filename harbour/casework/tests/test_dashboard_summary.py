"""The dashboard's summary: each section's count at the top, linking to the section, and
sections that fold (GOV.UK details), open when they hold something to act on today."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    ReferralFactory,
)
from harbour.common.time import UTC

NOW = dt.datetime(2024, 7, 10, 12, 0, tzinfo=UTC)
TODAY = dt.date(2024, 7, 10)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]

# The queries of the page below, measured before the summary and the folding sections were
# added (session, user, roles, the lists and the counts of the lists cut short): the summary
# reads only what the lists already computed. 26 since "children missing now" shows its
# first 50 and is counted when cut short, like the other lists; 27 since the most missing
# children are found by rank first (missing.queries.most_missing_candidates); 25 since the
# children missing now and the interviews due are counted with their page.
QUERIES_BEFORE_THE_SUMMARY = 25

SECTIONS = [
    "missing-now-section",
    "interviews-due-section",
    "interviews-overdue-section",
    "meetings-required-section",
    "ola-responses-section",
    "hotspots-section",
    "places-section",
]


def ended(hours_ago: float, child=None, **fields):
    end = NOW - dt.timedelta(hours=hours_ago)
    return EpisodeFactory(
        child=child or ChildFactory(), started_at=end - 5 * HOUR, ended_at=end, **fields
    )


def task_for(child, due_on: dt.date):
    from harbour.meetings.models import MeetingTask

    return MeetingTask.objects.create(
        child=child,
        trigger="LONG_MISSING",
        triggered_at=NOW - 100 * HOUR,
        raised_at=NOW - 99 * HOUR,
        due_on=due_on,
    )


def requested(episode, at: dt.datetime):
    from harbour.authorities.models import OlaLog

    return OlaLog.objects.create(
        episode=episode,
        version=1,
        notified_epoch=int(at.timestamp()),
        request_epoch=int(at.timestamp()),
    )


def every_list_past_its_cap() -> None:
    """60 children missing now, with interviews overdue and due, meeting tasks (some
    overdue), recent episodes found at places, and 25 placed children whose authority has
    not answered: every capped list is cut short, so each runs its count."""
    for n in range(60):
        child = ChildFactory()
        EpisodeFactory(child=child, started_at=NOW - (n + 1) * HOUR, ended_at=None)
        for days in range(1, 4):
            start = NOW - days * DAY
            EpisodeFactory(
                child=child,
                started_at=start,
                ended_at=start + HOUR,
                found_location=f"Place {n % 7}",
            )
        ended(60 + n % 10, child=child)  # due in the next 24 hours
        ended(80 + n, child=child)  # overdue
        ReferralFactory(child=child, received_on=TODAY)
        task_for(child, due_on=TODAY + dt.timedelta(days=n % 9 - 4))
    for n in range(25):
        placed = ChildFactory()
        LegalStatusFactory(child=placed, responsible_la="344")
        requested(ended(30 + n, child=placed), NOW - dt.timedelta(hours=20 + n))


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def summary(page: str) -> dict[str, tuple[str, str]]:
    """{section id linked: (link text, the count and its tag)}, in the page's order."""
    nav = page.split('<nav aria-labelledby="dashboard-summary">')[1].split("</nav>")[0]
    found = re.findall(
        r'<a class="govuk-link" href="#([^"]+)">([^<]+)</a>\s*</dt>\s*'
        r'<dd class="govuk-summary-list__value">(.*?)</dd>',
        nav,
        re.S,
    )
    return {id: (title, words(value)) for id, title, value in found}


def section(page: str, id: str) -> tuple[bool, str]:
    """(open when the page loads, the words of its summary line) of a folding section."""
    match = re.search(
        rf'<details class="govuk-details" id="{id}"( open)?>\s*'
        r'<summary class="govuk-details__summary">(.*?)</summary>',
        page,
        re.S,
    )
    assert match, id
    return bool(match.group(1)), words(match.group(2))


def some_of_everything() -> None:
    EpisodeFactory(started_at=NOW - 2 * HOUR, ended_at=None)
    EpisodeFactory(started_at=NOW - 9 * HOUR, ended_at=None, category="ABSENT")
    ended(50)  # interview due in 22 hours
    for hours in (80, 90, 100):
        ended(hours)  # interviews overdue
    task_for(ChildFactory(), TODAY - DAY)  # overdue
    task_for(ChildFactory(), TODAY + DAY)
    # Placed here by another authority, which arranges its interview: not overdue here.
    placed = ChildFactory()
    LegalStatusFactory(child=placed, responsible_la="344")
    requested(ended(200, child=placed), NOW - 2 * DAY)
    # So six children went missing (not absent) in the last 90 days: one missing now, five
    # found; no place recorded.


def test_the_summary_gives_each_sections_count_and_links_to_it(client, client_as):
    some_of_everything()
    client_as("COORDINATOR")

    page = client.get("/").content.decode()

    assert summary(page) == {
        "missing-now-section": ("Children missing now", "2 Needs action"),
        "interviews-due-section": ("Return interviews due in the next 24 hours", "1"),
        "interviews-overdue-section": ("Return interviews overdue", "3 Overdue"),
        "meetings-required-section": ("Meetings required", "2 1 overdue"),
        "ola-responses-section": ("Responses awaited from other authorities", "1"),
        "hotspots-section": ("Children most often missing", "6"),
        "places-section": ("Places children are most often found", "0"),
    }
    assert list(summary(page)) == SECTIONS
    # Each link's target is its section, whose summary line repeats the count.
    assert section(page, "interviews-overdue-section")[1] == "Return interviews overdue (3) Overdue"
    assert section(page, "places-section")[1] == "Places children are most often found (0)"
    for id in SECTIONS:
        assert page.count(f'id="{id}"') == 1


def test_a_list_counted_only_up_to_the_limit_says_more_than_in_the_summary(
    client, client_as, monkeypatch
):
    from harbour.casework import dashboard

    monkeypatch.setattr(dashboard, "COUNT_LIMIT", 5)
    monkeypatch.setattr(dashboard, "INTERVIEW_ROWS", 2)
    for n in range(7):
        ended(90 + n)
    client_as("COORDINATOR")

    page = client.get("/").content.decode()

    assert summary(page)["interviews-overdue-section"][1] == "more than 5 Overdue"
    assert section(page, "interviews-overdue-section")[1] == (
        "Return interviews overdue (more than 5) Overdue"
    )


@pytest.mark.parametrize(("how_many", "counted"), [(2, "2"), (5, "5"), (6, "more than 5")])
def test_lists_counted_with_their_page_are_counted_as_the_other_lists(
    client, client_as, monkeypatch, how_many, counted
):
    from harbour.casework import dashboard

    monkeypatch.setattr(dashboard, "COUNT_LIMIT", 5)
    monkeypatch.setattr(dashboard, "MISSING_NOW_ROWS", 1)
    monkeypatch.setattr(dashboard, "INTERVIEW_ROWS", 1)
    for n in range(how_many):
        EpisodeFactory(started_at=NOW - (n + 1) * HOUR, ended_at=None)
        ended(60 + n)  # due in the next 24 hours
    client_as("COORDINATOR")

    page = client.get("/").content.decode()

    assert section(page, "missing-now-section")[1].startswith(f"Children missing now ({counted})")
    assert section(page, "interviews-due-section")[1].startswith(
        f"Return interviews due in the next 24 hours ({counted})"
    )


def test_sections_to_act_on_today_are_open_and_the_others_folded(client, client_as):
    some_of_everything()
    client_as("COORDINATOR")

    page = client.get("/").content.decode()

    opened = {id for id in SECTIONS if section(page, id)[0]}
    assert opened == {
        "missing-now-section",
        "interviews-overdue-section",
        "meetings-required-section",
    }
    assert not section(page, "places-section")[0]


def test_sections_with_nothing_to_act_on_are_folded(client, client_as):
    ended(50)  # due in 22 hours: not yet overdue
    task_for(ChildFactory(), TODAY)  # due today: not yet overdue
    client_as("COORDINATOR")

    page = client.get("/").content.decode()

    assert [id for id in SECTIONS if section(page, id)[0]] == []
    assert summary(page)["missing-now-section"][1] == "0"
    assert summary(page)["meetings-required-section"][1] == "1"
    assert "Overdue" not in words(page.split("</nav>")[0].split("<nav")[-1])


def test_the_summary_adds_no_query_and_the_audit_event_is_unchanged(client, client_as):
    every_list_past_its_cap()
    user = client_as("COORDINATOR")

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/").content.decode()

    assert len(captured) == QUERIES_BEFORE_THE_SUMMARY
    assert summary(page) == {
        "missing-now-section": ("Children missing now", "60 Needs action"),
        "interviews-due-section": ("Return interviews due in the next 24 hours", "120"),
        "interviews-overdue-section": ("Return interviews overdue", "60 Overdue"),
        # The 20 tasks shown are all overdue and 40 more were cut off: not counted apart.
        "meetings-required-section": ("Meetings required", "60 At least 20 overdue"),
        "ola-responses-section": ("Responses awaited from other authorities", "25"),
        "hotspots-section": ("Children most often missing", "20"),
        "places-section": ("Places children are most often found", "7"),
    }
    event = AuditEvent.objects.get(action="casework.dashboard_viewed")
    assert event.actor == user
    assert event.details == {
        "missing_now": 60,
        "interviews_due": 120,
        "interviews_overdue": 60,
        "meetings_required": 60,
        "ola_responses_awaited": 25,
        "hotspots": 20,
    }
