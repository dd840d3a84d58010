"""Closing a task as not needed, cancelling a meeting, scheduling one and recording its
minutes and attendance; planned meetings from long ago are not "planned" (issue 10)."""

import datetime as dt

import pytest

from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, MeetingFactory
from harbour.common.time import UTC
from harbour.meetings import services, triggers
from harbour.meetings.models import Meeting, MeetingTask, TaskClosure

T0 = dt.datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
NOW = dt.datetime(2024, 3, 20, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


@pytest.fixture
def coordinator(client_as):
    return client_as("COORDINATOR")


def long_task() -> MeetingTask:
    child = ChildFactory.create(given_name="Ada", family_name="Brook")
    EpisodeFactory(child=child, started_at=T0, ended_at=T0 + dt.timedelta(hours=80))
    (task,) = triggers.evaluate("test", child, NOW)
    return task


def requested(task: MeetingTask) -> Meeting:
    return services.request_meeting(
        "test", task, requested_on=dt.date(2024, 3, 15), version=task.version
    )


def test_a_task_is_closed_as_not_needed_with_the_reason_and_audited(client, coordinator):
    task = long_task()

    response = client.post(
        f"/meetings/tasks/{task.pk}/close/",
        {"reason": "Already discussed at the MACE panel", "version": task.version},
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.closed_because == TaskClosure.NOT_NEEDED
    assert task.closed_reason == "Already discussed at the MACE panel"
    event = AuditEvent.objects.get(action="meetings.task_closed_not_needed")
    assert "MACE" not in str(event.details)  # the reason is sealed
    body = client.get(f"/meetings/tasks/{task.pk}/").content.decode()
    assert "Closed as not needed" in body and "Already discussed at the MACE panel" in body
    assert f"/meetings/tasks/{task.pk}/" not in client.get("/meetings/").content.decode()


def test_closing_a_task_needs_a_reason(client, coordinator):
    task = long_task()

    response = client.post(f"/meetings/tasks/{task.pk}/close/", {"reason": " ", "version": 1})

    body = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#reason">Enter why a meeting is not needed</a>' in body
    task.refresh_from_db()
    assert task.is_open


def test_a_stale_close_is_refused_and_the_reason_kept(client, coordinator):
    task = long_task()
    MeetingTask.objects.filter(pk=task.pk).update(version=7)

    response = client.post(
        f"/meetings/tasks/{task.pk}/close/", {"reason": "Not needed", "version": 1}
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "Someone else changed this task" in body and "Not needed" in body
    assert MeetingTask.objects.get(pk=task.pk).is_open


def test_a_cancelled_meeting_releases_its_task_to_be_requested_again(client, coordinator):
    task = long_task()
    meeting = requested(task)

    response = client.post(
        f"/meetings/{meeting.pk}/cancel/",
        {"reason": "Child moved out of area", "version": meeting.version},
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    task.refresh_from_db()
    assert meeting.cancelled_at is not None and meeting.cancel_reason == "Child moved out of area"
    assert task.is_open and task.meeting is None
    assert AuditEvent.objects.filter(action="meetings.meeting_cancelled").count() == 1
    listing = client.get("/meetings/").content.decode()
    assert meeting.meeting_id not in listing and f"/meetings/tasks/{task.pk}/" in listing
    # Requested again, the new meeting gets an id of its own.
    again = services.request_meeting(
        "test", task, requested_on=dt.date(2024, 3, 19), version=task.version
    )
    assert again.meeting_id == f"{meeting.meeting_id}-2"


def test_a_cancelled_meeting_cannot_be_recorded_as_held(coordinator):
    meeting = requested(long_task())
    meeting = services.cancel_meeting("test", meeting, reason="No", version=meeting.version)

    with pytest.raises(Exception, match="cancelled"):
        services.record_held(
            "test",
            meeting,
            held_on=dt.date(2024, 3, 18),
            attendees=["POLICE"],
            outcome="x",
            version=meeting.version,
        )


def test_a_meeting_is_scheduled_with_date_time_venue_chair_and_invitees(client, coordinator):
    meeting = requested(long_task())

    response = client.post(
        f"/meetings/{meeting.pk}/schedule/",
        {
            "scheduled_on-day": "2",
            "scheduled_on-month": "4",
            "scheduled_on-year": "2024",
            "time": "14:30",
            "venue": "Room 4, Town Hall",
            "chair": "J. Smith, team manager",
            "invitees": "Police\nSchool nurse",
            "version": meeting.version,
        },
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    # 2 April 2024 14:30 in London is British Summer Time: 13:30 UTC.
    assert meeting.scheduled_at == dt.datetime(2024, 4, 2, 13, 30, tzinfo=UTC)
    assert (meeting.venue, meeting.chair) == ("Room 4, Town Hall", "J. Smith, team manager")
    body = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Room 4, Town Hall" in body and "2 April 2024 at 2:30pm" in body
    event = AuditEvent.objects.get(action="meetings.meeting_scheduled")
    assert "Town Hall" not in str(event.details)


def test_a_schedule_before_the_request_or_with_no_time_is_refused_on_its_fields(
    client, coordinator
):
    meeting = requested(long_task())
    fields = {
        "scheduled_on-day": "1",
        "scheduled_on-month": "3",
        "scheduled_on-year": "2024",
        "time": "",
        "venue": "Town Hall",
        "chair": "J. Smith",
        "invitees": "Police",
        "version": meeting.version,
    }

    body = client.post(f"/meetings/{meeting.pk}/schedule/", fields).content.decode()
    assert '<a href="#time">Enter the time of the meeting</a>' in body

    fields["time"] = "10:00"
    response = client.post(f"/meetings/{meeting.pk}/schedule/", fields)
    body = response.content.decode()
    assert response.status_code == 400
    assert (
        '<a href="#scheduled_on-day">The date of the meeting must be the same as or after '
        "the date it was requested</a>" in body
    )
    assert Meeting.objects.get(pk=meeting.pk).scheduled_at is None


def test_minutes_and_people_attending_are_recorded_and_sealed_in_the_audit(client, coordinator):
    meeting = requested(long_task())

    response = client.post(
        f"/meetings/{meeting.pk}/",
        {
            "form": "held",
            "version": meeting.version,
            "held_on-day": "18",
            "held_on-month": "3",
            "held_on-year": "2024",
            "attendees": ["POLICE"],
            "attended_by": "PC Jones, police",
            "minutes": "Discussed the safety plan.",
            "outcome": "Plan agreed.",
        },
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Discussed the safety plan."
    assert meeting.attended_by == "PC Jones, police"
    event = AuditEvent.objects.get(action="meetings.meeting_held")
    assert "safety plan" not in str(event.details) and "minutes" in event.details["fields"]


def test_a_meeting_requested_long_ago_and_never_recorded_is_listed_as_lapsed(client, coordinator):
    old = MeetingFactory(requested_on=dt.date(2019, 5, 10))
    recent = MeetingFactory(requested_on=dt.date(2024, 3, 10))

    body = client.get("/meetings/").content.decode()

    planned = body[body.index('id="planned"') : body.index('id="lapsed"')]
    lapsed = body[body.index('id="lapsed"') :]
    assert recent.meeting_id in planned and old.meeting_id not in planned
    assert old.meeting_id in lapsed


def test_the_task_page_shows_its_steps_as_a_task_list_and_links_to_the_child(client, coordinator):
    task = long_task()

    body = client.get(f"/meetings/tasks/{task.pk}/").content.decode()

    assert 'class="govuk-task-list"' in body
    assert "Cannot start yet" in body
    assert f'href="/children/{task.child_id}/"' in body
    assert f'href="/meetings/tasks/{task.pk}/close/"' in body


def test_long_text_has_a_character_count_and_a_gov_uk_message_when_too_long(client, coordinator):
    task = long_task()

    page = client.get(f"/meetings/tasks/{task.pk}/close/").content.decode()
    assert 'data-module="govuk-character-count" data-maxlength="2000"' in page
    assert "You can enter up to 2,000 characters" in page

    response = client.post(
        f"/meetings/tasks/{task.pk}/close/", {"reason": "x" * 2001, "version": task.version}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The reason must be 2,000 characters or fewer" in body
    assert "Ensure this value" not in body


def test_an_action_too_long_is_refused_in_gov_uk_words(client, coordinator):
    meeting = requested(long_task())

    body = client.post(
        f"/meetings/{meeting.pk}/",
        {"form": "action", "description": "x" * 2001, "owner": "y" * 201},
    ).content.decode()

    assert "What is to be done must be 2,000 characters or fewer" in body
    assert "Who owns it must be 200 characters or fewer" in body
    assert "Ensure this value" not in body


def test_a_cancelled_meeting_is_in_the_childs_chronology_with_the_reason():
    from harbour.casework.chronology import chronology

    meeting = requested(long_task())
    services.cancel_meeting("test", meeting, reason="Child moved away", version=meeting.version)

    titles = {entry.title: entry.detail for entry in chronology(meeting.child)}

    assert "Multi-agency missing meeting cancelled" in titles
    assert "Child moved away" in titles["Multi-agency missing meeting cancelled"]


def test_free_text_keeps_its_lines_and_is_escaped_on_the_meeting_page(client, coordinator):
    meeting = requested(long_task())
    Meeting.objects.filter(pk=meeting.pk).update(
        attended_by="PC Dana Hill\nSam <b>Okafor</b>", invitees="Police\nSchool"
    )

    body = client.get(f"/meetings/{meeting.pk}/").content.decode()

    assert "PC Dana Hill<br>Sam &lt;b&gt;Okafor&lt;/b&gt;" in body
    assert "Police<br>School" in body
