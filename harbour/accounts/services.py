"""Managing staff accounts: validated, atomic, audited (the house pattern of
harbour/common/services.py).

Every function here writes one audit event (action "accounts.user.*") about the user acted
on, naming them by username and id. No event ever holds a password, a password hash or a
set-password link (the link is as good as a password until it is used).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from harbour.audit import services as auditor

from . import lockout as lockouts
from .models import Lockout, Role, RoleAssignment, StaffProfile

ORGANISATION_MAX_LENGTH = StaffProfile._meta.get_field("organisation").max_length


class NewStaffMember(NamedTuple):
    """What `create_staff_user` gives back: the user, and the path of their one-time
    set-password page, for the administrator to pass on (never stored or audited)."""

    user: AbstractUser
    set_password_path: str


def _who(user: AbstractUser) -> dict[str, object]:
    return {"username": user.get_username(), "user_id": user.pk}


def _is_self(actor: auditor.Actor, user: AbstractUser) -> bool:
    return getattr(actor, "pk", None) is not None and actor.pk == user.pk


def _locked(user: AbstractUser) -> AbstractUser:
    """The user's row, locked for the rest of the transaction, read afresh."""
    return get_user_model()._default_manager.select_for_update().get(pk=user.pk)


def _role(role: str) -> Role:
    if role not in Role.values:
        raise ValidationError({"roles": f"There is no role called {role!r}."}, code="invalid")
    return Role(role)


def _profile(user: AbstractUser) -> StaffProfile:
    profile, _ = StaffProfile.objects.select_for_update().get_or_create(user=user)
    return profile


def role_label(role: str) -> str:
    return Role(role).label


def set_password_path(user: AbstractUser) -> str:
    """The path of the user's one-time set-password page. The link stops working once a
    password is set with it, and after settings.PASSWORD_RESET_TIMEOUT."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("staff_set_password", kwargs={"uidb64": uidb64, "token": token})


def create_staff_user(
    actor: auditor.Actor,
    *,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[str],
    organisation: str = "",
) -> NewStaffMember:
    """Add a member of staff with no password: they set one through the one-time link
    whose path is returned. Raises ValidationError (by field name) and writes nothing if
    anything is wrong."""
    User = get_user_model()
    username = username.strip()
    wanted = sorted({_role(role) for role in roles}, key=Role.values.index)
    organisation = organisation.strip()
    if len(organisation) > ORGANISATION_MAX_LENGTH:
        raise ValidationError(
            {"organisation": f"Organisation must be {ORGANISATION_MAX_LENGTH} characters or fewer"}
        )
    user = User(
        username=username,
        email=User.objects.normalize_email(email.strip()),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_active=True,
    )
    user.set_unusable_password()
    with transaction.atomic():
        # Lock-outs and sign-in treat usernames without regard to case: so does this.
        if User._default_manager.filter(username__iexact=username).exists():
            raise ValidationError(
                {"username": "A member of staff already has that username"}, code="unique"
            )
        user.full_clean()
        user.save()
        StaffProfile.objects.create(user=user, organisation=organisation)
        for role in wanted:
            RoleAssignment.objects.create(user=user, role=role)
        auditor.record(
            actor,
            "accounts.user.create",
            obj=user,
            # Not the email address or names: the trail is kept for ever (docs/audit.md).
            details={
                **_who(user),
                "roles": [str(role) for role in wanted],
                "organisation": organisation,
            },
        )
    return NewStaffMember(user, set_password_path(user))


@transaction.atomic
def issue_set_password_link(actor: auditor.Actor, user: AbstractUser) -> str:
    """A fresh set-password link for someone who has not set a password yet (the first
    link has expired or was lost). Not for resetting a password someone already has."""
    user = _locked(user)
    if user.has_usable_password():
        raise ValidationError(
            f"{user.get_username()} has already set a password.", code="password_set"
        )
    auditor.record(actor, "accounts.user.set_password_link", obj=user, details=_who(user))
    return set_password_path(user)


@transaction.atomic
def reset_password(actor: auditor.Actor, user: AbstractUser) -> str:
    """For someone who has forgotten their password: it stops working at once (which also
    ends their open sessions: Django ties a session to the password), and the path of a
    fresh one-time set-password link is returned for the administrator to pass on. Their
    second factor is untouched, so whoever uses the link still needs their authenticator."""
    user = _locked(user)
    if _is_self(actor, user):
        raise ValidationError(
            "You cannot reset your own password: ask another administrator to do it",
            code="self",
        )
    if not user.is_active:
        raise ValidationError(
            f"{user.get_username()} is deactivated: reactivate the account first.",
            code="inactive",
        )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    auditor.record(actor, "accounts.user.reset_password", obj=user, details=_who(user))
    return set_password_path(user)


@transaction.atomic
def change_own_password(user: AbstractUser, new_password: str) -> None:
    """A signed-in user's change of their own password (the Django admin's "Change
    password" page): the caller has checked the old password and the validators."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    auditor.record(user, "accounts.user.change_password", obj=user, details=_who(user))


@transaction.atomic
def grant_role(actor: auditor.Actor, user: AbstractUser, role: str) -> None:
    role = _role(role)
    user = _locked(user)
    if RoleAssignment.objects.filter(user=user, role=role).exists():
        raise ValidationError(
            {"roles": f"{user.get_username()} already has the role {role.label}."},
            code="duplicate",
        )
    RoleAssignment.objects.create(user=user, role=role)
    auditor.record(
        actor, "accounts.user.grant_role", obj=user, details={**_who(user), "role": str(role)}
    )


@transaction.atomic
def revoke_role(actor: auditor.Actor, user: AbstractUser, role: str) -> None:
    role = _role(role)
    user = _locked(user)
    if role == Role.ADMINISTRATOR and _is_self(actor, user):
        # The administrator acting keeps theirs, so there is always one.
        raise ValidationError(
            {
                "roles": "You cannot remove your own Administrator role: "
                "ask another administrator to do it"
            },
            code="own_administrator",
        )
    deleted, _ = RoleAssignment.objects.filter(user=user, role=role).delete()
    if not deleted:
        raise ValidationError(
            {"roles": f"{user.get_username()} does not have the role {role.label}."},
            code="not_held",
        )
    auditor.record(
        actor, "accounts.user.revoke_role", obj=user, details={**_who(user), "role": str(role)}
    )


def set_roles(actor: auditor.Actor, user: AbstractUser, roles: Iterable[str]) -> bool:
    """Grant and revoke so that the user holds exactly `roles`: all or nothing, one audit
    event per role changed. Returns whether anything changed."""
    wanted = {_role(role) for role in roles}
    with transaction.atomic():
        held = set(RoleAssignment.objects.filter(user=_locked(user)).values_list("role", flat=True))
        for role in Role:
            if role in wanted and role not in held:
                grant_role(actor, user, role)
            elif role in held and role not in wanted:
                revoke_role(actor, user, role)
    return wanted != held


@transaction.atomic
def set_organisation(actor: auditor.Actor, user: AbstractUser, organisation: str) -> None:
    organisation = organisation.strip()
    user = _locked(user)
    profile = _profile(user)
    before = profile.organisation
    profile.organisation = organisation
    try:
        profile.full_clean()
    except ValidationError as error:
        raise ValidationError(
            {"organisation": f"Organisation must be {ORGANISATION_MAX_LENGTH} characters or fewer"}
        ) from error
    profile.save(update_fields=["organisation"])
    auditor.record(
        actor,
        "accounts.user.set_organisation",
        obj=user,
        details={**_who(user), "organisation": [before, organisation]},
    )


@transaction.atomic
def deactivate_user(actor: auditor.Actor, user: AbstractUser) -> None:
    """Stop the user signing in (Django refuses inactive users, also for open sessions)."""
    user = _locked(user)
    if _is_self(actor, user):
        raise ValidationError(
            "You cannot deactivate your own account: ask another administrator to do it",
            code="self",
        )
    if not user.is_active:
        raise ValidationError(f"{user.get_username()} is already deactivated.", code="inactive")
    user.is_active = False
    user.save(update_fields=["is_active"])
    auditor.record(actor, "accounts.user.deactivate", obj=user, details=_who(user))


@transaction.atomic
def reactivate_user(actor: auditor.Actor, user: AbstractUser) -> None:
    user = _locked(user)
    if user.is_active:
        raise ValidationError(f"{user.get_username()} is already active.", code="active")
    user.is_active = True
    user.save(update_fields=["is_active"])
    auditor.record(actor, "accounts.user.reactivate", obj=user, details=_who(user))


@transaction.atomic
def sign_out_everywhere(actor: auditor.Actor, user: AbstractUser) -> int:
    """End every session the user has open (sessions signed in under an older generation
    end at their next request). Returns the new generation."""
    user = _locked(user)
    profile = _profile(user)
    StaffProfile.objects.filter(pk=profile.pk).update(
        session_generation=F("session_generation") + 1
    )
    profile.refresh_from_db(fields=["session_generation"])
    auditor.record(
        actor,
        "accounts.user.sign_out_everywhere",
        obj=user,
        details={**_who(user), "session_generation": profile.session_generation},
    )
    return profile.session_generation


@transaction.atomic
def reset_two_factor(actor: auditor.Actor, user: AbstractUser) -> int:
    """Delete the user's authenticator app and backup codes, so they set up two factors
    again when they next sign in. Returns how many devices were deleted."""
    user = _locked(user)
    totp, _ = TOTPDevice.objects.filter(user=user).delete()
    static_devices = StaticDevice.objects.filter(user=user)
    static = static_devices.count()
    static_devices.delete()  # and their backup codes with them
    auditor.record(
        actor,
        "accounts.user.reset_two_factor",
        obj=user,
        details={**_who(user), "totp_devices": totp, "static_devices": static},
    )
    return totp + static


def active_lockouts() -> list[Lockout]:
    """Every lock-out in force now, accounts first, newest first."""
    return list(
        Lockout.objects.filter(until__gt=timezone.now(), unlocked_at__isnull=True).order_by(
            "kind", "-locked_at"
        )
    )


@transaction.atomic
def unlock_user(actor: auditor.Actor, username: str) -> int:
    """End the lock-outs in force on the account with this username (each one audited by
    lockout.unlock). Returns how many there were; refuses if there were none."""
    key = username.strip().lower()
    locked = list(
        Lockout.objects.select_for_update().filter(
            kind=Lockout.Kind.ACCOUNT, key=key, until__gt=timezone.now(), unlocked_at__isnull=True
        )
    )
    if not locked:
        raise ValidationError(f"{username} is not locked out.", code="not_locked")
    for lockout in locked:
        lockouts.unlock(actor, lockout)
    user = get_user_model()._default_manager.filter(username__iexact=key).first()
    auditor.record(
        actor,
        "accounts.user.unlock",
        obj=user,
        details={
            "username": user.get_username() if user else key,
            "user_id": user.pk if user else None,
            "lockouts": len(locked),
        },
    )
    return len(locked)


@transaction.atomic
def unlock_address(actor: auditor.Actor, lockout: Lockout) -> None:
    """End a lock-out of an address (audited by lockout.unlock)."""
    lockout = Lockout.objects.select_for_update().get(pk=lockout.pk)
    if lockout.kind != Lockout.Kind.ADDRESS:
        raise ValidationError("That is not a lock-out of an address.", code="kind")
    if lockout.unlocked_at is not None or lockout.until <= timezone.now():
        raise ValidationError(f"{lockout.key} is not locked out.", code="not_locked")
    lockouts.unlock(actor, lockout)
