"""Lock-out after repeated failed sign-ins, per account and per address.

Settings: HARBOUR_LOCKOUT_ATTEMPTS (per account, default 5), HARBOUR_LOCKOUT_ADDRESS_ATTEMPTS
(per address, default 20), both counted over HARBOUR_LOCKOUT_MINUTES (default 15), which
is also how long a lock-out lasts. An administrator can unlock before then.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from harbour.audit import services as auditor

from .models import FailedSignIn, Lockout


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.HARBOUR_LOCKOUT_MINUTES)


def active_lockout(username: str, address: str | None) -> Lockout | None:
    now = timezone.now()
    keys = [(Lockout.Kind.ACCOUNT, username.lower())]
    if address:
        keys.append((Lockout.Kind.ADDRESS, address))
    for kind, key in keys:
        lockout = (
            Lockout.objects.filter(kind=kind, key=key, until__gt=now, unlocked_at__isnull=True)
            .order_by("-until")
            .first()
        )
        if lockout is not None:
            return lockout
    return None


@transaction.atomic
def record_failure(username: str, address: str | None) -> Lockout | None:
    """Note a failed attempt; lock the account or the address if it is one too many."""
    now = timezone.now()
    username = username.lower()[:150]
    FailedSignIn.objects.create(username=username, address=address, at=now)
    since = now - _window()
    FailedSignIn.objects.filter(at__lt=now - 2 * _window()).delete()
    checks = [
        (Lockout.Kind.ACCOUNT, username, {"username": username}, settings.HARBOUR_LOCKOUT_ATTEMPTS)
    ]
    if address:
        checks.append(
            (
                Lockout.Kind.ADDRESS,
                address,
                {"address": address},
                settings.HARBOUR_LOCKOUT_ADDRESS_ATTEMPTS,
            )
        )
    for kind, key, match, limit in checks:
        failures = FailedSignIn.objects.filter(at__gte=since, **match).count()
        if failures >= limit and active_lockout(*_args(kind, key)) is None:
            lockout = Lockout.objects.create(
                kind=kind, key=key, locked_at=now, until=now + _window()
            )
            auditor.record(
                "sign-in protection",
                "accounts.lockout",
                details={"kind": kind, "key": key, "failures": failures},
            )
            return lockout
    return None


def _args(kind: str, key: str) -> tuple[str, str | None]:
    return (key, None) if kind == Lockout.Kind.ACCOUNT else ("", key)


def clear_failures(username: str) -> None:
    FailedSignIn.objects.filter(username=username.lower()).delete()


@transaction.atomic
def unlock(actor: auditor.Actor, lockout: Lockout) -> None:
    lockout.unlocked_at = timezone.now()
    lockout.unlocked_by = actor if getattr(actor, "pk", None) else None
    lockout.save(update_fields=["unlocked_at", "unlocked_by"])
    FailedSignIn.objects.filter(
        **(
            {"username": lockout.key}
            if lockout.kind == Lockout.Kind.ACCOUNT
            else {"address": lockout.key}
        )
    ).delete()
    auditor.record(actor, "accounts.unlock", details={"kind": lockout.kind, "key": lockout.key})
