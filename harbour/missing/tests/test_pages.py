"""The episode pages: coordinators only; forms keep what was typed and say what is wrong;
the notification is matched and recorded; found and amend refuse stale forms; times are
UK local time; the list's queries are bounded; every view is audited."""

import datetime as dt

import pytest

from harbour.audit.models import AuditEvent
from harbour.children.models import Child
from harbour.common.tests.factories import ChildFactory, EpisodeFactory
from harbour.common.time import LONDON, UTC
from harbour.missing.models import Episode
from harbour.missing.services import amend_episode, record_notification

NOW = dt.datetime(2024, 11, 1, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


@pytest.fixture
def coordinator(client_as):
    return client_as("COORDINATOR")


def open_episode(child=None, hours_ago=5, **kwargs):
    return EpisodeFactory(
        child=child or ChildFactory(),
        started_at=NOW - dt.timedelta(hours=hours_ago, minutes=30),
        ended_at=None,
        **kwargs,
    )


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
        "family_name": "Smtih",
        "birth_day": "3",
        "birth_month": "9",
        "birth_year": "2008",
        "child_id": "",
        "sex": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "path",
    [
        "/episodes/",
        "/episodes/new/",
        "/episodes/{pk}/",
        "/episodes/{pk}/found/",
        "/episodes/{pk}/amend/",
    ],
)
@pytest.mark.parametrize("role", ["SOCIAL_WORKER", "RHI_WORKER", "ANALYST", "ADMINISTRATOR"])
def test_only_coordinators_reach_the_episode_pages(client, path, role, client_as):
    episode = open_episode()
    client_as(role)
    assert client.get(path.format(pk=episode.pk)).status_code == 403


def test_a_missing_episode_is_not_found_only_after_the_permission_check(client, client_as):
    client_as("ANALYST")
    assert client.get("/episodes/999999/").status_code == 403
    client_as("COORDINATOR")
    assert client.get("/episodes/999999/").status_code == 404


def test_the_open_episodes_list_shows_hours_missing_and_risk_grade(client, coordinator):
    child = ChildFactory(child_id="P-7", given_name="Zoë", family_name="Brook")
    open_episode(child, hours_ago=26, risk_level="HIGH")
    EpisodeFactory()  # closed: not listed
    response = client.get("/episodes/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "P-7" in body and "Zoë Brook" in body
    assert ">1 day 2 hours<" in body
    assert "govuk-tag--red" in body and "High" in body
    event = AuditEvent.objects.get(action="missing.episodes_viewed")
    assert event.child_pks == [child.pk]


def test_the_list_sorts_by_hours_missing(client, coordinator):
    open_episode(ChildFactory(child_id="P-LONG"), hours_ago=50)
    open_episode(ChildFactory(child_id="P-SHORT"), hours_ago=2)
    body = client.get("/episodes/").content.decode()
    assert body.index("P-LONG") < body.index("P-SHORT")
    body = client.get("/episodes/?sort=shortest").content.decode()
    assert body.index("P-SHORT") < body.index("P-LONG")


def test_the_list_takes_a_bounded_number_of_queries(
    client, coordinator, django_assert_max_num_queries
):
    for n in range(15):
        child = ChildFactory()
        open_episode(child, hours_ago=n)
        EpisodeFactory(child=child, started_at=NOW - dt.timedelta(hours=n + 1), ended_at=None)
    with django_assert_max_num_queries(16):
        assert client.get("/episodes/").status_code == 200


def test_restricted_children_are_left_off_the_list(client, coordinator):
    open_episode(ChildFactory(child_id="P-SECRET", restricted=True))
    assert "P-SECRET" not in client.get("/episodes/").content.decode()


def test_a_restricted_childs_episode_is_refused(client, coordinator):
    episode = open_episode(ChildFactory(child_id="P-SECRET", restricted=True))
    response = client.get(f"/episodes/{episode.pk}/")
    assert response.status_code == 403
    assert "P-SECRET" not in response.content.decode()


def test_step_one_with_errors_keeps_what_was_typed_and_says_what_to_fix(client, coordinator):
    response = client.post(
        "/episodes/new/",
        details(police_reference="", started_hour="25", birth_month="", family_name="Smtih"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert 'href="#police_reference"' in body and "Enter the police reference" in body
    assert 'href="#started_day"' in body and "the hour must be from 0 to 23" in body
    assert 'href="#birth_day"' in body and "must include a month" in body
    assert 'value="Smtih"' in body and 'value="25"' in body
    assert "<title>Error:" in body


def test_a_time_skipped_when_the_clocks_went_forward_is_refused(client, coordinator):
    response = client.post(
        "/episodes/new/",
        details(
            started_day="31",
            started_month="3",
            started_year="2024",
            started_hour="1",
            started_minute="30",
        ),
    )
    assert response.status_code == 400
    assert "did not exist in the UK" in response.content.decode()


def test_an_hour_repeated_when_the_clocks_went_back_asks_which_one(client, coordinator):
    ChildFactory(given_name="Alfred", family_name="Smith", date_of_birth=dt.date(2008, 9, 3))
    ambiguous = details(
        started_day="27",
        started_month="10",
        started_year="2024",
        started_hour="1",
        started_minute="30",
    )
    response = client.post("/episodes/new/", ambiguous)
    body = response.content.decode()
    assert response.status_code == 400
    assert "happened twice" in body and 'name="started_offset"' in body
    response = client.post("/episodes/new/", {**ambiguous, "started_offset": "+00:00"})
    assert response.status_code == 200
    assert "Which child" in response.content.decode()


def test_step_two_lists_ranked_candidates_with_reasons(client, coordinator):
    alfred = ChildFactory(
        child_id="P-1", given_name="Alfred", family_name="Smith", date_of_birth=dt.date(2008, 9, 3)
    )
    response = client.post("/episodes/new/", details())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Use this child: Alfred Smith (P-1)" in body
    assert "Known nickname: Alfie for Alfred" in body
    assert "Family name differs by one letter (Smtih / Smith)" in body
    assert "None of these: create a new child" in body
    assert 'name="given_name" value="Alfie"' in body  # step 1 carried forward
    event = AuditEvent.objects.get(action="missing.candidates_viewed")
    assert event.child_pks == [alfred.pk]


def test_choosing_a_candidate_records_the_episode_for_that_child(client, coordinator):
    alfred = ChildFactory(
        given_name="Alfred", family_name="Smith", date_of_birth=dt.date(2008, 9, 3)
    )
    response = client.post("/episodes/new/", details(step="choose", choice=str(alfred.pk)))
    episode = Episode.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/episodes/{episode.pk}/?recorded=created"
    assert (episode.child, episode.episode_id, episode.risk_level) == (alfred, "NWP-100", "HIGH")
    assert episode.started_at == dt.datetime(2024, 10, 31, 21, 15, tzinfo=UTC)  # GMT that day
    assert Child.objects.count() == 1


def test_a_repeat_notification_is_merged_and_the_page_says_so(client, coordinator):
    alfred = ChildFactory(
        given_name="Alfred", family_name="Smith", date_of_birth=dt.date(2008, 9, 3)
    )
    first = open_episode(alfred, hours_ago=20, episode_id="NWP-1")
    response = client.post("/episodes/new/", details(step="choose", choice=str(alfred.pk)))
    assert response["Location"] == f"/episodes/{first.pk}/?recorded=merged"
    body = client.get(response["Location"]).content.decode()
    assert "already open" in body and "NWP-100" in body


def test_choosing_none_creates_a_new_child(client, coordinator):
    response = client.post(
        "/episodes/new/", details(step="choose", choice="new", child_id="P-NEW", sex="M")
    )
    assert response.status_code == 302
    child = Child.objects.get()
    assert (child.child_id, child.given_name, child.family_name, child.sex) == (
        "P-NEW",
        "Alfie",
        "Smtih",
        "M",
    )
    assert Episode.objects.get().child == child


def test_a_new_child_needs_a_date_of_birth(client, coordinator):
    response = client.post(
        "/episodes/new/",
        details(step="choose", choice="new", birth_day="", birth_month="", birth_year=""),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter the child&#39;s date of birth (on the first page)" in body
    assert Child.objects.count() == 0 and Episode.objects.count() == 0


def test_step_two_without_a_choice_asks_for_one(client, coordinator):
    response = client.post("/episodes/new/", details(step="choose"))
    assert response.status_code == 400
    assert "Select the child this notification is about" in response.content.decode()


def test_the_episode_page_shows_references_and_warns_of_an_overlap(client, coordinator):
    child = ChildFactory()
    other = EpisodeFactory(
        child=child,
        episode_id="OLD-1",
        started_at=NOW - dt.timedelta(hours=10),
        ended_at=NOW - dt.timedelta(hours=1),
    )
    result = record_notification(
        "c",
        child=child,
        police_reference="NWP-1",
        category="MISSING",
        started_at=NOW - dt.timedelta(hours=3),
    )
    body = client.get(f"/episodes/{result.episode.pk}/").content.decode()
    assert "NWP-1" in body
    assert "overlaps 1 other episode" in body and f"/episodes/{other.pk}/" in body
    assert AuditEvent.objects.filter(action="missing.episode_viewed").count() == 1


def test_marking_found_in_uk_summer_time(client, coordinator, clock):
    clock.move_to(dt.datetime(2024, 7, 2, 12, tzinfo=UTC))
    episode = EpisodeFactory(started_at=dt.datetime(2024, 7, 1, 9, tzinfo=UTC), ended_at=None)
    response = client.post(
        f"/episodes/{episode.pk}/found/",
        {
            "version": "1",
            "ended_day": "1",
            "ended_month": "7",
            "ended_year": "2024",
            "ended_hour": "18",
            "ended_minute": "45",
            "found_location": "Friend's house",
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.ended_at == dt.datetime(2024, 7, 1, 17, 45, tzinfo=UTC)
    assert episode.found_location == "Friend's house"


def test_marking_found_with_errors_keeps_the_input(client, coordinator):
    episode = open_episode()
    response = client.post(
        f"/episodes/{episode.pk}/found/",
        {
            "version": "1",
            "ended_day": "1",
            "ended_month": "11",
            "ended_year": "2024",
            "ended_hour": "",
            "ended_minute": "",
            "found_location": "Bootle",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "must include a hour" in body or "must include an hour" in body
    assert 'value="Bootle"' in body


def test_a_stale_found_form_is_refused_and_keeps_the_input(client, coordinator):
    episode = open_episode()
    amend_episode("someone", episode, changes={"risk_level": "LOW"}, reason="Regraded", version=1)
    response = client.post(
        f"/episodes/{episode.pk}/found/",
        {
            "version": "1",
            "ended_day": "1",
            "ended_month": "11",
            "ended_year": "2024",
            "ended_hour": "11",
            "ended_minute": "00",
            "found_location": "Bootle",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Someone else has changed this episode" in body
    assert 'value="Bootle"' in body and 'name="version" value="2"' in body
    assert Episode.objects.get().ended_at is None


def test_the_amend_form_starts_from_the_episode_in_uk_time(client, coordinator):
    episode = open_episode(hours_ago=0)  # 11:30 UTC = 11:30 GMT on 1 November
    body = client.get(f"/episodes/{episode.pk}/amend/").content.decode()
    assert 'name="started_hour" type="text" inputmode="numeric" value="11"' in body
    assert 'name="started_minute" type="text" inputmode="numeric" value="30"' in body


def test_an_amendment_needs_a_reason_and_keeps_the_input(client, coordinator):
    episode = open_episode(hours_ago=0)
    response = client.post(
        f"/episodes/{episode.pk}/amend/",
        {
            "version": "1",
            "category": "ABSENT",
            "risk_level": "LOW",
            "started_day": "1",
            "started_month": "11",
            "started_year": "2024",
            "started_hour": "10",
            "started_minute": "00",
            "reason": "",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter the reason for the change" in body and 'href="#reason"' in body
    assert Episode.objects.get().category == "MISSING"


def test_an_amendment_is_saved(client, coordinator):
    episode = open_episode(hours_ago=0)
    response = client.post(
        f"/episodes/{episode.pk}/amend/",
        {
            "version": "1",
            "category": "ABSENT",
            "risk_level": "LOW",
            "started_day": "1",
            "started_month": "11",
            "started_year": "2024",
            "started_hour": "10",
            "started_minute": "00",
            "reason": "Police corrected the time",
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.category, episode.risk_level, episode.version) == ("ABSENT", "LOW", 2)
    assert episode.started_at == dt.datetime(2024, 11, 1, 10, tzinfo=LONDON)


def test_coordinators_open_each_page(client, coordinator):
    episode = open_episode()
    closed = EpisodeFactory(found_location="Home")
    for path in (
        "/episodes/",
        "/episodes/new/",
        f"/episodes/{episode.pk}/",
        f"/episodes/{episode.pk}/found/",
        f"/episodes/{episode.pk}/amend/",
        f"/episodes/{closed.pk}/",
        f"/episodes/{closed.pk}/amend/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "style=" not in response.content.decode()
    # A closed episode is changed by amending it, not marked found again.
    assert client.get(f"/episodes/{closed.pk}/found/")["Location"].endswith("/amend/")


def test_the_amend_form_answers_the_clocks_going_back_question_for_a_stored_time(
    client, coordinator, clock
):
    clock.move_to(dt.datetime(2024, 10, 28, tzinfo=UTC))
    episode = EpisodeFactory(
        started_at=dt.datetime(2024, 10, 27, 1, 30, fold=1, tzinfo=LONDON), ended_at=None
    )
    body = client.get(f"/episodes/{episode.pk}/amend/").content.decode()
    assert 'name="started_offset" type="radio" value="+00:00" checked' in body
