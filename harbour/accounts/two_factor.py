"""Second factor: TOTP authenticator apps (django-otp), with single-use recovery codes."""

from __future__ import annotations

import base64

import django_otp
import segno
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from harbour.audit import services as auditor

RECOVERY_CODES = 10


def required_for(user: User) -> bool:
    """Two factors are required for everyone unless turned off (the local demo); anyone
    who has set up an authenticator is always asked for it."""
    return settings.HARBOUR_REQUIRE_TWO_FACTOR or has_authenticator(user)


def accept(request: HttpRequest, device: Device) -> None:
    """The second factor is given: the session is verified, under a new session key and
    CSRF token, so that an id learnt while only the password was given is worth nothing
    (as django.contrib.auth.login does for the password)."""
    django_otp.login(request, device)
    request.session.cycle_key()
    rotate_token(request)


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (made on first need)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for apps without a camera."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// link as a QR code, an SVG data URI (shown with <img>, no inline style)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@transaction.atomic
def confirm(user: User, device: TOTPDevice) -> list[str]:
    """Confirm the new authenticator and issue fresh recovery codes (returned once)."""
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    recovery, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes")
    recovery.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    for code in codes:
        recovery.token_set.create(token=code)
    auditor.record(user, "accounts.two_factor_enrolled")
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()
