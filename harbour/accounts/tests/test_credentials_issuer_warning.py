"""The administrator who last issued an account's means to sign in (its set-password link,
on creation, as a fresh link or a password reset, or a reset of its two factors) could sign
in as it. When that same administrator asks for a guarded role or a place on an access list
for the account, the approver is told so plainly, and approving takes a deliberate
confirmation that the member of staff, not the one asking, uses the account
(docs/roles.md, "Four eyes")."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from harbour.accounts import services
from harbour.accounts.models import GrantRequest, RoleAssignment, StaffProfile
from harbour.audit.models import AuditEvent
from harbour.children import services as children
from harbour.common.tests.factories import ChildFactory, make_staff

pytestmark = pytest.mark.django_db

# 17:30 in London on a winter's day (GMT), shown as "4 December 2026 at 5:30pm".
ISSUED_AT = dt.datetime(2026, 12, 4, 17, 30, tzinfo=dt.UTC)
PASSWORD = "a-long-enough-password"
CONFIRMATION = "I have checked with the member of staff that they, not ada, use this account"


def page_text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.fixture
def ada() -> User:
    return make_staff("ADMINISTRATOR", username="ada", password=PASSWORD)


@pytest.fixture
def bob(client_as) -> User:
    """The second administrator, who approves: signed in on the test client."""
    return client_as("ADMINISTRATOR", username="bob", password=PASSWORD)


@pytest.fixture
def cyd() -> User:
    return make_staff("ADMINISTRATOR", username="cyd", password=PASSWORD)


@pytest.fixture
def dan() -> User:
    """An analyst: no guarded role, so a reset of his password takes effect at once."""
    return make_staff(
        "ANALYST", username="dan", first_name="Dan", last_name="Okafor", password=PASSWORD
    )


def approvals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="accounts.grant_request.approve"))


# The account records who last issued its means to sign in ----------------------------------


def test_each_way_of_issuing_the_means_to_sign_in_is_recorded_on_the_account(ada, bob, dan):
    with time_machine.travel(ISSUED_AT, tick=False):
        services.reset_password(ada, dan)
    profile = StaffProfile.objects.get(user=dan)
    assert (profile.password_link_issued_by, profile.password_link_issued_at) == (ada, ISSUED_AT)
    assert profile.two_factor_reset_by is None

    with time_machine.travel(ISSUED_AT, tick=False):
        services.reset_two_factor(bob, dan)
    profile.refresh_from_db()
    assert (profile.two_factor_reset_by, profile.two_factor_reset_at) == (bob, ISSUED_AT)
    # Ada still holds the link that, with the two factors reset, opens the account.
    assert profile.password_link_issued_by == ada

    services.issue_set_password_link(bob, dan)
    profile.refresh_from_db()
    assert profile.password_link_issued_by == bob


def test_the_link_holder_is_still_named_after_another_administrator_resets_two_factors(
    client, ada, bob, dan
):
    services.reset_password(ada, dan)
    services.reset_two_factor(bob, dan)
    services.grant_role(ada, dan, "COORDINATOR")
    text = page_text(client.get(reverse("staff_requests")))
    assert "ada issued this account's set-password link on" in text


def test_a_new_account_records_its_creator_as_the_issuer_of_its_first_link(ada):
    created = services.create_staff_user(
        ada, username="eve", email="", first_name="Eve", last_name="Hart", roles=["ANALYST"]
    )
    assert StaffProfile.objects.get(user=created.user).password_link_issued_by == ada


def test_an_approved_reset_records_the_approver_who_was_given_the_link(ada, bob):
    coordinator = make_staff("COORDINATOR", username="flo", password=PASSWORD)
    request = services.reset_password(ada, coordinator)
    # Waiting for approval, no one has been given the link yet.
    assert not StaffProfile.objects.filter(
        user=coordinator, password_link_issued_by__isnull=False
    ).exists()
    services.approve_grant(bob, request)
    assert StaffProfile.objects.get(user=coordinator).password_link_issued_by == bob


# The takeover route: reset an account without a guarded role, then ask for casework --------


def test_takeover_after_a_password_reset_is_shown_to_the_approver(client, ada, bob, dan):
    with time_machine.travel(ISSUED_AT, tick=False):
        services.reset_password(ada, dan)
    services.grant_role(ada, dan, "COORDINATOR")

    text = page_text(client.get(reverse("staff_requests")))
    assert (
        "ada issued this account's set-password link on 4 December 2026 at 5:30pm: they "
        "could sign in as it. Approve only if you know the account is used by Dan Okafor."
    ) in text
    assert CONFIRMATION in text

    detail = page_text(client.get(reverse("staff_detail", args=[dan.pk])))
    assert "ada issued this account's set-password link on 4 December 2026 at 5:30pm" in detail


def test_takeover_after_a_two_factor_reset_is_shown_to_the_approver(client, ada, bob, dan):
    with time_machine.travel(ISSUED_AT, tick=False):
        services.reset_two_factor(ada, dan)
    services.grant_role(ada, dan, "SOCIAL_WORKER")

    text = page_text(client.get(reverse("staff_requests")))
    assert (
        "ada reset this account's two factors on 4 December 2026 at 5:30pm: they could sign "
        "in as it. Approve only if you know the account is used by Dan Okafor."
    ) in text


def test_a_reset_made_after_asking_for_casework_still_needs_the_confirmation(client, ada, bob, dan):
    request = services.grant_role(ada, dan, "COORDINATOR")
    services.reset_password(ada, dan)

    assert "they could sign in as it" in page_text(client.get(reverse("staff_requests")))
    with pytest.raises(ValidationError):
        services.approve_grant(bob, request)


def test_approving_a_takeover_request_without_confirming_is_refused(client, ada, bob, dan):
    services.reset_password(ada, dan)
    request = services.grant_role(ada, dan, "COORDINATOR")

    with pytest.raises(ValidationError) as refused:
        services.approve_grant(bob, request)
    assert refused.value.code == "confirm_account_holder"

    response = client.post(reverse("staff_request_approve", args=[request.pk]))
    assert response.status_code == 400
    assert "they, not ada, use this account" in page_text(response)
    request.refresh_from_db()
    assert request.status == GrantRequest.Status.PENDING
    assert not RoleAssignment.objects.filter(user=dan, role="COORDINATOR").exists()
    assert approvals() == []


def test_approving_a_takeover_request_with_the_box_ticked_grants_it_and_audits_it(
    client, ada, bob, dan
):
    services.reset_password(ada, dan)
    request = services.grant_role(ada, dan, "COORDINATOR")

    response = client.post(
        reverse("staff_request_approve", args=[request.pk]), {"confirm_account_holder": "yes"}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=dan, role="COORDINATOR").exists()
    [approval] = approvals()
    assert approval.details["confirmed_account_holder"] is True
    assert approval.details["requester_issued"] == ["password_link_issued"]


def test_a_place_on_an_access_list_asked_by_the_issuer_needs_the_confirmation(
    client, ada, bob, dan
):
    services.reset_password(ada, dan)
    child = ChildFactory(restricted=True)
    request = children.grant_access(ada, child, dan)

    assert "they could sign in as it" in page_text(client.get(reverse("staff_requests")))
    with pytest.raises(ValidationError):
        services.approve_grant(bob, request)
    services.approve_grant(bob, request, confirmed_account_holder=True)
    assert approvals()[0].details["confirmed_account_holder"] is True


# A new account -------------------------------------------------------------------------------


def test_a_new_account_with_a_casework_role_shows_its_creator_holds_its_link(client, ada, bob):
    with time_machine.travel(ISSUED_AT, tick=False):
        created = services.create_staff_user(
            ada,
            username="eve",
            email="",
            first_name="Eve",
            last_name="Hart",
            roles=["COORDINATOR"],
        )
    [request] = created.requested

    text = page_text(client.get(reverse("staff_requests")))
    assert (
        "ada issued this account's set-password link on 4 December 2026 at 5:30pm: they "
        "could sign in as it. Approve only if you know the account is used by Eve Hart."
    ) in text
    with pytest.raises(ValidationError):
        services.approve_grant(bob, request)
    services.approve_grant(bob, request, confirmed_account_holder=True)
    assert RoleAssignment.objects.filter(user=created.user, role="COORDINATOR").exists()


# Someone who did not issue the credentials ----------------------------------------------------


def test_a_request_by_an_administrator_who_did_not_issue_the_credentials_needs_no_confirmation(
    client, ada, bob, cyd, dan
):
    services.reset_password(ada, dan)
    request = services.grant_role(cyd, dan, "COORDINATOR")

    text = page_text(client.get(reverse("staff_requests")))
    assert "they could sign in as it" not in text
    assert "use this account" not in text
    assert "they could sign in as it" not in page_text(
        client.get(reverse("staff_detail", args=[dan.pk]))
    )

    response = client.post(reverse("staff_request_approve", args=[request.pk]))
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=dan, role="COORDINATOR").exists()
    assert approvals()[0].details["confirmed_account_holder"] is False


def test_a_reset_asked_by_the_issuer_needs_no_confirmation_its_link_goes_to_the_approver(ada, bob):
    created = services.create_staff_user(
        ada, username="eve", email="", first_name="Eve", last_name="Hart", roles=["COORDINATOR"]
    )
    services.approve_grant(bob, created.requested[0], confirmed_account_holder=True)

    services.approve_grant(bob, services.reset_two_factor(ada, created.user))
    assert approvals()[-1].details["confirmed_account_holder"] is False
