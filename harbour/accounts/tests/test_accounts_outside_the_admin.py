"""Accounts are changed only on the staff pages, through the audited services: the Django
admin has no user, group or second-factor pages, no page or download shows anyone's
authenticator key or recovery codes (except a user's own set-up page while they enrol), and
every change to an account is an event in the hash-chained trail."""

from __future__ import annotations

import base64
import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from harbour.accounts.models import GrantRequest
from harbour.accounts.tests.test_authorisation_matrix import (
    every_url,
    objects_for,
    sample_path,
    sample_records,
)
from harbour.audit.models import AuditEvent
from harbour.audit.verify import verify_chain
from harbour.common.tests.factories import make_staff, signed_in

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 7"
NEW_PASSWORD = "another horse battery staple 8"


@pytest.fixture
def victim() -> User:
    """A coordinator with an authenticator app and recovery codes set up."""
    user = make_staff("COORDINATOR", username="casey", password=PASSWORD)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    codes = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=codes, token="rc7q2m9x")
    return user


def secrets_of(user: User) -> list[str]:
    """Every form the user's second-factor secrets could be shown in."""
    device = TOTPDevice.objects.get(user=user)
    base32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    grouped = " ".join(base32[i : i + 4] for i in range(0, len(base32), 4))
    tokens = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    return [device.key, base32, grouped, base32.lower(), *tokens]


ACCOUNT_PATHS = [
    "/admin/auth/",
    "/admin/auth/user/",
    "/admin/auth/user/add/",
    "/admin/auth/user/{user}/change/",
    "/admin/auth/user/{user}/password/",
    "/admin/auth/group/",
    "/admin/otp_totp/",
    "/admin/otp_totp/totpdevice/",
    "/admin/otp_totp/totpdevice/{device}/change/",
    "/admin/otp_totp/totpdevice/{device}/config/",
    "/admin/otp_totp/totpdevice/{device}/qrcode/",
    "/admin/otp_static/staticdevice/",
    "/admin/otp_static/staticdevice/{codes}/change/",
]


def test_the_admin_registers_no_account_group_or_second_factor_model():
    for model in (get_user_model(), Group, TOTPDevice, StaticDevice, StaticToken):
        assert not admin.site.is_registered(model), model


def test_the_admin_has_no_user_or_device_pages_even_for_a_superuser(victim):
    client = signed_in(get_user_model().objects.create_superuser("root", password=None))
    ids = {
        "user": victim.pk,
        "device": TOTPDevice.objects.get(user=victim).pk,
        "codes": StaticDevice.objects.get(user=victim).pk,
    }

    answers = {
        path.format(**ids): client.get(path.format(**ids)).status_code for path in ACCOUNT_PATHS
    }

    assert answers == {path: 404 for path in answers}
    assert client.get("/admin/").status_code == 200  # the rest of the admin is still there


def admin_pages() -> list[str]:
    """The admin's index and, for every model it offers, its list, add and first record."""
    paths = ["/admin/", reverse("admin:password_change")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        paths += [
            reverse("admin:app_list", args=[info[0]]),
            reverse("admin:{}_{}_changelist".format(*info)),
            reverse("admin:{}_{}_add".format(*info)),
        ]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            paths.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    return sorted(set(paths))


def test_no_one_can_read_another_user_s_second_factor_secrets_on_any_page(victim):
    secrets = secrets_of(victim)
    superuser = get_user_model().objects.create_superuser("root", password=None)
    administrator = make_staff("ADMINISTRATOR", username="ada", password=PASSWORD)
    auditor = make_staff("AUDITOR", username="ari", password=PASSWORD)
    records = sample_records()
    # Something about the victim for the audit pages to show.
    signed_in(administrator).post(reverse("staff_sign_out_everywhere", args=[victim.pk]))
    pages = [path.format(user=victim.pk, device=1, codes=1) for path in ACCOUNT_PATHS]
    pages += [
        reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": pk})
        for pk in TOTPDevice.objects.values_list("pk", flat=True)
        if admin.site.is_registered(TOTPDevice)
    ]
    pages += [
        sample_path(route, objects_for(name, records, victim.pk))
        for name, route in every_url()
        if not name.startswith("admin:") and name not in ("sign_out", "staff_set_password")
    ]
    leaked = []
    for reader in (superuser, administrator, auditor):
        client = signed_in(reader)
        for path in admin_pages() + pages + ["/audit/export.csv"]:
            body = body_of(client.get(path))
            leaked += [f"{reader} at {path}" for secret in secrets if secret in body]
    assert leaked == []


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def test_a_user_sees_their_own_key_only_while_setting_up_their_authenticator(victim):
    newcomer = make_staff("SOCIAL_WORKER", username="nia", password=PASSWORD)
    client = signed_in(newcomer)

    page = client.get(reverse("two_factor_set_up")).content.decode()

    own = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    assert secrets_of_device(own) in page
    assert not any(secret in page for secret in secrets_of(victim))


def secrets_of_device(device: TOTPDevice) -> str:
    base32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(base32[i : i + 4] for i in range(0, len(base32), 4))


def events_about(user: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="auth.user", object_id=str(user.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def test_every_change_an_administrator_makes_to_an_account_is_in_the_audit_chain(victim):
    client = signed_in(make_staff("ADMINISTRATOR", username="ada", password=PASSWORD))
    added = client.post(
        reverse("staff_add"),
        {
            "username": "newbie",
            "email": "newbie@example.org",
            "first_name": "Nia",
            "last_name": "Newbie",
            "roles": ["ANALYST"],
        },
    )
    assert added.status_code == 302
    newbie = get_user_model().objects.get(username="newbie")
    steps = [
        ("staff_roles", {"roles": ["ANALYST", "AUDITOR"]}),
        ("staff_organisation", {"organisation": "Safe Steps"}),
        ("staff_set_password_link", {}),
        ("staff_sign_out_everywhere", {}),
        ("staff_deactivate", {}),
        ("staff_reactivate", {}),
    ]
    for name, data in steps:
        response = client.post(reverse(name, args=[newbie.pk]), data)
        assert response.status_code == 302, name
    for name in ("staff_reset_two_factor", "staff_reset_password"):
        response = client.post(reverse(name, args=[victim.pk]))
        assert response.status_code == 302, name
    # The victim is a coordinator: their resets take a second administrator.
    approver = signed_in(make_staff("ADMINISTRATOR", username="cyd", password=PASSWORD))
    for request in GrantRequest.objects.order_by("pk"):
        response = approver.post(reverse("staff_request_approve", args=[request.pk]))
        assert response.status_code == 302, request

    assert events_about(newbie) == [
        "accounts.user.create",
        "accounts.user.grant_role",
        "accounts.user.set_organisation",
        "accounts.user.set_password_link",
        "accounts.user.sign_out_everywhere",
        "accounts.user.deactivate",
        "accounts.user.reactivate",
    ]
    assert events_about(victim) == [
        "accounts.user.reset_two_factor",
        "accounts.user.reset_password",
    ]
    assert verify_chain().ok


def test_resetting_a_password_stops_the_old_one_and_gives_a_one_time_link():
    # An analyst's password is reset at once; a caseworker's or an administrator's waits
    # for a second administrator, who is given the link (test_no_puppet_accounts.py).
    victim = make_staff("ANALYST", username="casey", password=PASSWORD)
    administrator = make_staff("ADMINISTRATOR", username="ada", password=PASSWORD)
    client = signed_in(administrator)
    their_session = signed_in(victim)

    response = client.post(reverse("staff_reset_password", args=[victim.pk]), follow=True)

    page = response.content.decode()
    assert "Password reset for casey" in page
    link = re.search(r'id="set-password-link" type="text" value="([^"]+)"', page).group(1)
    victim.refresh_from_db()
    assert not victim.has_usable_password()
    assert not Client().login(username="casey", password=PASSWORD)
    assert their_session.get(reverse("home")).status_code == 302  # signed out
    visitor = Client()
    form_url = visitor.get(link, follow=True).redirect_chain[-1][0]
    visitor.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert Client().login(username="casey", password=NEW_PASSWORD)
    (event,) = AuditEvent.objects.filter(action="accounts.user.reset_password")
    assert event.actor == administrator
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert token not in str(event.details) and "pbkdf2" not in str(event.details)


def test_an_administrator_cannot_reset_their_own_password_on_the_staff_page():
    administrator = make_staff("ADMINISTRATOR", username="ada", password=PASSWORD)

    response = signed_in(administrator).post(
        reverse("staff_reset_password", args=[administrator.pk])
    )

    assert "You cannot reset your own password" in response.content.decode()
    administrator.refresh_from_db()
    assert administrator.has_usable_password()
    assert not AuditEvent.objects.filter(action="accounts.user.reset_password").exists()


def test_a_superuser_changing_their_own_password_in_the_admin_is_audited():
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client = signed_in(root)

    response = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    root.refresh_from_db()
    assert root.check_password(NEW_PASSWORD)
    assert events_about(root) == ["accounts.user.change_password"]
    assert verify_chain().ok
