"""Issuing, revoking and checking API tokens (docs/api.md, "Tokens").

    issue(actor, organisation=..., purpose=..., scopes=[...], children=[...], days=...)
        -> Issued(token, secret)     the secret is shown once and never stored
    revoke(actor, token)
    authenticate(secret) -> ApiToken | None
    record_call(token, endpoint=..., method=..., status=...)

A secret reads `hbr_<prefix>_<random>`: the prefix (public, unique) finds the token, and the
whole secret's SHA-256 is compared in constant time with the stored hash. Every issue and
revoke writes one audit event (through save_record), and so does every call made with a
token (`api.call`, with the token's id, the endpoint, the method and the status: no
personal data).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from harbour.audit.services import Actor
from harbour.children.models import Child
from harbour.common.services import locked, save_record

from .models import ApiToken, Scope

SECRET_START = "hbr_"  # noqa: S105 (how a secret starts, not a secret)
# A token lasts at most a year; 90 days unless the administrator says otherwise.
DEFAULT_DAYS = 90
MAX_DAYS = 366


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    # The whole secret, for the administrator to pass on once.
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def actor_for(token: ApiToken) -> str:
    """How a call made with the token is named in the audit trail."""
    return f"api token {token.prefix} ({token.organisation})"


def _children(person_ids: Iterable[str]) -> list[int]:
    wanted = [pid.strip() for pid in person_ids if pid.strip()]
    found = dict(
        (child_id.lower(), pk)
        for pk, child_id in Child.objects.filter(child_id__in=wanted).values_list("pk", "child_id")
    )
    unknown = [pid for pid in wanted if pid.lower() not in found]
    if unknown:
        raise ValidationError(
            {"children": f"No child on the register has the person id {', '.join(unknown)}"}
        )
    return sorted({found[pid.lower()] for pid in wanted})


def issue(
    actor: Actor,
    *,
    organisation: str,
    purpose: str,
    scopes: Iterable[str],
    children: Iterable[str] = (),
    days: int = DEFAULT_DAYS,
) -> Issued:
    """A new token for one organisation and purpose. children: person ids, for the
    `reports` and `read` scopes. Refused while the same organisation has an active token
    for the same purpose (revoke it first: one token per organisation and purpose)."""
    organisation, purpose = organisation.strip(), purpose.strip()
    codes = sorted(set(scopes))
    errors = {}
    if not organisation:
        errors["organisation"] = "Enter the organisation the token is for"
    if not purpose:
        errors["purpose"] = "Enter what the token is for"
    if not codes or any(code not in Scope.values for code in codes):
        errors["scopes"] = "Select what the token may do"
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"A token lasts from 1 to {MAX_DAYS} days"
    if errors:
        raise ValidationError(errors)
    child_pks = _children(children)
    if not child_pks and ({Scope.REPORTS, Scope.READ} & set(codes)):
        raise ValidationError(
            {"children": "Name the children this token may report on or read (person ids)"}
        )
    now = timezone.now()
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(
            organisation__iexact=organisation,
            purpose__iexact=purpose,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        if active.exists():
            raise ValidationError(
                {
                    "purpose": f"{organisation} already has a token for {purpose}: revoke it "
                    "before issuing another"
                }
            )
        prefix = secrets.token_hex(4)
        secret = f"{SECRET_START}{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken(
            organisation=organisation,
            purpose=purpose,
            prefix=prefix,
            secret_sha256=digest(secret),
            scopes="".join(f";{code}" for code in codes) + ";",
            children=child_pks,
            created_by=actor if isinstance(actor, User) else None,
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        save_record(actor, token, action="api.token.issue", details={"scopes": codes})
    return Issued(token, secret)


def revoke(actor: Actor, token: ApiToken) -> ApiToken:
    """The token stops working at once."""
    with transaction.atomic():
        current = locked(token, None, what="token")
        if current.revoked_at is not None:
            raise ValidationError("This token has already been revoked.")
        current.revoked_at = timezone.now()
        current.revoked_by = actor if isinstance(actor, User) else None
        save_record(actor, current, action="api.token.revoke")
    return current


def authenticate(secret: str) -> ApiToken | None:
    """The active token whose secret this is, or None (unknown, wrong, revoked, expired)."""
    secret = (secret or "").strip()
    parts = secret.split("_")
    if len(parts) < 3 or not secret.startswith(SECRET_START):
        return None
    token = ApiToken.objects.filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_sha256, digest(secret)):
        return None
    return token if token.is_active() else None


def record_call(token: ApiToken, *, endpoint: str, method: str, status: int) -> None:
    """One audit event for a call made with the token, and its last use."""
    with transaction.atomic():
        current = locked(token, None, what="token")
        current.last_used_at = timezone.now()
        save_record(
            actor_for(token),
            current,
            action="api.call",
            details={"token": token.pk, "endpoint": endpoint, "method": method, "status": status},
        )
