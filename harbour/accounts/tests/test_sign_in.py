import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from harbour.accounts.models import FailedSignIn, Lockout, StaffProfile
from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def two_factors_required(settings):
    settings.HARBOUR_REQUIRE_TWO_FACTOR = True


@pytest.fixture
def analyst():
    return make_staff("ANALYST", username="analyst", password=PASSWORD)


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


@pytest.fixture
def past_the_password(client, analyst, two_factors_required) -> TOTPDevice:
    """The analyst's authenticator, with `client` signed in as far as the code step."""
    device = TOTPDevice.objects.create(user=analyst, name="app", confirmed=True)
    sign_in(client)
    return device


def test_a_locked_account_cannot_enter_codes_and_is_signed_out(client, past_the_password):
    from harbour.accounts import lockout

    # Failures elsewhere (another session, another address) lock the account meanwhile.
    for _ in range(5):
        lockout.record_failure("analyst", "198.51.100.3")

    response = client.post("/sign-in/code/", {"code": code_for(past_the_password)})

    assert response["Location"] == "/sign-in/"
    assert "_auth_user_id" not in client.session
    assert client.get("/reports/quarterly/")["Location"].startswith("/sign-in/")
    refusal = AuditEvent.objects.filter(action="accounts.sign_in_refused").get()
    assert refusal.details == {"username": "analyst", "reason": "locked out", "step": "code"}


def test_a_locked_account_cannot_set_up_an_authenticator(client, analyst, two_factors_required):
    from harbour.accounts import lockout

    sign_in(client)
    for _ in range(5):
        lockout.record_failure("analyst", "198.51.100.3")
    assert client.get("/sign-in/set-up/")["Location"] == "/sign-in/"
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_cannot_enter_codes_and_is_signed_out(
    client, analyst, past_the_password
):
    analyst.is_active = False
    analyst.save()

    response = client.post("/sign-in/code/", {"code": code_for(past_the_password)})

    assert response["Location"] == "/sign-in/"
    assert "_auth_user_id" not in client.session
    analyst.is_active = True
    analyst.save()  # reactivated: the old session does not come back
    assert client.get("/sign-in/code/")["Location"].startswith("/sign-in/")
    refusal = AuditEvent.objects.filter(action="accounts.sign_in_refused").get()
    assert refusal.details == {"username": "analyst", "reason": "deactivated", "step": "code"}


def test_a_correct_code_with_no_next_goes_to_the_home_page(client, past_the_password):
    response = client.post("/sign-in/code/", {"code": code_for(past_the_password)})
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    "target",
    [
        "http://testserver/reports/annual/",
        "https://testserver/reports/annual/",
        "//testserver/reports/annual/",
        "///reports/annual/",
        "/\\evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
        "reports/annual/",
        " /reports/annual/",
    ],
)
def test_the_code_step_goes_only_to_a_path_on_this_site(client, past_the_password, target):
    page = client.get("/sign-in/code/", {"next": target}).content.decode()
    assert 'name="next" value="/"' in page
    response = client.post("/sign-in/code/", {"code": code_for(past_the_password), "next": target})
    assert response["Location"] == "/"


def test_giving_the_second_factor_changes_the_session_key(client, past_the_password):
    from django.contrib.sessions.models import Session

    before = client.session.session_key
    client.post("/sign-in/code/", {"code": code_for(past_the_password)})
    after = client.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get("/reports/quarterly/").status_code == 200


def test_setting_up_an_authenticator_changes_the_session_key(client, analyst, two_factors_required):
    sign_in(client)
    client.get("/sign-in/set-up/")
    device = TOTPDevice.objects.get(user=analyst, confirmed=False)
    before = client.session.session_key
    client.post("/sign-in/set-up/", {"code": code_for(device)})
    assert client.session.session_key != before
    assert client.get("/reports/quarterly/").status_code == 200


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


@pytest.mark.frozen_at(START)
def test_a_lock_ends_after_the_set_time(clock, client, analyst, settings):
    settings.HARBOUR_LOCKOUT_ATTEMPTS = 2
    sign_in(client, password="wrong")
    sign_in(client, password="wrong")
    clock.move_to(START + dt.timedelta(minutes=16))
    sign_in(client)
    assert client.session.get("_auth_user_id") == str(analyst.pk)


# Everyone behind the council's proxy (or an office's shared connection) arrives from one
# address: failures from an address must slow an attacker down, never lock the others out.
SHARED_ADDRESS = "127.0.0.1"


def test_made_up_usernames_from_a_shared_address_do_not_lock_out_the_coordinator(client):
    coordinator = User.objects.create_user("coordinator", password=PASSWORD)
    for number in range(25):
        refused = sign_in(
            client, username=f"made-up-{number}", password="guess", REMOTE_ADDR=SHARED_ADDRESS
        )
        assert "Enter a correct username and password" in refused.content.decode()

    response = sign_in(client, username="coordinator", REMOTE_ADDR=SHARED_ADDRESS)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(coordinator.pk)
    assert not Lockout.objects.filter(kind=Lockout.Kind.ADDRESS).exists()
    slowed = AuditEvent.objects.get(action="accounts.address_slowed")
    assert slowed.details == {"address": SHARED_ADDRESS, "failures": 20}


def test_behind_a_trusted_proxy_failures_count_against_the_client_not_the_proxy(
    client, analyst, settings
):
    settings.HARBOUR_TRUSTED_PROXIES = ["127.0.0.1/32"]
    attacker = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for number in range(25):
        sign_in(client, username=f"made-up-{number}", password="guess", **attacker)
    assert set(FailedSignIn.objects.values_list("address", flat=True)) == {"203.0.113.66"}

    # A spoofed header from the attacker's own machine is not believed either.
    direct = {"REMOTE_ADDR": "203.0.113.66", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    sign_in(client, username="made-up-direct", password="guess", **direct)
    assert FailedSignIn.objects.get(username="made-up-direct").address == "203.0.113.66"

    colleague = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    assert sign_in(client, **colleague).status_code == 302


@pytest.mark.frozen_at(START)
def test_from_a_busy_address_a_username_that_failed_waits_before_its_next_try(
    clock, client, analyst, settings
):
    settings.HARBOUR_LOCKOUT_ADDRESS_ATTEMPTS = 4
    for number in range(4):
        sign_in(client, username=f"made-up-{number}", password="x", REMOTE_ADDR="192.0.2.7")
    sign_in(client, password="mistyped", REMOTE_ADDR="192.0.2.7")
    clock.move_to(START + dt.timedelta(seconds=10))
    refused = sign_in(client, REMOTE_ADDR="192.0.2.7")  # the right password, too soon
    assert "Wait 20 seconds, then try again" in refused.content.decode()
    assert not client.session.get("_auth_user_id")
    # Only that username waits, and only from that address.
    User.objects.create_user("colleague", password=PASSWORD)
    assert sign_in(client, username="colleague", REMOTE_ADDR="192.0.2.7").status_code == 302
    client.post("/sign-out/")
    clock.move_to(START + dt.timedelta(seconds=31))
    assert sign_in(client, REMOTE_ADDR="192.0.2.7").status_code == 302
    refusal = AuditEvent.objects.get(action="accounts.sign_in_refused")
    assert refusal.details == {"username": "analyst", "reason": "slowed down", "wait": 20}


@pytest.mark.frozen_at(START)
def test_the_wait_doubles_with_each_failure_and_waiting_attempts_are_not_failures(
    clock, client, analyst, settings
):
    settings.HARBOUR_LOCKOUT_ADDRESS_ATTEMPTS = 1
    settings.HARBOUR_LOCKOUT_ATTEMPTS = 3
    sign_in(client, password="wrong")
    clock.move_to(START + dt.timedelta(seconds=30))
    sign_in(client, password="wrong")  # 30 s later: checked, and wrong again
    clock.move_to(START + dt.timedelta(seconds=31))
    for _ in range(5):
        refused = sign_in(client, password="wrong")
        assert "Wait 59 seconds, then try again" in refused.content.decode()
    assert FailedSignIn.objects.count() == 2
    assert not Lockout.objects.exists()
    clock.move_to(START + dt.timedelta(seconds=89))
    assert "Wait 1 second, then" in sign_in(client).content.decode()
    clock.move_to(START + dt.timedelta(seconds=90))
    assert sign_in(client).status_code == 302


@pytest.mark.frozen_at(START)
def test_a_signed_in_user_s_failures_no_longer_slow_them_down(clock, client, analyst, settings):
    settings.HARBOUR_LOCKOUT_ADDRESS_ATTEMPTS = 1
    sign_in(client, password="wrong")
    clock.move_to(START + dt.timedelta(seconds=30))
    assert sign_in(client).status_code == 302
    client.post("/sign-out/")
    sign_in(client, password="mistyped")  # a first failure again, not a second
    clock.move_to(START + dt.timedelta(seconds=40))
    assert "Wait 20 seconds, then try again" in sign_in(client).content.decode()
    clock.move_to(START + dt.timedelta(seconds=60))
    assert sign_in(client).status_code == 302


def test_an_administrator_unlock_lets_the_user_back_in(client, analyst, settings):
    from harbour.accounts.lockout import unlock

    settings.HARBOUR_LOCKOUT_ATTEMPTS = 2
    sign_in(client, password="wrong")
    sign_in(client, password="wrong")
    unlock("an administrator", Lockout.objects.get())
    assert sign_in(client).status_code == 302
    assert "accounts.unlock" in actions()


@pytest.mark.frozen_at(START)
def test_an_idle_session_ends_after_thirty_minutes(clock, client, analyst):
    sign_in(client)
    assert client.get("/reports/quarterly/").status_code == 200
    clock.move_to(START + dt.timedelta(minutes=29))
    assert client.get("/reports/quarterly/").status_code == 200  # activity renews it
    clock.move_to(START + dt.timedelta(minutes=60))
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


def test_signing_out_says_so_on_the_sign_in_page_once(client, analyst):
    client.force_login(analyst)

    page = client.post("/sign-out/", follow=True).content.decode()

    assert "You have signed out" in page
    assert "govuk-notification-banner--success" in page
    assert "You have signed out" not in client.get("/sign-in/").content.decode()


def test_the_sign_in_page_does_not_say_signed_out_to_someone_who_was_not_signed_in(client):
    page = client.post("/sign-out/", follow=True).content.decode()

    assert "You have signed out" not in page
