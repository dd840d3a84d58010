"""Staff management: the services (validated, atomic, audited) and the /staff/ pages."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from harbour.accounts import lockout, services
from harbour.accounts.models import Lockout, RoleAssignment, StaffProfile
from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 7"


@pytest.fixture
def admin() -> User:
    return make_staff(
        "ADMINISTRATOR", username="ada", first_name="Ada", last_name="Admin", password=PASSWORD
    )


@pytest.fixture
def worker() -> User:
    return make_staff(
        "SOCIAL_WORKER", username="wes", first_name="Wes", last_name="Worker", password=PASSWORD
    )


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


def only_event(action: str) -> AuditEvent:
    (event,) = AuditEvent.objects.filter(action=action)
    return event


def assert_names(event: AuditEvent, user: User, actor: User) -> None:
    assert event.actor == actor
    assert event.details["username"] == user.username
    assert event.details["user_id"] == user.pk
    assert (event.object_type, event.object_id) == ("auth.user", str(user.pk))
    user.refresh_from_db()
    assert user.password not in str(event.details)


def lock_out(username: str) -> Lockout:
    from django.conf import settings

    result = None
    for _ in range(settings.HARBOUR_LOCKOUT_ATTEMPTS):
        result = lockout.record_failure(username, "192.0.2.1") or result
    assert result is not None
    return result


# Services ------------------------------------------------------------------------------


def test_create_staff_user_has_no_password_and_is_audited_without_secrets(admin):
    created = services.create_staff_user(
        admin,
        username="rhi1",
        email="rhi1@example.org",
        first_name="Rhia",
        last_name="Interviewer",
        roles=["RHI_WORKER", "ANALYST"],
        organisation="Safe Steps",
    )

    user = created.user
    assert not user.has_usable_password()
    # A casework role waits for a second administrator (test_no_puppet_accounts.py).
    assert set(user.role_assignments.values_list("role", flat=True)) == {"ANALYST"}
    assert [(asked.role, asked.status) for asked in created.requested] == [
        ("RHI_WORKER", "PENDING")
    ]
    assert user.staff_profile.organisation == "Safe Steps"
    assert created.set_password_path.startswith("/staff/set-password/")
    event = only_event("accounts.user.create")
    assert_names(event, user, admin)
    assert event.details["roles"] == ["ANALYST"]
    token = created.set_password_path.rstrip("/").rsplit("/", 1)[-1]
    assert token not in str(event.details)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"roles": ["WIZARD"]}, "roles"),
        ({"username": "ADA"}, "username"),  # taken, whatever the case
        ({"username": "has space"}, "username"),
        ({"email": "not-an-address"}, "email"),
        ({"organisation": "x" * 201}, "organisation"),
    ],
)
def test_create_staff_user_refuses_invalid_values_and_writes_nothing(admin, changes, field):
    values = {
        "username": "new",
        "email": "new@example.org",
        "first_name": "New",
        "last_name": "Person",
        "roles": ["ANALYST"],
        "organisation": "",
    } | changes
    users = get_user_model().objects.count()

    with pytest.raises(ValidationError) as raised:
        services.create_staff_user(admin, **values)

    assert field in raised.value.message_dict
    assert get_user_model().objects.count() == users
    assert not AuditEvent.objects.exists()


def test_grant_role_is_audited(admin, worker):
    services.grant_role(admin, worker, "ANALYST")

    assert RoleAssignment.objects.filter(user=worker, role="ANALYST").exists()
    event = only_event("accounts.user.grant_role")
    assert_names(event, worker, admin)
    assert event.details["role"] == "ANALYST"


@pytest.mark.parametrize("role", ["WIZARD", "SOCIAL_WORKER"])  # unknown, already held
def test_grant_role_refuses_an_unknown_or_held_role(admin, worker, role):
    with pytest.raises(ValidationError):
        services.grant_role(admin, worker, role)

    assert list(worker.role_assignments.values_list("role", flat=True)) == ["SOCIAL_WORKER"]
    assert not AuditEvent.objects.exists()


def test_revoke_role_is_audited(admin, worker):
    services.revoke_role(admin, worker, "SOCIAL_WORKER")

    assert not worker.role_assignments.exists()
    event = only_event("accounts.user.revoke_role")
    assert_names(event, worker, admin)
    assert event.details["role"] == "SOCIAL_WORKER"


def test_an_administrator_may_not_revoke_their_own_administrator_role(admin):
    with pytest.raises(ValidationError, match="You cannot change your own roles"):
        services.revoke_role(admin, admin, "ADMINISTRATOR")

    assert RoleAssignment.objects.filter(user=admin, role="ADMINISTRATOR").exists()
    assert not AuditEvent.objects.exists()


def test_an_administrator_may_revoke_another_administrator_s_role(admin):
    other = make_staff("ADMINISTRATOR", username="other", password=PASSWORD)

    services.revoke_role(admin, other, "ADMINISTRATOR")

    assert not other.role_assignments.exists()


@pytest.mark.parametrize("role", ["WIZARD", "ANALYST"])  # unknown, not held
def test_revoke_role_refuses_an_unknown_or_unheld_role(admin, worker, role):
    with pytest.raises(ValidationError):
        services.revoke_role(admin, worker, role)

    assert not AuditEvent.objects.exists()


def test_set_roles_is_all_or_nothing(admin):
    with pytest.raises(ValidationError):
        services.set_roles(admin, admin, ["ANALYST"])  # adds Analyst, drops own Administrator

    assert list(admin.role_assignments.values_list("role", flat=True)) == ["ADMINISTRATOR"]
    assert not AuditEvent.objects.exists()


def test_set_organisation_is_audited_with_old_and_new_values(admin, worker):
    services.set_organisation(admin, worker, "Safe Steps")
    services.set_organisation(admin, worker, "Open Door")

    assert StaffProfile.objects.get(user=worker).organisation == "Open Door"
    events = AuditEvent.objects.filter(action="accounts.user.set_organisation").order_by("pk")
    assert [e.details["organisation"] for e in events] == [
        ["", "Safe Steps"],
        ["Safe Steps", "Open Door"],
    ]
    assert_names(events.last(), worker, admin)


def test_set_organisation_refuses_a_too_long_name(admin, worker):
    with pytest.raises(ValidationError):
        services.set_organisation(admin, worker, "x" * 201)

    assert not AuditEvent.objects.exists()


def test_deactivate_and_reactivate_are_audited(admin, worker):
    services.deactivate_user(admin, worker)
    worker.refresh_from_db()
    assert not worker.is_active
    assert_names(only_event("accounts.user.deactivate"), worker, admin)

    services.reactivate_user(admin, worker)
    worker.refresh_from_db()
    assert worker.is_active
    assert_names(only_event("accounts.user.reactivate"), worker, admin)


def test_deactivate_refuses_oneself_and_the_already_deactivated(admin, worker):
    with pytest.raises(ValidationError, match="your own account"):
        services.deactivate_user(admin, admin)
    services.deactivate_user(admin, worker)
    with pytest.raises(ValidationError, match="already deactivated"):
        services.deactivate_user(admin, worker)
    services.reactivate_user(admin, worker)
    with pytest.raises(ValidationError, match="already active"):
        services.reactivate_user(admin, worker)


def test_sign_out_everywhere_raises_the_session_generation(admin, worker):
    assert services.sign_out_everywhere(admin, worker) == 1
    assert services.sign_out_everywhere(admin, worker) == 2

    assert StaffProfile.objects.get(user=worker).session_generation == 2
    event = AuditEvent.objects.filter(action="accounts.user.sign_out_everywhere").last()
    assert_names(event, worker, admin)
    assert event.details["session_generation"] == 2


def test_reset_two_factor_deletes_only_that_user_s_devices(admin):
    # An analyst's are reset at once; a caseworker's wait (test_no_puppet_accounts.py).
    worker = make_staff("ANALYST", username="ana", password=PASSWORD)
    TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
    codes = StaticDevice.objects.create(user=worker, name="backup", confirmed=True)
    StaticToken.objects.create(device=codes, token="12345678")
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)

    assert services.reset_two_factor(admin, worker) == 2

    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert not StaticDevice.objects.filter(user=worker).exists()
    assert not StaticToken.objects.exists()
    assert TOTPDevice.objects.filter(user=admin).exists()
    event = only_event("accounts.user.reset_two_factor")
    assert_names(event, worker, admin)
    assert (event.details["totp_devices"], event.details["static_devices"]) == (1, 1)


def test_unlock_user_ends_the_account_lock_out(admin, worker):
    lock_out("Wes")  # usernames are matched without regard to case
    assert lockout.active_lockout("wes", None) is not None

    assert services.unlock_user(admin, "wes") == 1

    assert lockout.active_lockout("wes", None) is None
    assert_names(only_event("accounts.user.unlock"), worker, admin)
    assert only_event("accounts.unlock").details == {"kind": "ACCOUNT", "key": "wes"}


def test_unlock_user_refuses_when_not_locked_out(admin, worker):
    with pytest.raises(ValidationError, match="not locked out"):
        services.unlock_user(admin, "wes")

    assert not AuditEvent.objects.exists()


def test_a_new_set_password_link_only_for_who_has_no_password(admin, worker):
    created = services.create_staff_user(
        admin, username="n", email="n@example.org", first_name="N", last_name="N", roles=[]
    )

    assert services.issue_set_password_link(admin, created.user).startswith("/staff/")
    assert_names(only_event("accounts.user.set_password_link"), created.user, admin)
    with pytest.raises(ValidationError, match="already set a password"):
        services.issue_set_password_link(admin, worker)


# Pages ---------------------------------------------------------------------------------


def page_urls(pk: int, lockout_pk: int) -> list[tuple[str, str]]:
    get = [("get", reverse("staff_list")), ("get", reverse("staff_add"))]
    get.append(("get", reverse("staff_detail", args=[pk])))
    post = [
        ("post", reverse(name, args=[pk]))
        for name in (
            "staff_roles",
            "staff_organisation",
            "staff_deactivate",
            "staff_reactivate",
            "staff_sign_out_everywhere",
            "staff_reset_two_factor",
            "staff_unlock",
            "staff_set_password_link",
        )
    ]
    post += [
        ("post", reverse("staff_add")),
        ("post", reverse("staff_lockout_unlock", args=[lockout_pk])),
    ]
    return get + post


def test_pages_refuse_anonymous_visitors_and_non_administrators(client, worker):
    target = make_staff("ANALYST", username="target", password=PASSWORD)
    locked = lock_out("target")
    for method, url in page_urls(target.pk, locked.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/sign-in/?next="), url

    client.force_login(worker)
    for method, url in page_urls(target.pk, locked.pk):
        assert getattr(client, method)(url).status_code == 403, url

    target.refresh_from_db()
    assert target.is_active
    assert lockout.active_lockout("target", None) is not None
    assert not AuditEvent.objects.filter(action__startswith="accounts.user.").exists()


def test_the_list_shows_staff_with_roles_and_state(admin_client, worker):
    TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
    lock_out("wes")

    page = admin_client.get(reverse("staff_list")).content.decode()

    row = re.search(r"<tr[^>]*>\s*<td[^>]*><a[^>]*>wes</a>.*?</tr>", page, re.S).group(0)
    assert "Wes Worker" in row and "Social worker" in row and "govuk-tag" in row
    assert "Locked out" in row and "Set up" in row
    assert re.search(r"Account\s*</td>\s*<td[^>]*>wes</td>", page)  # in the "Locked out" list
    assert not re.search(r"\sstyle\s*=", page)


def test_creating_a_user_through_the_page_gives_a_working_set_password_link(admin_client):
    response = admin_client.post(
        reverse("staff_add"),
        {
            "username": "newbie",
            "email": "newbie@example.org",
            "first_name": "Nia",
            "last_name": "Newbie",
            "roles": ["COORDINATOR", "SOCIAL_WORKER"],
            "organisation": "",
        },
        follow=True,
    )

    user = get_user_model().objects.get(username="newbie")
    assert response.redirect_chain[-1][0] == reverse("staff_detail", args=[user.pk])
    page = response.content.decode()
    assert "govuk-notification-banner--success" in page and "Nia Newbie has been added" in page
    link = re.search(r'id="set-password-link" type="text" value="([^"]+)"', page).group(1)
    assert link.startswith("http://testserver/staff/set-password/")
    # Shown once only.
    again = admin_client.get(reverse("staff_detail", args=[user.pk])).content.decode()
    assert 'id="set-password-link"' not in again

    visitor = Client()
    form_page = visitor.get(link, follow=True)
    assert b"Set your password" in form_page.content
    form_url = form_page.redirect_chain[-1][0]
    too_short = visitor.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert b"There is a problem" in too_short.content and b"new_password2" in too_short.content
    done = visitor.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done["Location"] == reverse("staff_set_password_done")

    assert visitor.login(username="newbie", password=PASSWORD)
    assert_names(only_event("accounts.user.set_password"), user, user)
    # The link works once.
    assert b"This link does not work" in Client().get(link, follow=True).content


def test_the_add_form_shows_errors_and_keeps_what_was_entered(admin_client, worker):
    response = admin_client.post(
        reverse("staff_add"),
        {"username": "WES", "email": "wrong", "first_name": "Kept", "last_name": ""},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Add a member of staff" in page
    for href, text in [
        ("#username", "A member of staff already has that username"),
        ("#email", "Enter an email address in the correct format, like name@example.com"),
        ("#last_name", "Enter a last name"),
        ("#roles", "Select at least one role"),
    ]:
        assert f'<a href="{href}">{text}</a>' in page
    assert 'value="Kept"' in page and 'value="WES"' in page
    assert get_user_model().objects.count() == 2


def test_unlocking_from_the_locked_out_list_clears_the_lock_out(admin_client, worker):
    account = lock_out("wes")
    address = Lockout.objects.create(
        kind=Lockout.Kind.ADDRESS,
        key="198.51.100.7",
        locked_at=account.locked_at,
        until=account.until,
    )

    response = admin_client.post(reverse("staff_lockout_unlock", args=[account.pk]), follow=True)
    assert "The account wes has been unlocked" in response.content.decode()
    assert lockout.active_lockout("wes", None) is None

    admin_client.post(reverse("staff_lockout_unlock", args=[address.pk]))
    assert lockout.active_lockout("", "198.51.100.7") is None
    page = admin_client.get(reverse("staff_list")).content.decode()
    assert "No account or address is locked out." in page


def test_unlocking_from_the_staff_page(admin_client, worker):
    lock_out("wes")

    response = admin_client.post(reverse("staff_unlock", args=[worker.pk]), follow=True)

    assert "has been unlocked" in response.content.decode()
    assert lockout.active_lockout("wes", None) is None


def test_role_changes_show_on_the_list_and_its_filter(admin_client, worker):
    response = admin_client.post(
        reverse("staff_roles", args=[worker.pk]), {"roles": ["ANALYST", "AUDITOR"]}, follow=True
    )
    assert "Roles of Wes Worker changed" in response.content.decode()

    analysts = admin_client.get(reverse("staff_list"), {"role": "ANALYST"}).content.decode()
    assert ">wes</a>" in analysts and ">ada</a>" not in analysts
    assert "Auditor" in analysts
    social = admin_client.get(reverse("staff_list"), {"role": "SOCIAL_WORKER"}).content.decode()
    assert ">wes</a>" not in social and "No one has the role Social worker." in social


def test_removing_one_s_own_administrator_role_on_the_page_is_refused(admin_client, admin):
    response = admin_client.post(reverse("staff_roles", args=[admin.pk]), {"roles": ["ANALYST"]})

    page = response.content.decode()
    assert '<a href="#roles">You cannot change your own roles' in page
    assert 'id="roles-error"' in page and 'id="roles" tabindex="-1"' in page
    assert list(admin.role_assignments.values_list("role", flat=True)) == ["ADMINISTRATOR"]


def test_the_action_buttons_do_what_they_say(admin_client):
    # An analyst: a caseworker's two factors wait for a second administrator.
    worker = make_staff(
        "ANALYST", username="mo", first_name="Mo", last_name="Member", password=PASSWORD
    )
    TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
    for name, message in [
        ("staff_sign_out_everywhere", "signed out everywhere"),
        ("staff_reset_two_factor", "Two factors reset"),
        ("staff_deactivate", "has been deactivated"),
        ("staff_reactivate", "has been reactivated"),
    ]:
        response = admin_client.post(reverse(name, args=[worker.pk]), follow=True)
        assert message in response.content.decode(), name

    assert StaffProfile.objects.get(user=worker).session_generation == 1
    assert not TOTPDevice.objects.filter(user=worker).exists()
    response = admin_client.post(
        reverse("staff_organisation", args=[worker.pk]), {"organisation": "Safe Steps"}, follow=True
    )
    assert "Organisation of Mo Member changed" in response.content.decode()


def test_an_administrator_cannot_deactivate_themselves_on_the_page(admin_client, admin):
    response = admin_client.post(reverse("staff_deactivate", args=[admin.pk]))

    assert '<a href="#actions">You cannot deactivate your own account' in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_a_deactivated_user_s_link_does_not_work(admin):
    created = services.create_staff_user(
        admin, username="n", email="n@example.org", first_name="N", last_name="N", roles=[]
    )
    services.deactivate_user(admin, created.user)

    response = Client().get(created.set_password_path, follow=True)

    assert b"This link does not work" in response.content
