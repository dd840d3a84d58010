"""Finding a child: the search box (names with the notification matching, person id, date
of birth, police reference) and the children list with its filters."""

import datetime as dt
import json
import re

import pytest
from django.db import connection

from harbour.audit.models import AuditEvent
from harbour.children import search
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    ReferralFactory,
)
from harbour.common.tests.plans import sqlite_plan
from harbour.common.time import UTC
from harbour.missing.models import NotificationReference

NOW = dt.datetime(2024, 7, 10, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def find(client, term: str):
    return client.get("/children/find/", {"q": term})


# Search


def test_a_misspelt_name_finds_the_child(client, client_as):
    client_as("COORDINATOR")
    child = ChildFactory(given_name="John", family_name="Smith", child_id="P-1")
    ChildFactory(given_name="Mary", family_name="Jones")
    page = text(find(client, "Jon Smtih"))
    assert f'href="/children/{child.pk}/"' in page
    assert "Mary" not in page


def test_a_nickname_and_swapped_names_find_the_child(client, client_as):
    client_as("COORDINATOR")
    child = ChildFactory(given_name="William", family_name="Turner")
    assert f'href="/children/{child.pk}/"' in text(find(client, "Will Turner"))
    assert f'href="/children/{child.pk}/"' in text(find(client, "Turner William"))


def test_a_name_with_accents_finds_the_child_typed_without(client, client_as):
    client_as("COORDINATOR")
    child = ChildFactory(given_name="Zoë", family_name="Smith-Jones")
    assert f'href="/children/{child.pk}/"' in text(find(client, "zoe smith jones"))


def test_a_name_starting_with_a_capital_accent_is_found_typed_without_it(client, client_as):
    # SQLite's lower() leaves "É" as it is: the search must still read that child.
    client_as("COORDINATOR")
    child = ChildFactory(given_name="Élodie", family_name="Émond")
    assert f'href="/children/{child.pk}/"' in text(find(client, "Elodie Emond"))
    assert f'href="/children/{child.pk}/"' in text(find(client, "élodie émond"))


def test_one_family_name_finds_every_child_of_that_name(client, client_as):
    client_as("COORDINATOR")
    first = ChildFactory(given_name="Ada", family_name="Okafor")
    second = ChildFactory(given_name="Ben", family_name="Okafor")
    other = ChildFactory(given_name="Cal", family_name="Oakley")
    page = text(find(client, "okafor"))
    assert f"/children/{first.pk}/" in page and f"/children/{second.pk}/" in page
    assert f"/children/{other.pk}/" not in page


def test_a_person_id_finds_exactly_that_child(client, client_as):
    user = client_as("COORDINATOR")
    child = ChildFactory(child_id="AB123")
    ChildFactory(child_id="AB124")
    result = search.find(user, "ab123")
    assert [item.child for item in result.found] == [child]
    assert result.kind == search.Kind.IDENTIFIER


def test_a_police_reference_finds_the_child_of_its_episode(client, client_as):
    user = client_as("COORDINATOR")
    child = ChildFactory()
    episode = EpisodeFactory(child=child, episode_id="XSP/24/100")
    NotificationReference.objects.create(episode=episode, reference="XSP/24/101", received_at=NOW)
    assert [item.child for item in search.find(user, "XSP/24/100").found] == [child]
    assert [item.child for item in search.find(user, "XSP/24/101").found] == [child]


def test_a_date_of_birth_finds_children_born_that_day_or_with_day_and_month_swapped(
    client, client_as
):
    user = client_as("COORDINATOR")
    same = ChildFactory(date_of_birth=dt.date(2012, 3, 4))
    swapped = ChildFactory(date_of_birth=dt.date(2012, 4, 3))
    ChildFactory(date_of_birth=dt.date(2012, 3, 5))
    for typed in ("4/3/2012", "4 3 2012", "2012-03-04"):
        found = [item.child for item in search.find(user, typed).found]
        assert found == [same, swapped], typed


def test_an_impossible_date_is_refused_with_a_message_on_the_box(client, client_as):
    client_as("COORDINATOR")
    page = text(find(client, "31/2/2012"))
    assert "Error:" in page
    assert 'href="#q"' in page
    assert "Enter a real date of birth" in page


@pytest.mark.parametrize("term", ["Jo\x00 Smith", "AB\x00123", "\x00"])
def test_a_character_no_database_stores_is_refused_with_a_message(client, client_as, term):
    client_as("COORDINATOR")
    ChildFactory(given_name="Jo", family_name="Smith", child_id="AB123")
    response = find(client, term)
    page = text(response)
    assert response.status_code == 200
    assert "Remove the control character (U+0000)" in page
    assert 'href="#q"' in page


def test_an_empty_search_asks_for_something_to_find(client, client_as):
    client_as("COORDINATOR")
    assert "Enter a name, person id, date of birth or police reference" in text(find(client, " "))


def test_a_restricted_record_shows_only_that_it_exists(client, client_as):
    client_as("COORDINATOR")
    ChildFactory(given_name="Hidden", family_name="Person", child_id="SECRET-1", restricted=True)
    page = text(find(client, "Hidden Person"))
    assert "A restricted record exists" in page
    assert "SECRET-1" not in page
    assert "Hidden" not in page.split("Find a child</h1>")[1].split("</form>", 1)[1]


def test_someone_on_the_access_list_finds_the_restricted_child(client, client_as):
    user = client_as("COORDINATOR")
    child = ChildFactory(given_name="Listed", family_name="Person", restricted=True)
    child.access_list.add(user)
    page = text(find(client, "Listed Person"))
    assert f'href="/children/{child.pk}/"' in page
    assert "A restricted record exists" not in page


def test_every_search_is_audited_with_the_children_found_and_never_the_term(client, client_as):
    client_as("COORDINATOR")
    child = ChildFactory(given_name="Audited", family_name="Child", child_id="PID-77")
    find(client, "Audited Child")
    find(client, "PID-77")
    events = list(AuditEvent.objects.filter(action="children.search").order_by("sequence"))
    assert len(events) == 2
    for event in events:
        assert list(event.subjects.values_list("child_pk", flat=True)) == [child.pk]
        stored = json.dumps(event.details) + event.sealed
        assert "Audited" not in stored and "PID-77" not in stored
    assert events[0].details["kind"] == "name"


@pytest.mark.parametrize("role", ["RHI_WORKER", "ANALYST", "AUDITOR", "ADMINISTRATOR"])
def test_roles_without_casework_of_every_child_cannot_search(client, client_as, role):
    client_as(role)
    assert find(client, "anything").status_code == 403
    assert client.get("/children/").status_code == 403


def test_the_search_box_is_in_the_header_of_every_page_for_a_coordinator(client, client_as):
    client_as("COORDINATOR")
    page = text(client.get("/"))
    assert 'action="/children/find/"' in page
    assert 'name="q" type="search"' in page


def test_an_analyst_has_no_search_box(client, client_as):
    client_as("ANALYST")
    assert 'action="/children/find/"' not in text(client.get("/"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
@pytest.mark.parametrize("name", ["Jon Smith", "Elina Orrwell"])  # vowels: many accents
def test_a_name_search_reads_the_name_index_not_the_whole_register(client, client_as, name):
    user = client_as("COORDINATOR")
    query = (
        search.searchable_children(user)
        .alias(family_lower=search.Lower("family_name"), given_lower=search.Lower("given_name"))
        .filter(search._name_pool(search._name_readings(name.split())))
    )
    plan = sqlite_plan(query)
    assert "USING INDEX child_" in plan
    assert not re.search(r"SCAN children_child\b(?!_access)", plan), plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plan")
def test_a_name_search_can_be_served_by_the_name_index_on_postgresql(client, client_as):
    user = client_as("COORDINATOR")
    query = (
        search.searchable_children(user)
        .alias(family_lower=search.Lower("family_name"), given_lower=search.Lower("given_name"))
        .filter(search._name_pool(search._name_readings(["Jon", "Smith"])))
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        # An empty test table is cheaper to read whole: ask whether the index can serve it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(str(row[0]) for row in cursor.fetchall())
    assert "child_family_given" in plan or "child_given" in plan, plan
    assert "Seq Scan on children_child " not in plan


# The children list


def test_the_list_filters_children_missing_now_looked_after_placed_elsewhere_or_exploited(
    client, client_as, settings
):
    client_as("COORDINATOR")
    settings.LOCAL_AUTHORITY_CODE = "999"
    missing = ChildFactory(given_name="Missing", family_name="Now")
    EpisodeFactory(child=missing, started_at=NOW - dt.timedelta(hours=3), ended_at=None)
    ours = ChildFactory(given_name="Ours", family_name="Looked")
    LegalStatusFactory(child=ours, status="LAC", start_date=dt.date(2020, 1, 1))
    theirs = ChildFactory(given_name="Theirs", family_name="Placed")
    LegalStatusFactory(
        child=theirs, status="LAC", start_date=dt.date(2020, 1, 1), responsible_la="202"
    )
    exploited = ChildFactory(given_name="Referred", family_name="Child")
    ReferralFactory(child=exploited, received_on=dt.date(2024, 5, 1))

    def listed(*show: str) -> set[int]:
        page = text(client.get("/children/", {"show": list(show)}))
        return {int(pk) for pk in re.findall(r'href="/children/(\d+)/"', page)}

    assert listed() == {missing.pk, ours.pk, theirs.pk, exploited.pk}
    assert listed("missing") == {missing.pk}
    assert listed("looked-after") == {ours.pk, theirs.pk}
    assert listed("other-authority") == {theirs.pk}
    assert listed("exploitation") == {exploited.pk}
    assert listed("looked-after", "missing") == set()


def test_the_list_shows_a_restricted_record_only_as_existing_and_is_audited(client, client_as):
    client_as("COORDINATOR")
    hidden = ChildFactory(given_name="Hidden", child_id="SECRET-2", restricted=True)
    page = text(client.get("/children/"))
    assert "A restricted record exists" in page
    assert "SECRET-2" not in page
    event = AuditEvent.objects.get(action="children.list_viewed")
    assert list(event.subjects.values_list("child_pk", flat=True)) == [hidden.pk]
