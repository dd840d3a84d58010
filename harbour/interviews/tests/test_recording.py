"""Allocating and recording return interviews: the rules, the audit, conflicts, the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from harbour.audit.models import AuditEvent
from harbour.audit.services import unseal
from harbour.common.tests.factories import EpisodeFactory, make_staff
from harbour.common.time import UTC
from harbour.interviews import services
from harbour.interviews.models import Allocation, ReturnInterview

HOUR = dt.timedelta(hours=1)
ENDED = dt.datetime(2024, 3, 29, 12, 0, tzinfo=UTC)
NOW = dt.datetime(2024, 4, 2, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


@pytest.fixture
def coordinator(client_as) -> User:
    """The coordinator, signed in on the test client."""
    return client_as("COORDINATOR")


@pytest.fixture
def episode():
    return EpisodeFactory(started_at=ENDED - 5 * HOUR, ended_at=ENDED)


def accepted(**changes):
    values = {
        "outcome": "ACCEPTED",
        "offered_at": ENDED + HOUR,
        "completed_at": ENDED + 20 * HOUR,
        "method": "FACE_TO_FACE",
        "child_engaged": True,
        "advice_given": True,
        "reasons": ["FRIENDS", "PLACEMENT"],
        "risks": ["CCE"],
        "child_account": "Stayed at a friend's flat in town.",
        "not_required_reason": "",
        "onward_actions": "Told the social worker.",
        "version": 0,
    }
    return values | changes


def problems(coordinator, episode, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        services.record_interview(coordinator, episode, **accepted(**changes))
    assert not ReturnInterview.objects.exists()
    return raised.value.message_dict


# The rules (the interchange spec's, and a reason for "not required").


def test_an_offered_outcome_needs_the_date_offered(coordinator, episode):
    assert "offered_at" in problems(coordinator, episode, outcome="DECLINED", offered_at=None,
                                    completed_at=None)  # fmt: skip


def test_the_offer_is_not_before_the_child_returned(coordinator, episode):
    assert "offered_at" in problems(coordinator, episode, offered_at=ENDED - HOUR)


def test_a_date_of_interview_only_when_accepted(coordinator, episode):
    assert "completed_at" in problems(coordinator, episode, outcome="DECLINED")


def test_dates_are_not_in_the_future(coordinator, episode):
    assert "completed_at" in problems(coordinator, episode, completed_at=NOW + HOUR)
    assert "offered_at" in problems(coordinator, episode, offered_at=NOW + HOUR,
                                    completed_at=None)  # fmt: skip


def test_the_interview_is_not_before_the_offer(coordinator, episode):
    half_an_hour = dt.timedelta(minutes=30)
    assert "completed_at" in problems(coordinator, episode, completed_at=ENDED + half_an_hour)


def test_not_required_needs_a_reason(coordinator, episode):
    found = problems(
        coordinator, episode, outcome="NOT_REQUIRED", offered_at=None, completed_at=None
    )
    assert found == {"not_required_reason": ["Enter why a return interview is not required"]}


def test_not_required_with_a_reason_is_recorded(coordinator, episode):
    interview = services.record_interview(
        coordinator,
        episode,
        **accepted(
            outcome="NOT_REQUIRED",
            offered_at=None,
            completed_at=None,
            not_required_reason="Returned within the hour; seen by her social worker.",
        ),
    )
    assert interview.not_required_reason.startswith("Returned within the hour")


def test_unknown_codes_are_refused(coordinator, episode):
    assert "reasons" in problems(coordinator, episode, reasons=["BORED"])


def test_an_interview_is_recorded_with_sealed_audit_values(coordinator, episode):
    interview = services.record_interview(coordinator, episode, **accepted())

    assert interview.version == 1
    assert interview.reasons == ";FRIENDS;PLACEMENT;"
    event = AuditEvent.objects.get(action="interviews.returninterview.create")
    assert [subject.child_pk for subject in event.subjects.all()] == [episode.child_id]
    assert "friend's flat" not in str(event.details)
    assert "child_account" in event.details["fields"]
    sealed = unseal(event)
    assert sealed["changes"]["child_account"][1] == "Stayed at a friend's flat in town."


def test_a_stale_version_is_refused_and_nothing_is_written(coordinator, episode):
    services.record_interview(coordinator, episode, **accepted())

    with pytest.raises(services.Conflict) as raised:
        services.record_interview(coordinator, episode, **accepted(child_account="Other"))

    assert raised.value.current.child_account == "Stayed at a friend's flat in town."
    updated = services.record_interview(
        coordinator, episode, **accepted(child_account="Other", version=1)
    )
    assert updated.version == 2
    assert ReturnInterview.objects.get().child_account == "Other"


# Allocation.


def test_allocate_to_a_worker_or_an_organisation(coordinator, episode):
    worker = make_staff("RHI_WORKER", organisation="Catch22")

    allocation = services.allocate(coordinator, episode, worker=worker)
    assert (allocation.worker, allocation.organisation, allocation.allocated_by) == (
        worker,
        "",
        coordinator,
    )
    again = services.allocate(coordinator, episode, organisation=" Catch22 ", version=1)
    assert (again.worker, again.organisation, again.version) == (None, "Catch22", 2)
    assert AuditEvent.objects.filter(action__startswith="interviews.allocation.").count() == 2


def test_allocation_needs_someone_who_does_return_interviews(coordinator, episode):
    with pytest.raises(ValidationError):
        services.allocate(coordinator, episode)
    with pytest.raises(ValidationError):
        services.allocate(coordinator, episode, worker=make_staff("SOCIAL_WORKER"))
    assert not Allocation.objects.exists()


def test_a_stale_reallocation_is_refused(coordinator, episode):
    services.allocate(coordinator, episode, organisation="Catch22")
    with pytest.raises(services.Conflict):
        services.allocate(coordinator, episode, organisation="Barnardos", version=0)
    assert Allocation.objects.get().organisation == "Catch22"


# The pages.


def form(**changes) -> dict[str, str | list[str]]:
    values: dict[str, str | list[str]] = {
        "version": "0",
        "outcome": "ACCEPTED",
        "offered_at_day": "1",
        "offered_at_month": "4",
        "offered_at_year": "2024",
        "offered_at_hour": "10",
        "offered_at_minute": "30",
        "completed_at_day": "2",
        "completed_at_month": "4",
        "completed_at_year": "2024",
        "completed_at_hour": "09",
        "completed_at_minute": "00",
        "method": "PHONE",
        "child_engaged": "yes",
        "advice_given": "yes",
        "reasons": ["FRIENDS"],
        "risks": ["CSE", "ONLINE"],
        "child_account": "Went to see a boyfriend.",
        "onward_actions": "Strategy meeting requested.",
        "not_required_reason": "",
    }
    return values | changes


def test_the_record_page_saves_uk_times_and_the_answers(client, coordinator, episode):
    page = client.get(f"/interviews/{episode.pk}/record/").content.decode()
    assert "Child sexual exploitation" in page  # risks by their labels
    assert 'data-aria-controls="conditional-outcome' in page

    response = client.post(f"/interviews/{episode.pk}/record/", form())

    assert response.status_code == 302
    interview = ReturnInterview.objects.get()
    assert interview.offered_at == dt.datetime(2024, 4, 1, 9, 30, tzinfo=UTC)  # BST
    assert interview.completed_at == dt.datetime(2024, 4, 2, 8, 0, tzinfo=UTC)
    assert (interview.method, interview.child_engaged, interview.risks) == (
        "PHONE",
        True,
        ";CSE;ONLINE;",
    )
    assert AuditEvent.objects.filter(action="interviews.interview_viewed").count() == 1


def test_the_record_page_shows_errors_by_the_fields_and_keeps_the_answers(
    client, coordinator, episode
):
    response = client.post(
        f"/interviews/{episode.pk}/record/",
        form(outcome="NOT_REQUIRED", offered_at_day="", offered_at_month="",
             offered_at_year="", offered_at_hour="", offered_at_minute=""),
    )  # fmt: skip

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert '<a href="#not_required_reason">Enter why a return interview is not required</a>' in page
    assert 'id="not_required_reason-error"' in page
    assert "Went to see a boyfriend." in page
    assert "<title>Error: " in page
    assert not ReturnInterview.objects.exists()


def test_a_time_that_did_not_happen_in_the_uk_is_refused(client, coordinator, episode):
    response = client.post(
        f"/interviews/{episode.pk}/record/",
        form(offered_at_day="31", offered_at_month="3", offered_at_hour="1"),
    )

    assert response.status_code == 400
    assert "clocks went forward" in response.content.decode()
    assert 'href="#offered_at-hour"' in response.content.decode()


def test_an_incomplete_date_says_what_is_missing(client, coordinator, episode):
    response = client.post(f"/interviews/{episode.pk}/record/", form(offered_at_month=""))
    assert "Date offered must include a month" in response.content.decode()


def test_a_stale_form_shows_the_conflict_and_keeps_what_was_entered(client, coordinator, episode):
    services.record_interview(coordinator, episode, **_stored())

    response = client.post(f"/interviews/{episode.pk}/record/", form())

    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else changed this record" in page
    assert "What is recorded now" in page
    assert "Already recorded account." in page  # what is stored
    assert "Went to see a boyfriend." in page  # what they entered
    assert 'name="version" value="1"' in page
    assert ReturnInterview.objects.get().child_account == "Already recorded account."


def _stored():
    return accepted(child_account="Already recorded account.")


def test_a_coordinator_allocates_on_the_page(client, coordinator, episode):
    worker = make_staff("RHI_WORKER", organisation="Catch22")
    assert "Not allocated yet" in client.get(f"/interviews/{episode.pk}/allocate/").content.decode()

    response = client.post(
        f"/interviews/{episode.pk}/allocate/",
        {"worker": worker.pk, "organisation": "", "version": "0"},
    )

    assert response.status_code == 302
    assert Allocation.objects.get().worker == worker
    stale = client.post(
        f"/interviews/{episode.pk}/allocate/",
        {"worker": "", "organisation": "Catch22", "version": "0"},
    )
    assert stale.status_code == 400
    assert "Someone else changed this record" in stale.content.decode()
    empty = client.post(
        f"/interviews/{episode.pk}/allocate/", {"worker": "", "organisation": "", "version": "1"}
    )
    assert "Choose a worker or an organisation" in empty.content.decode()


def test_an_interview_time_in_the_hour_that_happened_twice_is_asked_about_not_guessed():
    from harbour.interviews.forms import local_instant

    parts = {"day": "27", "month": "10", "year": "2019", "hour": "1", "minute": "30"}
    instant, error, part = local_instant(parts, "When it happened")
    assert instant is None and part == "offset"
    assert "happened twice" in error
    first, _error, _part = local_instant(parts | {"offset": "+01:00"}, "When it happened")
    second, _error, _part = local_instant(parts | {"offset": "+00:00"}, "When it happened")
    assert first == dt.datetime(2019, 10, 27, 0, 30, tzinfo=UTC)
    assert second == dt.datetime(2019, 10, 27, 1, 30, tzinfo=UTC)
    skipped = local_instant(parts | {"month": "3", "day": "31"}, "When it happened")
    assert skipped[0] is None and "clocks went forward" in skipped[1]


def test_interview_completed_in_the_repeated_hour_is_saved_as_the_time_chosen(client, coordinator):
    episode = EpisodeFactory(
        started_at=dt.datetime(2023, 10, 27, 20, tzinfo=UTC),
        ended_at=dt.datetime(2023, 10, 28, 2, tzinfo=UTC),
    )
    repeated_hour = form(
        offered_at_day="28", offered_at_month="10", offered_at_year="2023",
        completed_at_day="29", completed_at_month="10", completed_at_year="2023",
        completed_at_hour="1", completed_at_minute="30",
    )  # fmt: skip

    asked = client.post(f"/interviews/{episode.pk}/record/", repeated_hour)

    page = asked.content.decode()
    assert asked.status_code == 400
    assert 'href="#completed_at-offset"' in page and 'id="completed_at-offset"' in page
    assert page.count("1:30 happened twice") == 2  # the error summary and the question
    assert not ReturnInterview.objects.exists()

    answered = client.post(
        f"/interviews/{episode.pk}/record/", repeated_hour | {"completed_at_offset": "+00:00"}
    )

    assert answered.status_code == 302
    assert ReturnInterview.objects.get().completed_at == dt.datetime(
        2023, 10, 29, 1, 30, tzinfo=UTC
    )
