"""Managing staff accounts: validated, atomic, audited (the house pattern of
harbour/common/services.py).

Every function here writes one audit event (action "accounts.user.*") about the user acted
on, naming them by username and id. No event ever holds a password, a password hash or a
set-password link (the link is as good as a password until it is used).

Four eyes (docs/roles.md): no single administrator can both hold the means to sign in as
an account and give that account access to children's records. So no one changes their own
roles, organisation or place on an access list; a guarded role (a casework role or
Administrator) and a place on an access list are only asked for (a GrantRequest,
"accounts.grant_request.create"), and so are a new set-password link and a reset of two
factors for someone holding a guarded role. Each takes effect when an active administrator
who is neither the one who asked nor the one it is for approves it
("accounts.grant_request.approve", then the change's own event naming the request); a new
link is then shown to the approver, never to the one who asked.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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

if TYPE_CHECKING:
    from harbour.children.models import Child
from .models import GUARDED_ROLES, GrantRequest, Lockout, Role, RoleAssignment, StaffProfile

_organisation_limit = StaffProfile._meta.get_field("organisation").max_length
assert _organisation_limit is not None  # a CharField always has a max_length
ORGANISATION_MAX_LENGTH: int = _organisation_limit


class NewStaffMember(NamedTuple):
    """What `create_staff_user` gives back: the user, the path of their one-time
    set-password page, for the administrator to pass on (never stored or audited), and the
    guarded roles asked for, which wait for a second administrator."""

    user: User
    set_password_path: str
    requested: tuple[GrantRequest, ...] = ()


def _who(user: User) -> dict[str, object]:
    return {"username": user.get_username(), "user_id": user.pk}


def _is_self(actor: auditor.Actor, user: User) -> bool:
    return isinstance(actor, User) and actor.pk is not None and actor.pk == user.pk


def _locked(user: User) -> User:
    """The user's row, locked for the rest of the transaction, read afresh."""
    return get_user_model()._default_manager.select_for_update().get(pk=user.pk)


def _role(role: str) -> Role:
    if role not in Role.values:
        raise ValidationError({"roles": f"There is no role called {role!r}."}, code="invalid")
    return Role(role)


def _profile(user: User) -> StaffProfile:
    profile, _ = StaffProfile.objects.select_for_update().get_or_create(user=user)
    return profile


def role_label(role: str) -> str:
    return Role(role).label


def set_password_path(user: User) -> str:
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
    whose path is returned. Roles that are not guarded are given at once; each guarded role
    is asked for, so whoever adds the account and holds its link cannot also give it
    casework access. Raises ValidationError (by field name) and writes nothing if anything
    is wrong."""
    User = get_user_model()
    username = username.strip()
    wanted = sorted({_role(role) for role in roles}, key=Role.values.index)
    at_once = [role for role in wanted if not _needs_second_administrator(actor, role)]
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
        # Whoever adds the account is shown its first link, so could sign in as it.
        StaffProfile.objects.create(
            user=user,
            organisation=organisation,
            password_link_issued_by=_issuer(actor),
            password_link_issued_at=timezone.now(),
        )
        for role in at_once:
            RoleAssignment.objects.create(user=user, role=role)
        auditor.record(
            actor,
            "accounts.user.create",
            obj=user,
            # Not the email address or names: the trail is kept for ever (docs/audit.md).
            details={
                **_who(user),
                "roles": [str(role) for role in at_once],
                "organisation": organisation,
            },
        )
        requested = tuple(
            ask_second_administrator(actor, user, kind=GrantRequest.Kind.ROLE, role=role)
            for role in wanted
            if role not in at_once
        )
    return NewStaffMember(user, set_password_path(user), requested)


def _issuer(actor: auditor.Actor) -> User | None:
    """The administrator recorded as holding an account's means to sign in (none for the
    command line)."""
    return actor if isinstance(actor, User) else None


def _record_issued(actor: auditor.Actor, user: User, *, means: str) -> None:
    """Record on the account that `actor` now holds its set-password link
    (means="password_link_issued") or has just reset its two factors (means="two_factor_reset"):
    either way they could sign in as it (docs/roles.md, "Four eyes")."""
    profile = _profile(user)
    setattr(profile, f"{means}_by", _issuer(actor))
    setattr(profile, f"{means}_at", timezone.now())
    profile.save(update_fields=[f"{means}_by", f"{means}_at"])


class IssuedToRequester(NamedTuple):
    """A means to sign in as the account that the one asking for access to it issued:
    `means` is "password_link_issued" or "two_factor_reset"."""

    means: str
    at: datetime.datetime


def issued_to_requester(request: GrantRequest) -> list[IssuedToRequester]:
    """For a request for casework access (a guarded role or a place on an access list): the
    means to sign in as the account that the one asking last issued themselves, so could
    sign in as it. Empty for other requests, and when someone else issued them."""
    if request.kind not in (GrantRequest.Kind.ROLE, GrantRequest.Kind.PLACE):
        return []
    profile = StaffProfile.objects.filter(user=request.user_id).first()
    if profile is None:
        return []
    return [
        IssuedToRequester(means, getattr(profile, f"{means}_at"))
        for means in ("password_link_issued", "two_factor_reset")
        if getattr(profile, f"{means}_by_id") == request.requested_by_id
    ]


def holds_guarded_role(user: User) -> bool:
    """Whether the user holds a casework role or the Administrator role: then a new
    set-password link or a reset of their two factors needs a second administrator."""
    return RoleAssignment.objects.filter(user=user, role__in=GUARDED_ROLES).exists()


def _new_set_password_link(
    actor: auditor.Actor, user: User, request: GrantRequest | None = None
) -> str:
    """Stop the user's password (and any earlier link) working and return the path of a
    fresh one-time link. Audited as a reset when they had a password."""
    had_password = user.has_usable_password()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    _record_issued(actor, user, means="password_link_issued")
    auditor.record(
        actor,
        "accounts.user.reset_password" if had_password else "accounts.user.set_password_link",
        obj=user,
        details=_who(user) | _approved(request),
    )
    return set_password_path(user)


@transaction.atomic
def issue_set_password_link(actor: auditor.Actor, user: User) -> str | GrantRequest:
    """A fresh set-password link for someone who has not set a password yet (the first
    link has expired or was lost): its path, or, for someone holding a guarded role, the
    request made instead (the approver is then given the link). Not for resetting a
    password someone already has."""
    user = _locked(user)
    if user.has_usable_password():
        raise ValidationError(
            f"{user.get_username()} has already set a password.", code="password_set"
        )
    if holds_guarded_role(user):
        return ask_second_administrator(actor, user, kind=GrantRequest.Kind.PASSWORD)
    return _new_set_password_link(actor, user)


@transaction.atomic
def reset_password(actor: auditor.Actor, user: User) -> str | GrantRequest:
    """For someone who has forgotten their password: it stops working (which also ends
    their open sessions: Django ties a session to the password), and the path of a fresh
    one-time set-password link is returned for the administrator to pass on. For someone
    holding a guarded role the request made instead is returned, and all that happens when
    a second administrator approves it, who is then given the link. Their second factor is
    untouched, so whoever uses the link still needs their authenticator."""
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
    if holds_guarded_role(user):
        return ask_second_administrator(actor, user, kind=GrantRequest.Kind.PASSWORD)
    return _new_set_password_link(actor, user)


@transaction.atomic
def change_own_password(user: User, new_password: str) -> None:
    """A signed-in user's change of their own password (the Django admin's "Change
    password" page): the caller has checked the old password and the validators."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    auditor.record(user, "accounts.user.change_password", obj=user, details=_who(user))


class RolesChange(NamedTuple):
    """What `set_roles` did: roles granted and revoked at once, and guarded roles it asked
    a second administrator for."""

    granted: list[Role]
    revoked: list[Role]
    requested: list[GrantRequest]

    @property
    def changed(self) -> bool:
        return bool(self.granted or self.revoked or self.requested)


def refuse_own_access_change(actor: auditor.Actor, user: User, what: str) -> None:
    """No one changes their own roles, organisation or place on an access list: it has to
    be another administrator (`what` says which, as in "your own roles")."""
    if _is_self(actor, user):
        raise ValidationError(
            f"You cannot change your own {what}: ask another administrator to do it",
            code="self",
        )


def _needs_second_administrator(actor: auditor.Actor, role: Role) -> bool:
    """Whether granting the role waits for a second administrator: every guarded role
    does, except that the command line (someone at the server, who could change the
    database anyway) grants the Administrator role at once, which is how the first
    administrators are made (create_administrator). Casework access it cannot give."""
    if role not in GUARDED_ROLES:
        return False
    return isinstance(actor, User) or role != Role.ADMINISTRATOR


_NEEDS_A_SECOND_ADMINISTRATOR = {
    GrantRequest.Kind.ROLE: "Casework roles and the Administrator role need",
    GrantRequest.Kind.PLACE: "A place on an access list needs",
    GrantRequest.Kind.PASSWORD: "A new password for someone with a casework or Administrator "
    "role needs",
    GrantRequest.Kind.TWO_FACTOR: "A reset of two factors for someone with a casework or "
    "Administrator role needs",
}


def ask_second_administrator(
    actor: auditor.Actor,
    user: User,
    *,
    kind: GrantRequest.Kind,
    role: str = "",
    child: Child | None = None,
) -> GrantRequest:
    """Record the change as waiting for a second administrator; audited. The caller has
    checked the change itself (not already held, the user active, not the actor's own)."""
    field = "roles" if kind == GrantRequest.Kind.ROLE else NON_FIELD_ERRORS
    if not isinstance(actor, User):
        raise ValidationError(
            {
                field: f"{_NEEDS_A_SECOND_ADMINISTRATOR[kind]} a second administrator: an "
                "administrator asks for it on the staff pages, and another approves it"
            },
            code="four_eyes",
        )
    waiting = GrantRequest.objects.filter(
        user=user, status=GrantRequest.Status.PENDING, kind=kind, role=role, child=child
    )
    if (already := waiting.first()) is not None:
        what = already.what()
        raise ValidationError(
            {
                field: f"{what[0].upper()}{what[1:]} for {user.get_username()} is already "
                "waiting for a second administrator."
            },
            code="duplicate_request",
        )
    request = GrantRequest.objects.create(
        user=user,
        kind=kind,
        role=role,
        child=child,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    auditor.record(
        actor, "accounts.grant_request.create", obj=request, details=_request_details(request)
    )
    return request


def _request_details(request: GrantRequest) -> dict[str, object]:
    details: dict[str, object] = {
        "request_id": request.pk,
        **_who(request.user),
        "kind": request.kind,
    }
    if request.kind == GrantRequest.Kind.ROLE:
        details["role"] = request.role
    elif request.kind == GrantRequest.Kind.PLACE:
        details["child_pk"] = request.child_id
    details["requested_by"] = request.requested_by.get_username()
    return details


def _approved(request: GrantRequest | None) -> dict[str, object]:
    """What a change made on approval adds to its own audit event: the request, and who
    asked for it (the approver is the event's actor)."""
    if request is None:
        return {}
    return {"request_id": request.pk, "requested_by": request.requested_by.get_username()}


def _assign_role(
    actor: auditor.Actor,
    user: User,
    role: Role,
    request: GrantRequest | None = None,
    *,
    demo: bool = False,
) -> None:
    RoleAssignment.objects.create(user=user, role=role)
    details: dict[str, object] = {**_who(user), "role": str(role)} | _approved(request)
    if demo:
        details["demo"] = True
    auditor.record(actor, "accounts.user.grant_role", obj=user, details=details)


@transaction.atomic
def grant_role(actor: auditor.Actor, user: User, role: str) -> GrantRequest | None:
    """Give the user a role. Returns None when it is granted at once, or the request made
    instead for a guarded role (it then takes effect when a second administrator approves
    it: `approve_grant`)."""
    role = _role(role)
    user = _locked(user)
    refuse_own_access_change(actor, user, "roles")
    if RoleAssignment.objects.filter(user=user, role=role).exists():
        raise ValidationError(
            {"roles": f"{user.get_username()} already has the role {role.label}."},
            code="duplicate",
        )
    if _needs_second_administrator(actor, role):
        return ask_second_administrator(actor, user, kind=GrantRequest.Kind.ROLE, role=role)
    _assign_role(actor, user, role)
    return None


DEMO_ACTOR = "demo_users"


@transaction.atomic
def grant_demo_role(user: User, role: str) -> None:
    """For the demo only (`demo_users`, `make run`): the demo's invented staff get their
    roles from the command alone, audited with the actor "demo_users". Refused unless
    DEBUG is on, so never on a real deployment, where every guarded role takes two
    administrators."""
    if not settings.DEBUG:
        raise ValidationError(
            "Roles are given without a second administrator only to the demo's users, with "
            "DEBUG on.",
            code="not_demo",
        )
    role = _role(role)
    user = _locked(user)
    if not RoleAssignment.objects.filter(user=user, role=role).exists():
        _assign_role(DEMO_ACTOR, user, role, demo=True)


@transaction.atomic
def revoke_role(actor: auditor.Actor, user: User, role: str) -> None:
    role = _role(role)
    user = _locked(user)
    # Also keeps the acting administrator's own Administrator role, so there is always one.
    refuse_own_access_change(actor, user, "roles")
    deleted, _ = RoleAssignment.objects.filter(user=user, role=role).delete()
    if not deleted:
        raise ValidationError(
            {"roles": f"{user.get_username()} does not have the role {role.label}."},
            code="not_held",
        )
    auditor.record(
        actor, "accounts.user.revoke_role", obj=user, details={**_who(user), "role": str(role)}
    )


def set_roles(actor: auditor.Actor, user: User, roles: Iterable[str]) -> RolesChange:
    """Grant and revoke so that the user holds exactly `roles`, except the guarded roles,
    which are asked for (or left as they are when already waiting; a request is withdrawn
    on the requests page): all or nothing, one audit event per role changed or asked for.
    Revokes first: taking access away never waits."""
    wanted = {_role(role) for role in roles}
    change = RolesChange([], [], [])
    with transaction.atomic():
        held = set(RoleAssignment.objects.filter(user=_locked(user)).values_list("role", flat=True))
        waiting = set(
            GrantRequest.objects.filter(
                user=user, kind=GrantRequest.Kind.ROLE, status=GrantRequest.Status.PENDING
            ).values_list("role", flat=True)
        )
        for role in Role:
            if role in held and role not in wanted:
                revoke_role(actor, user, role)
                change.revoked.append(role)
        for role in Role:
            if role in wanted and role not in held and role not in waiting:
                request = grant_role(actor, user, role)
                if request is None:
                    change.granted.append(role)
                else:
                    change.requested.append(request)
    return change


def pending_grants() -> list[GrantRequest]:
    """Every request waiting for a second administrator, oldest first."""
    return list(
        GrantRequest.objects.filter(status=GrantRequest.Status.PENDING)
        .select_related("user__staff_profile", "child", "requested_by")
        .order_by("requested_at", "pk")
    )


def _pending(request: GrantRequest) -> GrantRequest:
    """The request's row, locked and read afresh; refused unless still waiting."""
    request = (
        GrantRequest.objects.select_for_update(of=("self",))
        .select_related("user", "child", "requested_by")
        .get(pk=request.pk)
    )
    if request.status != GrantRequest.Status.PENDING:
        raise ValidationError(
            f"This request has already been decided ({request.get_status_display().lower()}).",
            code="decided",
        )
    return request


def _refuse_unless_may_decide(
    actor: auditor.Actor, request: GrantRequest, *, approving: bool
) -> User:
    """Four eyes: the one it is for decides nothing, and the one who asked may withdraw
    the request but not approve it. Only an active administrator decides: the one
    returned."""
    if _is_self(actor, request.user):
        raise ValidationError(
            "This request is about you: another administrator must decide it", code="grantee"
        )
    if approving and _is_self(actor, request.requested_by):
        raise ValidationError(
            "You asked for this: another administrator must approve it", code="requester"
        )
    if not (
        isinstance(actor, User)
        and RoleAssignment.objects.filter(
            user=actor.pk, user__is_active=True, role=Role.ADMINISTRATOR
        ).exists()
    ):
        raise ValidationError(
            "Only an active administrator can approve or reject a request", code="not_admin"
        )
    return actor


def _decide(administrator: User, request: GrantRequest, status: GrantRequest.Status) -> None:
    request.status = status
    request.decided_by = administrator
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])


@transaction.atomic
def approve_grant(
    actor: auditor.Actor, request: GrantRequest, *, confirmed_account_holder: bool = False
) -> str | None:
    """A second administrator approves: the change takes effect now, checked again as if
    it were made now. Audited twice: the approval, then the change (naming the request).
    Returns the path of the new set-password link when one was asked for, for the approver
    alone to pass on; otherwise None.

    When the one who asked for casework access last issued the account's set-password link
    or reset its two factors, they could be signing in as it themselves: approval is then
    refused unless the approver confirms (`confirmed_account_holder`) that they checked
    with the member of staff that they, not the one asking, use the account."""
    request = _pending(request)
    administrator = _refuse_unless_may_decide(actor, request, approving=True)
    user = _locked(request.user)
    if not user.is_active:
        raise ValidationError(
            f"{user.get_username()} is deactivated: reject the request instead.",
            code="inactive",
        )
    issued = issued_to_requester(request)
    if issued and not confirmed_account_holder:
        requester = request.requested_by.get_username()
        raise ValidationError(
            f"{requester} could sign in as {user.get_username()}: confirm that you have "
            f"checked with the member of staff that they, not {requester}, use this account, "
            "or reject the request.",
            code="confirm_account_holder",
        )
    _decide(administrator, request, GrantRequest.Status.APPROVED)
    details = _request_details(request) | {"confirmed_account_holder": bool(issued)}
    if issued:
        details["requester_issued"] = [means for means, _ in issued]
    auditor.record(actor, "accounts.grant_request.approve", obj=request, details=details)
    if request.kind == GrantRequest.Kind.ROLE:
        role = Role(request.role)
        if RoleAssignment.objects.filter(user=user, role=role).exists():
            raise ValidationError(
                f"{user.get_username()} already has the role {role.label}: reject the request.",
                code="duplicate",
            )
        _assign_role(actor, user, role, request)
    elif request.kind == GrantRequest.Kind.PLACE:
        from harbour.children.services import place_on_access_list

        assert request.child is not None  # a request for a place names its child (constraint)
        place_on_access_list(actor, request.child, user, approved=request)
    elif request.kind == GrantRequest.Kind.PASSWORD:
        return _new_set_password_link(actor, user, request)
    else:
        _delete_second_factor(actor, user, request)
    return None


@transaction.atomic
def reject_grant(actor: auditor.Actor, request: GrantRequest) -> None:
    """Another administrator refuses the request, or the one who asked withdraws it."""
    request = _pending(request)
    administrator = _refuse_unless_may_decide(actor, request, approving=False)
    _decide(administrator, request, GrantRequest.Status.REJECTED)
    withdrawn = _is_self(actor, request.requested_by)
    auditor.record(
        actor,
        "accounts.grant_request.withdraw" if withdrawn else "accounts.grant_request.reject",
        obj=request,
        details=_request_details(request),
    )


@transaction.atomic
def set_organisation(actor: auditor.Actor, user: User, organisation: str) -> None:
    organisation = organisation.strip()
    user = _locked(user)
    # A return interview worker's organisation decides which children they see.
    refuse_own_access_change(actor, user, "organisation")
    profile = _profile(user)
    before = profile.organisation
    worker = RoleAssignment.objects.filter(user=user, role=Role.RHI_WORKER).exists()
    if worker and organisation != before:
        # The second administrator approved the role for this organisation (it is named in
        # the request): a move to another provider is asked for again the same way.
        raise ValidationError(
            {
                "organisation": "A return interview worker's organisation decides which "
                "children they see, so it cannot change while they hold the role: remove the "
                "role, change the organisation, then ask for the role again"
            },
            code="four_eyes",
        )
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
def deactivate_user(actor: auditor.Actor, user: User) -> None:
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
def reactivate_user(actor: auditor.Actor, user: User) -> None:
    user = _locked(user)
    if user.is_active:
        raise ValidationError(f"{user.get_username()} is already active.", code="active")
    user.is_active = True
    user.save(update_fields=["is_active"])
    auditor.record(actor, "accounts.user.reactivate", obj=user, details=_who(user))


@transaction.atomic
def sign_out_everywhere(actor: auditor.Actor, user: User) -> int:
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
def reset_two_factor(actor: auditor.Actor, user: User) -> int | GrantRequest:
    """Delete the user's authenticator app and backup codes, so they set up two factors
    again when they next sign in. Returns how many devices were deleted or, for someone
    holding a guarded role, the request made instead (the devices are deleted when a
    second administrator approves it)."""
    user = _locked(user)
    if _is_self(actor, user):
        raise ValidationError(
            "You cannot reset your own two factors: ask another administrator to do it",
            code="self",
        )
    if holds_guarded_role(user):
        return ask_second_administrator(actor, user, kind=GrantRequest.Kind.TWO_FACTOR)
    return _delete_second_factor(actor, user)


def _delete_second_factor(
    actor: auditor.Actor, user: User, request: GrantRequest | None = None
) -> int:
    totp, _ = TOTPDevice.objects.filter(user=user).delete()
    static_devices = StaticDevice.objects.filter(user=user)
    static = static_devices.count()
    static_devices.delete()  # and their backup codes with them
    _record_issued(actor, user, means="two_factor_reset")
    auditor.record(
        actor,
        "accounts.user.reset_two_factor",
        obj=user,
        details={**_who(user), "totp_devices": totp, "static_devices": static} | _approved(request),
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
