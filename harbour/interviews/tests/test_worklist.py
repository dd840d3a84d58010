"""The return interview worklist: the 72-hour clock, statuses, filters, scope, OLA rows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from harbour.accounts.permissions import visible_children
from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    ReturnInterviewFactory,
    make_staff,
)
from harbour.common.time import UTC
from harbour.interviews import queries, services
from harbour.missing.models import Episode

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def coordinator(client_as) -> User:
    """The coordinator, signed in on the test client."""
    return client_as("COORDINATOR")


def returned(at: dt.datetime, **fields) -> Episode:
    return EpisodeFactory.create(started_at=at - 5 * HOUR, ended_at=at, **fields)


def row(episode: Episode, now: dt.datetime) -> Episode:
    from harbour.children.models import Child

    return queries.worklist(Child.objects.all(), now).get(pk=episode.pk)


# The 72-hour clock: elapsed time, across the clock changes.


def test_the_interview_is_due_72_elapsed_hours_after_return_across_the_autumn_change():
    # Returned at noon BST on Saturday 28 October 2023; the clocks went back on the 29th.
    episode = returned(dt.datetime(2023, 10, 28, 11, 0, tzinfo=UTC))
    due = dt.datetime(2023, 10, 31, 11, 0, tzinfo=UTC)  # 11am GMT, not noon

    assert row(episode, due).due_epoch == int(due.timestamp())
    assert row(episode, due - dt.timedelta(seconds=1)).seconds_left == 1
    assert row(episode, due).status == "TO_ALLOCATE"
    assert row(episode, due + dt.timedelta(seconds=1)).status == "OVERDUE"


def test_the_interview_is_due_72_elapsed_hours_after_return_across_the_spring_change():
    # Returned at noon GMT on Friday 29 March 2024; the clocks went forward on the 31st.
    episode = returned(dt.datetime(2024, 3, 29, 12, 0, tzinfo=UTC))
    due = dt.datetime(2024, 4, 1, 12, 0, tzinfo=UTC)  # 1pm BST, not noon

    assert row(episode, due).seconds_left == 0
    assert row(episode, due).status == "TO_ALLOCATE"
    assert row(episode, due + dt.timedelta(seconds=1)).seconds_left == -1
    assert row(episode, due + dt.timedelta(seconds=1)).status == "OVERDUE"


def test_the_page_shows_the_due_time_in_uk_time_across_the_clock_changes(client, coordinator):
    returned(dt.datetime(2023, 10, 28, 11, 0, tzinfo=UTC), episode_id="AUTUMN")
    returned(dt.datetime(2024, 3, 29, 12, 0, tzinfo=UTC), episode_id="SPRING")

    with time_machine.travel(dt.datetime(2024, 4, 1, 0, 0, tzinfo=UTC), tick=False):
        page = client.get("/interviews/?status=ALL").content.decode()

    assert "28 October 2023 at midday" in page  # returned, BST
    assert "31 October 2023 at 11am" in page  # due, GMT
    assert "1 April 2024 at 1pm" in page  # due, BST


def test_an_interview_completed_exactly_72_hours_after_return_is_on_time(client, coordinator):
    on_time = returned(dt.datetime(2024, 1, 10, 9, 0, tzinfo=UTC), episode_id="ON-TIME")
    late = returned(dt.datetime(2024, 1, 10, 9, 0, tzinfo=UTC), episode_id="LATE")
    for episode, after in ((on_time, 72 * HOUR), (late, 72 * HOUR + dt.timedelta(seconds=1))):
        ReturnInterviewFactory(
            episode=episode,
            offered_at=episode.ended_at + HOUR,
            completed_at=episode.ended_at + after,
        )

    with time_machine.travel(dt.datetime(2024, 2, 1, tzinfo=UTC), tick=False):
        page = client.get("/interviews/?status=COMPLETED").content.decode()

    assert page.count("Within 72 hours") == 1
    assert "After 3 days" in page


@pytest.mark.parametrize(
    ("after", "text"),
    [
        (69 * HOUR, "3 hours left"),
        (71 * HOUR + 30 * dt.timedelta(minutes=1), "Less than 1 hour left"),
        (72 * HOUR, "Due now"),
        (77 * HOUR + 59 * dt.timedelta(minutes=1), "5 hours overdue"),
        (73 * HOUR, "1 hour overdue"),
        # Days and hours, never "798 hours overdue" (issue 10).
        ((72 + 33 * 24 + 6) * HOUR, "33 days 6 hours overdue"),
    ],
)
def test_the_page_shows_hours_left_or_overdue(client, coordinator, after, text):
    ended = dt.datetime(2024, 6, 3, 8, 0, tzinfo=UTC)
    returned(ended)

    with time_machine.travel(ended + after, tick=False):
        page = client.get("/interviews/").content.decode()

    assert '<strong class="govuk-tag govuk-tag--' in page
    assert text in page


# Statuses.


def test_statuses_follow_the_interview_and_the_allocation(coordinator):
    now = dt.datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
    recent = now - 10 * HOUR
    worker = make_staff("RHI_WORKER")
    to_allocate = returned(recent)
    allocated = returned(recent)
    services.allocate(coordinator, allocated, worker=worker)
    offered = returned(recent)
    ReturnInterviewFactory(episode=offered, outcome="NO_RESPONSE", completed_at=None)
    overdue_offered = returned(now - 100 * HOUR)
    ReturnInterviewFactory(episode=overdue_offered, outcome="NO_RESPONSE", completed_at=None)
    completed = returned(now - 100 * HOUR)
    ReturnInterviewFactory(episode=completed)
    declined = returned(now - 100 * HOUR)
    ReturnInterviewFactory(episode=declined, outcome="DECLINED", completed_at=None)
    not_required = returned(now - 100 * HOUR)
    ReturnInterviewFactory(
        episode=not_required, outcome="NOT_REQUIRED", offered_at=None, completed_at=None
    )
    still_missing = EpisodeFactory(started_at=recent, ended_at=None)

    statuses = {
        episode.pk: episode.status
        for episode in queries.worklist(visible_children(coordinator), now)
    }

    assert statuses == {
        to_allocate.pk: "TO_ALLOCATE",
        allocated.pk: "ALLOCATED",
        offered.pk: "OFFERED",
        overdue_offered.pk: "OVERDUE",
        completed.pk: "COMPLETED",
        declined.pk: "DECLINED",
        not_required.pk: "NOT_REQUIRED",
    }
    assert still_missing.pk not in statuses


# Filters.


@pytest.fixture
def allocated_episodes(coordinator):
    now = dt.datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
    ann = make_staff("RHI_WORKER", organisation="Catch22")
    bob = make_staff("RHI_WORKER", organisation="Barnardos")
    episodes = {
        "ann": returned(now - 10 * HOUR, episode_id="TO-ANN"),
        "catch22": returned(now - 10 * HOUR, episode_id="TO-CATCH22"),
        "bob": returned(now - 10 * HOUR, episode_id="TO-BOB"),
        "nobody": returned(now - 10 * HOUR, episode_id="TO-NOBODY"),
    }
    services.allocate(coordinator, episodes["ann"], worker=ann)
    services.allocate(coordinator, episodes["catch22"], organisation="Catch22")
    services.allocate(coordinator, episodes["bob"], worker=bob, organisation="Barnardos")
    return {"now": now, "ann_user": ann, "bob_user": bob, **episodes}


def listed(client: Client, query: str, now: dt.datetime) -> set[str]:
    with time_machine.travel(now, tick=False):
        page = client.get("/interviews/" + query).content.decode()
    return {
        ref
        for ref in ("TO-ANN", "TO-CATCH22", "TO-BOB", "TO-NOBODY", "HOME", "LAC", "OLA")
        if f">{ref}<" in page
    }


def test_the_worklist_filters_by_worker_organisation_and_status(
    client, coordinator, allocated_episodes
):
    now = allocated_episodes["now"]

    assert listed(client, "", now) == {"TO-ANN", "TO-CATCH22", "TO-BOB", "TO-NOBODY"}
    ann = allocated_episodes["ann_user"].pk
    assert listed(client, f"?worker={ann}", now) == {"TO-ANN"}
    assert listed(client, "?organisation=Catch22", now) == {"TO-CATCH22"}
    assert listed(client, "?organisation=Barnardos", now) == {"TO-BOB"}
    assert listed(client, "?status=TO_ALLOCATE", now) == {"TO-NOBODY"}
    assert listed(client, "?status=ALLOCATED", now) == {"TO-ANN", "TO-CATCH22", "TO-BOB"}
    assert listed(client, "?status=OVERDUE", now) == set()


def test_the_worklist_filters_by_group(client, coordinator):
    now = dt.datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
    returned(now - HOUR, episode_id="HOME")
    looked_after = ChildFactory()
    LegalStatusFactory(child=looked_after, responsible_la="343")
    returned(now - HOUR, episode_id="LAC", child=looked_after)
    placed_here = ChildFactory()
    LegalStatusFactory(child=placed_here, responsible_la="344")
    returned(now - HOUR, episode_id="OLA", child=placed_here)

    assert listed(client, "", now) == {"HOME", "LAC", "OLA"}
    assert listed(client, "?group=HOME", now) == {"HOME"}
    assert listed(client, "?group=LAC", now) == {"LAC"}
    assert listed(client, "?group=OLA", now) == {"OLA"}


def test_children_placed_by_other_authorities_are_listed_to_notify_the_placing_authority(
    client, coordinator
):
    now = dt.datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
    placed_here = ChildFactory()
    LegalStatusFactory(child=placed_here, responsible_la="344")
    episode = returned(now - 100 * HOUR, episode_id="OLA", child=placed_here)

    with time_machine.travel(now, tick=False):
        page = client.get("/interviews/").content.decode()

    main, ola = page.split('id="placed-by-other-authorities"')
    assert ">OLA<" not in main
    assert ">OLA<" in ola
    assert "Notify the placing authority" in ola
    assert ">344<" in ola
    assert row(episode, now).status == "NOTIFY"
    assert row(episode, now).placing_authority == "344"


# Scope: a return interview worker sees their allocations and their organisation's.


def test_a_worker_sees_only_their_allocations_and_their_organisation_s(client, allocated_episodes):
    now = allocated_episodes["now"]
    client.force_login(allocated_episodes["ann_user"])
    assert listed(client, "?status=ALL", now) == {"TO-ANN", "TO-CATCH22"}
    client.force_login(allocated_episodes["bob_user"])
    assert listed(client, "?status=ALL", now) == {"TO-BOB"}
    assert set(visible_children(allocated_episodes["ann_user"])) == {
        allocated_episodes["ann"].child,
        allocated_episodes["catch22"].child,
    }


def test_a_worker_without_an_organisation_sees_only_their_own_allocations(coordinator):
    loner = make_staff("RHI_WORKER")
    mine = returned(dt.datetime(2024, 6, 1, tzinfo=UTC))
    services.allocate(coordinator, mine, worker=loner)
    services.allocate(coordinator, returned(dt.datetime(2024, 6, 1, tzinfo=UTC)), organisation="X")

    assert list(visible_children(loner)) == [mine.child]


def test_a_worker_may_record_only_for_children_allocated_to_them(client, allocated_episodes):
    client.force_login(allocated_episodes["ann_user"])
    with time_machine.travel(allocated_episodes["now"], tick=False):
        catch22 = client.get(f"/interviews/{allocated_episodes['catch22'].pk}/record/")
        bob = client.get(f"/interviews/{allocated_episodes['bob'].pk}/record/")
        allocating = client.get(f"/interviews/{allocated_episodes['ann'].pk}/allocate/")
    assert (catch22.status_code, bob.status_code, allocating.status_code) == (200, 403, 403)


def test_a_restricted_child_is_refused_to_who_is_not_on_its_list(client, coordinator):
    episode = returned(dt.datetime(2024, 6, 1, tzinfo=UTC), episode_id="SECRET")
    episode.child.restricted = True
    episode.child.save()

    assert client.get(f"/interviews/{episode.pk}/record/").status_code == 403
    assert ">SECRET<" not in client.get("/interviews/?status=ALL").content.decode()
    assert AuditEvent.objects.filter(action="children.restricted_refused").count() == 1


def test_a_missing_episode_is_not_found_after_the_permission_check(client, client_as, coordinator):
    assert client.get("/interviews/999/record/").status_code == 404
    client_as("SOCIAL_WORKER")
    assert client.get("/interviews/999/record/").status_code == 403


# Audit and queries.


def test_viewing_the_worklist_writes_one_event_naming_the_children_shown(
    client, coordinator, allocated_episodes
):
    with time_machine.travel(allocated_episodes["now"], tick=False):
        client.force_login(allocated_episodes["ann_user"])
        client.get("/interviews/")

    event = AuditEvent.objects.get(action="interviews.worklist_viewed")
    assert {subject.child_pk for subject in event.subjects.all()} == {
        allocated_episodes["ann"].child.pk,
        allocated_episodes["catch22"].child.pk,
    }


@pytest.mark.parametrize("role", ["COORDINATOR", "RHI_WORKER"])
def test_the_worklist_takes_a_bounded_number_of_queries(
    client, coordinator, role, django_assert_max_num_queries
):
    now = dt.datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
    user = make_staff(role, organisation="Catch22")
    placed_here = ChildFactory()
    LegalStatusFactory(child=placed_here, responsible_la="344")
    for n in range(30):
        episode = returned(now - n * 10 * HOUR)
        worker = user if role == "RHI_WORKER" else None
        services.allocate(coordinator, episode, worker=worker, organisation="Catch22")
        if n % 3 == 0:
            ReturnInterviewFactory(episode=episode, outcome="NO_RESPONSE", completed_at=None)
        returned(now - n * HOUR, child=placed_here)
    client.force_login(user)

    with time_machine.travel(now, tick=False), django_assert_max_num_queries(22):
        response = client.get("/interviews/?status=ALL")

    assert response.status_code == 200
    assert response.content.decode().count('class="govuk-table__row"') >= 30


def test_statuses_cover_episodes_found_within_the_window_and_any_status_covers_all(
    client, coordinator, settings
):
    settings.HARBOUR_INTERVIEW_WINDOW_DAYS = 90
    now = dt.datetime(2024, 6, 1, 12, tzinfo=UTC)
    returned(now - dt.timedelta(days=90), episode_id="HOME")
    returned(now - dt.timedelta(days=90, seconds=1), episode_id="LAC")

    assert listed(client, "", now) == {"HOME"}
    assert listed(client, "?status=OVERDUE", now) == {"HOME"}
    assert listed(client, "?status=ALL", now) == {"HOME", "LAC"}
    settings.HARBOUR_INTERVIEW_WINDOW_DAYS = 0
    assert listed(client, "", now) == {"HOME", "LAC"}


def test_a_worker_s_statuses_cover_their_episodes_found_within_the_window(
    client, coordinator, settings
):
    settings.HARBOUR_INTERVIEW_WINDOW_DAYS = 90
    worker = make_staff("RHI_WORKER", organisation="Catch22")
    now = dt.datetime(2024, 6, 1, 12, tzinfo=UTC)
    for episode_id, found in (
        ("HOME", now - dt.timedelta(days=90)),
        ("LAC", now - dt.timedelta(days=90, seconds=1)),
    ):
        services.allocate(coordinator, returned(found, episode_id=episode_id), worker=worker)
    services.allocate(
        coordinator, returned(now - 5 * HOUR, episode_id="TO-CATCH22"), organisation="Catch22"
    )
    services.allocate(
        coordinator,
        returned(now - 5 * HOUR, episode_id="TO-BOB"),
        worker=None,
        organisation="Barnardos",
    )
    client.force_login(worker)

    assert listed(client, "", now) == {"HOME", "TO-CATCH22"}
    assert listed(client, "?status=OVERDUE", now) == {"HOME"}
    assert listed(client, "?status=ALL", now) == {"HOME", "LAC", "TO-CATCH22"}


def test_the_organisations_to_filter_by_are_each_listed_once(coordinator):
    from harbour.interviews.queries import allocated_organisations

    for organisation in ("Catch22", "Barnardos", "Catch22", "", "catch22"):
        services.allocate(
            coordinator,
            returned(dt.datetime(2024, 6, 1, tzinfo=UTC)),
            organisation=organisation,
            worker=make_staff("RHI_WORKER"),
        )

    assert sorted(allocated_organisations()) == ["Barnardos", "Catch22", "catch22"]


def test_a_worker_s_worklist_is_their_allocations_not_every_episode_of_their_children(
    client, coordinator
):
    worker = make_staff("RHI_WORKER")
    now = dt.datetime(2024, 6, 1, 12, tzinfo=UTC)
    mine = returned(now - 10 * HOUR, episode_id="HOME")
    returned(now - 30 * HOUR, child=mine.child, episode_id="LAC")
    services.allocate(coordinator, mine, worker=worker)

    assert listed(client, "?status=ALL", now) == {"HOME", "LAC"}  # the coordinator's
    client.force_login(worker)
    assert listed(client, "?status=ALL", now) == {"HOME"}


def test_the_filters_show_what_was_chosen(client, coordinator, allocated_episodes):
    ann = allocated_episodes["ann_user"].pk
    with time_machine.travel(allocated_episodes["now"], tick=False):
        page = client.get(f"/interviews/?worker={ann}&group=HOME&status=ALL").content.decode()

    assert f'<option value="{ann}" selected>' in page
    assert '<option value="HOME" selected>' in page and '<option value="ALL" selected>' in page


def test_a_worker_is_not_listed_children_placed_by_other_authorities_not_allocated_to_them(
    client, coordinator
):
    now = dt.datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
    ann = make_staff("RHI_WORKER", organisation="Catch22")
    bob = make_staff("RHI_WORKER", organisation="Barnardos")
    placed_here = ChildFactory()
    LegalStatusFactory(child=placed_here, responsible_la="344")
    mine = returned(now - 2 * HOUR, episode_id="OLA-ANN", child=placed_here)
    services.allocate(coordinator, mine, worker=ann)
    services.allocate(
        coordinator, returned(now - 3 * HOUR, episode_id="OLA-BOB", child=placed_here), worker=bob
    )
    elsewhere = ChildFactory()
    LegalStatusFactory(child=elsewhere, responsible_la="345")
    returned(now - 4 * HOUR, episode_id="OLA-NOBODY", child=elsewhere)

    with time_machine.travel(now, tick=False):
        client.force_login(ann)
        page = client.get("/interviews/").content.decode()

    assert ">OLA-ANN<" in page
    assert ">OLA-BOB<" not in page and ">OLA-NOBODY<" not in page
