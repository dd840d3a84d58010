"""Keeping the child's record: identity, allocated social worker, placement address and
legal statuses; versioned, audited, refused on conflict; and a social worker's caseload."""

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import PermissionDenied

from harbour.audit.models import AuditEvent
from harbour.children import search, services
from harbour.children.models import Child, LegalStatus
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    make_staff,
)
from harbour.common.time import UTC

NOW = dt.datetime(2024, 7, 10, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


@pytest.fixture(autouse=True)
def _another_authority(settings):
    # The authority this module was written for: 202 in its legal statuses is another one.
    settings.LOCAL_AUTHORITY_CODE = "999"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def child_form(child: Child, **changes) -> dict:
    data = {
        "child_id": child.child_id,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "date_of_birth-day": str(child.date_of_birth.day),
        "date_of_birth-month": str(child.date_of_birth.month),
        "date_of_birth-year": str(child.date_of_birth.year),
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "allocated_social_worker": str(child.allocated_social_worker_id or ""),
        "placement_address": child.placement_address,
        "placement_postcode": child.placement_postcode,
        "version": str(child.version),
    }
    data.update(changes)
    return data


def status_form(**values) -> dict:
    data = {
        "status": "LAC",
        "start_date-day": "1",
        "start_date-month": "7",
        "start_date-year": "2024",
        "responsible_la": "",
        "placement": "",
        "version": "",
    }
    data.update(values)
    return data


# The child's details


def test_a_coordinator_changes_the_identity_and_the_change_is_versioned_and_audited(
    client, client_as
):
    client_as("COORDINATOR")
    child = ChildFactory(given_name="Jon", family_name="Smyth")
    response = client.post(
        f"/children/{child.pk}/edit/",
        child_form(child, given_name="John", family_name="Smith", ethnicity="WBRI"),
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.given_name, child.family_name, child.ethnicity) == ("John", "Smith", "WBRI")
    assert child.version == 2
    event = AuditEvent.objects.get(action="children.child.change")
    assert set(event.details["fields"]) >= {"given_name", "family_name", "ethnicity"}
    assert "Smith" not in json.dumps(event.details)  # the values are sealed
    assert event.sealed


def test_a_form_loaded_before_someone_elses_change_is_refused_and_saves_nothing(client, client_as):
    client_as("COORDINATOR")
    child = ChildFactory(given_name="Jon")
    stale = child_form(child, given_name="Johnny")
    first = client.post(f"/children/{child.pk}/edit/", child_form(child, given_name="John"))
    assert first.status_code == 302
    response = client.post(f"/children/{child.pk}/edit/", stale)
    assert response.status_code == 400
    assert "Someone else has changed this record" in text(response)
    child.refresh_from_db()
    assert child.given_name == "John"
    # Sent again having seen the change, it is saved.
    assert 'name="version" value="2"' in text(response)
    resent = client.post(f"/children/{child.pk}/edit/", {**stale, "version": "2"})
    assert resent.status_code == 302
    child.refresh_from_db()
    assert child.given_name == "Johnny"


def test_a_person_id_already_recorded_for_another_child_is_refused_on_its_field(client, client_as):
    client_as("COORDINATOR")
    ChildFactory(child_id="TAKEN")
    child = ChildFactory(child_id="MINE")
    response = client.post(f"/children/{child.pk}/edit/", child_form(child, child_id="TAKEN"))
    page = text(response)
    assert response.status_code == 400
    assert 'href="#child_id"' in page
    assert "already recorded for another child" in page
    child.refresh_from_db()
    assert child.child_id == "MINE"


def test_a_placement_postcode_is_checked_and_written_the_standard_way(client, client_as):
    client_as("COORDINATOR")
    child = ChildFactory()
    bad = client.post(f"/children/{child.pk}/edit/", child_form(child, placement_postcode="12345"))
    assert bad.status_code == 400
    assert "Enter a real postcode" in text(bad)
    good = client.post(
        f"/children/{child.pk}/edit/",
        child_form(
            child, placement_address="1 High Street, Exampletown", placement_postcode="sw1a1aa"
        ),
    )
    assert good.status_code == 302
    child.refresh_from_db()
    assert child.placement_postcode == "SW1A 1AA"


def test_only_a_social_worker_can_be_allocated(client, client_as):
    client_as("COORDINATOR")
    analyst = make_staff("ANALYST")
    child = ChildFactory()
    response = client.post(
        f"/children/{child.pk}/edit/", child_form(child, allocated_social_worker=str(analyst.pk))
    )
    assert response.status_code == 400
    child.refresh_from_db()
    assert child.allocated_social_worker is None


@pytest.mark.parametrize("role", ["SOCIAL_WORKER", "EXPLOITATION_LEAD", "RHI_WORKER"])
def test_only_a_coordinator_changes_the_childs_details(client, client_as, role):
    user = client_as(role)
    child = ChildFactory(allocated_social_worker=user if role == "SOCIAL_WORKER" else None)
    assert client.post(f"/children/{child.pk}/edit/", child_form(child)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.update_child(user, child, changes={"given_name": "X"}, version=child.version)


def test_a_restricted_record_cannot_be_edited_by_someone_not_on_its_list(client, client_as):
    client_as("COORDINATOR")
    child = ChildFactory(restricted=True)
    response = client.get(f"/children/{child.pk}/edit/")
    assert response.status_code == 403
    assert "This record is restricted" in text(response)


# Legal statuses


def test_a_coordinator_makes_a_newly_placed_child_a_case_of_another_authority(client, client_as):
    client_as("COORDINATOR")
    child = ChildFactory()
    response = client.post(
        f"/children/{child.pk}/legal-statuses/new/",
        status_form(responsible_la="202", placement="FOSTER"),
    )
    assert response.status_code == 302
    status = LegalStatus.objects.get(child=child)
    assert (status.responsible_la, status.placement) == ("202", "FOSTER")
    page = text(client.get(f"/children/{child.pk}/"))
    assert "another authority (202)" in page
    assert "The legal status has been saved" in page
    listed = text(client.get("/children/", {"show": "other-authority"}))
    assert f'href="/children/{child.pk}/"' in listed
    assert AuditEvent.objects.filter(action="children.legalstatus.create").count() == 1


def test_a_legal_status_is_ended_with_its_version_and_a_stale_change_is_refused(client, client_as):
    client_as("COORDINATOR")
    status = LegalStatusFactory(status="CP", start_date=dt.date(2023, 1, 1))
    child = status.child
    path = f"/children/{child.pk}/legal-statuses/{status.pk}/"
    ended = status_form(
        status="CP",
        **{"start_date-day": "1", "start_date-month": "1", "start_date-year": "2023"},
        **{"end_date-day": "30", "end_date-month": "6", "end_date-year": "2024"},
        version="1",
    )
    assert client.post(path, ended).status_code == 302
    status.refresh_from_db()
    assert (status.end_date, status.version) == (dt.date(2024, 6, 30), 2)
    stale = client.post(path, {**ended, "end_date-day": "29"})
    assert stale.status_code == 400
    status.refresh_from_db()
    assert status.end_date == dt.date(2024, 6, 30)


def test_an_end_before_the_start_is_refused_on_the_end_date(client, client_as):
    client_as("COORDINATOR")
    child = ChildFactory()
    response = client.post(
        f"/children/{child.pk}/legal-statuses/new/",
        status_form(**{"end_date-day": "1", "end_date-month": "1", "end_date-year": "2024"}),
    )
    page = text(response)
    assert response.status_code == 400
    assert 'href="#end_date-day"' in page
    assert "same as or after the start date" in page
    assert "legal_status_end_not_before_start" not in page
    assert not LegalStatus.objects.exists()


def test_a_responsible_authority_on_a_plan_is_refused_on_its_field(client, client_as):
    client_as("COORDINATOR")
    child = ChildFactory()
    response = client.post(
        f"/children/{child.pk}/legal-statuses/new/", status_form(status="CIN", responsible_la="202")
    )
    assert response.status_code == 400
    assert 'href="#responsible_la"' in text(response)
    assert not LegalStatus.objects.exists()


def test_the_same_status_starting_the_same_day_is_refused_with_a_message(client, client_as):
    client_as("COORDINATOR")
    status = LegalStatusFactory(status="LAC", start_date=dt.date(2024, 7, 1))
    response = client.post(f"/children/{status.child.pk}/legal-statuses/new/", status_form())
    assert response.status_code == 400
    assert "already has a legal status of this kind starting on this date" in text(response)
    assert "legal_status_key" not in text(response)


def test_a_social_worker_records_legal_statuses_of_their_own_children_only(client, client_as):
    worker = client_as("SOCIAL_WORKER")
    own = ChildFactory(allocated_social_worker=worker)
    other = ChildFactory()
    assert client.post(f"/children/{own.pk}/legal-statuses/new/", status_form()).status_code == 302
    assert (
        client.post(f"/children/{other.pk}/legal-statuses/new/", status_form()).status_code == 403
    )
    assert list(LegalStatus.objects.values_list("child", flat=True)) == [own.pk]


# A social worker's caseload


def test_my_children_lists_the_children_allocated_to_the_social_worker(client, client_as):
    worker = client_as("SOCIAL_WORKER")
    own = ChildFactory(given_name="Mine", allocated_social_worker=worker)
    EpisodeFactory(child=own, started_at=NOW - dt.timedelta(hours=2), ended_at=None)
    ChildFactory(given_name="NotMine")
    page = text(client.get("/children/mine/"))
    assert f'href="/children/{own.pk}/"' in page
    assert "NotMine" not in page
    assert "Missing or absent" in page
    assert AuditEvent.objects.filter(action="children.caseload_viewed").exists()


def test_my_children_is_for_social_workers(client, client_as):
    client_as("COORDINATOR")
    assert client.get("/children/mine/").status_code == 403


def test_on_my_children_only_my_children_is_the_current_section(client, client_as):
    client_as("SOCIAL_WORKER")
    page = text(client.get("/children/mine/"))
    current = re.findall(r'href="([^"]+)" aria-current="true"', page)
    assert current == ["/children/mine/"]


def test_a_change_made_elsewhere_makes_an_open_edit_form_stale(client, client_as):
    user = client_as("COORDINATOR")
    child = ChildFactory(given_name="Jon")
    opened = child_form(child, given_name="Johnny")
    elsewhere = Child.objects.get(pk=child.pk)
    elsewhere.family_name = "Changed"
    services.save_child(user, elsewhere)  # as the admin and the importer's services do
    response = client.post(f"/children/{child.pk}/edit/", opened)
    assert response.status_code == 400
    child.refresh_from_db()
    assert (child.given_name, child.family_name) == ("Jon", "Changed")


def test_a_legal_status_changed_elsewhere_makes_an_open_form_stale(client, client_as):
    user = client_as("COORDINATOR")
    status = LegalStatusFactory(status="CP", start_date=dt.date(2023, 1, 1))
    elsewhere = LegalStatus.objects.get(pk=status.pk)
    elsewhere.end_date = dt.date(2024, 1, 1)
    services.save_legal_status(user, elsewhere)
    response = client.post(
        f"/children/{status.child.pk}/legal-statuses/{status.pk}/",
        status_form(
            status="CP",
            **{"start_date-day": "1", "start_date-month": "1", "start_date-year": "2023"},
            version="1",
        ),
    )
    assert response.status_code == 400
    status.refresh_from_db()
    assert status.end_date == dt.date(2024, 1, 1)


def test_a_corrected_date_of_birth_is_what_the_search_finds(client, client_as):
    user = client_as("COORDINATOR")
    child = ChildFactory(date_of_birth=dt.date(2010, 3, 4))
    corrected = child_form(
        child,
        **{"date_of_birth-day": "5", "date_of_birth-month": "6", "date_of_birth-year": "2011"},
    )
    assert client.post(f"/children/{child.pk}/edit/", corrected).status_code == 302
    assert [item.child for item in search.find(user, "5/6/2011").found] == [child]
    assert search.find(user, "4/3/2010").found == []
