import pytest
from django.contrib.auth.models import User

from harbour.audit.models import AuditEvent
from harbour.audit.services import unseal

from .factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_the_admin_is_for_superusers_only(client):
    staff = User.objects.create_user("staff", password="x" * 12, is_staff=True)
    client.force_login(staff)

    response = client.get("/admin/")

    # A refusal, not a redirect to a sign-in page that would send them back (issue 10).
    assert response.status_code == 403


def test_a_superuser_can_browse_every_register_table(admin_client):
    ChildFactory()
    for path in [
        "children/child",
        "children/legalstatus",
        "missing/episode",
        "interviews/returninterview",
        "meetings/meeting",
        "exploitation/referral",
        "exploitation/riskassessment",
        "exploitation/panellisting",
        "audit/auditevent",
        "reports/childpopulation",
        "reports/comparatorrate",
        "missing/policeforce",
        "authorities/localauthority",
    ]:
        assert admin_client.get(f"/admin/{path}/").status_code == 200, path


def test_a_change_made_in_the_admin_goes_through_the_audited_service(admin_client):
    child = ChildFactory(given_name="Ada")

    response = admin_client.post(
        f"/admin/children/child/{child.pk}/change/",
        {
            "child_id": child.child_id,
            "given_name": "Adah",
            "family_name": child.family_name,
            "date_of_birth": "2005-06-15",
            "sex": "F",
            "ethnicity": "",
        },
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="children.child.change")
    assert event.actor_name == "admin"
    assert unseal(event)["changes"] == {"given_name": ["Ada", "Adah"]}


def test_audit_events_cannot_be_changed_or_deleted_in_the_admin(admin_client):
    event = AuditEvent.objects.create(occurred_at="2020-01-01T00:00Z", actor_name="x", action="y")

    assert admin_client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/audit/auditevent/{event.pk}/change/", {}).status_code == 403


def test_a_police_force_added_in_the_admin_is_audited(admin_client):
    response = admin_client.post(
        "/admin/missing/policeforce/add/", {"name": "Testshire Police", "code": "TSP"}
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="missing.policeforce.create")
    assert event.actor_name == "admin"
