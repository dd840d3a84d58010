import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.models import User
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from harbour.accounts.models import Lockout, RoleAssignment, StaffProfile
from harbour.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"


@pytest.fixture
def two_factors_required(settings):
    settings.HARBOUR_REQUIRE_TWO_FACTOR = True


@pytest.fixture
def analyst():
    user = User.objects.create_user("analyst", password=PASSWORD)
    RoleAssignment.objects.create(user=user, role="ANALYST")
    return user


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def sign_in(client, username="analyst", password=PASSWORD, **extra):
    return client.post("/sign-in/", {"username": username, "password": password}, **extra)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_first_sign_in_sets_up_an_authenticator_and_shows_recovery_codes(
    client, analyst, two_factors_required
):
    sign_in(client)
    assert client.get("/reports/quarterly/")["Location"].startswith("/sign-in/set-up/")
    page = client.get("/sign-in/set-up/").content.decode()
    assert 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(user=analyst, confirmed=False)

    wrong = client.post("/sign-in/set-up/", {"code": "000000"})
    assert "The code is not right" in wrong.content.decode()
    # django-otp makes the next attempt wait after a wrong one; a person would.
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()

    done = client.post("/sign-in/set-up/", {"code": code_for(device)}).content.decode()
    codes = re.findall(r"<li><code>(\w+)</code></li>", done)
    assert len(set(codes)) == 10
    assert client.get("/reports/quarterly/").status_code == 200
    assert "accounts.two_factor_enrolled" in actions()


def test_later_sign_ins_ask_for_the_code(client, analyst, two_factors_required):
    device = TOTPDevice.objects.create(user=analyst, name="app", confirmed=True)
    sign_in(client)
    assert client.get("/reports/quarterly/")["Location"].startswith("/sign-in/code/")
    response = client.post("/sign-in/code/", {"code": code_for(device), "next": "/reports/annual/"})
    assert response["Location"] == "/reports/annual/"
    assert client.get("/reports/annual/").status_code == 200
    assert actions() == ["accounts.password_accepted", "accounts.sign_in"]


def test_a_recovery_code_signs_in_once(client, analyst, two_factors_required):
    device = TOTPDevice.objects.create(user=analyst, name="app", confirmed=True)
    from harbour.accounts.two_factor import confirm

    codes = confirm(analyst, device)
    sign_in(client)
    client.post("/sign-in/code/", {"code": codes[0]})
    assert client.get("/reports/quarterly/").status_code == 200
    client.post("/sign-out/")
    sign_in(client)
    again = client.post("/sign-in/code/", {"code": codes[0]})
    assert "The code is not right" in again.content.decode()


def test_the_second_factor_is_not_asked_when_switched_off_and_the_page_says_so(
    client, analyst, settings
):
    settings.HARBOUR_REQUIRE_TWO_FACTOR = False
    settings.DEBUG = True
    assert "switched off for the demonstration" in client.get("/sign-in/").content.decode()
    sign_in(client)
    assert client.get("/reports/quarterly/").status_code == 200


def test_an_account_is_locked_after_repeated_failures_and_the_lock_is_audited(
    client, analyst, settings
):
    settings.HARBOUR_LOCKOUT_ATTEMPTS = 3
    for _ in range(3):
        sign_in(client, password="wrong")
    refused = sign_in(client)  # the right password, but locked
    assert "Signing in is paused" in refused.content.decode()
    assert not client.session.get("_auth_user_id")
    assert Lockout.objects.get().kind == "ACCOUNT"
    assert "accounts.lockout" in actions()
    assert "accounts.sign_in_refused" in actions()


def test_a_lock_ends_after_the_set_time(client, analyst, settings):
    settings.HARBOUR_LOCKOUT_ATTEMPTS = 2
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client, password="wrong")
        sign_in(client, password="wrong")
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        sign_in(client)
        assert client.session.get("_auth_user_id") == str(analyst.pk)


def test_an_address_is_locked_after_failures_across_accounts(client, settings):
    settings.HARBOUR_LOCKOUT_ADDRESS_ATTEMPTS = 4
    for name in ["a", "b", "c", "d"]:
        sign_in(client, username=name, password="wrong", REMOTE_ADDR="192.0.2.7")
    User.objects.create_user("e", password=PASSWORD)
    refused = sign_in(client, username="e", REMOTE_ADDR="192.0.2.7")
    assert "Signing in is paused" in refused.content.decode()
    other_address = sign_in(client, username="e", REMOTE_ADDR="192.0.2.8")
    assert other_address.status_code == 302


def test_an_administrator_unlock_lets_the_user_back_in(client, analyst, settings):
    from harbour.accounts.lockout import unlock

    settings.HARBOUR_LOCKOUT_ATTEMPTS = 2
    sign_in(client, password="wrong")
    sign_in(client, password="wrong")
    unlock("an administrator", Lockout.objects.get())
    assert sign_in(client).status_code == 302
    assert "accounts.unlock" in actions()


def test_an_idle_session_ends_after_thirty_minutes(client, analyst):
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client)
        assert client.get("/reports/quarterly/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get("/reports/quarterly/").status_code == 200  # activity renews it
    with time_machine.travel(start + dt.timedelta(minutes=60), tick=False):
        assert client.get("/reports/quarterly/").status_code == 302


def test_sign_out_everywhere_ends_every_other_session(client, analyst):
    from django.test import Client

    other = Client()
    sign_in(client)
    sign_in(other)
    profile, _ = StaffProfile.objects.get_or_create(user=analyst)
    profile.session_generation += 1
    profile.save()
    assert client.get("/reports/quarterly/")["Location"] == "/sign-in/"
    assert other.get("/reports/quarterly/")["Location"] == "/sign-in/"
    sign_in(client)
    assert client.get("/reports/quarterly/").status_code == 200


def test_passwords_must_be_long_and_uncommon():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["short1", "password1234", "123456789012"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("correct horse battery staple")
