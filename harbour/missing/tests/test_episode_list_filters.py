"""The episodes list finds any episode, not only the open ones: filters by status, category,
the UK date last seen and a child's name or police reference, kept in the address; paged,
newest first for closed episodes; scoped to the children the user may see; one audit event
per page naming exactly the children shown; a bounded number of queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.audit.models import AuditEvent
from harbour.common.display import when_text
from harbour.common.tests.factories import ChildFactory, EpisodeFactory
from harbour.common.time import UTC

NOW = dt.datetime(2026, 7, 10, 12, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


@pytest.fixture
def coordinator(client_as):
    return client_as("COORDINATOR")


def closed(reference: str, started_at: dt.datetime, child=None, **kwargs):
    return EpisodeFactory(
        episode_id=reference,
        child=child or ChildFactory(),
        started_at=started_at,
        ended_at=started_at + 5 * HOUR,
        **kwargs,
    )


def still_open(reference: str, child=None, hours_ago: int = 5, **kwargs):
    return EpisodeFactory(
        episode_id=reference,
        child=child or ChildFactory(),
        started_at=NOW - hours_ago * HOUR,
        ended_at=None,
        **kwargs,
    )


def listed(client, query: str = "") -> list[str]:
    """The police references listed, in the page's order."""
    response = client.get(f"/episodes/?{query}")
    assert response.status_code == 200
    return re.findall(
        r'<span class="govuk-visually-hidden">Episode </span>([^<]+)</a>', text(response)
    )


def text(response) -> str:
    return " ".join(response.content.decode().split())


def last_view() -> AuditEvent:
    return AuditEvent.objects.filter(action="missing.episodes_viewed").latest("sequence")


def test_found_episodes_are_listed_with_status_closed_and_not_by_default(client, coordinator):
    found = closed("NWP-FOUND", NOW - 30 * HOUR)
    still_open("NWP-OPEN")

    assert listed(client) == ["NWP-OPEN"]
    assert listed(client, "status=closed") == ["NWP-FOUND"]
    assert sorted(listed(client, "status=all")) == ["NWP-FOUND", "NWP-OPEN"]

    page = text(client.get("/episodes/?status=closed"))
    assert when_text(found.ended_at) in page
    assert "Still missing" not in page
    assert ">1 day 6 hours<" not in page and ">5 hours<" in page  # found, not until now
    assert f'href="/children/{found.child.pk}/"' in page
    assert f'href="/episodes/{found.pk}/"' in page


def test_an_open_episode_says_still_missing_and_counts_time_until_now(client, coordinator):
    still_open("NWP-OPEN", hours_ago=30)
    page = text(client.get("/episodes/?status=all"))
    assert "Still missing" in page
    assert ">1 day 6 hours<" in page


def test_closed_episodes_are_newest_last_seen_first_and_paged(client, coordinator):
    for n in range(55):
        closed(f"NWP-{n:03d}", NOW - (100 - n) * HOUR)  # NWP-054 is the newest
    first = listed(client, "status=closed")
    assert first == [f"NWP-{n:03d}" for n in range(54, 4, -1)]
    page = text(client.get("/episodes/?status=closed"))
    assert "Episodes found or returned (55)" in page
    assert 'href="?status=closed&amp;page=2"' in page
    assert listed(client, "status=closed&page=2") == [f"NWP-{n:03d}" for n in range(4, -1, -1)]


def test_the_open_list_keeps_its_longest_and_shortest_sort_with_the_filters(client, coordinator):
    still_open("NWP-LONG", hours_ago=50, category="ABSENT")
    still_open("NWP-SHORT", hours_ago=2, category="ABSENT")
    still_open("NWP-MISSING", hours_ago=10)
    assert listed(client, "category=ABSENT") == ["NWP-LONG", "NWP-SHORT"]
    page = text(client.get("/episodes/?category=ABSENT"))
    assert 'href="?category=ABSENT&amp;sort=shortest"' in page
    assert listed(client, "category=ABSENT&sort=shortest") == ["NWP-SHORT", "NWP-LONG"]


def test_the_date_range_includes_its_boundary_days_by_uk_date(client, coordinator):
    # 23:30 UTC on 30 June is 00:30 on 1 July in British Summer Time.
    closed("NWP-1-JULY", dt.datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    closed("NWP-30-JUNE", dt.datetime(2026, 6, 30, 22, 30, tzinfo=UTC))  # 23:30 BST
    closed("NWP-2-JULY", dt.datetime(2026, 7, 2, 22, 59, tzinfo=UTC))  # 23:59 BST
    closed("NWP-3-JULY", dt.datetime(2026, 7, 2, 23, 0, tzinfo=UTC))  # midnight BST

    def between(start: tuple[int, int], end: tuple[int, int]) -> list[str]:
        query = (
            f"status=all&seen_from_day={start[0]}&seen_from_month={start[1]}&seen_from_year=2026"
            f"&seen_to_day={end[0]}&seen_to_month={end[1]}&seen_to_year=2026"
        )
        return sorted(listed(client, query))

    assert between((1, 7), (2, 7)) == ["NWP-1-JULY", "NWP-2-JULY"]
    assert between((30, 6), (30, 6)) == ["NWP-30-JUNE"]
    assert between((3, 7), (3, 7)) == ["NWP-3-JULY"]
    only_from = "status=all&seen_from_day=2&seen_from_month=7&seen_from_year=2026"
    assert sorted(listed(client, only_from)) == ["NWP-2-JULY", "NWP-3-JULY"]


def test_the_category_filter_lists_that_category_only(client, coordinator):
    closed("NWP-ABSENT", NOW - 40 * HOUR, category="ABSENT")
    closed("NWP-MISSING", NOW - 30 * HOUR, category="MISSING")
    assert listed(client, "status=all&category=ABSENT") == ["NWP-ABSENT"]
    assert listed(client, "status=all&category=MISSING") == ["NWP-MISSING"]
    page = text(client.get("/episodes/"))
    # The model's labels, not its codes.
    assert '<option value="ABSENT">Absent</option>' in page


def test_search_finds_a_childs_name_or_a_police_reference(client, coordinator):
    alfie = ChildFactory(given_name="Alfie", family_name="Smith")
    closed("NWP-100", NOW - 40 * HOUR, child=alfie)
    closed("NWP-200", NOW - 30 * HOUR, child=ChildFactory(given_name="Zoe", family_name="Brook"))
    assert listed(client, "status=all&search=alfie+SMITH") == ["NWP-100"]
    assert listed(client, "status=all&search=smi") == ["NWP-100"]
    assert listed(client, "status=all&search=nwp-200") == ["NWP-200"]
    assert listed(client, "status=all&search=Alfie+Brook") == []
    page = text(client.get("/episodes/?status=all&search=Alfie+Brook"))
    assert "No episodes match these filters." in page
    # The words searched for are kept in the box, so the list can be bookmarked as found.
    assert 'name="search" type="text" value="Alfie Brook"' in page


def test_an_empty_default_list_says_no_child_is_missing(client, coordinator):
    closed("NWP-FOUND", NOW - 30 * HOUR)
    assert "No child is missing or absent." in text(client.get("/episodes/"))


def test_a_restricted_child_not_on_the_access_list_never_appears(client, coordinator):
    secret = ChildFactory(given_name="Sam", family_name="Secret", restricted=True)
    closed("NWP-SECRET", NOW - 30 * HOUR, child=secret)
    still_open("NWP-SECRET-OPEN", child=secret)
    listed_child = ChildFactory(given_name="Lee", family_name="Listed", restricted=True)
    listed_child.access_list.add(coordinator)
    closed("NWP-LISTED", NOW - 20 * HOUR, child=listed_child)

    for query in ["", "status=closed", "status=all", "status=all&search=secret"]:
        page = text(client.get(f"/episodes/?{query}"))
        assert "NWP-SECRET" not in page and "Secret" not in page
    assert listed(client, "status=all") == ["NWP-LISTED"]
    # Over no events at all the last check would pass: the listed child shows there are some.
    viewed = AuditEvent.objects.filter(action="missing.episodes_viewed")
    assert any(listed_child.pk in event.child_pks for event in viewed)
    assert all(secret.pk not in event.child_pks for event in AuditEvent.objects.all())


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "seen_from_day=31&seen_from_month=2&seen_from_year=2026",
            "seen_from_day",
            "The date last seen from must be a real date",
        ),
        (
            "seen_to_day=1&seen_to_month=&seen_to_year=2026",
            "seen_to_day",
            "The date last seen to must include a month",
        ),
        (
            "seen_from_day=2&seen_from_month=7&seen_from_year=2026"
            "&seen_to_day=1&seen_to_month=7&seen_to_year=2026",
            "seen_to_day",
            "The date last seen to must be the same as or after the date last seen from",
        ),
    ],
)
def test_a_bad_date_is_a_located_error_not_a_failure(client, coordinator, query, field, message):
    closed("NWP-FOUND", NOW - 30 * HOUR)
    response = client.get(f"/episodes/?status=all&{query}")
    page = text(response)
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert 'class="govuk-error-summary' in page
    assert f'<a href="#{field}">{message}</a>' in page
    assert f'id="{field}-error" class="govuk-error-message"' in page
    assert message in page.split("govuk-error-summary__body")[1]
    # What was typed is kept; nothing is listed, and no child is named.
    assert 'name="seen_to_year" type="text" inputmode="numeric" value="2026"' in page or (
        'name="seen_from_year" type="text" inputmode="numeric" value="2026"' in page
    )
    assert "NWP-FOUND" not in page
    assert not AuditEvent.objects.filter(action="missing.episodes_viewed").exists()


def test_an_unknown_choice_in_the_address_falls_back_to_its_default(client, coordinator):
    still_open("NWP-OPEN")
    closed("NWP-FOUND", NOW - 30 * HOUR)
    assert listed(client, "status=nonsense&category=PURPLE&sort=sideways&page=x") == ["NWP-OPEN"]


@pytest.mark.parametrize("status", ["open", "closed", "all"])
def test_the_list_takes_the_same_queries_for_3_episodes_as_for_60(
    client, coordinator, status, django_assert_max_num_queries
):
    path = f"/episodes/?status={status}&search=a&category=MISSING"
    client.get(path)  # the session and the user, loaded once

    def episodes(count: int, start: int) -> None:
        for n in range(start, start + count):
            child = ChildFactory(given_name="Ada", restricted=n % 7 == 0)
            still_open(f"NWP-O{n}", child=child, hours_ago=n + 2)
            closed(f"NWP-C{n}", NOW - (n + 100) * HOUR, child=child)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    episodes(3, 0)
    few = queries()
    episodes(57, 3)
    with django_assert_max_num_queries(16):
        many = queries()
    assert many == few


def test_the_audit_event_names_exactly_the_children_shown(client, coordinator):
    shown = [closed(f"NWP-{n:03d}", NOW - (100 - n) * HOUR) for n in range(52)]
    other_category = closed("NWP-ABSENT", NOW - 10 * HOUR, category="ABSENT")

    client.get(
        "/episodes/?status=closed&category=MISSING&search=nwp"
        "&seen_from_day=1&seen_from_month=7&seen_from_year=2026"
    )
    event = last_view()
    newest_fifty = [episode.child_id for episode in shown[2:]]
    assert event.child_pks == sorted(newest_fifty)
    assert other_category.child_id not in event.child_pks
    assert event.details == {
        "count": 50,
        "page_number": 1,
        "filters": {
            "status": "closed",
            "category": "MISSING",
            "seen_from": "2026-07-01",
            "seen_to": "",
            # Whether words were searched for, never the words (they may be a name).
            "search": True,
            "sort": "longest",
        },
    }

    client.get(
        "/episodes/?status=closed&category=MISSING&search=nwp"
        "&seen_from_day=1&seen_from_month=7&seen_from_year=2026&page=2"
    )
    assert last_view().child_pks == sorted(episode.child_id for episode in shown[:2])
