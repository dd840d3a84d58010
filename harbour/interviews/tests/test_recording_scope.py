"""Who may record a return interview: a coordinator any episode they may see, a return
interview worker only the episodes allocated to them or to their organisation (not every
episode of a child they can open). The page and the service both hold the rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, make_staff
from harbour.common.time import UTC
from harbour.interviews import services
from harbour.interviews.models import ReturnInterview

HOUR = dt.timedelta(hours=1)
ENDED = dt.datetime(2024, 3, 29, 12, 0, tzinfo=UTC)
NOW = dt.datetime(2024, 4, 2, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


def accepted(**changes) -> dict:
    values = {
        "outcome": "ACCEPTED",
        "offered_at": ENDED + HOUR,
        "completed_at": ENDED + 20 * HOUR,
        "child_account": "Stayed with a cousin.",
        "version": 0,
    }
    return values | changes


def page_form(**changes) -> dict[str, str]:
    values = {
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
        "child_account": "Overwritten by someone not allocated.",
    }
    return values | changes


@pytest.fixture
def coordinator() -> User:
    return make_staff("COORDINATOR")


@pytest.fixture
def worker(client_as) -> User:
    """A Catch22 return interview worker, signed in on the test client."""
    return client_as("RHI_WORKER", organisation="Catch22")


@pytest.fixture
def child_with_two_episodes(coordinator, worker):
    """One child, two episodes: the first allocated to the worker, the second to another
    worker, with its interview already recorded."""
    child = ChildFactory()
    mine = EpisodeFactory(child=child, started_at=ENDED - 30 * HOUR, ended_at=ENDED - 25 * HOUR)
    theirs = EpisodeFactory(child=child, started_at=ENDED - 5 * HOUR, ended_at=ENDED)
    services.allocate(coordinator, mine, worker=worker)
    services.allocate(
        coordinator, theirs, worker=make_staff("RHI_WORKER", organisation="Barnardos")
    )
    services.record_interview(coordinator, theirs, **accepted(child_account="Recorded first."))
    return mine, theirs


def test_a_worker_cannot_overwrite_the_interview_of_an_episode_not_allocated_to_them(
    client, worker, child_with_two_episodes
):
    _mine, theirs = child_with_two_episodes
    assert client.get(f"/children/{theirs.child_id}/").status_code == 200  # they see the child

    posted = client.post(f"/interviews/{theirs.pk}/record/", page_form(version="1"))
    opened = client.get(f"/interviews/{theirs.pk}/record/")

    assert (posted.status_code, opened.status_code) == (403, 403)
    interview = ReturnInterview.objects.get(episode=theirs)
    assert (interview.child_account, interview.version) == ("Recorded first.", 1)
    assert not AuditEvent.objects.filter(action="interviews.returninterview.update").exists()


def test_a_worker_cannot_record_a_first_interview_for_an_unallocated_episode_of_their_child(
    client, worker, child_with_two_episodes
):
    mine, _theirs = child_with_two_episodes
    unallocated = EpisodeFactory(
        child=mine.child, started_at=ENDED - 60 * HOUR, ended_at=ENDED - 55 * HOUR
    )

    response = client.post(f"/interviews/{unallocated.pk}/record/", page_form())

    assert response.status_code == 403
    assert not ReturnInterview.objects.filter(episode=unallocated).exists()


def test_a_worker_records_the_interview_allocated_to_them(client, worker, child_with_two_episodes):
    mine, _theirs = child_with_two_episodes

    response = client.post(f"/interviews/{mine.pk}/record/", page_form())

    assert response.status_code == 302
    assert ReturnInterview.objects.get(episode=mine).child_account.startswith("Overwritten")


def test_a_worker_records_an_interview_allocated_to_their_organisation(client, coordinator, worker):
    episode = EpisodeFactory(started_at=ENDED - 5 * HOUR, ended_at=ENDED)
    services.allocate(coordinator, episode, organisation="Catch22")

    response = client.post(f"/interviews/{episode.pk}/record/", page_form())

    assert response.status_code == 302
    assert ReturnInterview.objects.get(episode=episode).child_account.startswith("Overwritten")


def test_a_worker_of_another_organisation_is_refused(client, client_as, coordinator):
    episode = EpisodeFactory(started_at=ENDED - 5 * HOUR, ended_at=ENDED)
    services.allocate(coordinator, episode, organisation="Catch22")
    client_as("RHI_WORKER", organisation="Barnardos")

    response = client.post(f"/interviews/{episode.pk}/record/", page_form())

    assert response.status_code == 403
    assert not ReturnInterview.objects.exists()


def test_the_service_refuses_a_worker_an_episode_not_allocated_to_them(
    worker, child_with_two_episodes
):
    _mine, theirs = child_with_two_episodes
    events_before = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        services.record_interview(worker, theirs, **accepted(child_account="Mine now", version=1))

    interview = ReturnInterview.objects.get(episode=theirs)
    assert (interview.child_account, interview.version) == ("Recorded first.", 1)
    assert AuditEvent.objects.count() == events_before


def test_the_service_lets_a_worker_record_the_episode_allocated_to_them(
    worker, child_with_two_episodes
):
    mine, _theirs = child_with_two_episodes

    interview = services.record_interview(worker, mine, **accepted())

    assert interview.episode == mine


def test_the_service_refuses_someone_without_a_role_that_records_interviews(
    child_with_two_episodes,
):
    mine, _theirs = child_with_two_episodes

    with pytest.raises(PermissionDenied):
        services.record_interview(make_staff("SOCIAL_WORKER"), mine, **accepted())

    assert not ReturnInterview.objects.filter(episode=mine).exists()


def test_the_service_refuses_a_restricted_child_to_a_coordinator_not_on_its_list(coordinator):
    episode = EpisodeFactory(
        child=ChildFactory(restricted=True), started_at=ENDED - 5 * HOUR, ended_at=ENDED
    )

    with pytest.raises(PermissionDenied):
        services.record_interview(coordinator, episode, **accepted())

    assert not ReturnInterview.objects.exists()


def test_a_coordinator_records_any_episode_whoever_it_is_allocated_to(
    client, coordinator, child_with_two_episodes
):
    mine, _theirs = child_with_two_episodes
    client.force_login(coordinator)

    response = client.post(f"/interviews/{mine.pk}/record/", page_form())

    assert response.status_code == 302
    assert ReturnInterview.objects.filter(episode=mine).exists()
