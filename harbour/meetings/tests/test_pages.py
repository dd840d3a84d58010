"""The meetings pages: tasks needing a meeting, a task, a meeting."""

import datetime as dt

import pytest

from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, MeetingFactory
from harbour.common.time import UTC
from harbour.meetings import services, triggers
from harbour.meetings.models import Meeting, MeetingAction, MeetingTask

T0 = dt.datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
NOW = dt.datetime(2024, 3, 20, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


def long_task(**child_fields) -> MeetingTask:
    child = ChildFactory.create(**child_fields)
    EpisodeFactory(child=child, started_at=T0, ended_at=T0 + dt.timedelta(hours=80))
    (task,) = triggers.evaluate("test", child, NOW)
    return task


def page(response) -> str:
    return response.content.decode()


def test_the_list_shows_each_task_with_its_trigger_in_words_and_whether_it_is_overdue(
    client, client_as
):
    client_as("COORDINATOR")
    task = long_task(given_name="Ada", family_name="Brook")  # due 11 March: overdue
    planned = MeetingFactory(requested_on=dt.date(2024, 3, 18), trigger="REPEAT_MISSING")

    body = page(client.get("/meetings/"))

    assert "Ada Brook" in body
    assert "Missing more than 72 hours" in body
    assert "11 March 2024" in body
    assert "Overdue" in body
    assert f"/meetings/tasks/{task.pk}/" in body
    assert planned.meeting_id in body and "Third missing episode within 90 days" in body
    event = AuditEvent.objects.get(action="meetings.worklist_viewed")
    assert sorted(event.subjects.values_list("child_pk", flat=True)) == sorted(
        [task.child_id, planned.child_id]
    )


def test_a_task_not_yet_due_is_not_overdue(client, client_as):
    client_as("EXPLOITATION_LEAD")
    task = long_task()
    task.due_on = dt.date(2024, 3, 25)
    task.save()
    body = page(client.get("/meetings/"))
    assert "25 March 2024" in body and "Overdue" not in body


def test_the_list_hides_restricted_children_the_user_is_not_listed_on(client, client_as):
    client_as("COORDINATOR")
    long_task(given_name="Hidden", restricted=True)
    body = page(client.get("/meetings/"))
    assert "Hidden" not in body


@pytest.mark.parametrize("role", ["RHI_WORKER", "SOCIAL_WORKER", "ANALYST", "AUDITOR"])
def test_roles_without_meetings_are_refused(client, role, client_as):
    task = long_task()
    client_as(role)
    for path in ("/meetings/", f"/meetings/tasks/{task.pk}/", "/meetings/999999/"):
        assert client.get(path).status_code == 403


def test_a_missing_task_or_meeting_is_not_found_for_those_allowed(client, client_as):
    client_as("COORDINATOR")
    assert client.get("/meetings/tasks/999999/").status_code == 404
    assert client.get("/meetings/999999/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/meetings/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_the_list_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries, client_as):
    client_as("COORDINATOR")
    for _ in range(15):
        long_task()
        MeetingFactory()
    with django_assert_max_num_queries(18):
        response = client.get("/meetings/")
    assert page(response).count("Missing more than 72 hours") >= 15


def test_the_task_page_shows_the_episodes_and_is_audited(client, client_as):
    client_as("COORDINATOR")
    task = long_task()
    episode = task.episodes.get()

    body = page(client.get(f"/meetings/tasks/{task.pk}/"))

    assert episode.episode_id in body
    assert "3 days 8 hours" in body  # 80 hours missing, in days and hours
    assert "Request the meeting" in body
    assert AuditEvent.objects.filter(action="meetings.task_viewed", object_id=str(task.pk))


def test_a_restricted_childs_task_shows_only_that_it_is_restricted(client, client_as):
    client_as("COORDINATOR")
    task = long_task(given_name="Secret", restricted=True)
    response = client.get(f"/meetings/tasks/{task.pk}/")
    assert response.status_code == 403
    assert "Secret" not in page(response)
    assert AuditEvent.objects.filter(action="children.restricted_refused").exists()


def test_requesting_the_meeting_creates_it_and_links_the_task(client, client_as):
    user = client_as("COORDINATOR")
    task = long_task()

    response = client.post(
        f"/meetings/tasks/{task.pk}/",
        {
            "version": 1,
            "requested_on-day": "18",
            "requested_on-month": "3",
            "requested_on-year": "2024",
        },
    )

    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert meeting.kind == "MISSING_MAM" and meeting.trigger == "LONG_MISSING"
    assert meeting.requested_on == dt.date(2024, 3, 18)
    task.refresh_from_db()
    assert task.meeting == meeting and task.version == 2
    event = AuditEvent.objects.get(action="meetings.meeting_requested")
    assert event.actor == user
    assert list(event.subjects.values_list("child_pk", flat=True)) == [task.child_id]
    # The task now waits on its meeting, listed with the planned meetings.
    body = page(client.get("/meetings/"))
    assert f"/meetings/tasks/{task.pk}/" not in body and meeting.meeting_id in body


def test_an_incomplete_date_is_refused_with_the_entry_kept(client, client_as):
    client_as("COORDINATOR")
    task = long_task()

    response = client.post(
        f"/meetings/tasks/{task.pk}/",
        {
            "version": 1,
            "requested_on-day": "18",
            "requested_on-month": "",
            "requested_on-year": "2024",
        },
    )

    body = page(response)
    assert response.status_code == 400
    assert "There is a problem" in body and "Error: " in body
    assert "must include a month" in body
    assert 'href="#requested_on-day"' in body
    assert 'value="18"' in body
    assert not Meeting.objects.exists()


def test_a_date_in_the_future_is_refused(client, client_as):
    client_as("COORDINATOR")
    task = long_task()
    response = client.post(
        f"/meetings/tasks/{task.pk}/",
        {
            "version": 1,
            "requested_on-day": "1",
            "requested_on-month": "4",
            "requested_on-year": "2024",
        },
    )
    assert response.status_code == 400
    assert "must be today or in the past" in page(response)


def test_a_stale_request_is_refused_as_a_conflict(client, client_as):
    client_as("COORDINATOR")
    task = long_task()
    MeetingTask.objects.filter(pk=task.pk).update(version=2)  # someone else's change

    response = client.post(
        f"/meetings/tasks/{task.pk}/",
        {
            "version": 1,
            "requested_on-day": "18",
            "requested_on-month": "3",
            "requested_on-year": "2024",
        },
    )

    body = page(response)
    assert response.status_code == 400
    assert "Someone else changed this task" in body
    assert 'value="18"' in body and 'name="version" value="2"' in body
    assert not Meeting.objects.exists()


def meeting_for(task: MeetingTask) -> Meeting:
    return services.request_meeting("test", task, requested_on=dt.date(2024, 3, 12), version=1)


def test_recording_the_meeting_held_keeps_agencies_and_outcome_and_closes_the_task(
    client, client_as
):
    client_as("EXPLOITATION_LEAD")
    task = long_task()
    meeting = meeting_for(task)
    assert "Police" in page(client.get(f"/meetings/{meeting.pk}/"))

    response = client.post(
        f"/meetings/{meeting.pk}/",
        {
            "form": "held",
            "version": 1,
            "held_on-day": "15",
            "held_on-month": "3",
            "held_on-year": "2024",
            "attendees": ["POLICE", "HEALTH", "SOCIAL_CARE"],
            "outcome": "Safety plan agreed.",
        },
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.held_on == dt.date(2024, 3, 15)
    assert meeting.attendees == ";POLICE;SOCIAL_CARE;HEALTH;"
    assert meeting.outcome == "Safety plan agreed."
    assert meeting.version == 2
    task.refresh_from_db()
    assert task.closed_at is not None
    body = page(client.get(f"/meetings/{meeting.pk}/"))
    assert "15 March 2024" in body and "Police, Social care, Health" in body
    assert AuditEvent.objects.filter(action="meetings.meeting_held").count() == 1


def test_a_held_date_before_the_request_or_no_agencies_is_refused(client, client_as):
    client_as("COORDINATOR")
    meeting = meeting_for(long_task())

    response = client.post(
        f"/meetings/{meeting.pk}/",
        {
            "form": "held",
            "version": 1,
            "held_on-day": "10",
            "held_on-month": "3",
            "held_on-year": "2024",
            "outcome": "Notes",
        },
    )

    body = page(response)
    assert response.status_code == 400
    assert "Select the agencies that attended the meeting" in body
    assert "Notes" in body


def test_a_stale_record_of_the_meeting_is_refused_and_the_entry_kept(client, client_as):
    client_as("COORDINATOR")
    meeting = meeting_for(long_task())
    Meeting.objects.filter(pk=meeting.pk).update(version=5, outcome="Someone else's outcome")

    response = client.post(
        f"/meetings/{meeting.pk}/",
        {
            "form": "held",
            "version": 1,
            "held_on-day": "15",
            "held_on-month": "3",
            "held_on-year": "2024",
            "attendees": ["POLICE"],
            "outcome": "My outcome",
        },
    )

    body = page(response)
    assert response.status_code == 400
    assert "Someone else changed this meeting" in body
    assert "My outcome" in body and "Someone else&#39;s outcome" in body
    meeting.refresh_from_db()
    assert meeting.outcome == "Someone else's outcome" and meeting.held_on is None


def test_actions_are_added_with_an_owner_and_marked_done(client, client_as):
    client_as("COORDINATOR")
    meeting = meeting_for(long_task())

    response = client.post(
        f"/meetings/{meeting.pk}/",
        {
            "form": "action",
            "description": "Visit the placement",
            "owner": "Police",
            "due_on-day": "22",
            "due_on-month": "3",
            "due_on-year": "2024",
        },
    )
    assert response.status_code == 302
    action = MeetingAction.objects.get()
    assert (action.owner, action.due_on) == ("Police", dt.date(2024, 3, 22))
    body = page(client.get(f"/meetings/{meeting.pk}/"))
    assert "Visit the placement" in body and "22 March 2024" in body

    response = client.post(
        f"/meetings/{meeting.pk}/", {"form": "done", "action": action.pk, "version": 1}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == dt.date(2024, 3, 20)
    assert AuditEvent.objects.filter(action="meetings.action_added").count() == 1
    assert AuditEvent.objects.filter(action="meetings.action_done").count() == 1

    # Marking it done again, from a page loaded before, is refused.
    response = client.post(
        f"/meetings/{meeting.pk}/", {"form": "done", "action": action.pk, "version": 1}
    )
    assert response.status_code == 400
    assert "Someone else changed this action" in page(response)


def test_an_action_needs_a_description_and_an_owner(client, client_as):
    client_as("COORDINATOR")
    meeting = meeting_for(long_task())
    response = client.post(
        f"/meetings/{meeting.pk}/", {"form": "action", "description": "", "owner": ""}
    )
    body = page(response)
    assert response.status_code == 400
    assert "Enter what is to be done" in body
    assert "Enter who owns the action" in body
    assert not MeetingAction.objects.exists()


def test_the_meeting_page_takes_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, client_as
):
    client_as("COORDINATOR")
    meeting = meeting_for(long_task())
    for number in range(10):
        services.add_action(
            "test", meeting, description=f"Action {number}", owner="Police", due_on=None
        )
    with django_assert_max_num_queries(20):
        response = client.get(f"/meetings/{meeting.pk}/")
    assert "Action 9" in page(response)
