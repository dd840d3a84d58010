"""The OLA pages (the list, an episode's log and its form), the worklist's OLA rows, the
chronology's new kinds, and the authorities' reference data pages."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.audit.models import AuditEvent
from harbour.authorities import services
from harbour.authorities.models import LocalAuthority, OlaLog, OlaNotification
from harbour.casework.chronology import chronology
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, make_staff
from harbour.common.time import UTC
from harbour.interviews.models import Allocation
from harbour.missing.models import NotificationReference

from .helpers import DAY, FOUND, HOUR, NOW, ola_episode, placed_child

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


def text(response) -> str:
    return response.content.decode()


def table_rows(page: str, id: str) -> list[str]:
    match = re.search(rf'<table class="govuk-table" id="{id}">(.*?)</table>', page, re.S)
    assert match, id
    body = match.group(1).split("<tbody")[1].split(">", 1)[1]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>")[:-1]]


def entry_form(**fields) -> dict[str, str]:
    local = (NOW - HOUR).astimezone(dt.timezone(dt.timedelta(0)))
    data = {
        "kind": "INTERVIEW_REQUESTED",
        "occurred_day": str(local.day),
        "occurred_month": str(local.month),
        "occurred_year": str(local.year),
        "occurred_hour": "11",  # 11am GMT on 20 March 2024
        "occurred_minute": "00",
        "method": "SECURE_EMAIL",
        "response": "",
        "note": "Sent to the duty team",
        "version": "0",
    }
    data.update(fields)
    return data


# The list


def test_the_list_shows_ola_episodes_with_their_authority_and_status(client, client_as):
    LocalAuthority.objects.create(code="344", name="Example Shire Council")
    waiting = ola_episode(placed_child(given_name="Waiting"), episode_id="OLA-WAIT")
    OlaLog.objects.create(
        episode=waiting, version=1, request_epoch=int((NOW - 4 * DAY).timestamp())
    )
    ola_episode(placed_child(code="350", given_name="Unknown"), episode_id="OLA-NEW")
    EpisodeFactory(child=ChildFactory(given_name="Home"), episode_id="HOME-1")
    client_as("COORDINATOR")

    page = text(client.get("/authorities/ola/"))

    rows = table_rows(page, "ola-episodes")
    assert len(rows) == 2
    wait = next(row for row in rows if "OLA-WAIT" in row)
    assert "Example Shire Council" in wait and "Chaser due" in wait
    new = next(row for row in rows if "OLA-NEW" in row)
    assert "Not in the reference data" in new and "DfE number 350" in new
    assert "Not yet notified" in new
    assert "HOME-1" not in page
    assert f'href="/authorities/ola/{waiting.pk}/"' in page
    event = AuditEvent.objects.get(action="authorities.ola_list_viewed")
    assert event.subjects.count() == 2


def test_the_list_filters_by_status_and_authority_and_hides_the_responded(client, client_as):
    answered = ola_episode(episode_id="OLA-DONE")
    OlaLog.objects.create(episode=answered, version=2, response_epoch=int(NOW.timestamp()))
    ola_episode(placed_child(code="350"), episode_id="OLA-350")
    ola_episode(episode_id="OLA-344")
    client_as("COORDINATOR")

    def listed(query: str) -> set[str]:
        page = text(client.get("/authorities/ola/" + query))
        return set(re.findall(r"OLA-\d+|OLA-DONE", page))

    assert listed("") == {"OLA-350", "OLA-344"}
    assert listed("?status=ALL") == {"OLA-350", "OLA-344", "OLA-DONE"}
    assert listed("?status=RESPONDED") == {"OLA-DONE"}
    assert listed("?authority=350&status=ALL") == {"OLA-350"}


def test_old_episodes_never_notified_are_history_not_still_to_do(client, client_as):
    ola_episode(episode_id="OLA-RECENT", found=NOW - 27 * DAY)
    ola_episode(episode_id="OLA-OLD", found=NOW - 40 * DAY)
    waiting = ola_episode(episode_id="OLA-WAITING", found=NOW - 60 * DAY)
    OlaLog.objects.create(
        episode=waiting, version=1, request_epoch=int((NOW - 59 * DAY).timestamp())
    )
    client_as("COORDINATOR")

    def listed(query: str) -> set[str]:
        return set(re.findall(r"OLA-[A-Z]+", text(client.get("/authorities/ola/" + query))))

    assert listed("") == {"OLA-RECENT", "OLA-WAITING"}
    assert listed("?status=NOT_NOTIFIED") == {"OLA-RECENT", "OLA-OLD"}
    assert listed("?status=ALL") == {"OLA-RECENT", "OLA-OLD", "OLA-WAITING"}


def test_the_list_hides_restricted_children_from_those_not_on_their_list(client, client_as):
    ola_episode(placed_child(given_name="Hidden", restricted=True))
    client_as("COORDINATOR")
    assert "Hidden" not in text(client.get("/authorities/ola/"))


def test_the_list_runs_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, client_as
):
    LocalAuthority.objects.create(code="344", name="Example Shire Council")
    for n in range(60):
        episode = ola_episode(found=FOUND - n * HOUR)
        if n % 2:
            OlaLog.objects.create(
                episode=episode, version=1, request_epoch=int((NOW - n * HOUR).timestamp())
            )
    client_as("COORDINATOR")

    with django_assert_max_num_queries(18):
        page = text(client.get("/authorities/ola/?status=ALL"))

    assert len(table_rows(page, "ola-episodes")) == 50


def test_the_still_to_do_view_counts_its_episodes_with_the_page_not_apart(client, client_as):
    for n in range(55):
        ola_episode(found=FOUND - n * HOUR, episode_id=f"OLA-{n:02d}")
    client_as("COORDINATOR")

    with CaptureQueriesContext(connection) as queries:
        page = text(client.get("/authorities/ola/"))

    assert "Episodes (55)" in page
    assert len(table_rows(page, "ola-episodes")) == 50
    episode_queries = [q["sql"] for q in queries.captured_queries if "missing_episode" in q["sql"]]
    assert len(episode_queries) == 1
    assert "OVER ()" in episode_queries[0]
    second = text(client.get("/authorities/ola/?page=2"))
    assert len(table_rows(second, "ola-episodes")) == 5
    assert "Episodes (55)" in second


# An episode's log


def test_a_coordinator_records_a_request_and_sees_it_in_the_log(client, client_as):
    LocalAuthority.objects.create(
        code="344", name="Example Shire Council", team="Missing children team",
        email="missing@example.org",
    )  # fmt: skip
    episode = ola_episode()
    user = client_as("COORDINATOR")

    response = client.post(f"/authorities/ola/{episode.pk}/", entry_form())

    assert response.status_code == 302
    entry = OlaNotification.objects.get()
    assert entry.kind == "INTERVIEW_REQUESTED"
    assert entry.occurred_at == dt.datetime(2024, 3, 20, 11, 0, tzinfo=UTC)
    assert entry.recorded_by == user and entry.note == "Sent to the duty team"
    page = text(client.get(response["Location"]))
    assert "Added to the log." in page
    rows = table_rows(page, "log")
    assert rows == [
        "20 March 2024 at 11am Asked to arrange the return interview Secure email "
        f"{user.username} Sent to the duty team"
    ]
    assert "Awaiting response" in page
    assert "Chaser from 23 March 2024 at 11am" in page
    assert "missing@example.org" in page and "Missing children team" in page


def test_the_log_page_shows_errors_beside_the_fields_and_keeps_what_was_entered(client, client_as):
    episode = ola_episode()
    client_as("COORDINATOR")

    response = client.post(
        f"/authorities/ola/{episode.pk}/",
        entry_form(kind="RESPONSE", method="", occurred_hour="25", note="Kept"),
    )

    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert 'href="#method"' in page and 'href="#response"' in page
    assert 'href="#occurred_day"' in page
    assert "Select what the placing authority said" in page
    assert ">Kept</textarea>" in page
    assert not OlaNotification.objects.exists()


def test_a_stale_form_is_refused_with_the_log_as_it_is_now_and_the_input_kept(client, client_as):
    episode = ola_episode()
    other = make_staff("COORDINATOR", username="someone-else")
    services.notify_placing_authority(
        other, episode, kind="FOUND", sent_at=FOUND + HOUR, method="PHONE", version=0
    )
    client_as("COORDINATOR")

    response = client.post(
        f"/authorities/ola/{episode.pk}/", entry_form(note="My request", version="0")
    )

    assert response.status_code == 400
    page = text(response)
    assert "Someone else changed this log" in page
    assert "Told the child has been found" in page  # the log as it is now
    assert ">My request</textarea>" in page
    assert 'name="version" value="1"' in page
    assert OlaNotification.objects.count() == 1

    again = client.post(f"/authorities/ola/{episode.pk}/", entry_form(version="1"))
    assert again.status_code == 302
    assert OlaNotification.objects.count() == 2


def test_a_service_refusal_is_shown_next_to_its_field(client, client_as):
    episode = ola_episode()
    client_as("COORDINATOR")

    response = client.post(f"/authorities/ola/{episode.pk}/", entry_form(kind="CHASER"))

    assert response.status_code == 400
    assert "Record the request for a return interview before a chaser" in text(response)


def test_the_log_of_an_episode_not_placed_by_another_authority_has_no_form(client, client_as):
    episode = EpisodeFactory()
    client_as("COORDINATOR")

    page = text(client.get(f"/authorities/ola/{episode.pk}/"))

    assert "no placing authority to notify" in page
    assert "Add to the log" not in page


def test_a_restricted_child_s_log_shows_only_that_it_is_restricted(client, client_as):
    episode = ola_episode(placed_child(given_name="Secret", restricted=True))
    client_as("COORDINATOR")

    response = client.get(f"/authorities/ola/{episode.pk}/")

    assert "Secret" not in text(response)
    post = client.post(f"/authorities/ola/{episode.pk}/", entry_form())
    assert not OlaNotification.objects.exists() and post.status_code != 302


@pytest.mark.parametrize("role", ["RHI_WORKER", "SOCIAL_WORKER", "EXPLOITATION_LEAD"])
def test_only_coordinators_record_notifications(client, role, client_as):
    episode = ola_episode()
    client_as(role)
    assert client.post(f"/authorities/ola/{episode.pk}/", entry_form()).status_code == 403
    assert not OlaNotification.objects.exists()


def test_the_log_page_runs_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, client_as
):
    episode = ola_episode()
    user = make_staff("COORDINATOR", username="writer")
    services.notify_placing_authority(
        user, episode, kind="INTERVIEW_REQUESTED", sent_at=FOUND + HOUR, method="EMAIL",
        version=0,
    )  # fmt: skip
    for n in range(30):
        services.send_chaser(
            user, episode, sent_at=FOUND + (n + 2) * HOUR, method="PHONE", version=n + 1
        )
    client_as("COORDINATOR")

    with django_assert_max_num_queries(20):
        page = text(client.get(f"/authorities/ola/{episode.pk}/"))

    assert len(table_rows(page, "log")) == 31


# The return interview worklist's OLA rows


def test_the_worklist_s_ola_rows_show_the_notification_status_and_link_to_the_log(
    client, client_as
):
    LocalAuthority.objects.create(code="344", name="Example Shire Council")
    waiting = ola_episode(episode_id="OLA-WAITING")
    OlaLog.objects.create(
        episode=waiting, version=1, request_epoch=int((NOW - 8 * DAY).timestamp())
    )
    answered = ola_episode(episode_id="OLA-ANSWERED")
    OlaLog.objects.create(episode=answered, version=2, response_epoch=int(NOW.timestamp()))
    client_as("COORDINATOR")

    page = text(client.get("/interviews/"))

    ola = page.split('id="placed-by-other-authorities"')[1]
    assert "OLA-WAITING" in ola and "Escalation due" in ola
    assert "Example Shire Council" in ola
    assert f'href="/authorities/ola/{waiting.pk}/"' in ola
    assert f"/interviews/{waiting.pk}/record/" not in page
    assert "OLA-ANSWERED" not in page


# The chronology


def test_the_chronology_has_police_notifications_allocations_and_ola_notifications():
    child = placed_child()
    episode = ola_episode(child, episode_id="POL-1")
    NotificationReference.objects.create(
        episode=episode, reference="POL-1", received_at=episode.started_at + HOUR
    )
    NotificationReference.objects.create(
        episode=episode, reference="POL-1-REPEAT", received_at=episode.started_at + 2 * HOUR
    )
    worker = make_staff("RHI_WORKER", username="worker", first_name="Wren", last_name="Example")
    Allocation.objects.create(
        episode=episode, worker=worker, organisation="Example Provider", allocated_at=FOUND + HOUR
    )
    services.notify_placing_authority(
        make_staff("COORDINATOR"), episode, kind="INTERVIEW_REQUESTED",
        sent_at=FOUND + 2 * HOUR, method="LETTER", version=0,
    )  # fmt: skip

    entries = {(entry.kind, entry.title, entry.detail) for entry in chronology(child)}

    assert (
        "police_notifications",
        "Police notification received",
        "Police reference POL-1",
    ) in entries
    assert (
        "police_notifications",
        "Repeat police notification merged",
        "Police reference POL-1-REPEAT, merged into episode POL-1",
    ) in entries
    assert (
        "allocations",
        "Return interview allocated",
        "For episode POL-1. To Wren Example, Example Provider",
    ) in entries
    assert (
        "ola",
        "Placing authority asked to arrange the return interview",
        "For episode POL-1. Placing authority 344. Letter",
    ) in entries
    only = chronology(child, kinds=["ola"])
    assert [entry.kind for entry in only] == ["ola"]
    before = chronology(child, kinds=["ola"], last=FOUND.date() - dt.timedelta(days=1))
    assert before == []


def test_the_child_page_offers_the_new_kinds_in_its_filter(client, client_as):
    child = placed_child()
    client_as("COORDINATOR")
    page = text(client.get(f"/children/{child.pk}/"))
    for label in (
        "Police notifications",
        "Return interview allocations",
        "Notifications to the placing authority",
    ):
        assert label in page


# Reference data


def test_an_administrator_adds_and_changes_an_authority(client, client_as):
    client_as("ADMINISTRATOR")

    response = client.post(
        "/authorities/add/",
        {"code": "344", "name": "Example Shire Council", "email": "team@example.org",
         "active": "on", "version": ""},
    )  # fmt: skip

    assert response.status_code == 302
    authority = LocalAuthority.objects.get(code="344")
    assert authority.active and authority.email == "team@example.org"
    assert "Example Shire Council" in text(client.get("/authorities/"))

    response = client.post(
        f"/authorities/{authority.pk}/",
        {"code": "344", "name": "Example Shire", "version": str(authority.version)},
    )
    assert response.status_code == 302
    authority.refresh_from_db()
    assert authority.name == "Example Shire" and not authority.active
    assert AuditEvent.objects.filter(action="authorities.localauthority.change").exists()


def test_the_authority_form_names_what_is_wrong(client, client_as):
    LocalAuthority.objects.create(code="344", name="Example Shire Council")
    client_as("ADMINISTRATOR")

    response = client.post(
        "/authorities/add/", {"code": "344", "name": "", "email": "not an address"}
    )

    page = text(response)
    assert response.status_code == 400
    assert "Another authority already has this DfE number" in page
    assert "Enter the authority&#39;s name" in page or "Enter the authority's name" in page
    assert "Enter an email address like name@example.org" in page


def test_a_stale_change_to_an_authority_is_refused_and_the_input_kept(client, client_as):
    authority = LocalAuthority.objects.create(code="344", name="Example Shire Council")
    client_as("ADMINISTRATOR")
    loaded = authority.version
    services.save_authority("someone", authority, version=loaded)

    response = client.post(
        f"/authorities/{authority.pk}/",
        {"code": "344", "name": "My new name", "version": str(loaded)},
    )

    assert response.status_code == 400
    page = text(response)
    assert "Someone else changed this authority" in page
    assert 'value="My new name"' in page
    assert LocalAuthority.objects.get(pk=authority.pk).name == "Example Shire Council"


def test_a_change_to_an_authority_without_its_version_is_refused(client, client_as):
    authority = LocalAuthority.objects.create(code="344", name="Example Shire Council")
    client_as("ADMINISTRATOR")

    response = client.post(f"/authorities/{authority.pk}/", {"code": "344", "name": "Changed"})

    assert response.status_code == 400
    assert "This page is out of date" in text(response)
    assert LocalAuthority.objects.get(pk=authority.pk).name == "Example Shire Council"


@pytest.mark.parametrize("role", ["COORDINATOR", "ANALYST"])
def test_only_administrators_manage_the_reference_data(client, role, client_as):
    client_as(role)
    assert client.get("/authorities/").status_code == 403
    assert client.post("/authorities/add/", {"code": "344", "name": "X"}).status_code == 403
    assert not LocalAuthority.objects.exists()


def test_a_time_in_the_hour_the_clocks_went_back_asks_which_of_the_two_it_was(client, client_as):
    from harbour.authorities.forms import EntryForm

    episode = ola_episode()
    client_as("COORDINATOR")
    repeated_hour = entry_form(
        occurred_day="29", occurred_month="10", occurred_year="2023", occurred_hour="1",
        occurred_minute="30",
    )  # fmt: skip

    response = client.post(f"/authorities/ola/{episode.pk}/", repeated_hour)

    page = text(response)
    assert response.status_code == 400
    assert 'href="#occurred_offset"' in page and 'id="occurred_offset"' in page
    assert not OlaNotification.objects.exists()
    answered = EntryForm(repeated_hour | {"occurred_offset": "+00:00"})
    assert answered.is_valid(), answered.errors
    assert answered.cleaned_data["occurred_at"] == dt.datetime(2023, 10, 29, 1, 30, tzinfo=UTC)


def test_the_list_is_paged_fifty_at_a_time_and_keeps_its_filters(client, client_as):
    child = placed_child()
    for number in range(51):
        ola_episode(child, episode_id=f"OLA-{number:03d}", found=FOUND - number * DAY)
    client_as("COORDINATOR")

    first = text(client.get("/authorities/ola/?status=ALL"))
    second = text(client.get("/authorities/ola/?status=ALL&page=2"))

    assert "Page 1 of 2" in first and 'href="?status=ALL&amp;page=2" rel="next"' in first
    assert '<option value="ALL" selected>' in first
    assert len(table_rows(first, "ola-episodes")) == 50
    assert len(table_rows(second, "ola-episodes")) == 1 and 'rel="prev"' in second
