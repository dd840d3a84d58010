"""Sign-in protection: a lock-out per account, and a slow-down per address that cannot
lock out anyone who shares the address.

Everyone behind the council's proxy, or an office's shared connection, can arrive from one
address (harbour.security.client_address reads the proxy's X-Forwarded-For only when the
proxy is in HARBOUR_TRUSTED_PROXIES). So an address is never locked: failures from it only
make retries of the usernames that failed from it wait.

- Account: HARBOUR_LOCKOUT_ATTEMPTS failures (default 5) for one username, from anywhere,
  within HARBOUR_LOCKOUT_MINUTES (default 15) lock that account for HARBOUR_LOCKOUT_MINUTES,
  or until an administrator unlocks it.
- Address: once HARBOUR_LOCKOUT_ADDRESS_ATTEMPTS failures (default 20), for any usernames,
  have come from one address within the window, the address is busy. From a busy address,
  a username that has failed from it waits FIRST_WAIT (30 seconds) after its failure
  before its next attempt is checked, twice as long after each further failure (never
  longer than the window). A username with no failure from the address is checked at
  once: someone making up usernames cannot stop a colleague with the right password.

Lockout rows of kind ADDRESS are no longer made; older ones stay listed (and can be
unlocked) until they expire.
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from harbour.audit import services as auditor

from .models import FailedSignIn, Lockout

FIRST_WAIT = dt.timedelta(seconds=30)
# 30 seconds doubled this many times is past any sensible window: the cap keeps it finite.
MOST_DOUBLINGS = 16


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.HARBOUR_LOCKOUT_MINUTES)


def _key(username: str) -> str:
    return username.lower()[:150]


def active_lockout(username: str, address: str | None = None) -> Lockout | None:
    """The lock-out in force on the account (or, for an address, one made before addresses
    were only slowed down), if any."""
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


def seconds_to_wait(username: str, address: str | None) -> int:
    """How long this username must wait before an attempt from this address is checked
    (0: check it now). Only a busy address makes anyone wait, and only for usernames that
    have failed from it."""
    if not address:
        return 0
    now = timezone.now()
    since = now - _window()
    failed = FailedSignIn.objects.filter(
        username=_key(username), address=address, at__gte=since
    ).aggregate(count=Count("id"), last=Max("at"))
    if not failed["count"]:
        return 0
    address_failures = FailedSignIn.objects.filter(address=address, at__gte=since).count()
    if address_failures < settings.HARBOUR_LOCKOUT_ADDRESS_ATTEMPTS:
        return 0
    doublings = min(failed["count"] - 1, MOST_DOUBLINGS)
    wait = min(FIRST_WAIT * 2**doublings, _window())
    remaining = (failed["last"] + wait - now).total_seconds()
    return max(0, math.ceil(remaining))


@transaction.atomic
def record_failure(username: str, address: str | None) -> Lockout | None:
    """Note a failed attempt; lock the account if it is one too many (returning the new
    lock-out), and audit an address becoming busy."""
    now = timezone.now()
    username = _key(username)
    FailedSignIn.objects.create(username=username, address=address, at=now)
    since = now - _window()
    FailedSignIn.objects.filter(at__lt=now - 2 * _window()).delete()
    if address:
        address_failures = FailedSignIn.objects.filter(address=address, at__gte=since).count()
        if address_failures == settings.HARBOUR_LOCKOUT_ADDRESS_ATTEMPTS:
            auditor.record(
                "sign-in protection",
                "accounts.address_slowed",
                details={"address": address, "failures": address_failures},
            )
    failures = FailedSignIn.objects.filter(username=username, at__gte=since).count()
    if failures >= settings.HARBOUR_LOCKOUT_ATTEMPTS and active_lockout(username) is None:
        lockout = Lockout.objects.create(
            kind=Lockout.Kind.ACCOUNT, key=username, locked_at=now, until=now + _window()
        )
        auditor.record(
            "sign-in protection",
            "accounts.lockout",
            details={"kind": lockout.kind, "key": username, "failures": failures},
        )
        return lockout
    return None


def clear_failures(username: str) -> None:
    FailedSignIn.objects.filter(username=username.lower()).delete()


@transaction.atomic
def unlock(actor: auditor.Actor, lockout: Lockout) -> None:
    lockout.unlocked_at = timezone.now()
    lockout.unlocked_by = actor if isinstance(actor, User) and actor.pk else None
    lockout.save(update_fields=["unlocked_at", "unlocked_by"])
    FailedSignIn.objects.filter(
        **(
            {"username": lockout.key}
            if lockout.kind == Lockout.Kind.ACCOUNT
            else {"address": lockout.key}
        )
    ).delete()
    auditor.record(actor, "accounts.unlock", details={"kind": lockout.kind, "key": lockout.key})
