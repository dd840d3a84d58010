"""Recording a notification for a new child is one write: if the notification cannot be
stored (the database goes away between the two), the new child is not kept either."""

import datetime as dt

import pytest
from django.db import OperationalError

from harbour.audit.models import AuditEvent
from harbour.children.models import Child
from harbour.common.time import UTC
from harbour.missing import services

NOW = dt.datetime(2024, 11, 1, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]

NEW_CHILD = {
    "step": "choose",
    "choice": "new",
    "police_reference": "NWP-900",
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
    "child_id": "P-NEW-900",
    "sex": "M",
}


@pytest.fixture
def coordinator(client_as):
    return client_as("COORDINATOR")


def test_a_new_child_is_not_kept_when_their_notification_cannot_be_recorded(
    client, coordinator, monkeypatch
):
    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "record_notification", database_gone)
    client.raise_request_exception = False

    response = client.post("/episodes/new/", NEW_CHILD)

    assert response.status_code == 500
    assert not Child.objects.filter(child_id="P-NEW-900").exists()
    assert not AuditEvent.objects.filter(action="children.child.create").exists()


def test_a_new_child_and_their_notification_are_recorded_together(client, coordinator):
    response = client.post("/episodes/new/", NEW_CHILD)

    assert response.status_code == 302
    child = Child.objects.get(child_id="P-NEW-900")
    assert child.episodes.get().references.get().reference == "NWP-900"


def test_a_new_child_without_a_person_id_is_given_a_harbour_id(client, coordinator):
    without_id = {**NEW_CHILD, "child_id": "", "police_reference": "NWP-901"}
    response = client.post("/episodes/new/", without_id)

    assert response.status_code == 302
    child = Child.objects.get(given_name="Alfie", family_name="Smith")
    assert child.child_id.startswith(services.HARBOUR_ID_PREFIX)
    assert child.episodes.get().references.get().reference == "NWP-901"


def test_two_new_children_without_person_ids_get_different_harbour_ids(client, coordinator):
    first = {**NEW_CHILD, "child_id": "", "police_reference": "NWP-902"}
    second = {**first, "police_reference": "NWP-903", "given_name": "Bea", "birth_year": "2009"}
    assert client.post("/episodes/new/", first).status_code == 302
    assert client.post("/episodes/new/", second).status_code == 302

    ids = set(Child.objects.values_list("child_id", flat=True))
    assert len(ids) == 2 and all(i.startswith(services.HARBOUR_ID_PREFIX) for i in ids)


def test_the_person_id_hint_says_what_happens_without_one(client, coordinator):
    page = client.get("/episodes/new/").content.decode()
    assert "Harbour id" in page

    details = {**NEW_CHILD, "step": "details", "child_id": ""}
    choose = client.post("/episodes/new/", details).content.decode()
    assert "Without a person id, the child is given a Harbour id" in choose
