"""The notification form: the time it was received defaults to when it is recorded; a
reference already recorded for another child shows both children and what differs; a
notification that arrives late can be closed in one step; the error summary follows the
page's order."""

import datetime as dt
import re

import pytest

from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import ChildFactory
from harbour.common.time import UTC
from harbour.meetings.models import MeetingTask
from harbour.missing.models import Episode
from harbour.missing.services import record_notification

# 12:00 UTC on 1 November 2024 is 12:00 in London (GMT).
NOW = dt.datetime(2024, 11, 1, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


@pytest.fixture
def coordinator(client_as):
    return client_as("COORDINATOR")


def details(**overrides):
    data = {
        "step": "details",
        "police_reference": "NWP-100",
        "category": "MISSING",
        "started_day": "31",
        "started_month": "10",
        "started_year": "2024",
        "started_hour": "21",
        "started_minute": "15",
        "risk_level": "HIGH",
        "given_name": "Alfie",
        "family_name": "Smith",
        "birth_day": "3",
        "birth_month": "9",
        "birth_year": "2008",
        "child_id": "P-100",
        "sex": "M",
    }
    data.update(overrides)
    return data


def blank(prefix):
    return {f"{prefix}_{part}": "" for part in ("day", "month", "year", "hour", "minute")}


def test_notification_received_is_filled_in_with_the_time_the_form_is_opened(client, coordinator):
    page = client.get("/episodes/new/").content.decode()

    for name, value in [
        ("notified_day", "1"),
        ("notified_month", "11"),
        ("notified_year", "2024"),
        ("notified_hour", "12"),
        ("notified_minute", "00"),
    ]:
        assert re.search(f'name="{name}"[^>]*value="{value}"', page), name


def test_notification_received_left_blank_is_the_time_it_is_recorded(client, coordinator):
    response = client.post(
        "/episodes/new/", details(step="choose", choice="new", **blank("notified"))
    )

    assert response.status_code == 302
    assert Episode.objects.get().notified_at == NOW


def reference_recorded_for_ben(coordinator):
    ben = ChildFactory(
        child_id="P-BEN", given_name="Ben", family_name="Jones", date_of_birth=dt.date(2009, 1, 2)
    )
    alfie = ChildFactory(
        child_id="P-100", given_name="Alfie", family_name="Smith", date_of_birth=dt.date(2008, 9, 3)
    )
    record_notification(
        coordinator,
        child=ben,
        police_reference="NWP-100",
        category="MISSING",
        started_at=NOW - dt.timedelta(days=1),
    )
    return ben, alfie


def test_a_reference_recorded_for_another_child_shows_both_children_and_what_differs(
    client, coordinator
):
    ben, alfie = reference_recorded_for_ben(coordinator)

    response = client.post("/episodes/new/", details())
    page = response.content.decode()

    assert f'value="{ben.pk}"' in page and f'value="{alfie.pk}"' in page
    assert "Police reference NWP-100 is already recorded for Ben Jones (P-BEN)" in page
    assert "Name: you entered Alfie Smith, the register has Ben Jones" in page
    assert "Person id: you entered P-100, the register has P-BEN" in page
    assert "Date of birth: you entered 3 September 2008, the register has 2 January 2009" in page
    # Neither child is chosen for the coordinator while the details disagree.
    assert " checked" not in page.split('name="choice"', 1)[1].split("</form>", 1)[0]


def test_a_reference_recorded_for_the_same_child_is_still_chosen(client, coordinator):
    ben, _alfie = reference_recorded_for_ben(coordinator)

    page = client.post(
        "/episodes/new/",
        details(
            given_name="Ben",
            family_name="Jones",
            child_id="P-BEN",
            birth_day="2",
            birth_month="1",
            birth_year="2009",
        ),
    ).content.decode()

    assert f'value="{ben.pk}" checked' in page.replace('aria-describedby="choice-hint" ', "")
    assert "the register has" not in page


def summary_in_page_order(page):
    """The error summary's links, and the same targets in the order the page shows them."""
    summary, rest = page.split('class="govuk-list govuk-error-summary__list"', 1)[1].split(
        "</ul>", 1
    )
    targets = re.findall(r'href="#([^"]+)"', summary)
    return targets, sorted(targets, key=lambda target: rest.index(f'id="{target}"'))


def test_the_notification_error_summary_follows_the_page(client, coordinator):
    page = client.post(
        "/episodes/new/", details(police_reference="", given_name="", **blank("started"))
    ).content.decode()

    targets, in_page_order = summary_in_page_order(page)
    assert targets == in_page_order == ["police_reference", "started_day", "given_name"]


def test_the_found_and_amend_error_summaries_follow_the_page(client, coordinator):
    ben, _alfie = reference_recorded_for_ben(coordinator)
    episode = Episode.objects.get(child=ben)

    found = client.post(
        f"/episodes/{episode.pk}/found/",
        {"version": episode.version, "found_location": "", **blank("ended")},
    ).content.decode()
    amend = client.post(
        f"/episodes/{episode.pk}/amend/",
        {"version": episode.version, "category": "X", "reason": "", **blank("started")},
    ).content.decode()

    targets, in_page_order = summary_in_page_order(found)
    assert targets == in_page_order == ["ended_day", "found_location"]
    targets, in_page_order = summary_in_page_order(amend)
    assert targets == in_page_order == ["category", "started_day", "reason"]


# A notification that arrives late: found in the same step.


def found(day="31", month="10", year="2024", hour="23", minute="45"):
    return {
        "found_day": day,
        "found_month": month,
        "found_year": year,
        "found_hour": hour,
        "found_minute": minute,
    }


def test_a_late_notification_is_closed_in_one_step_through_the_found_service(client, coordinator):
    response = client.post(
        "/episodes/new/",
        details(step="choose", choice="new", found_location="Home address", **found()),
    )

    assert response.status_code == 302
    episode = Episode.objects.get()
    assert episode.ended_at == dt.datetime(2024, 10, 31, 23, 45, tzinfo=UTC)
    assert episode.found_location == "Home address"
    assert AuditEvent.objects.filter(action="missing.episode_found").count() == 1


def test_found_before_last_seen_is_refused_on_the_found_date(client, coordinator):
    response = client.post("/episodes/new/", details(**found(hour="20")))

    assert response.status_code == 400
    assert "When the child was found must be after they were last seen" in (
        response.content.decode()
    )
    targets, _ = summary_in_page_order(response.content.decode())
    assert targets == ["found_day"]


def test_a_late_notification_found_within_72_hours_raises_no_long_missing_task(client, coordinator):
    # Last seen ten days ago, found twelve hours later, notified today.
    late = details(
        step="choose",
        choice="new",
        started_day="20",
        started_month="10",
        started_hour="20",
        started_minute="00",
        **found(day="21", month="10", hour="08", minute="00"),
    )

    assert client.post("/episodes/new/", late).status_code == 302
    assert Episode.objects.get().ended_at == dt.datetime(2024, 10, 21, 8, 0, tzinfo=UTC) - (
        dt.timedelta(hours=1)
    )
    assert not MeetingTask.objects.exists()


def test_the_choice_says_when_the_notification_joins_the_child_s_open_episode(client, coordinator):
    alfie = ChildFactory(
        child_id="P-100", given_name="Alfie", family_name="Smith", date_of_birth=dt.date(2008, 9, 3)
    )
    record_notification(
        coordinator,
        child=alfie,
        police_reference="NWP-OPEN",
        category="MISSING",
        started_at=dt.datetime(2024, 10, 31, 23, 0, tzinfo=UTC),
    )

    page = " ".join(client.post("/episodes/new/", details()).content.decode().split())

    assert (
        "Alfie Smith has an open episode, NWP-OPEN: this notification will be added to it. "
        "Its last seen time moves from 31 October 2024 at 11pm to "
        "31 October 2024 at 9:15pm." in page
    )


def test_a_late_notification_found_before_the_open_episode_began_is_its_own_episode(
    client, coordinator
):
    alfie = ChildFactory(
        child_id="P-100", given_name="Alfie", family_name="Smith", date_of_birth=dt.date(2008, 9, 3)
    )
    still_missing = record_notification(
        coordinator,
        child=alfie,
        police_reference="NWP-NOW",
        category="MISSING",
        started_at=NOW - dt.timedelta(hours=3),
    ).episode
    # Last seen 31 October at 9:15pm, found at 11:45pm: over before the open episode began.
    page = " ".join(client.post("/episodes/new/", details(**found())).content.decode().split())
    assert "this notification will be added to it" not in page

    response = client.post("/episodes/new/", details(step="choose", choice=alfie.pk, **found()))

    assert response.status_code == 302
    still_missing.refresh_from_db()
    assert still_missing.ended_at is None
    late = Episode.objects.get(episode_id="NWP-100")
    assert late.ended_at == dt.datetime(2024, 10, 31, 23, 45, tzinfo=UTC)
