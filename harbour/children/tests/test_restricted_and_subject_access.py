import io
import json
import zipfile

import pytest

from harbour.accounts.models import GrantRequest
from harbour.accounts.services import approve_grant
from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    ReturnInterviewFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def child():
    child = ChildFactory(given_name="Ada", family_name="Brook")
    ReturnInterviewFactory(episode=EpisodeFactory(child=child), reasons=";FRIENDS;")
    return child


def test_a_coordinator_downloads_everything_held_about_a_child(client, client_as, child):
    client_as("COORDINATOR")
    assert (
        "Subject access export"
        in client.get(f"/children/{child.pk}/subject-access/").content.decode()
    )

    response = client.post(f"/children/{child.pk}/subject-access/")

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["record.html", "record.json"]
    data = json.loads(archive.read("record.json"))
    assert data["child"]["given name"] == "Ada"
    assert len(data["records"]["Missing and absent episodes"]) == 1
    assert data["records"]["Return interviews"][0]["reasons"] == ["FRIENDS"]
    assert "Brook" in archive.read("record.html").decode()
    event = AuditEvent.objects.get(action="children.subject_access_export")
    assert event.object_id == str(child.pk)


def test_the_export_is_refused_to_roles_without_it(client, client_as, child):
    client_as("ANALYST")
    assert client.get(f"/children/{child.pk}/subject-access/").status_code == 403


def test_a_restricted_record_shows_only_that_it_exists_and_the_attempt_is_audited(
    client, client_as, child
):
    child.restricted = True
    child.save()
    user = client_as("COORDINATOR", is_superuser=True)

    response = client.post(f"/children/{child.pk}/subject-access/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "This record is restricted" in page
    assert "Ada" not in page and child.child_id not in page
    refused = AuditEvent.objects.get(action="children.restricted_refused")
    assert refused.actor == user
    assert not AuditEvent.objects.filter(action="children.subject_access_export").exists()


def test_people_on_the_access_list_see_a_restricted_record(client, client_as, child):
    child.restricted = True
    child.save()
    user = client_as("COORDINATOR")
    child.access_list.add(user)
    assert client.post(f"/children/{child.pk}/subject-access/").status_code == 200


def test_the_admin_shows_no_restricted_record_even_to_a_superuser(admin_client, child):
    hidden = ChildFactory(restricted=True, family_name="Hidden")
    EpisodeFactory(child=hidden, episode_id="EP-HIDDEN")

    children = admin_client.get("/admin/children/child/").content.decode()
    episodes = admin_client.get("/admin/missing/episode/").content.decode()

    assert child.child_id in children and hidden.child_id not in children
    assert "EP-HIDDEN" not in episodes
    assert admin_client.get(f"/admin/children/child/{hidden.pk}/change/").status_code == 302


def test_admin_pages_are_audited_with_the_children_they_show(admin_client, child):
    admin_client.get("/admin/children/child/")
    admin_client.get(f"/admin/children/child/{child.pk}/change/")
    listed = AuditEvent.objects.get(action="admin.list")
    viewed = AuditEvent.objects.get(action="admin.view")
    assert list(listed.subjects.values_list("child_pk", flat=True)) == [child.pk]
    assert list(viewed.subjects.values_list("child_pk", flat=True)) == [child.pk]


def test_an_administrator_restricts_a_record_and_keeps_its_access_list(client, client_as, child):
    client_as("ADMINISTRATOR")
    worker = make_staff(username="worker")
    page = client.get(f"/children/{child.pk}/access-list/").content.decode()
    assert child.child_id in page and "Ada" not in page  # the person id only

    client.post(f"/children/{child.pk}/access-list/", {"action": "restrict"})
    client.post(f"/children/{child.pk}/access-list/", {"action": "grant", "username": "worker"})
    refused = client.post(
        f"/children/{child.pk}/access-list/", {"action": "grant", "username": "nobody"}
    )
    # Every place on an access list takes a second administrator (docs/roles.md).
    assert not child.access_list.exists()
    second = make_staff("ADMINISTRATOR", username="second-administrator")
    approve_grant(second, GrantRequest.objects.get(child=child, user=worker))

    child.refresh_from_db()
    assert child.restricted and list(child.access_list.all()) == [worker]
    assert refused.status_code == 400 and "Enter the username" in refused.content.decode()
    client.post(f"/children/{child.pk}/access-list/", {"action": "revoke", "username": "worker"})
    assert child.access_list.count() == 0
    assert list(
        AuditEvent.objects.filter(action__startswith="children.").values_list("action", flat=True)
    )[-3:] == ["children.restriction_changed", "children.access_granted", "children.access_revoked"]


def test_only_administrators_keep_access_lists(client, client_as, child):
    client_as("COORDINATOR")
    assert client.get(f"/children/{child.pk}/access-list/").status_code == 403


@pytest.mark.parametrize("action", ["grant", "revoke"])
def test_a_username_with_a_nul_is_refused_on_the_access_list_page(client, client_as, child, action):
    client_as("ADMINISTRATOR")
    refused = client.post(
        f"/children/{child.pk}/access-list/", {"action": action, "username": "work\x00er"}
    )
    assert refused.status_code == 400
    assert "Enter the username" in refused.content.decode()
    assert not GrantRequest.objects.exists() and not child.access_list.exists()
