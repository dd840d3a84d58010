"""No single administrator can both hold the means to sign in as an account and give that
account access to children's records (docs/roles.md, "Four eyes").

The routes a lone administrator had to a "puppet" account, each closed here:
(a) add an account (or take a fresh one) and give it a casework role, a place on an access
    list or the Administrator role, while holding its set-password link;
(b) reset an existing caseworker's (or administrator's) password and second factor, be
    shown the new link, and sign in as them.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from harbour.accounts import services
from harbour.accounts.models import GrantRequest, RoleAssignment
from harbour.audit.models import AuditEvent
from harbour.audit.verify import verify_chain
from harbour.children import services as children
from harbour.common.tests.factories import ChildFactory, make_staff, signed_in

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 7"
PUPPET_PASSWORD = "a puppet's long password 2026"
LINK = re.compile(r'id="set-password-link" type="text" value="([^"]+)"')


def roles_of(user: User) -> set[str]:
    return set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))


def set_password_with(link: str, password: str) -> None:
    visitor = Client()
    form_url = visitor.get(link, follow=True).redirect_chain[-1][0]
    visitor.post(form_url, {"new_password1": password, "new_password2": password})


@pytest.fixture
def ada() -> User:
    return make_staff("ADMINISTRATOR", username="ada", password=PASSWORD)


@pytest.fixture
def cyd() -> User:
    return make_staff("ADMINISTRATOR", username="cyd", password=PASSWORD)


@pytest.fixture
def casey() -> User:
    """A coordinator with an authenticator app and recovery codes."""
    user = make_staff("COORDINATOR", username="casey", password=PASSWORD)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    return user


@pytest.fixture
def child():
    return ChildFactory()


# (a) A new or fresh account given casework access ----------------------------------------


def test_an_account_added_with_a_casework_role_opens_no_record_until_a_second_administrator_approves(  # noqa: E501
    ada, cyd, child
):
    added = signed_in(ada).post(
        reverse("staff_add"),
        {
            "username": "puppet",
            "email": "puppet@example.org",
            "first_name": "Pip",
            "last_name": "Puppet",
            "roles": ["COORDINATOR", "ANALYST"],
        },
        follow=True,
    )
    link = LINK.search(added.content.decode()).group(1)
    set_password_with(link, PUPPET_PASSWORD)
    puppet = get_user_model().objects.get(username="puppet")
    as_puppet = Client()
    assert as_puppet.login(username="puppet", password=PUPPET_PASSWORD)

    assert roles_of(puppet) == {"ANALYST"}
    assert as_puppet.get(reverse("child", args=[child.pk])).status_code == 403
    (request,) = GrantRequest.objects.filter(user=puppet)
    assert (request.role, request.requested_by, request.status) == ("COORDINATOR", ada, "PENDING")
    assert "needs a second administrator" in added.content.decode()

    # The approver is the check: told that Ada holds the link, Cyd approves only by
    # confirming who uses the account (test_credentials_issuer_warning.py).
    services.approve_grant(cyd, request, confirmed_account_holder=True)

    assert as_puppet.get(reverse("child", args=[child.pk])).status_code == 200


@pytest.mark.parametrize(
    "role", ["COORDINATOR", "RHI_WORKER", "SOCIAL_WORKER", "EXPLOITATION_LEAD"]
)
def test_a_casework_role_for_an_account_that_is_not_an_administrator_waits(ada, role):
    fresh = make_staff("ANALYST", username="fresh", password=PASSWORD)

    request = services.grant_role(ada, fresh, role)

    assert isinstance(request, GrantRequest) and request.role == role
    assert roles_of(fresh) == {"ANALYST"}


def test_the_administrator_role_for_a_fresh_account_waits(ada):
    """Otherwise one administrator could add a second administrator they sign in as, and
    approve their own requests with it."""
    fresh = make_staff(username="fresh", password=PASSWORD)

    request = services.grant_role(ada, fresh, "ADMINISTRATOR")

    assert isinstance(request, GrantRequest) and request.role == "ADMINISTRATOR"
    assert roles_of(fresh) == set()


def test_a_place_on_an_access_list_waits_for_anyone(ada, cyd):
    restricted = ChildFactory(restricted=True)
    worker = make_staff("SOCIAL_WORKER", username="wes", password=PASSWORD)

    request = children.grant_access(ada, restricted, worker)

    assert isinstance(request, GrantRequest) and request.child == restricted
    assert not restricted.access_list.exists()
    services.approve_grant(cyd, request)
    assert list(restricted.access_list.all()) == [worker]


def test_the_command_line_cannot_give_anyone_casework_access():
    analyst = make_staff("ANALYST", username="ana", password=PASSWORD)
    restricted = ChildFactory(restricted=True)

    with pytest.raises(ValidationError, match="second administrator"):
        services.grant_role("command line", analyst, "COORDINATOR")
    with pytest.raises(ValidationError, match="second administrator"):
        children.grant_access("command line", restricted, analyst)

    assert roles_of(analyst) == {"ANALYST"}
    assert not restricted.access_list.exists()


def test_the_command_line_still_creates_an_administrator():
    created = services.create_staff_user(
        "command line",
        username="first",
        email="first@example.org",
        first_name="F",
        last_name="Irst",
        roles=["ADMINISTRATOR"],
    )

    assert roles_of(created.user) == {"ADMINISTRATOR"}


def test_a_return_interview_worker_s_organisation_is_not_changed_by_one_administrator(ada):
    """The organisation decides which children they see: a second administrator approves
    the role with the organisation it comes with."""
    worker = make_staff("RHI_WORKER", username="robin", password=PASSWORD)
    services.set_organisation(
        ada, make_staff("ANALYST", username="ana", password=PASSWORD), "Safe Steps"
    )  # no effect

    with pytest.raises(ValidationError, match="remove the role"):
        services.set_organisation(ada, worker, "Another Provider")

    assert AuditEvent.objects.filter(action="accounts.user.set_organisation").count() == 1


def test_a_request_for_the_return_interview_worker_role_names_the_organisation(ada):
    worker = make_staff("ANALYST", username="robin", password=PASSWORD)
    services.set_organisation(ada, worker, "Safe Steps")

    request = services.grant_role(ada, worker, "RHI_WORKER")

    assert request.what() == "the role Return interview worker, for Safe Steps"


# (b) An existing caseworker's or administrator's means to sign in --------------------------


def test_resetting_a_coordinator_s_password_waits_and_the_link_goes_to_the_approver(
    ada, cyd, casey
):
    request = services.reset_password(ada, casey)

    assert isinstance(request, GrantRequest)
    casey.refresh_from_db()
    assert casey.check_password(PASSWORD)  # nothing changed yet
    assert not AuditEvent.objects.filter(action="accounts.user.reset_password").exists()
    with pytest.raises(ValidationError, match="another administrator"):
        services.approve_grant(ada, request)

    path = services.approve_grant(cyd, request)

    assert path.startswith("/staff/set-password/")
    casey.refresh_from_db()
    assert not casey.has_usable_password()
    (event,) = AuditEvent.objects.filter(action="accounts.user.reset_password")
    assert event.actor == cyd and event.details["request_id"] == request.pk
    assert event.details["requested_by"] == "ada"
    assert path.rstrip("/").rsplit("/", 1)[-1] not in str(event.details)
    assert verify_chain().ok


def test_resetting_a_coordinator_s_two_factors_waits_for_a_second_administrator(ada, cyd, casey):
    request = services.reset_two_factor(ada, casey)

    assert isinstance(request, GrantRequest)
    assert TOTPDevice.objects.filter(user=casey).exists()
    assert StaticDevice.objects.filter(user=casey).exists()

    services.approve_grant(cyd, request)

    assert not TOTPDevice.objects.filter(user=casey).exists()
    assert not StaticDevice.objects.filter(user=casey).exists()
    (event,) = AuditEvent.objects.filter(action="accounts.user.reset_two_factor")
    assert event.actor == cyd and event.details["request_id"] == request.pk


def test_a_fresh_link_for_a_coordinator_who_has_no_password_yet_waits(ada, cyd):
    newcomer = make_staff("COORDINATOR", username="nia", password=None)

    request = services.issue_set_password_link(ada, newcomer)

    assert isinstance(request, GrantRequest)
    assert services.approve_grant(cyd, request).startswith("/staff/set-password/")


def test_resetting_another_administrator_s_means_to_sign_in_waits(ada):
    """Signed in as another administrator, one could approve their own requests."""
    bob = make_staff("ADMINISTRATOR", username="bob", password=PASSWORD)

    assert isinstance(services.reset_password(ada, bob), GrantRequest)
    assert isinstance(services.reset_two_factor(ada, bob), GrantRequest)

    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_an_account_with_no_casework_or_administrator_role_is_reset_at_once(ada):
    analyst = make_staff("ANALYST", username="ana", password=PASSWORD)
    TOTPDevice.objects.create(user=analyst, name="Authenticator app", confirmed=True)

    assert services.reset_password(ada, analyst).startswith("/staff/set-password/")
    assert services.reset_two_factor(ada, analyst) == 1


def test_no_one_resets_their_own_two_factors(ada):
    with pytest.raises(ValidationError, match="your own two factors"):
        services.reset_two_factor(ada, ada)


def test_on_the_pages_the_one_who_asks_never_sees_the_link_and_the_approver_does(ada, cyd, casey):
    asking = signed_in(ada)

    asked = asking.post(reverse("staff_reset_password", args=[casey.pk]), follow=True)
    asking.post(reverse("staff_reset_two_factor", args=[casey.pk]), follow=True)

    page = asked.content.decode()
    assert "needs a second administrator" in page
    assert not LINK.search(page)
    assert Client().login(username="casey", password=PASSWORD)
    assert TOTPDevice.objects.filter(user=casey).exists()
    requests = signed_in(cyd).get(reverse("staff_requests")).content.decode()
    assert "A new set-password link" in requests and "A reset of two factors" in requests
    password_request = GrantRequest.objects.get(user=casey, kind="PASSWORD")

    approved = signed_in(cyd).post(
        reverse("staff_request_approve", args=[password_request.pk]), follow=True
    )

    assert approved.redirect_chain[-1][0] == reverse("staff_detail", args=[casey.pk])
    link = LINK.search(approved.content.decode()).group(1)
    assert not LINK.search(asking.get(reverse("staff_detail", args=[casey.pk])).content.decode())
    set_password_with(link, PUPPET_PASSWORD)
    assert Client().login(username="casey", password=PUPPET_PASSWORD)
