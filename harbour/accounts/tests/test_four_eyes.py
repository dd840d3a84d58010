"""No one changes their own roles or their own place on an access list, and casework access
for an administrator takes two other administrators: one asks, a different one approves,
neither of them the administrator concerned. Both steps are in the audit trail. (That the
same holds for everyone, and for passwords and second factors, is in
test_no_puppet_accounts.py.)"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from harbour.accounts import services
from harbour.accounts.models import CASEWORK_ROLES, GrantRequest, Role, RoleAssignment
from harbour.audit.models import AuditEvent
from harbour.audit.verify import verify_chain
from harbour.children import services as children
from harbour.common.tests.factories import ChildFactory, make_staff, signed_in

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"


def roles_of(user: User) -> set[str]:
    return set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


@pytest.fixture
def ada() -> User:
    return make_staff("ADMINISTRATOR", username="ada", password=PASSWORD)


@pytest.fixture
def bob() -> User:
    return make_staff("ADMINISTRATOR", username="bob", password=PASSWORD)


@pytest.fixture
def cyd() -> User:
    return make_staff("ADMINISTRATOR", username="cyd", password=PASSWORD)


@pytest.fixture
def restricted_child():
    return ChildFactory(restricted=True)


def test_casework_roles_are_those_that_open_children_s_records():
    assert set(CASEWORK_ROLES) == {
        Role.COORDINATOR,
        Role.RHI_WORKER,
        Role.SOCIAL_WORKER,
        Role.EXPLOITATION_LEAD,
    }


# No one changes their own access ---------------------------------------------------------


@pytest.mark.parametrize("role", ["COORDINATOR", "ANALYST", "AUDITOR"])
def test_an_administrator_cannot_grant_themselves_a_role(ada, role):
    with pytest.raises(ValidationError, match="You cannot change your own roles"):
        services.grant_role(ada, ada, role)

    assert roles_of(ada) == {"ADMINISTRATOR"}
    assert not GrantRequest.objects.exists()
    assert actions() == []


def test_an_administrator_cannot_revoke_their_own_roles(ada):
    RoleAssignment.objects.create(user=ada, role="ANALYST")

    for role in ("ANALYST", "ADMINISTRATOR"):
        with pytest.raises(ValidationError, match="You cannot change your own roles"):
            services.revoke_role(ada, ada, role)

    assert roles_of(ada) == {"ADMINISTRATOR", "ANALYST"}


def test_saving_one_s_own_roles_unchanged_is_no_change(ada):
    change = services.set_roles(ada, ada, ["ADMINISTRATOR"])

    assert not change.changed
    with pytest.raises(ValidationError, match="You cannot change your own roles"):
        services.set_roles(ada, ada, ["ADMINISTRATOR", "COORDINATOR"])
    assert roles_of(ada) == {"ADMINISTRATOR"}


def test_an_administrator_cannot_change_their_own_organisation(ada):
    with pytest.raises(ValidationError, match="your own organisation"):
        services.set_organisation(ada, ada, "Safe Steps")


def test_no_one_adds_or_removes_themselves_on_an_access_list(ada, restricted_child):
    with pytest.raises(ValidationError, match="your own place on an access list"):
        children.grant_access(ada, restricted_child, ada)
    restricted_child.access_list.add(ada)  # put there long ago
    with pytest.raises(ValidationError, match="your own place on an access list"):
        children.revoke_access(ada, restricted_child, ada)

    assert list(restricted_child.access_list.all()) == [ada]
    assert not GrantRequest.objects.exists()


def test_an_administrator_cannot_ask_for_casework_access_for_themselves(ada, restricted_child):
    with pytest.raises(ValidationError, match="your own"):
        services.grant_role(ada, ada, "COORDINATOR")
    with pytest.raises(ValidationError, match="your own"):
        children.grant_access(ada, restricted_child, ada)

    assert not GrantRequest.objects.exists()


# What waits for a second administrator ---------------------------------------------------


@pytest.mark.parametrize("role", sorted(CASEWORK_ROLES))
def test_a_casework_role_for_an_administrator_waits_for_a_second_administrator(ada, bob, role):
    request = services.grant_role(ada, bob, role)

    assert request is not None and request.status == GrantRequest.Status.PENDING
    assert (request.user, request.role, request.requested_by) == (bob, role, ada)
    assert roles_of(bob) == {"ADMINISTRATOR"}
    (event,) = AuditEvent.objects.filter(action="accounts.grant_request.create")
    assert event.actor == ada
    assert event.details["role"] == role and event.details["user_id"] == bob.pk


@pytest.mark.parametrize("role", ["ANALYST", "AUDITOR"])
def test_other_roles_for_an_administrator_are_granted_at_once(ada, bob, role):
    assert services.grant_role(ada, bob, role) is None

    assert roles_of(bob) == {"ADMINISTRATOR", role}


def test_the_administrator_role_for_someone_with_casework_access_waits(ada, restricted_child):
    worker = make_staff("SOCIAL_WORKER", username="wes", password=PASSWORD)
    listed = make_staff("ANALYST", username="lee", password=PASSWORD)
    restricted_child.access_list.add(listed)

    for user in (worker, listed):
        request = services.grant_role(ada, user, "ADMINISTRATOR")
        assert request is not None and request.role == "ADMINISTRATOR"
        assert "ADMINISTRATOR" not in roles_of(user)


def test_an_administrator_on_an_access_list_waits_for_a_second_administrator(
    ada, bob, restricted_child
):
    request = children.grant_access(ada, restricted_child, bob)

    assert request is not None and request.child == restricted_child
    assert not restricted_child.access_list.exists()
    (event,) = AuditEvent.objects.filter(action="accounts.grant_request.create")
    assert event.details["child_pk"] == restricted_child.pk
    assert list(event.subjects.values_list("child_pk", flat=True)) == [restricted_child.pk]


def test_a_new_account_asked_to_be_administrator_and_caseworker_is_neither_until_approved(ada, bob):
    created = services.create_staff_user(
        ada,
        username="both",
        email="both@example.org",
        first_name="B",
        last_name="Oth",
        roles=["ADMINISTRATOR", "COORDINATOR"],
    )

    assert roles_of(created.user) == set()
    assert [asked.role for asked in created.requested] == ["COORDINATOR", "ADMINISTRATOR"]
    for asked in created.requested:
        # Ada holds the new account's first link: Bob confirms who uses it.
        services.approve_grant(bob, asked, confirmed_account_holder=True)
    assert roles_of(created.user) == {"ADMINISTRATOR", "COORDINATOR"}


def test_the_add_page_asks_for_the_administrator_and_casework_roles(ada):
    response = signed_in(ada).post(
        reverse("staff_add"),
        {
            "username": "both",
            "email": "both@example.org",
            "first_name": "B",
            "last_name": "Oth",
            "roles": ["ADMINISTRATOR", "SOCIAL_WORKER"],
        },
        follow=True,
    )

    page = response.content.decode()
    both = get_user_model().objects.get(username="both")
    assert response.redirect_chain[-1][0] == reverse("staff_detail", args=[both.pk])
    assert "Giving B Oth the role Social worker needs a second administrator" in page
    assert "Giving B Oth the role Administrator needs a second administrator" in page
    assert roles_of(both) == set()


def test_a_command_cannot_give_an_administrator_casework_access(bob):
    with pytest.raises(ValidationError, match="second administrator"):
        services.grant_role("command line", bob, "COORDINATOR")

    assert roles_of(bob) == {"ADMINISTRATOR"}


def test_the_same_grant_is_not_asked_for_twice(ada, bob, cyd):
    services.grant_role(ada, bob, "COORDINATOR")

    with pytest.raises(ValidationError, match="already waiting"):
        services.grant_role(cyd, bob, "COORDINATOR")

    assert GrantRequest.objects.count() == 1


# Deciding ---------------------------------------------------------------------------------


def test_a_third_administrator_approves_and_the_grant_takes_effect(ada, bob, cyd):
    request = services.grant_role(ada, bob, "COORDINATOR")

    services.approve_grant(cyd, request)

    assert roles_of(bob) == {"ADMINISTRATOR", "COORDINATOR"}
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (GrantRequest.Status.APPROVED, cyd)
    assert actions() == [
        "accounts.grant_request.create",
        "accounts.grant_request.approve",
        "accounts.user.grant_role",
    ]
    granted = AuditEvent.objects.get(action="accounts.user.grant_role")
    assert granted.actor == cyd
    assert granted.details["request_id"] == request.pk
    assert granted.details["requested_by"] == "ada"
    assert verify_chain().ok


def test_neither_the_requester_nor_the_grantee_can_approve(ada, bob):
    """Two administrators cannot collude: ada asks for bob, and only a third may approve."""
    request = services.grant_role(ada, bob, "COORDINATOR")

    with pytest.raises(ValidationError, match="another administrator"):
        services.approve_grant(ada, request)
    with pytest.raises(ValidationError, match="about you"):
        services.approve_grant(bob, request)

    assert roles_of(bob) == {"ADMINISTRATOR"}
    request.refresh_from_db()
    assert request.status == GrantRequest.Status.PENDING


def test_only_an_active_administrator_approves(ada, bob):
    request = services.grant_role(ada, bob, "COORDINATOR")
    coordinator = make_staff("COORDINATOR", username="cat", password=PASSWORD)
    former = make_staff("ADMINISTRATOR", username="fay", password=PASSWORD)
    former.is_active = False
    former.save()

    for approver in (coordinator, former):
        with pytest.raises(ValidationError, match="Only an active administrator"):
            services.approve_grant(approver, request)

    assert roles_of(bob) == {"ADMINISTRATOR"}


def test_approving_a_place_on_an_access_list(ada, bob, cyd, restricted_child):
    request = children.grant_access(ada, restricted_child, bob)

    services.approve_grant(cyd, request)

    assert list(restricted_child.access_list.all()) == [bob]
    granted = AuditEvent.objects.get(action="children.access_granted")
    assert granted.actor == cyd and granted.details["request_id"] == request.pk
    assert list(granted.subjects.values_list("child_pk", flat=True)) == [restricted_child.pk]


def test_a_rejected_request_grants_nothing_and_is_audited(ada, bob, cyd):
    request = services.grant_role(ada, bob, "COORDINATOR")

    services.reject_grant(cyd, request)

    assert roles_of(bob) == {"ADMINISTRATOR"}
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (GrantRequest.Status.REJECTED, cyd)
    assert actions()[-1] == "accounts.grant_request.reject"
    with pytest.raises(ValidationError, match="already been decided"):
        services.approve_grant(cyd, request)


def test_the_requester_may_withdraw_but_the_grantee_decides_nothing(ada, bob):
    request = services.grant_role(ada, bob, "COORDINATOR")

    with pytest.raises(ValidationError, match="about you"):
        services.reject_grant(bob, request)
    services.reject_grant(ada, request)

    assert actions()[-1] == "accounts.grant_request.withdraw"


def test_approval_checks_the_grant_again(ada, bob, cyd):
    request = services.grant_role(ada, bob, "COORDINATOR")
    bob.is_active = False
    bob.save()

    with pytest.raises(ValidationError, match="deactivated"):
        services.approve_grant(cyd, request)

    assert roles_of(bob) == {"ADMINISTRATOR"}


def test_the_database_refuses_a_request_approved_by_its_requester_or_grantee(ada, bob):
    request = services.grant_role(ada, bob, "COORDINATOR")
    for decider in (ada, bob):
        with pytest.raises(IntegrityError), transaction.atomic():
            GrantRequest.objects.filter(pk=request.pk).update(
                status=GrantRequest.Status.APPROVED, decided_by=decider, decided_at=timezone.now()
            )


# Pages ------------------------------------------------------------------------------------


def test_ticking_a_casework_role_for_an_administrator_files_a_request(ada, bob):
    response = signed_in(ada).post(
        reverse("staff_roles", args=[bob.pk]),
        {"roles": ["ADMINISTRATOR", "COORDINATOR"]},
        follow=True,
    )

    page = response.content.decode()
    assert "needs a second administrator" in page
    assert "Waiting for a second administrator" in page and "Missing coordinator" in page
    assert roles_of(bob) == {"ADMINISTRATOR"}


def test_one_s_own_page_offers_no_role_changes(ada):
    page = signed_in(ada).get(reverse("staff_detail", args=[ada.pk])).content.decode()

    assert 'name="roles"' not in page
    assert "You cannot change your own roles" in page


def test_the_requests_page_lets_a_third_administrator_approve(ada, bob, cyd):
    request = services.grant_role(ada, bob, "COORDINATOR")
    approve = reverse("staff_request_approve", args=[request.pk])

    own = signed_in(ada).get(reverse("staff_requests")).content.decode()
    theirs = signed_in(bob).get(reverse("staff_requests")).content.decode()
    third = signed_in(cyd).get(reverse("staff_requests")).content.decode()

    assert approve not in own and "You asked for this" in own
    assert approve not in theirs and "This is about you" in theirs
    assert approve in third and "Missing coordinator" in third
    assert not re.search(r"\sstyle\s*=", third)
    refused = signed_in(ada).post(approve, follow=True).content.decode()
    assert "another administrator" in refused
    assert roles_of(bob) == {"ADMINISTRATOR"}

    done = signed_in(cyd).post(approve, follow=True).content.decode()

    assert "Approved" in done
    assert roles_of(bob) == {"ADMINISTRATOR", "COORDINATOR"}


def test_the_requests_page_rejects(ada, bob, cyd):
    request = services.grant_role(ada, bob, "COORDINATOR")

    signed_in(cyd).post(reverse("staff_request_reject", args=[request.pk]))

    request.refresh_from_db()
    assert request.status == GrantRequest.Status.REJECTED


def test_the_staff_list_says_how_many_requests_wait(ada, bob, cyd):
    services.grant_role(ada, bob, "COORDINATOR")

    page = signed_in(cyd).get(reverse("staff_list")).content.decode()

    assert "1 request waiting for a second administrator" in page
    assert reverse("staff_requests") in page


def test_the_access_list_page_files_a_request_for_an_administrator(ada, bob, restricted_child):
    client = signed_in(ada)
    url = reverse("child_access_list", args=[restricted_child.pk])

    page = client.post(url, {"action": "grant", "username": "bob"}, follow=True).content.decode()

    assert "needs a second administrator" in page
    assert "Waiting for a second administrator" in page and "bob" in page
    assert not restricted_child.access_list.exists()
    mine = client.post(url, {"action": "grant", "username": "ada"}).content.decode()
    assert "You cannot change your own place on an access list" in mine


def test_saving_roles_again_while_a_role_waits_neither_asks_twice_nor_fails(ada):
    worker = make_staff("ANALYST", username="wes", password=PASSWORD)
    (asked,) = services.set_roles(ada, worker, ["ANALYST", "COORDINATOR"]).requested

    change = services.set_roles(ada, worker, ["ANALYST", "AUDITOR", "COORDINATOR"])

    assert (change.granted, change.requested) == (["AUDITOR"], [])
    assert list(GrantRequest.objects.filter(user=worker)) == [asked]
    assert roles_of(worker) == {"ANALYST", "AUDITOR"}
